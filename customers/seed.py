"""Demo customers at any scale, written with COPY.

Besides the customers themselves: needs with their change history, life events, risk
assessments, households (spouses) and 12 month-end balance snapshots per customer. The
customer pass remembers a few facts per customer in compact arrays, and each child table is
then generated from those facts and COPYed in one stream (crm.pgcopy). Times are on the
bank's clock (settings.TIME_ZONE).
"""

import datetime as dt
import random
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.seed import CITIES, DISTRICTS, Organisation, chinese_name
from crm.pgcopy import copy_rows, indexes_deferred, local_datetime, sequence_reset
from customers.models import PREFERRED_CHANNELS, NeedType
from customers.national_id import check_char
from customers.search import id_last4, name_grams

SEGMENTS = (["mass"] * 70) + (["affluent"] * 22) + (["hnw"] * 7) + ["private"]
STATUSES = (["active"] * 85) + (["dormant"] * 10) + (["prospect"] * 4) + ["archived"]
RISK_BY_SEGMENT = {
    "mass": ["C1", "C2", "C2", "C3", "C3", "C4", ""],
    "affluent": ["C2", "C3", "C3", "C4", "C4", "C5"],
    "hnw": ["C3", "C4", "C4", "C5", "C5"],
    "private": ["C3", "C4", "C5", "C5"],
}
INCOME_BY_SEGMENT = {
    "mass": ["lt100k", "lt100k", "100k-300k"],
    "affluent": ["100k-300k", "300k-1m"],
    "hnw": ["300k-1m", "gt1m"],
    "private": ["gt1m"],
}
OCCUPATIONS = [
    "教师",
    "医生",
    "工程师",
    "公务员",
    "企业主",
    "销售经理",
    "会计",
    "律师",
    "自由职业",
    "退休",
    "学生",
    "护士",
    "程序员",
    "设计师",
    "个体工商户",
    "研究员",
]
ROADS = [
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "和平路",
    "新华路",
    "长江路",
    "延安路",
    "南京路",
    "学府路",
    "科技路",
    "滨河路",
]
CHANNELS = [value for value, _label in PREFERRED_CHANNELS] + [""]
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "176",
    "177",
    "180",
    "181",
    "186",
    "187",
    "188",
    "189",
]

COLUMNS = [
    "id",
    "customer_number",
    "name",
    "date_of_birth",
    "national_id",
    "phone",
    "email",
    "address",
    "occupation",
    "income_band",
    "segment",
    "status",
    "branch_id",
    "relationship_manager_id",
    "risk_class",
    "risk_assessed_on",
    "marketing_consent",
    "do_not_contact",
    "preferred_channel",
    "search_bigrams",
    "id_last4",
    "created_at",
    "updated_at",
]
SEGMENT_INDEX = {"mass": 0, "affluent": 1, "hnw": 2, "private": 3}


@dataclass
class Facts:
    """What the child tables need to know about each customer (index = id - 1)."""

    segment: bytearray
    born: array  # date ordinals
    risk: bytearray  # 0 = none, 1..5 = C1..C5
    assessed: array  # date ordinals, 0 = none
    rm: array  # user ids
    branch: array


def _new_facts() -> Facts:
    return Facts(bytearray(), array("i"), bytearray(), array("i"), array("i"), array("i"))


