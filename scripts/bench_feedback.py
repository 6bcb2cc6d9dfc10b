"""Feedback benchmarks at scale: the SLA watch over N open cases and time-in-status analytics.

    eval "$(.venv/bin/python -m crm.devenv env > var/env.sh; cat var/env.sh)"
    flock /work/bench.lock .venv/bin/python scripts/bench_feedback.py --open-cases 20000

The open cases are inserted (set-based, from random customers, every clock past its warning
and half past its due time) inside a transaction that is rolled back at the end: the database
is left as it was. Reports the watch's wall time on its first run (everything new) and its
second (nothing new), and the median of 20 analytics queries for one branch and one year.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from feedback.selectors import time_in_status  # noqa: E402
from feedback.watch import sla_watch  # noqa: E402

INSERT_OPEN_CASES = """
INSERT INTO feedback_case (
    case_type, customer_id, branch_id, category, severity, channel, subject, description,
    assignee_id, opened_by_id, status, opened_at, acknowledge_due_at, resolve_due_at,
    acknowledge_warn_at, resolve_warn_at, extension_units, acknowledge_breached,
    resolve_breached, escalation_level, resolution_summary, root_cause, version,
    created_at, updated_at)
SELECT 'complaint', c.id, c.branch_id, 'fees', 'normal', 'phone', '年费重复扣收', 'bench',
       c.relationship_manager_id, c.relationship_manager_id,
       CASE WHEN g %% 3 = 0 THEN 'new' ELSE 'in_progress' END,
       %(now)s - interval '20 days', %(now)s - interval '19 days',
       %(now)s + CASE WHEN g %% 2 = 0 THEN interval '-1 day' ELSE interval '1 day' END,
       %(now)s - interval '19 days 4 hours', %(now)s - interval '2 days',
       0, false, false, 0, '', '', 1, %(now)s, %(now)s
  FROM generate_series(1, %(n)s) AS g
  JOIN LATERAL (
        SELECT id, branch_id, relationship_manager_id FROM customers_customer
         WHERE id = 1 + (g * 48271) %% (SELECT max(id) FROM customers_customer)
           AND relationship_manager_id IS NOT NULL
  ) c ON true
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--open-cases", type=int, default=20_000)
    parser.add_argument("--supervisor", default="sup01")
    args = parser.parse_args()
    now = timezone.now()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(INSERT_OPEN_CASES, {"now": now, "n": args.open_cases})
            inserted = cursor.rowcount
            cursor.execute("ANALYZE feedback_case")
        started = time.perf_counter()
        first = sla_watch(now=now)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        second = sla_watch(now=now)
        second_s = time.perf_counter() - started
        print(f"open cases inserted: {inserted}")
        print(
            f"sla_watch first run: {first_s:.2f} s ({first.warnings} warnings, "
            f"{first.breaches} breaches, {first.cases_escalated} escalated, "
            f"{first.notifications} notifications)"
        )
        print(f"sla_watch second run: {second_s:.2f} s ({second.rows} new rows)")
        transaction.set_rollback(True)

    supervisor = get_user_model().objects.select_related("staff").get(username=args.supervisor)
    today = timezone.localdate()
    timings = []
    for _ in range(20):
        started = time.perf_counter()
        figures = time_in_status(
            user=supervisor,
            branch_id=None,
            date_from=today - dt.timedelta(days=365),
            date_to=today,
        )
        timings.append((time.perf_counter() - started) * 1000)
    print(
        f"time_in_status, branch of {args.supervisor}, one year: median "
        f"{statistics.median(timings):.1f} ms, max {max(timings):.1f} ms ({len(figures)} figures)"
    )
    head_office = get_user_model().objects.get(username="admin")
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        figures = time_in_status(
            user=head_office,
            branch_id=None,
            date_from=today - dt.timedelta(days=365),
            date_to=today,
        )
        timings.append((time.perf_counter() - started) * 1000)
    print(
        f"time_in_status, head office, every branch, one year: median "
        f"{statistics.median(timings):.1f} ms ({len(figures)} figures)"
    )


if __name__ == "__main__":
    main()
