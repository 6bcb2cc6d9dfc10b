"""python manage.py scores_compute [--period-end YYYY-MM-DD]

Computes every scored staff member's service-quality snapshot for the rolling period ending
on the given date (default: last Sunday) and prints how many it wrote. Idempotent: a rerun
overwrites the same snapshots. The weekly beat job calls this command.
"""

import datetime as dt

from django.core.management.base import BaseCommand

from insights.scoring import default_period_end, scores_compute


class Command(BaseCommand):
    help = "Compute staff service-quality scores for one period."

    written = 0

    def add_arguments(self, parser):
        parser.add_argument(
            "--period-end",
            type=dt.date.fromisoformat,
            help="Last day of the period (default: last Sunday).",
        )

    def handle(self, *args, period_end=None, **options):
        period_end = period_end or default_period_end()
        self.written = scores_compute(period_end=period_end)
        self.stdout.write(f"scores for the period ending {period_end}: {self.written} written")
