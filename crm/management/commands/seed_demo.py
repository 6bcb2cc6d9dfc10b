"""python manage.py seed_demo --customers N [--seed S] [--password P] [--reset]"""

import random
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from crm.pgcopy import tables_truncate
from crm.seeding import SeedContext, demo_tables, seed_steps


class Command(BaseCommand):
    help = (
        "Load deterministic demo data (branches, staff, customers …) at any scale: the steps "
        "in settings.SEED_DEMO_STEPS, in order, in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--password", default="crm-demo")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty the CRM's tables first (refused without it when data exists).",
        )

    def handle(self, *args, customers: int, seed: int, password: str, reset: bool, **opts):
        if customers < 1:
            raise CommandError("--customers must be at least 1.")
        tables = demo_tables()
        if not reset and self.has_data():
            raise CommandError("The database already has data; pass --reset to replace it.")
        steps = seed_steps()
        started = time.monotonic()
        ctx = SeedContext(
            rng=random.Random(seed),
            today=timezone.localdate(),
            customers=customers,
            password=password,
            log=lambda text: self.step(started, text),
        )
        with transaction.atomic():
            if reset:
                tables_truncate(tables)
            for _path, step in steps:
                self.step(started, step(ctx))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.step(started, "analyzed")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded in {time.monotonic() - started:.0f} s. "
                f"Users: admin (head office), sup01 … (supervisors), rm001 … (RMs); "
                f"password: {password}"
            )
        )

    @staticmethod
    def has_data() -> bool:
        """Whether anyone has signed up yet: a fresh database has reference data from its
        migrations, but no users."""
        return get_user_model().objects.exists()

    def step(self, started: float, what: str) -> None:
        self.stdout.write(f"  {time.monotonic() - started:7.1f} s  {what}")
