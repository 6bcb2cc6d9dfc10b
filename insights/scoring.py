"""Staff service-quality scores (DOMAIN.md, "Background work").

Per staff member per period (rolling `period_days`, 90 by default, ending `period_end`):

1. Raw figures per component, each from ONE set-based SQL statement over every staff member
   (`component_figures`): numerator, denominator, sample size and the component's own figures.
2. `score_compose` maps each component's figures to 0–100 with the policy's mappings; a
   component whose sample is below the policy's minimum is "insufficient data" and left out
   of the weighted mean, whose weights are re-normalised over the components that remain.
3. A ScoreSnapshot per staff member stores the raw figures, the scores and the policy version,
   so `score_compose(snapshot's figures, that policy version)` reproduces it exactly.

Components: CSAT and NPS of the feedback on the member, complaints per 100 interactions
(inverted), case SLA compliance, alert responsiveness (median hours from alert to first
response), follow-up tasks done on time, contact coverage weighted by segment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, Staff
from insights.models import ScorePolicy, ScorePolicyVersion, ScoreSnapshot

COMPONENTS = [
    "csat",
    "nps",
    "complaints",
    "case_sla",
    "alert_responsiveness",
    "follow_up_on_time",
    "contact_coverage",
]
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @classmethod
    def ending(cls, end: dt.date, days: int) -> Period:
        return cls(start=end - dt.timedelta(days=days - 1), end=end)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start 00:00, the day after end 00:00) in the bank's time zone."""
        tz = timezone.get_default_timezone()
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
        )


def default_period_end(today: dt.date | None = None) -> dt.date:
    """The last completed week's Sunday (a Monday run scores the week that just ended)."""
    today = today or timezone.localdate()
    return today - dt.timedelta(days=today.weekday() + 1)


