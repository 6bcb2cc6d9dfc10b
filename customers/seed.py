"""Demo customers at any scale, written with COPY (a million rows load in about a minute)."""

import datetime as dt
import random
from collections.abc import Iterator

from django.utils import timezone

from accounts.seed import CITIES, DISTRICTS, Organisation, chinese_name
from crm.copy import copy_rows, sequence_reset
from customers.models import Customer
from customers.national_id import check_char

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
CHANNELS = [c.value for c in Customer.Channel] + [""]
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
    "created_at",
    "updated_at",
]


def _rows(count: int, org: Organisation, rng: random.Random, today: dt.date) -> Iterator[tuple]:
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
        rows_email = f"c{number}@mail.example.cn" if rng.random() < 0.6 else ""
        address = (
            f"{city}市{rng.choice(DISTRICTS)}区{rng.choice(ROADS)}"
            f"{rng.randint(1, 999)}号{rng.randint(1, 30)}栋{rng.randint(101, 2808)}室"
        )
        yield (
            i,
            number,
            chinese_name(rng),
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
            now,
            now,
        )


def seed_customers(*, count: int, org: Organisation, rng: random.Random, today: dt.date) -> int:
    """`count` customers spread evenly over the RMs (and so the branches) of `org`."""
    written = copy_rows("customers_customer", COLUMNS, _rows(count, org, rng, today))
    sequence_reset("customers_customer")
    return written
