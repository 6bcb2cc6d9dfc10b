"""python manage.py seed_demo --customers N [--seed S] [--password P] [--reset]"""

import random
import time
from types import SimpleNamespace

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Branch
from accounts.seed import seed_organisation
from customers.seed import seed_customers, seed_surroundings
from dashboards.services import branch_figures_refresh
from feedback.seed import seed_step as seed_feedback
from insights.seed import seed_step as seed_insights
from interactions.seed import seed_interactions

# Every table the demo fills, children first (TRUNCATE … CASCADE covers the rest).
DEMO_TABLES = [
    "interactions_historicaltask",
    "interactions_historicalinteraction_needs",
    "interactions_historicalinteraction",
    "interactions_taskreschedule",
    "interactions_task",
    "interactions_interaction_needs",
    "interactions_interaction",
    "customers_historicalcustomer",
    "customers_customer",
    "accounts_staff",
    "accounts_branch",
    "auth_user",
]


class Command(BaseCommand):
    help = "Load deterministic demo data (branches, staff, customers …) at any scale."

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
        if Branch.objects.exists() and not reset:
            raise CommandError("The database already has data; pass --reset to replace it.")
        rng = random.Random(seed)
        today = timezone.localdate()
        started = time.monotonic()
        with transaction.atomic():
            if reset:
                with connection.cursor() as cursor:
                    # Deferred foreign-key checks still pending would block TRUNCATE.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute(f"TRUNCATE {', '.join(DEMO_TABLES)} CASCADE")
            org = seed_organisation(customers=customers, password=password, rng=rng)
            self.step(started, f"{len(org.branch_ids)} branches, {len(org.rm_user_ids)} RMs")
            facts = seed_customers(count=customers, org=org, rng=rng, today=today)
            self.step(started, f"{customers} customers")
            seed_surroundings(
                facts=facts,
                org=org,
                rng=rng,
                today=today,
                log=lambda what: self.step(started, what),
            )
            seeded = seed_interactions(rng=rng, today=today)
            self.step(
                started,
                f"{seeded.interactions} interactions ({seeded.needs} needs discussed), "
                f"{seeded.tasks} tasks ({seeded.open_tasks} open)",
            )
            # Infra's SEED_DEMO_STEPS will call this as a listed step with a SeedContext.
            self.step(started, seed_feedback(SimpleNamespace(rng=rng, today=today)))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.step(started, "analyzed")
        # After ANALYZE: the rule engine plans its scans with the seeded tables' statistics.
        self.step(started, seed_insights(SimpleNamespace(rng=rng, today=today)))
        branch_figures_refresh()  # the head-office home shows them before beat's first run
        self.step(started, "branch figures")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded in {time.monotonic() - started:.0f} s. "
                f"Users: admin (head office), sup01 … (supervisors), rm001 … (RMs); "
                f"password: {password}"
            )
        )

    def step(self, started: float, what: str) -> None:
        self.stdout.write(f"  {time.monotonic() - started:7.1f} s  {what}")
