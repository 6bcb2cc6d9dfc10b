"""Demo data for the products app (seed_demo step, settings.SEED_DEMO_STEPS).

About 60 products across categories and risk levels with some shelf history; about 1.5
holdings per customer (maturities over the next 18 months, a few above the customer's class);
questionnaire answers behind the recent risk assessments (the older ones stay "no
questionnaire"); recommendations with outcomes; three campaigns with targets at various
stages. Products and campaigns are a handful of rows; holdings are COPYed; questionnaire
answers, recommendations and campaign targets are each one INSERT … SELECT.
"""

from __future__ import annotations

import datetime as dt
import json
from array import array
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from customers.models import NeedType
from products.models import (
    Campaign,
    Product,
    ProductVersion,
    RiskOption,
    RiskQuestionnaire,
)

COPY_CHUNK = 50_000
QUESTIONNAIRE_WITHIN_DAYS = 180  # assessments older than this predate the questionnaire

# code, name, category, risk, yield %, term days, minimum, open-ended, need codes, segments.
# The first fourteen are the codes the interactions demo discusses.
CATALOGUE = [
    (
        "TD-1Y",
        "一年期定期存款",
        "time_deposit",
        "R1",
        "1.450",
        365,
        "50",
        False,
        ["liquidity", "capital_preservation"],
        [],
    ),
    (
        "TD-3Y",
        "三年期定期存款",
        "time_deposit",
        "R1",
        "1.950",
        1095,
        "50",
        False,
        ["capital_preservation"],
        [],
    ),
    ("WMP-JX30", "稳享30天理财", "wmp", "R2", "2.350", 30, "10000", False, ["liquidity"], []),
    (
        "WMP-WY90",
        "稳盈90天理财",
        "wmp",
        "R2",
        "2.800",
        90,
        "10000",
        False,
        ["wealth_growth", "capital_preservation"],
        [],
    ),
    (
        "WMP-CY180",
        "长盈180天理财",
        "wmp",
        "R3",
        "3.200",
        180,
        "50000",
        False,
        ["wealth_growth"],
        ["affluent", "hnw", "private"],
    ),
    ("FUND-HB01", "货币市场基金", "fund", "R1", "1.800", None, "1", True, ["liquidity"], []),
    (
        "FUND-ZQ02",
        "纯债债券基金",
        "fund",
        "R2",
        "3.100",
        None,
        "1000",
        True,
        ["capital_preservation", "retirement"],
        [],
    ),
    ("FUND-GP03", "成长股票基金", "fund", "R4", "8.000", None, "1000", True, ["wealth_growth"], []),
    (
        "BOND-GZ5Y",
        "五年期储蓄国债",
        "bond",
        "R1",
        "2.500",
        1825,
        "100",
        False,
        ["capital_preservation", "retirement"],
        [],
    ),
    (
        "INS-ZS20",
        "终身寿险（20年交）",
        "insurance",
        "R2",
        None,
        7300,
        "10000",
        False,
        ["protection", "wealth_transfer"],
        [],
    ),
    (
        "INS-YL10",
        "颐养年金保险",
        "insurance",
        "R2",
        "3.000",
        3650,
        "20000",
        False,
        ["retirement"],
        [],
    ),
    (
        "SD-HL01",
        "汇率挂钩结构性存款",
        "structured",
        "R3",
        "3.600",
        182,
        "50000",
        False,
        ["wealth_growth"],
        [],
    ),
    (
        "GOLD-AU",
        "积存金",
        "metal",
        "R4",
        None,
        None,
        "1000",
        True,
        ["wealth_growth", "wealth_transfer"],
        [],
    ),
    (
        "LOAN-FD30",
        "个人住房贷款（30年）",
        "loan",
        "R1",
        None,
        10950,
        "0",
        False,
        ["home_purchase", "credit"],
        [],
    ),
]
# More of each category, generated: (prefix, name stem, category, risks, yields, terms, minimum,
# open-ended, needs).
FAMILIES = [
    (
        "TD",
        "定期存款",
        "time_deposit",
        ["R1"],
        ["1.300", "1.650", "2.100"],
        [90, 182, 730],
        "50",
        False,
        ["capital_preservation", "liquidity"],
    ),
    (
        "DD",
        "活期存款",
        "demand_deposit",
        ["R1"],
        ["0.200"],
        [None],
        "0",
        True,
        ["liquidity", "business_banking"],
    ),
    (
        "WMP",
        "理财产品",
        "wmp",
        ["R2", "R2", "R3", "R3", "R4"],
        ["2.600", "3.000", "3.500", "4.200"],
        [63, 91, 182, 365],
        "10000",
        False,
        ["wealth_growth", "capital_preservation", "education"],
    ),
    (
        "FUND",
        "基金",
        "fund",
        ["R2", "R3", "R4", "R5"],
        ["3.000", "5.000", "7.500", "10.000"],
        [None],
        "1000",
        True,
        ["wealth_growth", "retirement", "education"],
    ),
    (
        "BOND",
        "债券",
        "bond",
        ["R1", "R2"],
        ["2.300", "2.700"],
        [1095, 1825],
        "1000",
        False,
        ["capital_preservation", "retirement"],
    ),
    (
        "INS",
        "保险",
        "insurance",
        ["R1", "R2"],
        [None, "2.500"],
        [3650, 7300],
        "5000",
        False,
        ["protection", "education", "wealth_transfer"],
    ),
    (
        "SD",
        "结构性存款",
        "structured",
        ["R2", "R3"],
        ["2.900", "3.800"],
        [91, 182],
        "50000",
        False,
        ["wealth_growth"],
    ),
    ("PM", "贵金属", "metal", ["R4", "R5"], [None], [None], "1000", True, ["wealth_growth"]),
    (
        "LOAN",
        "贷款",
        "loan",
        ["R1"],
        [None],
        [365, 1095, 3650],
        "0",
        False,
        ["credit", "business_banking", "home_purchase"],
    ),
]
GENERATED = 46  # 14 named + 46 generated = 60 products
NAMES = ["安盈", "稳健", "鑫享", "智选", "悦享", "恒利", "福满", "卓越", "康宁", "金穗"]
DECLINE_REASONS = ["收益偏低", "期限太长", "暂无闲置资金", "已在他行购买", "需与家人商量"]