def _rows(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def follow_up_figures(*, staff_ids: list[int], period: Period) -> dict[int, dict]:
    """Tasks assigned to each member and due within the period (cancelled ones aside): how many
    were done on or before their due date (bank time)."""
    sql = """
        SELECT t.assignee_id,
               count(*) FILTER (
                   WHERE t.status = 'done'
                     AND (t.completed_at AT TIME ZONE %(tz)s)::date <= t.due_date
               ),
               count(*)
        FROM interactions_task t
        WHERE t.assignee_id = ANY(%(staff)s) AND t.status <> 'cancelled'
          AND t.due_date BETWEEN %(start)s AND %(end)s
        GROUP BY t.assignee_id
    """
    rows = _rows(
        sql,
        {"staff": staff_ids, "start": period.start, "end": period.end, "tz": settings.TIME_ZONE},
    )
    return {sid: {"numerator": num, "denominator": den, "sample": den} for sid, num, den in rows}


def contact_coverage_figures(
    *, staff_ids: list[int], period: Period, segment_weights: dict
) -> dict[int, dict]:
    """Each member's assigned customers (active or dormant), weighted by segment: the weight
    of those with an interaction within the period over the weight of all."""
    start, end = period.bounds()
    sql = """
        SELECT c.relationship_manager_id,
               COALESCE(sum(w.weight) FILTER (WHERE contacted.yes), 0),
               COALESCE(sum(w.weight), 0),
               count(*),
               count(*) FILTER (WHERE contacted.yes)
        FROM customers_customer c
        CROSS JOIN LATERAL (
            SELECT COALESCE((%(weights)s::jsonb ->> c.segment)::numeric, 1) AS weight
        ) w
        CROSS JOIN LATERAL (
            SELECT EXISTS (
                SELECT 1 FROM interactions_interaction i
                WHERE i.customer_id = c.id
                  AND i.occurred_at >= %(start)s AND i.occurred_at < %(end)s
            ) AS yes
        ) contacted
        WHERE c.relationship_manager_id = ANY(%(staff)s) AND c.status IN ('active', 'dormant')
        GROUP BY c.relationship_manager_id
    """
    import json

    rows = _rows(
        sql,
        {"staff": staff_ids, "start": start, "end": end, "weights": json.dumps(segment_weights)},
    )
    return {
        sid: {
            "numerator": str(num),
            "denominator": str(den),
            "sample": n,
            "contacted": contacted,
        }
        for sid, num, den, n, contacted in rows
    }


def alert_responsiveness_figures(*, staff_ids: list[int], period: Period) -> dict[int, dict]:
    """Alerts assigned to each member and created within the period: the median hours from
    the alert to its first response (acknowledged, actioned or dismissed; an alert without
    one counts until it expired or the period ended), and how many were answered in time."""
    start, end = period.bounds()
    sql = """
        WITH r AS (
            SELECT a.assignee_id,
                   extract(epoch FROM LEAST(
                       COALESCE(a.acknowledged_at, a.closed_at, %(end)s), %(end)s
                   ) - a.created_at) / 3600.0 AS hours,
                   (a.acknowledged_at IS NOT NULL AND a.acknowledged_at <= a.ack_due_at
                    AND a.acknowledged_at < %(end)s) AS in_time
            FROM insights_alert a
            WHERE a.assignee_id = ANY(%(staff)s)
              AND a.created_at >= %(start)s AND a.created_at < %(end)s
        )
        SELECT assignee_id, count(*) FILTER (WHERE in_time), count(*),
               round(percentile_cont(0.5) WITHIN GROUP (ORDER BY hours)::numeric, 1)
        FROM r GROUP BY assignee_id
    """
    rows = _rows(sql, {"staff": staff_ids, "start": start, "end": end})
    return {
        sid: {
            "numerator": in_time,
            "denominator": n,
            "sample": n,
            "median_hours": str(median),
        }
        for sid, in_time, n, median in rows
    }


def csat_nps_figures(*, staff_ids: list[int], period: Period) -> tuple[dict, dict]:
    """CSAT (1–5) and NPS (0–10) of the feedback naming each member, received in the period:
    ({id: csat figures}, {id: nps figures}). NPS = % promoters (9–10) − % detractors (0–6)."""
    start, end = period.bounds()
    sql = """
        SELECT f.staff_id,
               COALESCE(sum(f.csat), 0), count(f.csat),
               count(*) FILTER (WHERE f.nps >= 9), count(*) FILTER (WHERE f.nps <= 6),
               count(f.nps)
        FROM feedback_feedback f
        WHERE f.staff_id = ANY(%(staff)s) AND f.received_at >= %(start)s AND f.received_at < %(end)s
        GROUP BY f.staff_id
    """
    csat, nps = {}, {}
    for sid, csat_sum, csat_n, promoters, detractors, nps_n in _rows(
        sql, {"staff": staff_ids, "start": start, "end": end}
    ):
        csat[sid] = {"numerator": csat_sum, "denominator": csat_n, "sample": csat_n}
        nps[sid] = {
            "numerator": promoters - detractors,
            "denominator": nps_n,
            "sample": nps_n,
            "promoters": promoters,
            "detractors": detractors,
        }
    return csat, nps


def complaint_figures(*, staff_ids: list[int], period: Period) -> dict[int, dict]:
    """Complaints about each member (the case's `about_staff`, else the staff member of the
    interaction it arose from) opened in the period, against the member's interactions."""
    start, end = period.bounds()
    sql = """
        WITH n AS (
            SELECT i.staff_id AS sid, count(*) AS interactions
            FROM interactions_interaction i
            WHERE i.staff_id = ANY(%(staff)s)
              AND i.occurred_at >= %(start)s AND i.occurred_at < %(end)s
            GROUP BY i.staff_id
        ), k AS (
            SELECT COALESCE(c.about_staff_id, i.staff_id) AS sid, count(*) AS complaints
            FROM feedback_case c
            LEFT JOIN interactions_interaction i ON i.id = c.interaction_id
            WHERE c.case_type = 'complaint'
              AND c.opened_at >= %(start)s AND c.opened_at < %(end)s
              AND COALESCE(c.about_staff_id, i.staff_id) = ANY(%(staff)s)
            GROUP BY 1
        )
        SELECT COALESCE(n.sid, k.sid), COALESCE(k.complaints, 0), COALESCE(n.interactions, 0)
        FROM n FULL JOIN k ON k.sid = n.sid
    """
    return {
        sid: {"numerator": complaints, "denominator": interactions, "sample": interactions}
        for sid, complaints, interactions in _rows(
            sql, {"staff": staff_ids, "start": start, "end": end}
        )
    }


def case_sla_figures(*, staff_ids: list[int], period: Period) -> dict[int, dict]:
    """Cases assigned to each member, opened in the period and decided (resolved or closed,
    or already breached): how many were acknowledged and resolved within their SLA."""
    start, end = period.bounds()
    sql = """
        SELECT c.assignee_id,
               count(*) FILTER (WHERE NOT c.acknowledge_breached AND NOT c.resolve_breached),
               count(*)
        FROM feedback_case c
        WHERE c.assignee_id = ANY(%(staff)s)
          AND c.opened_at >= %(start)s AND c.opened_at < %(end)s
          AND (c.status IN ('resolved', 'closed') OR c.acknowledge_breached OR c.resolve_breached)
        GROUP BY c.assignee_id
    """
    return {
        sid: {"numerator": ok, "denominator": n, "sample": n}
        for sid, ok, n in _rows(sql, {"staff": staff_ids, "start": start, "end": end})
    }


def component_figures(
    *, staff_ids: list[int], period: Period, policy: ScorePolicyVersion
) -> dict[int, dict[str, dict]]:
    """{staff id: {component: raw figures}} for every listed member (empty figures: sample 0)."""
    weights = policy.mappings.get("contact_coverage", {}).get("segment_weights", {})
    csat, nps = csat_nps_figures(staff_ids=staff_ids, period=period)
    per_component = {
        "csat": csat,
        "nps": nps,
        "complaints": complaint_figures(staff_ids=staff_ids, period=period),
        "case_sla": case_sla_figures(staff_ids=staff_ids, period=period),
        "follow_up_on_time": follow_up_figures(staff_ids=staff_ids, period=period),
        "contact_coverage": contact_coverage_figures(
            staff_ids=staff_ids, period=period, segment_weights=weights
        ),
        "alert_responsiveness": alert_responsiveness_figures(staff_ids=staff_ids, period=period),
    }
    empty = {"numerator": 0, "denominator": 0, "sample": 0}
    return {
        sid: {
            code: dict(figures.get(sid, empty))
            for code, figures in per_component.items()
            if code in policy.weights
        }
        for sid in staff_ids
    }


def _round(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def component_score(code: str, figures: dict, mappings: dict) -> Decimal:
    """One component's 0–100 score from its raw figures (Decimal arithmetic: reproducible)."""
    if code == "alert_responsiveness":
        m = mappings.get(code, {})
        best, worst = Decimal(str(m.get("best_hours", 24))), Decimal(str(m.get("worst_hours", 240)))
        hours = Decimal(str(figures["median_hours"]))
        if hours <= best:
            return _round(Decimal(100))
        if hours >= worst:
            return _round(Decimal(0))
        return _round(Decimal(100) * (worst - hours) / (worst - best))
    numerator, denominator = (
        Decimal(str(figures["numerator"])),
        Decimal(str(figures["denominator"])),
    )
    if denominator == 0:
        return _round(Decimal(0))
    if code == "csat":  # average 1–5 → 0–100
        return _round((numerator / denominator - 1) * 25)
    if code == "nps":  # −100…+100 → 0–100
        return _round((Decimal(100) * numerator / denominator + 100) / 2)
    if code == "complaints":  # per 100 interactions, inverted
        points = Decimal(str(mappings.get(code, {}).get("points_per_complaint_per_100", 20)))
        return _round(max(Decimal(0), Decimal(100) - points * 100 * numerator / denominator))
    return _round(Decimal(100) * numerator / denominator)


def score_compose(figures: dict[str, dict], policy: ScorePolicyVersion) -> tuple:
    """(composite or None, components): scores each component, marks those whose sample is
    below the policy's minimum as insufficient, and takes the weighted mean of the others with
    their weights re-normalised. None when every component is insufficient."""
    components = {}
    total_weight = Decimal(0)
    weighted = Decimal(0)
    for code, raw in figures.items():
        weight = Decimal(str(policy.weights.get(code, 0)))
        minimum = int(policy.min_samples.get(code, 1))
        insufficient = raw.get("sample", 0) < max(minimum, 1)
        score = None if insufficient else component_score(code, raw, policy.mappings)
        components[code] = {
            **raw,
            "score": None if score is None else str(score),
            "insufficient": insufficient,
            "weight": str(weight),
            "min_sample": minimum,
        }
        if score is not None and weight > 0:
            total_weight += weight
            weighted += weight * score
    composite = _round(weighted / total_weight) if total_weight else None
    for code, component in components.items():
        share = (
            _round(Decimal(component["weight"]) * 100 / total_weight)
            if total_weight and not component["insufficient"]
            else Decimal(0)
        )
        components[code]["effective_weight_pct"] = str(share)
    return composite, components


def current_policy() -> ScorePolicyVersion:
    policy = ScorePolicy.objects.earliest("pk")  # one row, installed by a migration
    return ScorePolicyVersion.objects.get(version=policy.version)


def scored_staff() -> list[Staff]:
    """Who is scored: active relationship managers of a branch."""
    return list(
        Staff.objects.active()
        .filter(role=Role.RM, branch__isnull=False)
        .only("user_id", "branch_id")
        .order_by("user_id")
    )


@transaction.atomic
def scores_compute(*, period_end: dt.date | None = None, staff_ids: list[int] | None = None) -> int:
    """Compute and store every scored member's snapshot for the period ending `period_end`
    (default: last Sunday) with the current policy; a rerun overwrites the same snapshots.
    Returns how many snapshots it wrote."""
    policy = current_policy()
    period = Period.ending(period_end or default_period_end(), policy.period_days)
    staff = scored_staff()
    if staff_ids is not None:
        staff = [s for s in staff if s.user_id in set(staff_ids)]
    ids = [s.user_id for s in staff]
    figures = component_figures(staff_ids=ids, period=period, policy=policy)
    now = timezone.now()
    snapshots = []
    for member in staff:
        if member.branch_id is None:  # scored_staff() is branch staff only
            continue
        composite, components = score_compose(figures[member.user_id], policy)
        snapshots.append(
            ScoreSnapshot(
                staff_id=member.user_id,
                branch_id=member.branch_id,
                period_start=period.start,
                period_end=period.end,
                policy_version=policy.version,
                composite=composite,
                components=components,
                computed_at=now,
            )
        )
    ScoreSnapshot.objects.bulk_create(
        snapshots,
        update_conflicts=True,
        unique_fields=["staff", "period_end"],
        update_fields=[
            "branch",
            "period_start",
            "policy_version",
            "composite",
            "components",
            "computed_at",
        ],
        batch_size=1000,
    )
    return len(snapshots)


@dataclass(frozen=True)
class Recomputation:
    snapshot: ScoreSnapshot
    from_stored: tuple  # (composite, components) from the stored figures and policy version
    from_data: tuple  # the same from today's data, with the stored policy version

    @property
    def identical(self) -> bool:
        stored = (self.snapshot.composite, self.snapshot.components)
        return self.from_stored == stored


def score_recompute(snapshot: ScoreSnapshot) -> Recomputation:
    """Recompute a stored snapshot with the policy version it names: from its stored raw
    figures (must be identical) and from the data as it is now (differs only if the records
    behind it changed since)."""
    policy = ScorePolicyVersion.objects.get(version=snapshot.policy_version)
    stored_figures = {
        code: {k: v for k, v in c.items() if k not in DERIVED_KEYS}
        for code, c in snapshot.components.items()
    }
    from_stored = score_compose(stored_figures, policy)
    period = Period(start=snapshot.period_start, end=snapshot.period_end)
    live = component_figures(staff_ids=[snapshot.staff_id], period=period, policy=policy)
    from_data = score_compose(live[snapshot.staff_id], policy)
    return Recomputation(snapshot=snapshot, from_stored=from_stored, from_data=from_data)


DERIVED_KEYS = {"score", "insufficient", "weight", "min_sample", "effective_weight_pct"}
