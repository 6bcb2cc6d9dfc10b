"""python manage.py alerts_scan [--full] [--customer ID] [--as-of YYYY-MM-DD]

Runs the need-change alert rules now and prints `rule <code>: <N> new` per rule, then a total
(DOMAIN.md's contract). Idempotent: a rerun prints 0 new. The beat jobs call this command.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from insights.engine import ScanResult, alerts_scan
from insights.models import AlertRun


class Command(BaseCommand):
    help = "Run the alert rules (incremental by default; --full scans the whole book)."

    result: ScanResult | None = None

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Scan every customer.")
        parser.add_argument("--customer", type=int, help="Scan one customer (by id).")
        parser.add_argument(
            "--as-of", type=dt.date.fromisoformat, help="Evaluate as of this date (default today)."
        )

    def handle(self, *args, full: bool, customer: int | None, as_of, **options):
        if full and customer:
            raise CommandError("Give --full or --customer, not both.")
        kind = (
            AlertRun.Kind.CUSTOMER
            if customer
            else AlertRun.Kind.FULL
            if full
            else AlertRun.Kind.INCREMENTAL
        )
        self.result = alerts_scan(kind=kind, customer_id=customer, as_of=as_of)
        for code, n in self.result.counts.items():
            self.stdout.write(f"rule {code}: {n} new")
        self.stdout.write(f"total: {self.result.total} new")
        if self.result.expired:
            self.stdout.write(f"expired: {self.result.expired}")
