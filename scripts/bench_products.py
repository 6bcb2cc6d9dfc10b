"""Time the products app's set-based work on the demo database (run after seed_demo).

    python -m crm.devenv exec -- python scripts/bench_products.py --samples 200

1. The suitable-products query of the customer page (one set-based query per customer) and
   the holdings panel's query, over random customers: median and 95th percentile in ms.
2. Launching a bank-wide campaign whose rule targets about 100,000 customers: preview, then
   the one INSERT … SELECT, timed; the campaign is rolled back afterwards (nothing kept).
"""

from __future__ import annotations

import argparse
import datetime as dt
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
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from customers.models import Customer, NeedType  # noqa: E402
from products import campaigns, selectors  # noqa: E402
from products.models import Product  # noqa: E402


def _ms(values: list[float]) -> str:
    values.sort()
    p95 = values[max(0, round(0.95 * len(values)) - 1)]
    return f"median {statistics.median(values):.1f} ms, p95 {p95:.1f} ms (n={len(values)})"


def per_customer(samples: int) -> None:
    top = Customer.objects.order_by("-pk").values_list("pk", flat=True).first()
    rng = random.Random(7)  # noqa: S311 - sampling customers, not secrets
    ids = [rng.randint(1, top) for _ in range(samples)]
    suitable, holdings = [], []
    for pk in ids:
        customer = Customer.objects.get(pk=pk)
        started = time.perf_counter()
        selectors.suitable_products_for(customer=customer)
        suitable.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        selectors.holdings_for_customer(customer=customer)
        holdings.append((time.perf_counter() - started) * 1000)
    print(f"suitable products for active needs: {_ms(suitable)}")
    print(f"holdings panel query:               {_ms(holdings)}")


def launch(min_priority: int) -> None:
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    product = Product.objects.get(code="FUND-HB01")  # R1, on sale: the class never excludes
    today = timezone.localdate()
    with transaction.atomic():
        campaign = campaigns.campaign_create(
            actor=admin,
            name="bench",
            products=[product],
            starts_on=today,
            ends_on=today + dt.timedelta(days=30),
            target_needs=NeedType.objects.filter(code__in=["liquidity", "wealth_growth"]),
            min_need_priority=min_priority,
            exclude_holders=True,
        )
        started = time.perf_counter()
        preview = campaigns.campaign_preview(actor=admin, campaign=campaign)
        preview_s = time.perf_counter() - started
        started = time.perf_counter()
        count = campaigns.campaign_launch(actor=admin, campaign=campaign)
        launch_s = time.perf_counter() - started
        print(
            f"campaign preview: {preview.matched:,} matched, {preview.targeted:,} to target "
            f"({preview.unsuitable:,} unsuitable, {preview.no_consent:,} without consent, "
            f"{preview.do_not_contact:,} do-not-contact) in {preview_s:.2f} s"
        )
        print(f"campaign launch: {count:,} targets in {launch_s:.2f} s (one INSERT … SELECT)")
        transaction.set_rollback(True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--min-priority", type=int, default=0)
    args = parser.parse_args()
    per_customer(args.samples)
    launch(args.min_priority)


if __name__ == "__main__":
    main()
