"""Demo organisation: branches, supervisors, relationship managers and head office.

User names follow DOMAIN.md: admin, sup01, sup02 …, rm001, rm002 … (rm001 in branch 1).
"""

import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import Role
from accounts.services import role_groups_sync
from crm.pgcopy import copy_rows, sequence_reset

# (city, region code of its urban district) — the region code also starts local ID numbers.
CITIES = [
    ("北京", "110105"),
    ("上海", "310115"),
    ("广州", "440106"),
    ("深圳", "440305"),
    ("杭州", "330106"),
    ("南京", "320106"),
    ("成都", "510107"),
    ("武汉", "420106"),
    ("西安", "610113"),
    ("重庆", "500103"),
    ("天津", "120103"),
    ("苏州", "320505"),
    ("长沙", "430104"),
    ("郑州", "410105"),
    ("青岛", "370202"),
    ("厦门", "350203"),
]
DISTRICTS = [
    "中心",
    "东城",
    "西城",
    "南湖",
    "北苑",
    "高新",
    "滨江",
    "新区",
    "开发区",
    "东湖",
    "金融街",
    "人民广场",
    "科技园",
    "大学城",
    "火车站",
    "万达广场",
]
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于"
    "蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹"
    "薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
SURNAMES += ["欧阳", "司马", "诸葛"]  # compound surnames
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰文辉玲华红建国志鹏飞宇浩然"
    "子涵欣怡梓萱晨雨轩博文佳琪思远嘉懿若曦俊杰雅婷家豪瑞海燕晓东春梅振华玉兰凤"
    "云鑫林斌琳晶莉婷宁慧颖倩雪瑶鸿德福安康乐"
)


@dataclass(frozen=True)
class Organisation:
    branch_ids: list[int]
    branch_cities: list[int]  # index into CITIES per branch
    rm_user_ids: list[int]
    rm_branch_ids: list[int]  # branch of each RM, parallel to rm_user_ids
    admin_user_id: int


def supervisor_username(branch_number: int) -> str:
    """sup01 … sup99, sup100 …: a fixed minimum width keeps the contract names at any scale."""
    return f"sup{branch_number:02d}"


def rm_username(rm_number: int) -> str:
    """rm001 … rm999, rm1000 …"""
    return f"rm{rm_number:03d}"


def chinese_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.75 else "")
    return rng.choice(SURNAMES) + given


def seed_organisation(*, customers: int, password: str, rng: random.Random) -> Organisation:
    """Branches (one per ~5,000 customers, at least 3), a supervisor each, an RM per ~200."""
    now = timezone.now()
    n_branches = max(3, round(customers / 5000))
    n_rms = max(n_branches, round(customers / 200))
    password_hash = make_password(password)  # hashed once: every demo user shares it

    branch_cities = [i % len(CITIES) for i in range(n_branches)]
    branches = []
    for i in range(n_branches):
        city = CITIES[branch_cities[i]][0]
        district = DISTRICTS[(i // len(CITIES)) % len(DISTRICTS)]
        suffix = f"第{i // (len(CITIES) * len(DISTRICTS)) + 1}" if i >= 256 else ""
        branches.append((i + 1, f"B{i + 1:03d}", f"{city}{district}{suffix}支行", city, now, now))
    copy_rows(
        "accounts_branch", ["id", "code", "name", "city", "created_at", "updated_at"], branches
    )

    users, staff = [], []

    def add_user(
        username: str,
        role: str,
        branch_id: int | None,
        employee_number: str,
        *,
        superuser: bool = False,
    ) -> int:
        user_id = len(users) + 1
        name = chinese_name(rng)
        # Chinese names read surname first with no space: keep the whole name in first_name.
        users.append(
            (
                user_id,
                username,
                name,
                "",
                f"{username}@bank.example.cn",
                password_hash,
                superuser,
                superuser or role == Role.HEAD_OFFICE,
                True,
                now,
            )
        )
        staff.append((user_id, user_id, role, branch_id, employee_number, True, now, now))
        return user_id

    admin_id = add_user("admin", Role.HEAD_OFFICE, None, "HO0001", superuser=True)
    add_user("analyst", Role.HEAD_OFFICE, None, "HO0002")
    for b in range(1, n_branches + 1):
        add_user(supervisor_username(b), Role.SUPERVISOR, b, f"S{b:05d}")
    rm_ids, rm_branches = [], []
    for r in range(1, n_rms + 1):
        branch_id = (r - 1) % n_branches + 1  # rm001 in branch 1, rm002 in branch 2 …
        rm_ids.append(add_user(rm_username(r), Role.RM, branch_id, f"R{r:06d}"))
        rm_branches.append(branch_id)

    copy_rows(
        "auth_user",
        [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "password",
            "is_superuser",
            "is_staff",
            "is_active",
            "date_joined",
        ],
        users,
    )
    copy_rows(
        "accounts_staff",
        [
            "id",
            "user_id",
            "role",
            "branch_id",
            "employee_number",
            "is_active",
            "created_at",
            "updated_at",
        ],
        staff,
    )
    for table in ("accounts_branch", "auth_user", "accounts_staff"):
        sequence_reset(table)
    get_user_model().objects.get(username="analyst").groups.add(role_groups_sync())
    return Organisation(
        branch_ids=[b[0] for b in branches],
        branch_cities=branch_cities,
        rm_user_ids=rm_ids,
        rm_branch_ids=rm_branches,
        admin_user_id=admin_id,
    )


def seed_step(ctx) -> str:
    """seed_demo step (settings.SEED_DEMO_STEPS): the organisation, left in
    ctx.facts["organisation"] for the steps after it."""
    org = seed_organisation(customers=ctx.customers, password=ctx.password, rng=ctx.rng)
    ctx.facts["organisation"] = org
    return f"{len(org.branch_ids)} branches, {len(org.rm_user_ids)} RMs"