def _rows(
    count: int, org: Organisation, rng: random.Random, today: dt.date, facts: Facts
) -> Iterator[tuple]:
    now = timezone.now()
    used_ids: set[str] = set()
    n_rms = len(org.rm_user_ids)
    for i in range(1, count + 1):
        rm_index = (i - 1) % n_rms
        branch_id = org.rm_branch_ids[rm_index]
        city, region = CITIES[org.branch_cities[branch_id - 1]]
        segment = rng.choice(SEGMENTS)
        age_days = rng.randint(18 * 365 + 5, 85 * 365)
        born = today - dt.timedelta(days=age_days)
        stem = f"{region}{born:%Y%m%d}"
        seq = rng.randint(0, 999)
        while True:
            first17 = f"{stem}{seq:03d}"
            national_id = first17 + check_char(first17)
            if national_id not in used_ids:
                break
            seq = (seq + 1) % 1000
        used_ids.add(national_id)
        risk = rng.choice(RISK_BY_SEGMENT[segment])
        assessed = today - dt.timedelta(days=rng.randint(0, 450)) if risk else None
        number = f"62{i:010d}"
        name = chinese_name(rng)
        facts.segment.append(SEGMENT_INDEX[segment])
        facts.born.append(born.toordinal())
        facts.risk.append(int(risk[1]) if risk else 0)
        facts.assessed.append(assessed.toordinal() if assessed else 0)
        facts.rm.append(org.rm_user_ids[rm_index])
        facts.branch.append(branch_id)
        rows_email = f"c{number}@mail.example.cn" if rng.random() < 0.6 else ""
        address = (
            f"{city}市{rng.choice(DISTRICTS)}区{rng.choice(ROADS)}"
            f"{rng.randint(1, 999)}号{rng.randint(1, 30)}栋{rng.randint(101, 2808)}室"
        )
        yield (
            i,
            number,
            name,
            born,
            national_id,
            rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}",
            rows_email,
            address,
            rng.choice(OCCUPATIONS),
            rng.choice(INCOME_BY_SEGMENT[segment]),
            segment,
            rng.choice(STATUSES),
            branch_id,
            org.rm_user_ids[rm_index],
            risk,
            assessed,
            rng.random() < 0.6,
            rng.random() < 0.03,
            rng.choice(CHANNELS),
            name_grams(name),
            id_last4(national_id),
            now,
            now,
        )


def seed_customers(*, count: int, org: Organisation, rng: random.Random, today: dt.date) -> Facts:
    """`count` customers spread evenly over the RMs (and so the branches) of `org`."""
    facts = _new_facts()
    copy_rows("customers_customer", COLUMNS, _rows(count, org, rng, today, facts))
    sequence_reset("customers_customer")
    return facts


# -- The customer's surroundings -----------------------------------------------------------


def _skip_foreign_key_triggers() -> None:
    """Skip per-row foreign-key checks for the rest of the seed's transaction.

    Demo rows are consistent by construction, and 15 million checks cost minutes. Only a
    superuser (as in the embedded cluster) may do this; for anyone else the checks just run.
    """
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        pass


def month_ends(today: dt.date, months: int = 12) -> list[dt.date]:
    """The last day of each of the `months` months before today's, oldest first."""
    ends, first = [], today.replace(day=1)
    for _ in range(months):
        end = first - dt.timedelta(days=1)
        ends.append(end)
        first = end.replace(day=1)
    return ends[::-1]


# Needs a customer of each segment tends to have (codes of the default need types).
NEEDS_BY_SEGMENT = [
    ["liquidity", "credit", "home_purchase", "education", "protection"],
    ["wealth_growth", "education", "retirement", "protection", "home_purchase"],
    ["wealth_growth", "capital_preservation", "wealth_transfer", "business_banking"],
    ["wealth_transfer", "capital_preservation", "business_banking", "wealth_growth"],
]
# Typical deposits and investments (yuan) per segment: the base of each balance history.
BALANCE_BASE = [
    (30_000, 5_000),
    (300_000, 400_000),
    (1_500_000, 3_500_000),
    (5_000_000, 15_000_000),
]
EVENT_KINDS = [
    "marriage",
    "childbirth",
    "school",
    "university",
    "home_purchase",
    "job_change",
    "retirement",
    "relocation",
    "inheritance",
    "business_start",
]
STAMPS = ["created_at", "updated_at"]
EVENT_NOTES = ["", "", "客户来电告知", "理财经理面谈得知", "客户在网点提及", "家属告知"]
EVIDENCE = ["", "客户面谈表述", "资产配置问卷", "交易行为推断", "客户来电咨询"]


