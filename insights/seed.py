"""Demo data for insights: the alerts and score history a real branch would have.

Alerts are not invented: the rule engine runs over the seeded customers as of three dates
(60 and 30 days ago, and today), as the nightly scan would have. Staff responses to the older
alerts are then replayed set-based — most acknowledged within a few working hours, then
actioned or dismissed, some left to expire — so that responsiveness, precision and the SLA
have something to show. Finally twelve weekly score snapshots are computed from all of it.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

from insights.engine import alerts_expire, alerts_scan
from insights.scoring import default_period_end, scores_compute

SCAN_DAYS_AGO = (60, 30, 0)
SCORE_WEEKS = 12

# Responses to alerts older than five days, decided by a hash of the alert id (deterministic):
# 70 % acknowledged (after 1–72 h), of those 70 % actioned and 30 % dismissed.
RESPONSES_SQL = """
    WITH chosen AS (
        SELECT a.id, a.created_at,
               abs(hashtext(a.id::text)) %% 100 AS h,
               abs(hashtext('hours' || a.id::text)) %% 72 + 1 AS hours
        FROM insights_alert a
        WHERE a.status = 'open' AND a.created_at < %(cutoff)s
    )
    UPDATE insights_alert a SET
        status = CASE WHEN c.h < 49 THEN 'actioned' WHEN c.h < 70 THEN 'dismissed'
                      ELSE 'acknowledged' END,
        acknowledged_at = c.created_at + make_interval(hours => c.hours),
        closed_at = CASE WHEN c.h < 70
                         THEN c.created_at + make_interval(hours => c.hours + 24) END,
        closed_by_id = CASE WHEN c.h < 70 THEN a.assignee_id END,
        outcome = CASE WHEN c.h < 49 THEN (ARRAY['contacted', 'recommendation', 'need_updated',
                       'no_change'])[c.h %% 4 + 1] ELSE '' END,
        dismiss_reason = CASE WHEN c.h >= 49 AND c.h < 70 THEN (ARRAY['not_relevant',
                       'already_handled', 'customer_declined'])[c.h %% 3 + 1] ELSE '' END
    FROM chosen c
    WHERE a.id = c.id AND c.h < 85
"""


def seed_insights(*, today: dt.date, log=lambda what: None) -> dict:
    """Run the engine over the seeded data, replay responses, compute the score history."""
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
    facts = seed_insights(today=ctx.today)
    return (
        f"{facts['alerts']} alerts ({facts['responded']} responded to, {facts['expired']} "
        f"expired), {facts['snapshots']} score snapshots"
    )
