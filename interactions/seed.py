"""Demo interactions and tasks, made by PostgreSQL: ~10 interactions per customer over two years.

Four set-based statements write them (10 million interactions at 1,000,000 customers): how
many interactions each customer gets, then the interactions, the needs they discussed and the
follow-up tasks. Every random choice is `_r(key, k)`, a hash of the row's key (interaction or
customer id), a draw number `k` and the run's seed — the same in every statement, so the needs
and tasks agree with the interaction they belong to without reading it back, and the same
--seed gives the same data. The tables' secondary indexes are built once, at the end
(crm.pgcopy.indexes_deferred). Times are on the bank's clock (settings.TIME_ZONE).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection

from crm.pgcopy import indexes_deferred, local_datetime, sequence_reset

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

# Draw numbers: each random choice has its own, so no two are correlated.
(
    K_COUNT,
    K_DAY,
    K_HOUR,
    K_MINUTE,
    K_OWN_RM,
    K_COLLEAGUE,
    K_CHANNEL,
    K_DURATION,
    K_NEEDS,
    K_NEED_1,
    K_NEED_2,
    K_SUBJECT,
    K_PRODUCTS,
    K_PRODUCT_1,
    K_TWO_PRODUCTS,
    K_PRODUCT_2,
    K_OUTCOME,
    K_DIRECTION,
    K_NOTES,
    K_DUE,
    K_CLOSING,
    K_DONE_SHIFT,
    K_TITLE,
    K_MANUAL,
    K_MANUAL_DUE,
    K_MANUAL_TITLE,
) = range(1, 27)


def _r(key: str, k: int) -> str:
    """SQL for a number uniform in [0, 1) drawn for the row whose key (a bigint expression)
    is `key`: draw `k` of the run whose seed is the statement's %(seed)s parameter."""
    return (
        f"((hashint8extended({key}, %(seed)s + {k}) & 4503599627370495)::float8 / 4503599627370496)"
    )


def _pick(array: str, length: int, key: str, k: int) -> str:
    """SQL for one element of the array parameter %(`array`)s (of `length` elements)."""
    return f"(%({array})s::text[])[1 + floor({_r(key, k)} * {length})::int]"


@dataclass
class SeedCounts:
    interactions: int = 0
    needs: int = 0
    tasks: int = 0
    open_tasks: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def _params(*, rng: random.Random, today: dt.date) -> dict:
    """The statements' parameters: the run's seed, the day and the demo's vocabularies."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT code, id FROM customers_needtype WHERE is_active ORDER BY id")
        needs = cursor.fetchall()
    # Subjects by need: one flat array, and where each need's (index 0: no need) start.
    subject_keys = ["", *(code for code, _id in needs)]
    subjects, starts, lengths = [], [], []
    for code in subject_keys:
        starts.append(len(subjects) + 1)
        lengths.append(len(SUBJECTS.get(code) or SUBJECTS[""]))
        subjects.extend(SUBJECTS.get(code) or SUBJECTS[""])
    return {
        "seed": rng.randrange(2**40),
        "today": today,
        "tz": settings.TIME_ZONE,
        "now_at": local_datetime(today, 8),
        "week_ago": local_datetime(today - dt.timedelta(days=7), 10),
        "segments": list(MEAN_BY_SEGMENT),
        "means": list(MEAN_BY_SEGMENT.values()),
        "need_ids": [need_id for _code, need_id in needs],
        "subjects": subjects,
        "subject_starts": starts,
        "subject_lengths": lengths,
        "channels": CHANNELS,
        "outcomes": OUTCOMES,
        "products": PRODUCTS,
        "notes": NOTES,
        "titles": TASK_TITLES,
    }


# How many interactions each customer gets (0 to twice the segment's mean), and the id before
# its first: interaction ids run in customer order without gaps.
COUNTS_SQL = f"""
    CREATE TEMP TABLE seed_interaction_counts ON COMMIT DROP AS
    SELECT customer_id, rm_id, branch_id, n, sum(n) OVER (ORDER BY customer_id) - n AS id_before
    FROM (
        SELECT c.id AS customer_id, c.relationship_manager_id AS rm_id, c.branch_id,
               floor({_r("c.id", K_COUNT)} * (2 * COALESCE(m.mean, 8) + 1))::int AS n
        FROM customers_customer c
        LEFT JOIN unnest(%(segments)s::text[], %(means)s::int[]) m (segment, mean)
            ON m.segment = c.segment
    ) x