def seed_surroundings(
    *, facts: Facts, org: Organisation, rng: random.Random, today: dt.date, log: Callable
) -> None:
    """Needs (+ changes), life events, risk assessments, households, 12 balance snapshots."""
    count = len(facts.rm)
    need_ids = dict(NeedType.objects.values_list("code", "id"))
    stamp = timezone.now()
    today_ord = today.toordinal()

    # 1. Needs and their change history.
    change_rows: list[tuple] = []

    def needs() -> Iterator[tuple]:
        need_id = 0
        for i in range(count):
            segment = facts.segment[i]
            age = (today_ord - facts.born[i]) // 365
            pool = list(NEEDS_BY_SEGMENT[segment])
            if age >= 50:
                pool += ["retirement", "capital_preservation"]
            k = rng.choice((0, 1, 1, 1, 2, 2, 3))
            for code in set(rng.sample(pool, min(k, len(pool)))):
                need_id += 1
                first = today_ord - rng.randint(30, 900)
                confirmed = rng.randint(first, today_ord)
                priority = rng.randint(20, 95)
                status = "active" if rng.random() < 0.85 else rng.choice(("fulfilled", "lapsed"))
                source = rng.choice(("stated", "recorded", "recorded", "inferred"))
                evidence = rng.choice(EVIDENCE)
                first_d = dt.date.fromordinal(first)
                confirmed_d = dt.date.fromordinal(confirmed)
                created = local_datetime(first_d, 10)
                rm = facts.rm[i]
                change_rows.append((need_id, created, rm, None, priority, "", "active", ""))
                if confirmed > first + 30 and rng.random() < 0.3:
                    old = rng.randint(10, 90)
                    change_rows[-1] = (need_id, created, rm, None, old, "", "active", "")
                    changed = min(local_datetime(confirmed_d, 15, 30), stamp)  # never in the future
                    change_rows.append(
                        (need_id, changed, rm, old, priority, "active", status, "复核")
                    )
                elif status != "active":
                    changed = min(local_datetime(confirmed_d, 15, 30), stamp)  # never in the future
                    change_rows.append(
                        (need_id, changed, rm, priority, priority, "active", status, "")
                    )
                yield (
                    need_id,
                    i + 1,
                    need_ids[code],
                    priority,
                    source,
                    status,
                    first_d,
                    confirmed_d,
                    evidence,
                    stamp,
                    stamp,
                )

    n = copy_rows(
        "customers_customerneed",
        [
            "id",
            "customer_id",
            "need_type_id",
            "priority",
            "source",
            "status",
            "first_identified",
            "last_confirmed",
            "evidence",
            "created_at",
            "updated_at",
        ],
        needs(),
    )
    log(f"{n} needs")
    n = copy_rows(
        "customers_needchange",
        [
            "need_id",
            "changed_at",
            "changed_by_id",
            "old_priority",
            "new_priority",
            "old_status",
            "new_status",
            "reason",
        ],
        change_rows,
    )
    change_rows.clear()
    log(f"{n} need changes")

    # 2. Life events (past, and some expected within the year).
    def events() -> Iterator[tuple]:
        for i in range(count):
            if rng.random() >= 0.3:
                continue
            age = (today_ord - facts.born[i]) // 365
            kind = rng.choice(
                EVENT_KINDS if age < 55 else ["retirement", "inheritance", "relocation"]
            )
            when = dt.date.fromordinal(today_ord + rng.randint(-700, 200))
            source = rng.choice(("customer", "rm", "rm", "core"))
            note = rng.choice(EVENT_NOTES)
            yield (i + 1, kind, when, source, note, facts.rm[i], stamp, stamp)

    n = copy_rows(
        "customers_lifeevent",
        ["customer_id", "kind", "event_date", "source", "note", "recorded_by_id", *STAMPS],
        events(),
    )
    log(f"{n} life events")

    # 3. Risk assessments: the one behind the customer's class, and for some an older one.
    def assessments() -> Iterator[tuple]:
        for i in range(count):
            risk = facts.risk[i]
            if not risk:
                continue
            score = min(100, risk * 20 - rng.randint(0, 19))
            assessed = dt.date.fromordinal(facts.assessed[i])
            yield (i + 1, f"C{risk}", assessed, score, facts.rm[i], stamp, stamp)
            if rng.random() < 0.2:
                older = dt.date.fromordinal(facts.assessed[i] - rng.randint(370, 800))
                old_risk = max(1, risk - rng.randint(0, 1))
                old_score = min(100, old_risk * 20 - 5)
                yield (i + 1, f"C{old_risk}", older, old_score, facts.rm[i], stamp, stamp)

    n = copy_rows(
        "customers_riskassessment",
        ["customer_id", "risk_class", "assessed_on", "score", "assessed_by_id", *STAMPS],
        assessments(),
    )
    log(f"{n} risk assessments")

    # 4. Households: spouses among customers of the same RM (so of the same branch).
    stride = len(org.rm_user_ids)

    def households() -> Iterator[tuple]:
        paired = bytearray(count)
        for i in range(count - stride):
            if paired[i] or rng.random() >= 0.2:
                continue
            j = i + stride
            if paired[j]:
                continue
            paired[i] = paired[j] = 1
            yield (i + 1, j + 1, "spouse", stamp, stamp)
            yield (j + 1, i + 1, "spouse", stamp, stamp)

    n = copy_rows(
        "customers_relationship",
        ["customer_id", "related_id", "kind", "created_at", "updated_at"],
        households(),
    )
    log(f"{n} household ties")

    # 5. Twelve month-end balance snapshots per customer: a random walk around a base.
    ends = month_ends(today)
    gauss, rand = rng.gauss, rng.random

    def balances() -> Iterator[tuple]:
        snap_id = 0
        for i in range(count):
            base_dep, base_inv = BALANCE_BASE[facts.segment[i]]
            dep = base_dep * (0.2 + 1.6 * rand())
            inv = base_inv * (0.1 + 1.8 * rand()) if rand() < 0.8 else 0.0
            loan = base_dep * 3 * rand() if rand() < 0.25 else 0.0
            cid = i + 1
            for end in ends:
                snap_id += 1
                dep = max(0.0, dep * (1 + gauss(0, 0.08)))
                inv = max(0.0, inv * (1 + gauss(0, 0.05)))
                loan = max(0.0, loan * 0.985)
                yield (snap_id, cid, end, round(dep, 2), round(inv, 2), round(loan, 2))

    n = copy_rows(
        "customers_balancesnapshot",
        ["id", "customer_id", "as_of", "deposits", "investments", "loans"],
        balances(),
    )
    log(f"{n} balance snapshots")
    for table in (
        "customers_customerneed",
        "customers_needchange",
        "customers_lifeevent",
        "customers_riskassessment",
        "customers_relationship",
        "customers_balancesnapshot",
    ):
        sequence_reset(table)


# The tables this step fills: their secondary indexes are built once, after the rows are in.
TABLES = (
    "customers_customer",
    "customers_customerneed",
    "customers_needchange",
    "customers_lifeevent",
    "customers_riskassessment",
    "customers_relationship",
    "customers_balancesnapshot",
)


def seed_step(ctx) -> str:
    """seed_demo step (settings.SEED_DEMO_STEPS): customers over ctx.facts["organisation"],
    then their needs, life events, assessments, households and balances."""
    org = ctx.facts["organisation"]
    _skip_foreign_key_triggers()
    with indexes_deferred(*TABLES):
        facts = seed_customers(count=ctx.customers, org=org, rng=ctx.rng, today=ctx.today)
        ctx.log(f"{ctx.customers} customers")
        seed_surroundings(facts=facts, org=org, rng=ctx.rng, today=ctx.today, log=ctx.log)
    return "customers' needs, life events, risk assessments, households and balances"
