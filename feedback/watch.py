"""The SLA watch: warnings at 80 % of each clock, breach flags and escalation, set-based.

One SQL statement per run finds every open case past a warning or due time, records one
CaseEvent per case, clock and threshold (a unique index: a rerun, or two runs at once,
insert nothing new), flags and escalates breached cases to the branch supervisor
(escalation level +1 per breached clock) and writes the in-app notifications. The
statement is atomic, so a worker killed mid-run leaves nothing half done; the next run
catches up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from feedback.notify import notifications_email_enqueue

WATCH_SQL = """
WITH hits AS (
    SELECT c.id AS case_id, 'acknowledge' AS clock,
           CASE WHEN c.acknowledge_due_at <= %(now)s THEN 'breached' ELSE 'warned' END AS kind,
           c.acknowledge_due_at AS due_at
      FROM feedback_case c
     WHERE c.status = 'new' AND c.acknowledge_warn_at <= %(now)s
    UNION ALL
    SELECT c.id, 'resolve',
           CASE WHEN c.resolve_due_at <= %(now)s THEN 'breached' ELSE 'warned' END,
           c.resolve_due_at
      FROM feedback_case c
     WHERE c.status IN ('new', 'acknowledged', 'in_progress', 'awaiting_customer')
       AND c.resolve_warn_at <= %(now)s
),
events AS (
    INSERT INTO feedback_caseevent (case_id, kind, clock, at, reason, detail)
    SELECT h.case_id, h.kind, h.clock, %(now)s, '',
           jsonb_build_object('due_at', h.due_at)
      FROM hits h
    ON CONFLICT (case_id, kind, clock) WHERE kind IN ('warned', 'breached') DO NOTHING
    RETURNING id, case_id, kind, clock
),
targets AS (
    SELECT e.id AS event_id, e.case_id, e.kind, e.clock, c.assignee_id,
           (SELECT s.user_id FROM accounts_staff s JOIN auth_user u ON u.id = s.user_id
             WHERE s.branch_id = c.branch_id AND s.role = 'supervisor'
               AND s.is_active AND u.is_active
             ORDER BY s.employee_number LIMIT 1) AS supervisor_id
      FROM events e JOIN feedback_case c ON c.id = e.case_id
),
breaches AS (
    SELECT case_id, max(supervisor_id) AS supervisor_id, count(*) AS n,
           bool_or(clock = 'acknowledge') AS ack, bool_or(clock = 'resolve') AS res
      FROM targets WHERE kind = 'breached' GROUP BY case_id
),
flagged AS (
    UPDATE feedback_case c
       SET acknowledge_breached = c.acknowledge_breached OR b.ack,
           resolve_breached = c.resolve_breached OR b.res,
           escalation_level = c.escalation_level + b.n,
           escalated_to_id = COALESCE(b.supervisor_id, c.escalated_to_id),
           version = c.version + 1,
           updated_at = %(now)s
      FROM breaches b
     WHERE c.id = b.case_id
    RETURNING c.id
),
notes AS (
    INSERT INTO feedback_notification (recipient_id, kind, case_id, event_id, clock, created_at)
    SELECT t.assignee_id,
           CASE WHEN t.kind = 'warned' THEN 'sla_warning' ELSE 'sla_breach' END,
           t.case_id, t.event_id, t.clock, %(now)s
      FROM targets t
    UNION ALL
    SELECT t.supervisor_id, 'escalation', t.case_id, t.event_id, t.clock, %(now)s
      FROM targets t
     WHERE t.kind = 'breached' AND t.supervisor_id IS NOT NULL
       AND t.supervisor_id <> t.assignee_id
    ON CONFLICT DO NOTHING
    RETURNING id
)
SELECT (SELECT count(*) FROM events WHERE kind = 'warned'),
       (SELECT count(*) FROM events WHERE kind = 'breached'),
       (SELECT count(*) FROM flagged),
       (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM notes)
"""


@dataclass(frozen=True)
class WatchResult:
    warnings: int
    breaches: int
    cases_escalated: int
    notifications: int

    @property
    def rows(self) -> int:
        return self.warnings + self.breaches + self.notifications


@transaction.atomic
def sla_watch(*, now: dt.datetime | None = None) -> WatchResult:
    """Warn, flag and escalate every open case whose clock passed a threshold by `now`.

    Exactly once per case, clock and threshold however often it runs (CaseEvent's unique
    index `caseevent_sla_once`). The new notifications' e-mails are queued through the
    outbox in the same transaction. Returns the counts of new warnings, breaches, escalated
    cases and notifications.
    """
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(WATCH_SQL, {"now": now})
        warnings, breaches, escalated, note_ids = cursor.fetchone()
    notifications_email_enqueue(note_ids)
    return WatchResult(warnings, breaches, escalated, len(note_ids))