"""

# One row per interaction: its id, customer, the RM or a colleague of the branch (active RMs
# and supervisors), and the draws the needs and tasks share with it.
DRAWS_SQL = f"""
    SELECT x.*,
           CASE WHEN {_r("x.id", K_NEEDS)} < 0.25 THEN 0
                ELSE 1 + floor({_r("x.id", K_NEED_1)} * %(need_count)s)::int END AS need_1,
           CASE WHEN {_r("x.id", K_NEEDS)} > 0.85
                THEN 1 + floor({_r("x.id", K_NEED_2)} * %(need_count)s)::int END AS need_2,
           {_pick("outcomes", len(OUTCOMES), "x.id", K_OUTCOME)} AS outcome,
           %(today)s::date - 1 - floor({_r("x.id", K_DAY)} * {HISTORY_DAYS})::int AS day,
           (%(today)s::date - 1 - floor({_r("x.id", K_DAY)} * {HISTORY_DAYS})::int
            + make_time(9 + floor({_r("x.id", K_HOUR)} * 9)::int,
                        floor({_r("x.id", K_MINUTE)} * 60)::int, 0))
               AT TIME ZONE %(tz)s AS at
    FROM (
        SELECT s.id_before + g AS id, s.customer_id,
               CASE WHEN s.rm_id IS NOT NULL AND {_r("s.id_before + g", K_OWN_RM)} < {OWN_RM_SHARE}
                    THEN s.rm_id
                    ELSE COALESCE(
                        b.staff[1 + floor({_r("s.id_before + g", K_COLLEAGUE)}
                                          * cardinality(b.staff))::int],
                        s.rm_id)
               END AS staff_id
        FROM seed_interaction_counts s
        LEFT JOIN (
            SELECT branch_id, array_agg(user_id ORDER BY user_id) AS staff
            FROM accounts_staff WHERE branch_id IS NOT NULL AND is_active GROUP BY branch_id
        ) b ON b.branch_id = s.branch_id
        CROSS JOIN LATERAL generate_series(1, s.n) g
    ) x
"""

DURATION_SQL = (
    "CASE d.channel "
    + " ".join(
        f"WHEN '{channel}' THEN {low} + floor({_r('d.id', K_DURATION)} * {high - low + 1})::int"
        for channel, span in DURATION.items()
        if span
        for low, high in [span]
    )
    + " END"
)

INTERACTIONS_SQL = f"""
    INSERT INTO interactions_interaction (
        id, customer_id, staff_id, channel, direction, occurred_at, duration_minutes, subject,
        notes, product_codes, outcome, created_at, updated_at
    )
    SELECT d.id, d.customer_id, d.staff_id, d.channel,
           CASE WHEN {_r("d.id", K_DIRECTION)} < 0.7 THEN 'outbound' ELSE 'inbound' END,
           d.at, {DURATION_SQL},
           (%(subjects)s::text[])[(%(subject_starts)s::int[])[d.need_1 + 1]
                          + floor({_r("d.id", K_SUBJECT)}
                                  * (%(subject_lengths)s::int[])[d.need_1 + 1])::int],
           {_pick("notes", len(NOTES), "d.id", K_NOTES)},
           CASE WHEN {_r("d.id", K_PRODUCTS)} >= 0.3 THEN '{{}}'::varchar[]
                WHEN {_r("d.id", K_TWO_PRODUCTS)} < 0.5 OR d.product_1 = d.product_2
                    THEN ARRAY[d.product_1]
                ELSE ARRAY[LEAST(d.product_1, d.product_2), GREATEST(d.product_1, d.product_2)]
           END,
           d.outcome, d.at, d.at
    FROM (
        SELECT draws.*,
               {_pick("channels", len(CHANNELS), "draws.id", K_CHANNEL)} AS channel,
               {_pick("products", len(PRODUCTS), "draws.id", K_PRODUCT_1)} AS product_1,
               {_pick("products", len(PRODUCTS), "draws.id", K_PRODUCT_2)} AS product_2
        FROM ({DRAWS_SQL}) draws
    ) d
