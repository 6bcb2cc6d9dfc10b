"""Demo interactions and tasks, written with COPY: ~10 interactions per customer over two years.

Customers are read back in id order, a chunk at a time; for each chunk the interactions, the
needs they discussed and the follow-up tasks are generated as rows and written with three
COPY statements (crm.pgcopy). Ids are assigned here, so tasks and needs can point at their
interaction without a round trip. Times are on the bank's clock (settings.TIME_ZONE).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection

from crm.pgcopy import copy_rows, indexes_deferred, local_datetime, sequence_reset

CHUNK_CUSTOMERS = 10_000
HISTORY_DAYS = 730
# Mean interactions per customer by segment (about 10 overall with the demo's segment mix).
MEAN_BY_SEGMENT = {"mass": 8, "affluent": 14, "hnw": 18, "private": 24}
OWN_RM_SHARE = 0.8  # the rest are served by a colleague of the branch ("full service")
MANUAL_TASK_SHARE = 0.03  # customers with an open task their RM created by hand

CHANNELS = ["phone"] * 40 + ["branch"] * 25 + ["messaging"] * 15 + ["email"] * 10
CHANNELS += ["video"] * 5 + ["event"] * 5
DURATION = {
    "phone": (3, 25),
    "branch": (15, 60),
    "video": (10, 45),
    "event": (60, 150),
    "email": None,
    "messaging": None,
}
OUTCOMES = ["interested"] * 35 + ["no_interest"] * 22 + ["follow_up"] * 20
OUTCOMES += ["subscribed"] * 15 + ["complaint"] * 3 + ["interested"] * 5
PRODUCTS = [
    "TD-1Y",
    "TD-3Y",
    "WMP-JX30",
    "WMP-WY90",
    "WMP-CY180",
    "FUND-HB01",
    "FUND-ZQ02",
    "FUND-GP03",
    "BOND-GZ5Y",
    "INS-ZS20",
    "INS-YL10",
    "SD-HL01",
    "GOLD-AU",
    "LOAN-FD30",
]
# Subjects and notes by need code ("" = no particular need).
SUBJECTS = {
    "": ["季度资产检视", "客户回访", "账户信息核实", "节日问候", "网点活动邀约", "服务满意度回访"],
    "liquidity": ["活期资金安排", "短期流动性管理", "大额存单到期提醒"],
    "capital_preservation": ["稳健理财配置", "存款到期续存", "保本产品咨询"],
    "wealth_growth": ["理财产品推荐", "基金定投方案", "资产配置建议"],
    "retirement": ["养老规划咨询", "个人养老金账户开立", "退休收入安排"],
    "education": ["子女教育金规划", "留学资金准备", "教育储蓄方案"],
    "home_purchase": ["购房首付规划", "房贷方案咨询", "公积金贷款咨询"],
    "protection": ["保障型保险咨询", "重疾险方案", "家庭保障检视"],
    "wealth_transfer": ["家族财富传承", "家族信托咨询", "遗嘱与保险金信托"],
    "credit": ["消费贷款咨询", "经营贷额度", "信用卡分期"],
    "business_banking": ["企业开户咨询", "对公结算服务", "小微企业贷款"],
}
NOTES = [
    "客户对近期收益表示关注，希望了解风险更低的选择。",
    "已向客户说明产品风险等级与期限，客户表示回家与家人商量。",
    "客户近期资金较充裕，计划三个月内做新的安排。",
    "客户反映网点排队时间较长，已致歉并记录。",
    "客户子女明年入学，需要提前准备资金。\n约定下周再电话沟通。",
    "客户已在手机银行完成风险评估。",
    "客户对保险类产品兴趣不大，暂不推荐。",
    "客户计划两年内购房，询问首付与贷款安排。",
    "客户希望收到产品说明书的电子版，已通过邮件发送。",
    "",
    "",
    "",
]
TASK_TITLES = [
    "发送产品说明书",
    "电话回访客户决定",
    "预约网点面谈",
    "准备资产配置方案",
    "提醒客户完成风险评估",
    "跟进开户材料",
]

TABLES = ("interactions_interaction", "interactions_interaction_needs", "interactions_task")
INTERACTION_COLUMNS = [
    "id",
    "customer_id",
    "staff_id",
    "channel",
    "direction",
    "occurred_at",
    "duration_minutes",
    "subject",
    "notes",
    "product_codes",
    "outcome",
    "created_at",
    "updated_at",
]
NEED_COLUMNS = ["interaction_id", "needtype_id"]
TASK_COLUMNS = [
    "customer_id",
    "assignee_id",
    "created_by_id",
    "title",
    "due_date",
    "status",
    "completed_at",
    "cancelled_at",
    "origin",
    "interaction_id",
    "created_at",
    "updated_at",
]


@dataclass
class SeedCounts:
    interactions: int = 0
    needs: int = 0
    tasks: int = 0
    open_tasks: int = 0
    by_status: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _branch_staff() -> dict[int, list[int]]:
    """branch id → user ids of its active RMs and supervisors."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT branch_id, user_id FROM accounts_staff "
            "WHERE branch_id IS NOT NULL AND is_active ORDER BY user_id"
        )
        staff: dict[int, list[int]] = defaultdict(list)
        for branch_id, user_id in cursor.fetchall():
            staff[branch_id].append(user_id)
    return staff


def _need_types() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT code, id FROM customers_needtype WHERE is_active ORDER BY id")
        return dict(cursor.fetchall())


