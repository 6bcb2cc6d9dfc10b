"""python manage.py recompute_score --staff USERNAME --period YYYY-MM-DD

Recomputes a stored snapshot with the policy version it names and prints the comparison:
from its stored raw figures (must be identical) and from the data as it is now. Exits with an
error if the stored figures do not reproduce the stored score.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from insights.models import ScoreSnapshot
from insights.scoring import score_recompute


def _fmt(value) -> str:
    return "insufficient data" if value is None else str(value)


class Command(BaseCommand):
    help = "Recompute a stored score snapshot and compare."

    def add_arguments(self, parser):
        parser.add_argument("--staff", required=True, help="The staff member's user name.")
        parser.add_argument(
            "--period", required=True, type=dt.date.fromisoformat, help="The period's last day."
        )

    def handle(self, *args, staff: str, period: dt.date, **options):
        user = get_user_model().objects.filter(username=staff).first()
        if user is None:
            raise CommandError(f"No user {staff!r}.")
        snapshot = ScoreSnapshot.objects.filter(staff=user, period_end=period).first()
        if snapshot is None:
            raise CommandError(f"No snapshot of {staff} for the period ending {period}.")
        result = score_recompute(snapshot)
        stored_composite, stored_components = result.from_stored
        live_composite, live_components = result.from_data
        self.stdout.write(
            f"{staff} {snapshot.period_start} … {snapshot.period_end}, "
            f"policy v{snapshot.policy_version}"
        )
        self.stdout.write(f"{'component':<24}{'stored':>12}{'recomputed':>12}{'from data':>12}")
        for code, component in snapshot.components.items():
            self.stdout.write(
                f"{code:<24}{_fmt(component['score']):>12}"
                f"{_fmt(stored_components[code]['score']):>12}"
                f"{_fmt(live_components[code]['score']):>12}"
            )
        self.stdout.write(
            f"{'composite':<24}{_fmt(snapshot.composite):>12}"
            f"{_fmt(stored_composite):>12}{_fmt(live_composite):>12}"
        )
        if not result.identical:
            raise CommandError("The stored figures do NOT reproduce the stored score.")
        self.stdout.write("identical: the stored figures reproduce the stored score.")
        if result.from_data != result.from_stored:
            self.stdout.write("the records behind it have changed since it was computed.")
