"""Timings of the alert engine and the scores over whatever data the database holds.

    eval "$(.venv/bin/python -m crm.devenv env)"
    flock /work/bench.lock .venv/bin/python scripts/bench_insights.py

1. a full scan of every rule (as the nightly job), per rule and in all;
2. an incremental scan with nothing new (as the 10-minute job);
3. scores for every RM for one period;
4. the process's peak memory (the work stays in PostgreSQL).
Run it on a seeded benchmark database only: it empties insights_alert first, so that the
first full scan inserts every alert again.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from insights.engine import alerts_scan  # noqa: E402
from insights.scoring import default_period_end, scores_compute  # noqa: E402


def counts() -> str:
    with connection.cursor() as cursor:
        parts = []
        for table in (
            "customers_customer",
            "interactions_interaction",
            "customers_balancesnapshot",
            "products_holding",
            "insights_alert",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (constant names)
            parts.append(f"{table.split('_', 1)[1]} {cursor.fetchone()[0]:,}")
    return ", ".join(parts)


def pages(requests: int = 30) -> None:
    """Median server-side time of /alerts/ and a score page (Django's test client: the whole
    request cycle with middleware and templates, no network), and their query counts."""
    import statistics

    from django.contrib.auth import get_user_model
    from django.db import reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user_model = get_user_model()
    rm = user_model.objects.get(username="rm001")
    cases = [("rm001", "/alerts/"), ("sup01", "/alerts/"), ("admin", "/alerts/")]
    cases += [("rm001", f"/scores/{rm.pk}/"), ("sup01", f"/scores/{rm.pk}/")]
    for username, path in cases:
        client = Client(SERVER_NAME="localhost")
        client.force_login(user_model.objects.get(username=username))
        client.get(path)  # warm-up
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code}")
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        print(
            f"page {path} as {username}: median {statistics.median(timings):.0f} ms "
            f"over {requests}, {len(queries)} queries"
        )


def main() -> None:
    print("data:", counts())
    with connection.cursor() as cursor:  # the seed's alerts: time a scan that inserts them all
        cursor.execute("TRUNCATE insights_alert")
    started = time.perf_counter()
    result = alerts_scan(kind="full")
    full = time.perf_counter() - started
    print(f"full scan: {full:.1f} s, {result.total:,} new alerts, {result.expired:,} expired")
    for code, n in result.counts.items():
        print(f"  rule {code}: {n:,} new")
    started = time.perf_counter()
    again = alerts_scan(kind="full")
    print(f"second full scan (nothing new): {time.perf_counter() - started:.1f} s, {again.total}")
    started = time.perf_counter()
    inc = alerts_scan(kind="incremental")
    print(f"incremental scan, nothing new: {time.perf_counter() - started:.2f} s, {inc.total}")
    started = time.perf_counter()
    written = scores_compute(period_end=default_period_end())
    print(f"scores for one period: {time.perf_counter() - started:.1f} s, {written:,} snapshots")
    pages()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak_mb:.0f} MB")
    print("data after:", counts())


if __name__ == "__main__":
    main()