def _catalogue(rng) -> list[tuple]:
    rows = list(CATALOGUE)
    for n in range(GENERATED):
        prefix, stem, category, risks, yields, terms, minimum, open_ended, needs = FAMILIES[
            n % len(FAMILIES)
        ]
        code = f"{prefix}-{2026 - n % 3}{n:03d}"
        name = f"{rng.choice(NAMES)}{stem}{n + 1}号"
        segments = ["affluent", "hnw", "private"] if rng.random() < 0.2 else []
        rows.append(
            (
                code,
                name,
                category,
                rng.choice(risks),
                rng.choice(yields),
                rng.choice(terms),
                minimum,
                open_ended,
                rng.sample(needs, k=min(len(needs), rng.randint(1, 2))),
                segments,
            )
        )
    return rows


def seed_products(*, rng, today: dt.date) -> list[Product]:
    """The catalogue and its shelf history: each product listed up to two years ago; a fifth
    re-rated, a tenth closed or matured since, a few opening a future sale window."""
    need_ids = dict(NeedType.objects.values_list("code", "pk"))
    rows = _catalogue(rng)
    products = Product.objects.bulk_create(
        Product(
            code=code,
            name=name,
            category=category,
            currency="CNY",
            expected_yield=Decimal(y) if y else None,
            term_days=term,
            minimum_investment=Decimal(minimum),
            open_ended=open_ended,
            target_segments=segments,
        )
        for code, name, category, _risk, y, term, minimum, open_ended, _needs, segments in rows
    )
    Product.need_types.through.objects.bulk_create(
        Product.need_types.through(product_id=p.pk, needtype_id=need_ids[code])
        for p, row in zip(products, rows, strict=True)
        for code in row[8]
        if code in need_ids
    )
    versions = []
    for i, (product, row) in enumerate(zip(products, rows, strict=True)):
        risk = row[3]
        listed = today - dt.timedelta(days=rng.randint(120, 730))
        if i < 14 or rng.random() < 0.8:
            first_risk = risk
        else:  # re-rated since: the first listing had another level
            first_risk = f"R{max(1, min(5, int(risk[1]) + rng.choice([-1, 1])))}"
        versions.append(
            ProductVersion(
                product=product,
                effective_from=listed,
                risk_level=first_risk,
                status="on_sale",
                note="首次上架",
            )
        )
        if first_risk != risk:
            versions.append(
                ProductVersion(
                    product=product,
                    effective_from=listed + dt.timedelta(days=rng.randint(30, 100)),
                    risk_level=risk,
                    status="on_sale",
                    note="发行机构风险评级调整",
                )
            )
        roll = rng.random()
        if i >= 14 and roll < 0.1:
            versions.append(
                ProductVersion(
                    product=product,
                    effective_from=today - dt.timedelta(days=rng.randint(1, 60)),
                    risk_level=risk,
                    status=rng.choice(["closed", "matured"]),
                    note="募集结束",
                )
            )
        elif i >= 14 and roll < 0.15:
            versions.append(
                ProductVersion(
                    product=product,
                    effective_from=today - dt.timedelta(days=5),
                    risk_level=risk,
                    status="on_sale",
                    sale_start=today + dt.timedelta(days=rng.randint(3, 20)),
                    sale_end=today + dt.timedelta(days=rng.randint(30, 60)),
                    note="新一期募集",
                )
            )
    ProductVersion.objects.bulk_create(versions)
    return products


