"""Time the customer timeline (one kind, and all kinds) and the contact-gap query directly.

    python -m crm.devenv exec -- python scripts/bench_timeline.py --samples 300

Picks random customers (and RMs), runs each query once per sample and prints the median and
95th percentile in milliseconds, plus one EXPLAIN ANALYZE of each for the record.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from customers import timeline  # noqa: E402
from customers.models import Customer  # noqa: E402
from interactions import selectors  # noqa: E402


def measure(label: str, calls) -> None:
    values = []
    for call in calls:
        started = time.perf_counter()
        call()
        values.append((time.perf_counter() - started) * 1000)
    values.sort()
    p95 = values[max(0, round(0.95 * len(values)) - 1)]
    print(f"| {label} | {len(values)} | {statistics.median(values):.1f} | {p95:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)  # noqa: S311 (sampling, not security)
    top = Customer.objects.order_by("-pk").values_list("pk", flat=True).first()
    customers = list(
        Customer.objects.filter(pk__in=rng.sample(range(1, top + 1), args.samples)).select_related(
            "relationship_manager__staff"
        )
    )
    rms = list(get_user_model().objects.filter(staff__role="rm").order_by("?")[: args.samples])
    print("| query | samples | median ms | p95 ms |")
    print("|---|---:|---:|---:|")
    for kind in ("interaction", "task"):
        measure(
            f"timeline_page of `{kind}` entries alone, first page (20 entries)",
            [
                lambda c=c, k=kind: timeline.timeline_page(
                    customer=c, viewer=c.relationship_manager, selected=[k], size=20
                )
                for c in customers
            ],
        )
    measure(
        "timeline_page (every kind, 20 entries)",
        [
            lambda c=c: timeline.timeline_page(customer=c, viewer=c.relationship_manager, size=20)
            for c in customers
        ],
    )
    measure(
        "contact gap of one RM: count + first page",
        [
            lambda rm=rm: (
                (qs := selectors.customers_to_contact(user=rm, rm=rm)).count(),
                list(qs[:25]),
            )
            for rm in rms
        ],
    )
    measure(
        "task board of one RM (4 queries)",
        [lambda rm=rm: selectors.task_board(user=rm, assignee=rm) for rm in rms],
    )
    rm = rms[0]
    page = selectors.customers_to_contact(user=rm, rm=rm)[:25]
    with connection.cursor() as cursor:
        sql, params = page.query.sql_with_params()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)  # our own ORM query
        print("\nEXPLAIN contact gap page:\n" + "\n".join(r[0] for r in cursor.fetchall()))


if __name__ == "__main__":
    main()
