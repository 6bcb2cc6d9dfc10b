# ruff: noqa: S311, S106  (a fixed seed for repeatable data; the demo password)
"""Time customer search with the normalised keys (issue 7 item 5) on a customers-only table.

    flock /work/bench.lock .venv/bin/python -m crm.devenv exec -- \
        .venv/bin/python scripts/bench_search.py --customers 1000000

Loads branches, staff and N customers (seed_demo's own organisation and customer steps, COPY)
into the database it is given when that has fewer customers, then times the head-office
list query for each search (median of --repeat runs, ms) and prints its plan. The search
forms are those of the issue: a surname, a given name, a 3-character name (bigram recheck on
the name's key), a name typed with a space or another separator, and a phone written with the
0086 prefix and with full-width digits.
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
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.seed import seed_organisation  # noqa: E402
from customers.models import Customer  # noqa: E402
from customers.seed import seed_customers  # noqa: E402
from customers.selectors import CustomerFilters, customer_page  # noqa: E402


def load(n: int) -> None:
    if Customer.objects.count() >= n:
        return
    call_command("migrate", verbosity=0)
    rng = random.Random(1)
    started = time.monotonic()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "TRUNCATE customers_customer, accounts_staff, accounts_branch, auth_user CASCADE"
            )
        org = seed_organisation(customers=n, password="crm-demo", rng=rng)
        seed_customers(count=n, org=org, rng=rng, today=timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"loaded {n:,} customers in {time.monotonic() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    load(args.customers)
    admin = get_user_model().objects.get(username="admin")
    sample = Customer.objects.exclude(phone="").order_by("pk")[args.customers // 2]
    phone = sample.phone
    wide = "".join(chr(ord(c) + 0xFEE0) for c in phone)
    three = sample.name[:3] if len(sample.name) >= 3 else sample.name
    spaced = sample.name[0] + " " + sample.name[1:]
    dotted = sample.name[0] + "•" + sample.name[1:]
    searches = {
        "王 (surname)": "王",
        "建国 (given name)": "建国",
        f"{three} (3 characters: key recheck)": three,
        f"{spaced} (typed with a space)": spaced,
        f"{dotted} (other separator)": dotted,
        f"0086 {phone[:3]} {phone[3:7]} {phone[7:]}": f"0086 {phone[:3]} {phone[3:7]} {phone[7:]}",
        "full-width digits": wide,
    }
    print(f"| search (head office, {args.customers:,} customers) | rows on page 1 | median ms |")
    print("|---|---:|---:|")
    for label, q in searches.items():
        filters = CustomerFilters(q=q)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            page = customer_page(user=admin, filters=filters)
            times.append((time.perf_counter() - started) * 1000)
        print(f"| {label} | {len(page.rows)} | {statistics.median(times):.1f} |")
    from customers.selectors import customer_list

    for q in ["王", three, spaced]:
        qs = customer_list(user=admin, filters=CustomerFilters(q=q))[:26]
        print(f"\nEXPLAIN ANALYZE ({q}):\n{qs.explain(analyze=True)}")


if __name__ == "__main__":
    main()