def seed_holdings(*, rng, today: dt.date, products: list[Product], copy_rows) -> int:
    """About 1.5 holdings per customer, mostly within the customer's class (a few above it),
    maturing over the next 18 months; read the customers with a server-side cursor, COPY."""
    by_risk: dict[int, list[Product]] = {r: [] for r in range(1, 6)}
    levels = dict(
        ProductVersion.objects.order_by("product_id", "effective_from").values_list(
            "product_id", "risk_level"
        )
    )  # the latest version wins
    for product in products:
        by_risk[int(levels[product.pk][1])].append(product)
    # The customers first (COPY holds the connection while it runs): ids and classes in
    # compact arrays, read in keyset batches.
    ids, classes = array("i"), bytearray()
    last = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT id, risk_class FROM customers_customer WHERE id > %s ORDER BY id LIMIT %s",
                [last, COPY_CHUNK],
            )
            batch = cursor.fetchall()
            if not batch:
                break
            for customer_id, risk_class in batch:
                ids.append(customer_id)
                classes.append(int(risk_class[1]) if risk_class else 0)
            last = batch[-1][0]
    stamp = timezone.now()

    def rows():
        for customer_id, klass in zip(ids, classes, strict=True):
            roll = rng.random()
            count = 0 if roll < 0.2 else 1 if roll < 0.5 else 2 if roll < 0.8 else 3
            top = klass or 2
            for _ in range(count):
                above = rng.random() < 0.03 and top < 5
                level = rng.randint(top + 1, 5) if above else rng.randint(1, top)
                product = rng.choice(by_risk[level] or by_risk[1])
                principal = Decimal(
                    max(int(product.minimum_investment), 1000) * rng.choice([1, 1, 2, 3, 5, 10])
                )
                start = today - dt.timedelta(days=rng.randint(10, 700))
                maturity = today + dt.timedelta(days=rng.randint(1, 548))
                status = "active" if rng.random() < 0.9 else "redeemed"
                yield (
                    customer_id,
                    product.pk,
                    principal,
                    "CNY",
                    start,
                    maturity,
                    status,
                    "import",
                    False,
                    stamp,
                    stamp,
                )

    return copy_rows(
        "products_holding",
        [
            "customer_id",
            "product_id",
            "principal",
            "currency",
            "start_date",
            "maturity_date",
            "status",
            "source",
            "above_class_override",
            "created_at",
            "updated_at",
        ],
        rows(),
    )


