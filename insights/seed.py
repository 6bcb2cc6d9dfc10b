"""Demo data for insights: the alerts and score history a real branch would have.

Alerts are not invented: the rule engine runs over the seeded customers as of two dates
(30 days ago and today), as the nightly scan would have. Staff responses to the older
alerts are then replayed set-based — most acknowledged within a few working hours, then
actioned or dismissed, some left to expire — so that responsiveness, precision and the SLA
have something to show. Finally eight weekly score snapshots are computed from all of it (the
seed's time budget: each period is one pass over the book; beat adds one a week).
"""

from __future__ import annotations

import datetime as dt
import importlib

from django.apps import apps
from django.db import connection
from django.utils import timezone

from insights.engine import alerts_expire, alerts_scan
from insights.scoring import default_period_end, scores_compute

SCAN_DAYS_AGO = (30, 0)
SCORE_WEEKS = 8

# Responses to alerts older than five days, decided by a hash of the alert id (deterministic):
# 70 % acknowledged (after 1–72 h), of those 70 % actioned and 30 % dismissed.
H = "(abs(hashtext(a.id::text)) %% 100)"
HOURS = "(abs(hashtext('hours' || a.id::text)) %% 72 + 1)"
RESPONSES_SQL = f"""
    UPDATE insights_alert a SET
        status = CASE WHEN {H} < 49 THEN 'actioned' WHEN {H} < 70 THEN 'dismissed'
                      ELSE 'acknowledged' END,
        acknowledged_at = a.created_at + make_interval(hours => {HOURS}),
        closed_at = CASE WHEN {H} < 70
                         THEN a.created_at + make_interval(hours => {HOURS} + 24) END,
        closed_by_id = CASE WHEN {H} < 70 THEN a.assignee_id END,
        outcome = CASE WHEN {H} < 49 THEN (ARRAY['contacted', 'recommendation', 'need_updated',
                       'no_change'])[{H} %% 4 + 1] ELSE '' END,
        dismiss_reason = CASE WHEN {H} >= 49 AND {H} < 70 THEN (ARRAY['not_relevant',
                       'already_handled', 'customer_declined'])[{H} %% 3 + 1] ELSE '' END
    WHERE a.status = 'open' AND a.created_at < %(cutoff)s AND {H} < 85
"""


REFERENCE_DATA = [
    "insights.migrations.0002_default_rules_and_policy",
    "insights.migrations.0003_product_and_feedback_rules",
    "insights.migrations.0004_score_policy_feedback_components",
    "insights.migrations.0005_unmet_need_priority",
]


def reference_data_load() -> None:
    """Put the default rules and score policy back (idempotent): the seed's TRUNCATE … CASCADE
    of users empties every table that points at one, these included."""
    for module in REFERENCE_DATA:
        importlib.import_module(module).load(apps, None)


def seed_insights(*, today: dt.date, log=lambda what: None) -> dict:
    """Run the engine over the seeded data, replay responses, compute the score history."""
    reference_data_load()
    tz = timezone.get_current_timezone()
    new = 0
    for days in SCAN_DAYS_AGO:
        as_of = today - dt.timedelta(days=days)
        at = dt.datetime.combine(as_of, dt.time(1, 30), tzinfo=tz)
        result = alerts_scan(kind="full", as_of=as_of, now=at)
        new += result.total
        log(f"alerts as of {as_of}: {result.total} new")
    cutoff = dt.datetime.combine(today - dt.timedelta(days=5), dt.time.min, tzinfo=tz)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE insights_alert")  # fresh rows: plan with their real numbers
        cursor.execute(RESPONSES_SQL, {"cutoff": cutoff})
        responded = cursor.rowcount
    expired = alerts_expire()
    last = default_period_end(today)
    snapshots = 0
    for week in range(SCORE_WEEKS - 1, -1, -1):
        snapshots += scores_compute(period_end=last - dt.timedelta(weeks=week))
    log(f"{snapshots} score snapshots")
    return {"alerts": new, "responded": responded, "expired": expired, "snapshots": snapshots}


def seed_step(ctx) -> str:
    """The seed_demo step (settings.SEED_DEMO_STEPS): see the module docstring."""
    ctx.analyze()  # the rule engine plans its scans with the seeded tables' statistics
    facts = seed_insights(today=ctx.today)
    return (
        f"{facts['alerts']} alerts ({facts['responded']} responded to, {facts['expired']} "
        f"expired), {facts['snapshots']} score snapshots"
    )
