"""The need-change alert rules (DOMAIN.md, "Background work"): one small named function each.

A rule is set-based: it returns ONE SELECT over the whole book (or over the customers in
`scope`) yielding the rows that fire, with the columns

    customer_id, trigger_key (text), evidence (jsonb), need_codes (varchar[])

and the engine (insights.engine) wraps it in `INSERT … SELECT … ON CONFLICT DO NOTHING`, so
firing the same rule for the same customer and trigger twice creates one alert. No rule
loops over customers in Python. Thresholds come from the rule's admin-editable `params`
(AlertRule.params); DEFAULT_PARAMS holds the defaults the data migration installs.

Every rule also receives `as_of` (the run's date: the rules are evaluated "as of" that day,
which is what makes an alert's evidence recomputable for its run) and `tz` (the bank's time
zone, for turning interaction times into dates).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scope:
    """Which customers a run looks at: every one (customer_ids None) or the listed ones."""

    customer_ids: list[int] | None = None

    def sql(self, column: str) -> str:
        return "TRUE" if self.customer_ids is None else f"{column} = ANY(%(customer_ids)s)"

    def params(self) -> dict:
        return {} if self.customer_ids is None else {"customer_ids": list(self.customer_ids)}


@dataclass(frozen=True)
class RuleQuery:
    sql: str
    params: dict = field(default_factory=dict)


RuleFunction = Callable[..., RuleQuery]


@dataclass(frozen=True)
class RuleDefinition:
    code: str
    number: int  # its number in DOMAIN.md's list
    function: RuleFunction


RULES: dict[str, RuleDefinition] = {}


def rule(code: str, number: int) -> Callable[[RuleFunction], RuleFunction]:
    def decorator(function: RuleFunction) -> RuleFunction:
        RULES[code] = RuleDefinition(code=code, number=number, function=function)
        return function

    return decorator


LIVE_CUSTOMER = "c.status <> 'archived'"

DEFAULT_PARAMS: dict[str, dict] = {
    "life_event": {
        "window_days": 90,
        "needs": {
            "marriage": ["home_purchase", "protection"],
            "childbirth": ["education", "protection"],
            "school": ["education"],
            "university": ["education", "liquidity"],
            "home_purchase": ["credit", "home_purchase"],
            "job_change": ["liquidity", "retirement"],
            "retirement": ["retirement", "capital_preservation"],
            "relocation": ["home_purchase", "liquidity"],
            "inheritance": ["wealth_transfer", "wealth_growth"],
            "business_start": ["business_banking", "credit"],
        },
    },
    "large_inflow": {
        "min_increase_pct": 50,
        "min_increase_amount": 100000,
        "baseline_days": 90,
        "max_age_days": 45,
        "needs": ["wealth_growth"],
    },
    "aum_outflow": {
        "min_drop_pct": 30,
        "min_baseline": 10000,
        "baseline_days": 90,
        "max_age_days": 45,
        "needs": ["capital_preservation", "wealth_growth"],
    },
    "maturity": {"lead_days": 30, "needs": ["wealth_growth", "capital_preservation"]},
    "risk_expiry": {"lead_days": 30, "needs": []},
    "suitability_review": {"needs": []},
    "retention_risk": {"nps_max": 6, "csat_max": 2, "lookback_days": 30, "needs": []},
    "unmet_need": {"follow_up_days": 14, "lookback_days": 60, "min_priority": 50},
    "contact_gap": {"gap_days": 90, "segments": ["affluent", "hnw", "private"], "needs": []},
    "age_milestone": {
        "lead_days": 90,
        "grace_days": 30,
        "milestones": {"55": ["retirement"], "60": ["retirement", "capital_preservation"]},
    },
}


def _needs(params: dict) -> list[str]:
    return [str(code) for code in params.get("needs", [])]


@rule("life_event", 1)
def life_event_rule(*, params: dict, as_of: dt.date, scope: Scope, tz: str) -> RuleQuery:
    """1. A life event that happened or is expected within `window_days` of today → the needs
    it implies (params["needs"][kind]; a kind without a mapping does not fire).
    Key: the life event (one alert per event)."""
    sql = f"""
        SELECT le.customer_id,
               'event:' || le.id AS trigger_key,
               jsonb_build_object(
                   'life_event_id', le.id, 'kind', le.kind, 'event_date', le.event_date,
                   'days_from_today', le.event_date - %(as_of)s::date,
                   'window_days', %(window)s::int
               ) AS evidence,
               ARRAY(SELECT jsonb_array_elements_text(%(needs)s::jsonb -> le.kind))::varchar[]
        FROM customers_lifeevent le
        JOIN customers_customer c ON c.id = le.customer_id
        WHERE le.event_date BETWEEN %(as_of)s::date - %(window)s::int
                                AND %(as_of)s::date + %(window)s::int
          AND %(needs)s::jsonb ? le.kind
          AND {LIVE_CUSTOMER} AND {scope.sql("le.customer_id")}
    """
    return RuleQuery(
        sql,
        {
            "as_of": as_of,
            "window": int(params["window_days"]),
            "needs": json.dumps(params["needs"]),
            **scope.params(),
        },
    )


def _balance_change_sql(*, scope: Scope, column: str, condition: str, evidence: str) -> str:
    """Each customer's latest snapshot (no older than `max_age` days) against the average of
    `column` over the `baseline` days before it; one pass over the recent snapshots."""
    return f"""
        WITH recent AS (
            SELECT b.customer_id, b.as_of, b.{column} AS value,
                   avg(b.{column}) OVER w AS baseline,
                   count(*) OVER w AS baseline_n,
                   row_number() OVER (PARTITION BY b.customer_id ORDER BY b.as_of DESC) AS rn
            FROM customers_balancesnapshot b
            WHERE b.as_of BETWEEN %(as_of)s::date - %(max_age)s::int - %(baseline)s::int
                              AND %(as_of)s::date
              AND {scope.sql("b.customer_id")}
            WINDOW w AS (
                PARTITION BY b.customer_id ORDER BY b.as_of
                RANGE BETWEEN %(baseline_interval)s::interval PRECEDING
                          AND '1 day'::interval PRECEDING
            )
        )
        SELECT r.customer_id,
               'month:' || to_char(r.as_of, 'YYYY-MM') AS trigger_key,
               {evidence} AS evidence,
               %(needs)s::varchar[]
        FROM recent r
        JOIN customers_customer c ON c.id = r.customer_id
        WHERE r.rn = 1 AND r.baseline_n > 0
          AND r.as_of >= %(as_of)s::date - %(max_age)s::int
          AND {condition}
          AND {LIVE_CUSTOMER}
    """


def _balance_params(params: dict, as_of: dt.date, scope: Scope) -> dict:
    baseline = int(params["baseline_days"])
    return {
        "as_of": as_of,
        "max_age": int(params["max_age_days"]),
        "baseline": baseline,
        "baseline_interval": f"{baseline} days",
        "needs": _needs(params),
        **scope.params(),
    }


@rule("large_inflow", 2)
def large_inflow_rule(*, params: dict, as_of: dt.date, scope: Scope, tz: str) -> RuleQuery:
    """2. Large inflow: the latest deposits are at least `min_increase_pct` % AND at least
    `min_increase_amount` yuan above their average over the `baseline_days` before → wealth
    growth. Key: the month of the snapshot (one alert per customer per month)."""
    sql = _balance_change_sql(
        scope=scope,
        column="deposits",
        condition=(
            "r.value - r.baseline >= %(min_amount)s::numeric"
            " AND r.value >= r.baseline * (1 + %(min_pct)s::numeric / 100)"
        ),
        evidence="""jsonb_build_object(
            'as_of', r.as_of, 'deposits', r.value, 'baseline', round(r.baseline, 2),
            'baseline_days', %(baseline)s::int, 'baseline_snapshots', r.baseline_n,
            'increase', round(r.value - r.baseline, 2),
            'increase_pct', CASE WHEN r.baseline > 0
                THEN round((r.value - r.baseline) * 100 / r.baseline, 1) END)""",
    )
    return RuleQuery(
        sql,
        {
            **_balance_params(params, as_of, scope),
            "min_amount": str(params["min_increase_amount"]),
            "min_pct": str(params["min_increase_pct"]),
        },
    )


@rule("aum_outflow", 3)
def aum_outflow_rule(*, params: dict, as_of: dt.date, scope: Scope, tz: str) -> RuleQuery:
    """3. Outflow (attrition risk): the latest AUM is at least `min_drop_pct` % below its
    average over the `baseline_days` before, that average being at least `min_baseline`
    yuan. Key: the month of the snapshot."""
    sql = _balance_change_sql(
        scope=scope,
        column="investments",
        condition=(
            "r.baseline >= %(min_baseline)s::numeric"
            " AND r.value <= r.baseline * (1 - %(min_pct)s::numeric / 100)"
        ),
        evidence="""jsonb_build_object(
            'as_of', r.as_of, 'aum', r.value, 'baseline', round(r.baseline, 2),
            'baseline_days', %(baseline)s::int, 'baseline_snapshots', r.baseline_n,
            'decrease', round(r.baseline - r.value, 2),
            'decrease_pct', round((r.baseline - r.value) * 100 / r.baseline, 1))""",
    )
    return RuleQuery(
        sql,
        {
            **_balance_params(params, as_of, scope),
            "min_baseline": str(params["min_baseline"]),
            "min_pct": str(params["min_drop_pct"]),
        },
    )


@rule("maturity", 4)
def maturity_rule(*, params: dict, as_of: dt.date, scope: Scope, tz: str) -> RuleQuery:
    """4. An active holding matures within `lead_days` → reinvestment.
    Key: the holding (one alert per holding)."""
    sql = f"""
        SELECT h.customer_id,
               'holding:' || h.id AS trigger_key,
               jsonb_build_object(
                   'holding_id', h.id, 'product_code', p.code, 'principal', h.principal,
                   'currency', h.currency, 'maturity_date', h.maturity_date,
                   'days_to_maturity', h.maturity_date - %(as_of)s::date
               ) AS evidence,
               %(needs)s::varchar[]
        FROM products_holding h
        JOIN products_product p ON p.id = h.product_id
        JOIN customers_customer c ON c.id = h.customer_id
        WHERE h.status = 'active'
          AND h.maturity_date BETWEEN %(as_of)s::date AND %(as_of)s::date + %(lead)s::int
          AND {LIVE_CUSTOMER} AND {scope.sql("h.customer_id")}
    """
    return RuleQuery(
        sql,
        {
            "as_of": as_of,
            "lead": int(params["lead_days"]),
            "needs": _needs(params),
            **scope.params(),
        },
    )


@rule("risk_expiry", 5)
def risk_expiry_rule(*, params: dict, as_of: dt.date, scope: Scope, tz: str) -> RuleQuery:
    """5. The risk assessment (valid 12 months) has expired or expires within `lead_days` →
    reassessment. Key: the expiry date (one alert per assessment)."""
    sql = f"""
        SELECT c.id,
               'expires:' || e.expires_on AS trigger_key,
               jsonb_build_object(
                   'risk_class', c.risk_class, 'assessed_on', c.risk_assessed_on,
                   'expires_on', e.expires_on,
                   'days_to_expiry', e.expires_on - %(as_of)s::date
               ) AS evidence,
               %(needs)s::varchar[]
        FROM customers_customer c
        CROSS JOIN LATERAL (
            SELECT (c.risk_assessed_on + interval '1 year')::date AS expires_on
        ) e
        WHERE c.risk_assessed_on IS NOT NULL
          AND e.expires_on <= %(as_of)s::date + %(lead)s::int
          AND {LIVE_CUSTOMER} AND {scope.sql("c.id")}
    """
    return RuleQuery(
        sql,
        {
            "as_of": as_of,
            "lead": int(params["lead_days"]),
            "needs": _needs(params),
            **scope.params(),
        },
    )


@rule("suitability_review", 6)
def suitability_review_rule(*, params: dict, as_of: dt.date, scope: Scope, tz: str) -> RuleQuery:
    """6. Active holdings whose product's risk level (on the shelf as of today) is above the
    customer's current risk class → suitability review. Purchases signed off as above-class
    overrides are not counted. Key: the customer's class and its assessment date (a new
    assessment that lowers the class fires again)."""
    sql = f"""
        WITH pv AS MATERIALIZED (
            SELECT DISTINCT ON (v.product_id) v.product_id, v.risk_level
            FROM products_productversion v
            WHERE v.effective_from <= %(as_of)s
            ORDER BY v.product_id, v.effective_from DESC
        )
        SELECT c.id,
               'class:' || c.risk_class || ':' || COALESCE(c.risk_assessed_on::text, '')
                   AS trigger_key,
               jsonb_build_object(
                   'risk_class', c.risk_class, 'assessed_on', c.risk_assessed_on,
                   'holdings', count(*), 'highest_level', max(pv.risk_level),
                   'principal', sum(h.principal),
                   'products', array_agg(DISTINCT p.code ORDER BY p.code)
               ) AS evidence,
               %(needs)s::varchar[]
        FROM products_holding h
        JOIN pv ON pv.product_id = h.product_id
        JOIN products_product p ON p.id = h.product_id
        JOIN customers_customer c ON c.id = h.customer_id
        WHERE h.status = 'active' AND NOT h.above_class_override AND c.risk_class <> ''
          AND substr(pv.risk_level, 2)::int > substr(c.risk_class, 2)::int
          AND {LIVE_CUSTOMER} AND {scope.sql("h.customer_id")}
        GROUP BY c.id
    """
    return RuleQuery(sql, {"as_of": as_of, "needs": _needs(params), **scope.params()})


@rule("retention_risk", 7)
def retention_risk_rule(*, params: dict, as_of: dt.date, scope: Scope, tz: str) -> RuleQuery:
    """7. Retention risk: feedback with NPS ≤ `nps_max` (0–6: a detractor) or CSAT ≤
    `csat_max`, or a complaint opened, within the last `lookback_days`.
    Key: the feedback or the complaint (one alert each)."""
    sql = f"""
        SELECT f.customer_id,
               'feedback:' || f.id AS trigger_key,
               jsonb_build_object(
                   'source', 'feedback', 'feedback_id', f.id, 'nps', f.nps, 'csat', f.csat,
                   'category', f.category,
                   'received_on', (f.received_at AT TIME ZONE %(tz)s)::date
               ) AS evidence,
               %(needs)s::varchar[]
        FROM feedback_feedback f
        JOIN customers_customer c ON c.id = f.customer_id
        WHERE f.received_at >= %(oldest)s AND f.received_at < %(day_after)s
          AND (f.nps <= %(nps_max)s OR f.csat <= %(csat_max)s)
          AND {LIVE_CUSTOMER} AND {scope.sql("f.customer_id")}
        UNION ALL
        SELECT k.customer_id,
               'case:' || k.id,
               jsonb_build_object(
                   'source', 'complaint', 'case_id', k.id, 'category', k.category,
                   'severity', k.severity,
                   'opened_on', (k.opened_at AT TIME ZONE %(tz)s)::date
               ),
               %(needs)s::varchar[]
        FROM feedback_case k
        JOIN customers_customer c ON c.id = k.customer_id
        WHERE k.case_type = 'complaint'
          AND k.opened_at >= %(oldest)s AND k.opened_at < %(day_after)s
          AND {LIVE_CUSTOMER} AND {scope.sql("k.customer_id")}
    """
    day_after = _aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min), tz)
    return RuleQuery(
        sql,
        {
            "tz": tz,
            "nps_max": int(params["nps_max"]),
            "csat_max": int(params["csat_max"]),
            "day_after": day_after,
            "oldest": day_after - dt.timedelta(days=int(params["lookback_days"]) + 1),
            "needs": _needs(params),
            **scope.params(),
        },
    )


@rule("contact_gap", 8)
def contact_gap_rule(*, params: dict, as_of: dt.date, scope: Scope, tz: str) -> RuleQuery:
    """8. Contact gap: a customer of the listed segments (affluent or higher) with no
    interaction for `gap_days` days (counted from becoming a customer if never contacted);
    do-not-contact customers excluded. Key: the date of the last contact (one alert per gap)."""
    sql = f"""
        SELECT c.id,
               'since:' || s.since AS trigger_key,
               jsonb_build_object(
                   'segment', c.segment, 'last_contact', last.day, 'since', s.since,
                   'days_without_contact', %(as_of)s::date - s.since,
                   'gap_days', %(gap)s::int
               ) AS evidence,
               %(needs)s::varchar[]
        FROM customers_customer c
        LEFT JOIN LATERAL (
            SELECT (i.occurred_at AT TIME ZONE %(tz)s)::date AS day
            FROM interactions_interaction i
            WHERE i.customer_id = c.id AND i.occurred_at < %(day_after)s
            ORDER BY i.occurred_at DESC
            LIMIT 1
        ) last ON TRUE
        CROSS JOIN LATERAL (
            SELECT COALESCE(last.day, (c.created_at AT TIME ZONE %(tz)s)::date) AS since
        ) s
        WHERE c.segment = ANY(%(segments)s)
          AND c.status IN ('active', 'dormant') AND NOT c.do_not_contact
          AND s.since <= %(as_of)s::date - %(gap)s::int
          AND {scope.sql("c.id")}
    """
    day_after = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min)
    return RuleQuery(
        sql,
        {
            "as_of": as_of,
            "gap": int(params["gap_days"]),
            "segments": [str(s) for s in params["segments"]],
            "tz": tz,
            # Midnight after `as_of` in the bank's time zone, as a timestamptz.
            "day_after": _aware(day_after, tz),
            "needs": _needs(params),
            **scope.params(),
        },
    )


@rule("unmet_need", 9)
def unmet_need_rule(*, params: dict, as_of: dt.date, scope: Scope, tz: str) -> RuleQuery:
    """9. A need discussed in an interaction `follow_up_days` (14) or more days ago (and at
    most `lookback_days` ago) with no recommendation for that need, and no holding started in
    a product serving it, within `follow_up_days` of the interaction → unmet need. Only needs
    the customer still has (active, priority ≥ `min_priority`): a need since fulfilled or
    lapsed is not unmet. Key: the need and the interaction."""
    sql = f"""
        SELECT i.customer_id,
               'need:' || nt.code || ':' || i.id AS trigger_key,
               jsonb_build_object(
                   'need', nt.code, 'need_name', nt.name, 'interaction_id', i.id,
                   'discussed_on', (i.occurred_at AT TIME ZONE %(tz)s)::date,
                   'days_since', %(as_of)s::date - (i.occurred_at AT TIME ZONE %(tz)s)::date,
                   'follow_up_days', %(days)s::int
               ) AS evidence,
               ARRAY[nt.code]::varchar[]
        FROM interactions_interaction i
        JOIN interactions_interaction_needs inn ON inn.interaction_id = i.id
        JOIN customers_needtype nt ON nt.id = inn.needtype_id
        JOIN customers_customer c ON c.id = i.customer_id
        JOIN customers_customerneed cn ON cn.customer_id = i.customer_id
             AND cn.need_type_id = nt.id AND cn.status = 'active'
             AND cn.priority >= %(min_priority)s
        WHERE i.occurred_at >= %(oldest)s AND i.occurred_at < %(latest)s
          AND {LIVE_CUSTOMER} AND {scope.sql("i.customer_id")}
          AND NOT EXISTS (
              SELECT 1 FROM products_recommendation r
              JOIN products_recommendation_needs rn ON rn.recommendation_id = r.id
              WHERE r.customer_id = i.customer_id AND rn.needtype_id = nt.id
                AND r.recommended_at >= i.occurred_at
                AND r.recommended_at < i.occurred_at + %(window)s::interval
          )
          AND NOT EXISTS (
              SELECT 1 FROM products_holding h
              JOIN products_product_need_types pn ON pn.product_id = h.product_id
              WHERE h.customer_id = i.customer_id AND pn.needtype_id = nt.id
                AND h.start_date BETWEEN (i.occurred_at AT TIME ZONE %(tz)s)::date
                                     AND (i.occurred_at AT TIME ZONE %(tz)s)::date + %(days)s::int
          )
    """
    days = int(params["follow_up_days"])
    midnight = _aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min), tz)
    return RuleQuery(
        sql,
        {
            "as_of": as_of,
            "tz": tz,
            "days": days,
            "window": f"{days} days",
            "min_priority": int(params.get("min_priority", 0)),
            # Discussed on a day at least `days` before as_of, at most `lookback_days` before.
            "latest": midnight - dt.timedelta(days=days),
            "oldest": midnight - dt.timedelta(days=int(params["lookback_days"]) + 1),
            **scope.params(),
        },
    )


@rule("age_milestone", 10)
def age_milestone_rule(*, params: dict, as_of: dt.date, scope: Scope, tz: str) -> RuleQuery:
    """10. Age milestones: the customer reaches one of the `milestones` ages (55 → retirement
    planning …) within `lead_days`, or did so within the last `grace_days`.
    Key: the age (one alert per milestone)."""
    sql = f"""
        SELECT c.id,
               'age:' || m.age AS trigger_key,
               jsonb_build_object(
                   'age', m.age, 'birthday', b.day,
                   'days_to_birthday', b.day - %(as_of)s::date
               ) AS evidence,
               ARRAY(SELECT jsonb_array_elements_text(m.needs))::varchar[]
        FROM customers_customer c
        CROSS JOIN (SELECT key::int AS age, value AS needs FROM jsonb_each(%(milestones)s::jsonb)) m
        CROSS JOIN LATERAL (
            SELECT (c.date_of_birth + make_interval(years => m.age))::date AS day
        ) b
        WHERE b.day BETWEEN %(as_of)s::date - %(grace)s::int AND %(as_of)s::date + %(lead)s::int
          AND {LIVE_CUSTOMER} AND {scope.sql("c.id")}
    """
    return RuleQuery(
        sql,
        {
            "as_of": as_of,
            "lead": int(params["lead_days"]),
            "grace": int(params["grace_days"]),
            "milestones": json.dumps(params["milestones"]),
            **scope.params(),
        },
    )


def _aware(moment: dt.datetime, tz: str) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return moment.replace(tzinfo=ZoneInfo(tz))