def _answer_sets(questionnaire: RiskQuestionnaire) -> tuple[dict[int, int], dict[int, str]]:
    """({score 0–100: the nearest total the questionnaire can give}, {total: one answer set
    adding up to it, as JSON})."""
    options = list(
        RiskOption.objects.filter(question__questionnaire=questionnaire)
        .select_related("question")
        .order_by("question__position", "position")
    )
    questions: dict[int, list[RiskOption]] = {}
    for option in options:
        questions.setdefault(option.question_id, []).append(option)
    reachable: dict[int, list[RiskOption]] = {0: []}
    for opts in questions.values():
        step: dict[int, list[RiskOption]] = {}
        for total, chosen in reachable.items():
            for option in opts:
                step.setdefault(total + option.score, [*chosen, option])
        reachable = step
    nearest = {
        score: min(reachable, key=lambda total, s=score: (abs(total - s), total))
        for score in range(101)
    }
    answers = {
        total: json.dumps(
            [
                {
                    "question": o.question_id,
                    "option": o.pk,
                    "score": o.score,
                    "q": o.question.text,
                    "a": o.text,
                }
                for o in chosen
            ],
            ensure_ascii=False,
        )
        for total, chosen in reachable.items()
        if total <= 100
    }
    return nearest, answers


def seed_questionnaire_answers(*, today: dt.date) -> int:
    """Answers behind every assessment of the last 180 days (one UPDATE to a score the
    questionnaire can give — same class — and one INSERT … SELECT); older assessments predate
    the questionnaire and stay "no questionnaire"."""
    questionnaire = RiskQuestionnaire.objects.filter(is_active=True).first()
    if questionnaire is None:
        return 0
    nearest, answers = _answer_sets(questionnaire)
    since = today - dt.timedelta(days=QUESTIONNAIRE_WITHIN_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE customers_riskassessment a SET score = m.total
              FROM unnest(%(scores)s::int[], %(totals)s::int[]) AS m(score, total)
             WHERE a.assessed_on >= %(since)s AND m.score = a.score AND m.total <> a.score
            """,
            {"scores": list(nearest), "totals": list(nearest.values()), "since": since},
        )
        cursor.execute(
            """
            INSERT INTO products_questionnaireanswers
                   (assessment_id, questionnaire_id, answers, in_person, branch_id)
            SELECT a.id, %(questionnaire)s, s.answers::jsonb, (a.id %% 10 <> 0),
                   CASE WHEN a.id %% 10 <> 0 THEN c.branch_id END
              FROM customers_riskassessment a
              JOIN customers_customer c ON c.id = a.customer_id
              JOIN unnest(%(totals)s::int[], %(answers)s::text[]) AS s(total, answers)
                ON s.total = a.score
             WHERE a.assessed_on >= %(since)s
            """,
            {
                "questionnaire": questionnaire.pk,
                "totals": list(answers),
                "answers": list(answers.values()),
                "since": since,
            },
        )
        return cursor.rowcount


def seed_recommendations(*, today: dt.date, rm_share: int = 12) -> int:
    """One recommendation for about one customer in `rm_share` with a current assessment
    and an active need: the best suitable on-sale product for that need (set-based, the
    suitability rule in its SQL form), with its snapshot, by the customer's RM, and outcomes
    spread over accepted, declined (with a reason) and pending."""
    from products.shelf import VERSION_ON_SQL
    from products.suitability import Purpose, suitable_where_sql

    where, params = suitable_where_sql(on=today, purpose=Purpose.RECOMMENDATION)
    params.update({"share": rm_share, "today": today, "reasons": DECLINE_REASONS})
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS seed_recommendation")
        cursor.execute(
            f"""
            CREATE TEMP TABLE seed_recommendation AS
            WITH pv AS ({VERSION_ON_SQL}),
            picks AS (
                SELECT DISTINCT ON (c.id)
                       c.id AS customer_id, c.relationship_manager_id AS rm_id,
                       c.risk_class, c.risk_assessed_on, n.need_type_id,
                       p.id AS product_id, p.code, p.name, p.minimum_investment,
                       p.expected_yield, pv.id AS version_id, pv.risk_level
                  FROM customers_customer c
                  JOIN customers_customerneed n
                    ON n.customer_id = c.id AND n.status = 'active'
                  JOIN products_product_need_types pn ON pn.needtype_id = n.need_type_id
                  JOIN products_product p ON p.id = pn.product_id
                  JOIN pv ON pv.product_id = p.id
                 WHERE c.id %% %(share)s = 0 AND c.relationship_manager_id IS NOT NULL
                   AND {where}
                 ORDER BY c.id, n.priority DESC, pv.risk_level DESC, p.code
            )
            SELECT * FROM picks
            """,  # noqa: S608 - fixed SQL pieces; values are parameters
            params,
        )
        cursor.execute(
            """
            INSERT INTO products_recommendation
                   (customer_id, product_id, recommended_by_id, recommended_at, rationale,
                    snapshot, outcome, outcome_on, outcome_reason, created_at, updated_at)
            SELECT r.customer_id, r.product_id, r.rm_id, t.at, '符合客户当前需求与风险承受能力',
                   jsonb_build_object(
                       'on', t.at::date, 'purpose', 'recommendation',
                       'risk_class', r.risk_class, 'assessed_on', r.risk_assessed_on,
                       'product_version_id', r.version_id, 'risk_level', r.risk_level,
                       'product_status', 'on_sale', 'reasons', '[]'::jsonb,
                       'product_code', r.code, 'product_name', r.name, 'currency', 'CNY',
                       'expected_yield', r.expected_yield::text,
                       'minimum_investment', r.minimum_investment::text),
                   o.outcome,
                   CASE WHEN o.outcome <> 'pending' THEN t.at::date + 3 END,
                   CASE WHEN o.outcome = 'declined'
                        THEN (%(reasons)s::text[])[1 + r.customer_id %% 5] ELSE '' END,
                   t.at, t.at
              FROM seed_recommendation r
             CROSS JOIN LATERAL (
                   SELECT (%(today)s::date - (r.customer_id %% 120)::int)::timestamptz
                          + interval '10 hours' AS at) t
             CROSS JOIN LATERAL (
                   SELECT CASE WHEN t.at::date > %(today)s::date - 3 THEN 'pending'
                               WHEN r.customer_id %% 20 < 7 THEN 'accepted'
                               WHEN r.customer_id %% 20 < 12 THEN 'declined'
                               ELSE 'pending' END AS outcome) o
            """,
            params,
        )
        count = cursor.rowcount
        cursor.execute(
            """
            INSERT INTO products_recommendation_needs (recommendation_id, needtype_id)
            SELECT rec.id, r.need_type_id
              FROM products_recommendation rec
              JOIN seed_recommendation r
                ON r.customer_id = rec.customer_id AND r.product_id = rec.product_id
            """
        )
        cursor.execute("DROP TABLE seed_recommendation")
    return count


def seed_campaigns(*, today: dt.date) -> tuple[int, int]:
    """Three campaigns launched through the service (one INSERT … SELECT each), and their
    targets moved along the funnel by id (set-based)."""
    from django.contrib.auth import get_user_model

    from accounts.models import Role, Staff
    from products.campaigns import campaign_launch

    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    supervisor = (
        Staff.objects.filter(role=Role.SUPERVISOR, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if admin is None:
        return 0, 0
    needs = dict(NeedType.objects.values_list("code", "pk"))
    by_code = {p.code: p for p in Product.objects.all()}
    specs = [
        (admin, None, "养老规划季", ["INS-YL10", "FUND-ZQ02"], ["retirement"], 50, [], -20, 40),
        (
            admin,
            None,
            "稳健理财节",
            ["WMP-WY90", "BOND-GZ5Y"],
            ["capital_preservation", "wealth_growth"],
            60,
            ["affluent", "hnw"],
            -10,
            50,
        ),
    ]
    if supervisor is not None:
        specs.append(
            (
                supervisor.user,
                supervisor.branch_id,
                "网点流动性管理专场",
                ["FUND-HB01", "WMP-JX30"],
                ["liquidity"],
                40,
                [],
                -5,
                25,
            )
        )
    campaigns = 0
    targets = 0
    for owner, branch_id, name, codes, need_codes, priority, segments, start, length in specs:
        campaign = Campaign.objects.create(
            name=name,
            owner=owner,
            branch_id=branch_id,
            target_segments=segments,
            min_need_priority=priority,
            starts_on=today + dt.timedelta(days=start),
            ends_on=today + dt.timedelta(days=start + length),
        )
        campaign.products.set([by_code[c] for c in codes if c in by_code])
        campaign.target_needs.set([needs[c] for c in need_codes if c in needs])
        if branch_id is not None:
            campaign.target_branches.set([branch_id])
        try:
            targets += campaign_launch(actor=owner, campaign=campaign, on=today)
        except ValidationError:  # a tiny demo may match nobody: the campaign stays a draft
            continue
        campaigns += 1
        launched = min(
            timezone.now(),
            timezone.make_aware(dt.datetime.combine(campaign.starts_on, dt.time(9))),
        )
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE products_campaigntarget
                   SET status = CASE
                         WHEN customer_id %% 10 < 4 THEN 'to_contact'
                         WHEN customer_id %% 10 < 6 THEN 'contacted'
                         WHEN customer_id %% 10 < 8 THEN 'interested'
                         WHEN customer_id %% 10 < 9 THEN 'subscribed'
                         ELSE 'declined' END,
                       created_at = %(launched)s,
                       status_changed_at = GREATEST(
                           %(launched)s, now() - ((customer_id %% 15) || ' days')::interval
                       )
                 WHERE campaign_id = %(campaign)s
                """,
                {"campaign": campaign.pk, "launched": launched},
            )
            # Launched on its first day (or now, if it starts later): nothing happens to a
            # target before its campaign exists.
            cursor.execute(
                "UPDATE products_campaign SET launched_at = %s WHERE id = %s",
                [launched, campaign.pk],
            )
    return campaigns, targets


def seed_step(ctx) -> str:
    """seed_demo step: the catalogue, holdings, questionnaire answers, recommendations and
    campaigns, after the customers (and their needs and assessments) exist."""
    from crm.pgcopy import copy_rows

    products = seed_products(rng=ctx.rng, today=ctx.today)
    ctx.log(f"{len(products)} products")
    holdings = seed_holdings(rng=ctx.rng, today=ctx.today, products=products, copy_rows=copy_rows)
    ctx.log(f"{holdings:,} holdings")
    answered = seed_questionnaire_answers(today=ctx.today)
    ctx.log(f"{answered:,} questionnaire assessments")
    recommendations = seed_recommendations(today=ctx.today)
    ctx.log(f"{recommendations:,} recommendations")
    campaigns, targets = seed_campaigns(today=ctx.today)
    ctx.facts["product_codes"] = [p.code for p in products]
    return (
        f"{len(products)} products, {holdings:,} holdings, {answered:,} questionnaire "
        f"assessments, {recommendations:,} recommendations, {campaigns} campaigns with "
        f"{targets:,} targets"
    )