def seed_interactions(*, rng: random.Random, today: dt.date) -> SeedCounts:
    """About 10 interactions per existing customer over the last two years, their needs, and
    follow-up tasks (done, cancelled, open and overdue). Returns what was written.

    The interactions of a chunk of customers stream into COPY as they are made, so PostgreSQL
    stores one batch while Python makes the next; the tables' secondary indexes are built once
    at the end (crm.pgcopy.indexes_deferred)."""
    staff_by_branch = _branch_staff()
    need_ids = _need_types()
    # Every day of the last two years, yesterday backwards; times on the bank's clock.
    days = [today - dt.timedelta(days=d) for d in range(1, HISTORY_DAYS + 1)]
    counts = SeedCounts()
    last_customer = 0
    with indexes_deferred(*TABLES):
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id, relationship_manager_id, branch_id, segment "
                    "FROM customers_customer WHERE id > %s ORDER BY id LIMIT %s",
                    [last_customer, CHUNK_CUSTOMERS],
                )
                customers = cursor.fetchall()
            if not customers:
                break
            last_customer = customers[-1][0]
            needs: list[tuple] = []
            tasks: list[tuple] = []
            rows = _interaction_rows(
                customers,
                rng=rng,
                today=today,
                days=days,
                staff_by_branch=staff_by_branch,
                need_ids=need_ids,
                first_id=counts.interactions + 1,
                needs=needs,
                tasks=tasks,
                counts=counts,
            )
            counts.interactions += copy_rows("interactions_interaction", INTERACTION_COLUMNS, rows)
            counts.needs += copy_rows("interactions_interaction_needs", NEED_COLUMNS, needs)
            counts.tasks += copy_rows("interactions_task", TASK_COLUMNS, tasks)
    for table in TABLES:
        sequence_reset(table)
    counts.open_tasks = counts.by_status["open"]
    return counts


def _interaction_rows(
    customers: list[tuple],
    *,
    rng: random.Random,
    today: dt.date,
    days: list[dt.date],
    staff_by_branch: dict[int, list[int]],
    need_ids: dict[str, int],
    first_id: int,
    needs: list[tuple],
    tasks: list[tuple],
    counts: SeedCounts,
) -> Iterator[tuple]:
    """Yield the interaction rows of `customers` ((id, rm id, branch id, segment) tuples),
    with ids from `first_id`; append the needs they discussed to `needs` and their follow-up
    tasks (and the RMs' hand-made ones) to `tasks`."""
    need_codes = list(need_ids)
    now_at = local_datetime(today, 8)
    week_ago = local_datetime(today - dt.timedelta(days=7), 10)
    rand, randint, choice = rng.random, rng.randint, rng.choice
    next_id = first_id
    for customer_id, rm_id, branch_id, segment in customers:
        colleagues = staff_by_branch.get(branch_id) or [rm_id]
        if rm_id and rand() < MANUAL_TASK_SHARE:
            # A task the RM set by hand last week, due from five days ago to ten ahead.
            due = today + dt.timedelta(days=randint(-5, 10))
            counts.by_status["open"] += 1
            tasks.append(
                (
                    customer_id,
                    rm_id,
                    rm_id,
                    choice(TASK_TITLES),
                    due,
                    "open",
                    None,
                    None,
                    "manual",
                    None,
                    week_ago,
                    week_ago,
                )
            )
        mean = MEAN_BY_SEGMENT.get(segment, 8)
        for _ in range(randint(0, 2 * mean)):
            day = randint(0, HISTORY_DAYS - 1)
            at = local_datetime(days[day], randint(9, 17), randint(0, 59))
            staff_id = rm_id if rm_id and rand() < OWN_RM_SHARE else choice(colleagues)
            channel = choice(CHANNELS)
            span = DURATION[channel]
            duration = randint(*span) if span else None
            roll = rand()
            discussed = [] if roll < 0.25 else [choice(need_codes)]
            if roll > 0.85:
                second = choice(need_codes)
                if second != discussed[0]:
                    discussed.append(second)
            subject = choice(SUBJECTS[discussed[0] if discussed else ""])
            products = (
                sorted({choice(PRODUCTS) for _ in range(randint(1, 2))}) if rand() < 0.3 else []
            )
            outcome = choice(OUTCOMES)
            direction = "outbound" if rand() < 0.7 else "inbound"
            yield (
                next_id,
                customer_id,
                staff_id,
                channel,
                direction,
                at,
                duration,
                subject,
                choice(NOTES),
                products,
                outcome,
                at,
                at,
            )
            needs.extend((next_id, need_ids[code]) for code in discussed)
            if outcome == "follow_up":
                due = days[day] + dt.timedelta(days=randint(1, 14))
                status, completed, cancelled = "open", None, None
                if due < today - dt.timedelta(days=3):
                    closing = rand()
                    if closing < 0.85:
                        when = min(due + dt.timedelta(days=randint(-3, 4)), today)
                        status, completed = "done", local_datetime(when, 16)
                    elif closing < 0.95:
                        status, cancelled = "cancelled", local_datetime(due, 16)
                counts.by_status[status] += 1
                tasks.append(
                    (
                        customer_id,
                        staff_id,
                        staff_id,
                        choice(TASK_TITLES),
                        due,
                        status,
                        completed,
                        cancelled,
                        "interaction",
                        next_id,
                        at,
                        now_at,
                    )
                )
            next_id += 1


def seed_step(ctx) -> str:
    """seed_demo step (settings.SEED_DEMO_STEPS): interactions and tasks of every customer."""
    seeded = seed_interactions(rng=ctx.rng, today=ctx.today)
    return (
        f"{seeded.interactions} interactions ({seeded.needs} needs discussed), "
        f"{seeded.tasks} tasks ({seeded.open_tasks} open)"
    )