"""

# The needs discussed: the first drawn (three in four interactions), and a second one when
# drawn and different. The link rows' ids (seen by no one) follow the interaction's.
NEEDS_SQL = f"""
    INSERT INTO interactions_interaction_needs (id, interaction_id, needtype_id)
    SELECT 2 * d.id, d.id, (%(need_ids)s::int[])[d.need_1]
    FROM ({DRAWS_SQL}) d WHERE d.need_1 > 0
    UNION ALL
    SELECT 2 * d.id + 1, d.id, (%(need_ids)s::int[])[d.need_2]
    FROM ({DRAWS_SQL}) d WHERE d.need_2 <> d.need_1
"""

# Follow-up tasks of "follow up" interactions, due 1–14 days later; those due more than three
# days ago are mostly done (a few days either side of the due date), some cancelled, a few
# still open. Then the tasks RMs set by hand last week, due from five days ago to ten ahead.
TASKS_SQL = f"""
    INSERT INTO interactions_task (
        customer_id, assignee_id, created_by_id, title, due_date, status, completed_at,
        cancelled_at, origin, interaction_id, created_at, updated_at
    )
    SELECT t.customer_id, t.staff_id, t.staff_id, t.title, t.due, t.status,
           CASE WHEN t.status = 'done'
                THEN (LEAST(t.due - 3 + floor({_r("t.id", K_DONE_SHIFT)} * 8)::int,
                            %(today)s::date) + time '16:00') AT TIME ZONE %(tz)s END,
           CASE WHEN t.status = 'cancelled' THEN (t.due + time '16:00') AT TIME ZONE %(tz)s END,
           'interaction', t.id, t.at, %(now_at)s
    FROM (
        SELECT f.*,
               CASE WHEN f.due >= %(today)s::date - 3 THEN 'open'
                    WHEN {_r("f.id", K_CLOSING)} < 0.85 THEN 'done'
                    WHEN {_r("f.id", K_CLOSING)} < 0.95 THEN 'cancelled'
                    ELSE 'open' END AS status
        FROM (
            SELECT d.id, d.customer_id, d.staff_id, d.at,
                   d.day + 1 + floor({_r("d.id", K_DUE)} * 14)::int AS due,
                   {_pick("titles", len(TASK_TITLES), "d.id", K_TITLE)} AS title
            FROM ({DRAWS_SQL}) d
            WHERE d.outcome = 'follow_up'
        ) f
    ) t
    UNION ALL
    SELECT s.customer_id, s.rm_id, s.rm_id,
           {_pick("titles", len(TASK_TITLES), "s.customer_id", K_MANUAL_TITLE)},
           %(today)s::date - 5 + floor({_r("s.customer_id", K_MANUAL_DUE)} * 16)::int,
           'open', NULL, NULL, 'manual', NULL, %(week_ago)s, %(week_ago)s
    FROM seed_interaction_counts s
    WHERE s.rm_id IS NOT NULL AND {_r("s.customer_id", K_MANUAL)} < {MANUAL_TASK_SHARE}
"""


def seed_interactions(*, rng: random.Random, today: dt.date) -> SeedCounts:
    """About 10 interactions per existing customer over the last two years (an RM's own
    customers mostly, a colleague of the branch otherwise), the needs they discussed, and
    follow-up tasks (done, cancelled, open and overdue). Returns what was written."""
    params = _params(rng=rng, today=today)
    params["need_count"] = len(params["need_ids"])
    counts = SeedCounts()
    with indexes_deferred(*TABLES), connection.cursor() as cursor:
        cursor.execute(COUNTS_SQL, params)
        cursor.execute(INTERACTIONS_SQL, params)
        counts.interactions = cursor.rowcount
        cursor.execute(NEEDS_SQL, params)
        counts.needs = cursor.rowcount
        cursor.execute(TASKS_SQL, params)
        counts.tasks = cursor.rowcount
        cursor.execute("SELECT status, count(*) FROM interactions_task GROUP BY status")
        counts.by_status = dict(cursor.fetchall())
        cursor.execute("DROP TABLE seed_interaction_counts")
    for table in TABLES:
        sequence_reset(table)
    counts.open_tasks = counts.by_status.get("open", 0)
    return counts


def seed_step(ctx) -> str:
    """seed_demo step (settings.SEED_DEMO_STEPS): interactions and tasks of every customer."""
    seeded = seed_interactions(rng=ctx.rng, today=ctx.today)
    return (
        f"{seeded.interactions} interactions ({seeded.needs} needs discussed), "
        f"{seeded.tasks} tasks ({seeded.open_tasks} open)"
    )
