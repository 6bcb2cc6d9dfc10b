"""seed_demo: the demo data every demo, script and benchmark relies on (DOMAIN.md contracts)."""

import datetime as dt
import io

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from accounts.models import Branch, Role, Staff
from accounts.seed import rm_username, supervisor_username
from crm.models import JobRun, OutboxMessage
from crm.pgcopy import copy_rows, local_datetime
from crm.seeding import demo_tables, project_app_configs
from customers import national_id
from customers.models import AuditEntry, Customer, NeedChange
from interactions.models import Interaction
from tests.customers.factories import CustomerFactory

User = get_user_model()


def seed(customers=1200, seed=7, password="crm-demo", **kwargs):
    call_command("seed_demo", customers=customers, seed=seed, password=password, **kwargs)


def snapshot():
    return list(
        Customer.objects.order_by("id").values_list(
            "customer_number",
            "name",
            "national_id",
            "phone",
            "segment",
            "branch__code",
            "relationship_manager__username",
        )
    )


def test_contract_users_and_scale(db):
    seed(customers=12_000)
    assert Branch.objects.count() == 3  # about one per 5,000 customers, at least 3
    assert Staff.objects.filter(role=Role.RM).count() == 60  # about 200 customers each
    assert User.objects.get(username="admin").is_superuser
    assert Staff.objects.get(user__username="sup01").role == Role.SUPERVISOR
    rm001 = Staff.objects.get(user__username="rm001")
    assert rm001.role == Role.RM
    assert rm001.branch.code == "B001"
    assert Customer.objects.count() == 12_000
    assert User.objects.get(username="rm001").check_password("crm-demo")


def test_customers_are_realistic_and_valid(db):
    seed()
    for customer in Customer.objects.all()[:300]:
        assert national_id.problems(customer.national_id) == []
        assert national_id.birth_date(customer.national_id) == customer.date_of_birth
        assert customer.phone.startswith("1") and len(customer.phone) == 11
        assert customer.relationship_manager.staff.branch_id == customer.branch_id
        assert 2 <= len(customer.name) <= 4
    assert Customer.objects.values("segment").distinct().count() == 4


def test_same_seed_same_data(db):
    seed(seed=3)
    first = snapshot()
    seed(seed=3, reset=True)
    assert snapshot() == first
    seed(seed=4, reset=True)
    assert snapshot() != first


def test_refuses_to_overwrite_data_without_reset(db):
    seed(customers=10)
    with pytest.raises(CommandError, match="--reset"):
        seed(customers=10)


def test_password_option(db):
    seed(customers=10, password="another-secret")
    assert User.objects.get(username="sup01").check_password("another-secret")


def test_new_rows_after_seeding_get_fresh_ids(db):
    seed(customers=10)
    branch = Branch.objects.create(code="NEW", name="新网点", city="上海")
    assert branch.pk == 4


def test_contract_user_names_hold_at_any_scale():
    # 1,000,000 customers give 200 branches and 5,000 RMs: sup01 and rm001 must still exist.
    assert [supervisor_username(n) for n in (1, 99, 200)] == ["sup01", "sup99", "sup200"]
    assert [rm_username(n) for n in (1, 999, 5000)] == ["rm001", "rm999", "rm5000"]


# -- Seed steps (settings.SEED_DEMO_STEPS) and the COPY writer ---------------------------


def extra_step(ctx) -> str:
    """What a new app adds: one function and one line in SEED_DEMO_STEPS."""
    org = ctx.facts["organisation"]  # left by accounts' step, before this one
    assert ctx.customers == 10 and ctx.password == "crm-demo"
    AuditEntry.objects.create(action="extra.seeded", detail={"branches": len(org.branch_ids)})
    return f"extra step saw {len(org.branch_ids)} branches"


def test_steps_run_in_order_and_a_new_app_adds_one_line(db):
    out = io.StringIO()
    steps = [*settings.SEED_DEMO_STEPS, "tests.crm.test_seed_demo.extra_step"]
    with override_settings(SEED_DEMO_STEPS=steps):
        call_command("seed_demo", customers=10, stdout=out)
    text = out.getvalue()
    assert "3 branches, 3 RMs" in text  # accounts' summary line
    assert text.index("3 branches") < text.index("interactions") < text.index("extra step saw 3")
    assert AuditEntry.objects.filter(action="extra.seeded", detail={"branches": 3}).exists()


def test_reset_keeps_every_table_that_migrations_fill(db):
    """Whatever a fresh database holds is reference data from migrations: a reset keeps it
    (an app that loads some adds its models to settings.SEED_DEMO_KEEP)."""
    models = [m for c in project_app_configs() for m in c.get_models(include_auto_created=True)]
    before = {m._meta.label: m.objects.count() for m in models}
    before = {label: n for label, n in before.items() if n}
    assert before  # need types, the questionnaire, SLA policies …
    seed(customers=10, reset=True)
    after = {label: apps.get_model(label).objects.count() for label in before}
    assert after == before


def test_reset_empties_every_project_table_but_reference_data(db, rm_alice):
    kept = {label: apps.get_model(label).objects.count() for label in settings.SEED_DEMO_KEEP}
    assert all(kept.values())  # loaded by migrations
    JobRun.objects.create(job="stale")
    OutboxMessage.objects.create(task_name="stale")
    customer = CustomerFactory(relationship_manager=rm_alice)
    AuditEntry.objects.create(action="stale", customer=customer)
    Session.objects.create(session_key="x" * 32, session_data="", expire_date=timezone.now())
    seed(customers=10, reset=True)
    assert not JobRun.objects.filter(job="stale").exists()
    assert not OutboxMessage.objects.exists()
    assert not AuditEntry.objects.filter(action="stale").exists()
    assert not Session.objects.exists()  # an old session must not sign in a new user 5
    assert not User.objects.filter(username="alice").exists()
    # Reference data from migrations stays (TRUNCATE … CASCADE reaches none of it).
    assert {label: apps.get_model(label).objects.count() for label in kept} == kept


def test_demo_tables_come_from_the_app_registry():
    tables = demo_tables()
    for model in apps.get_app_config("interactions").get_models(include_auto_created=True):
        assert model._meta.db_table in tables  # history and many-to-many tables too
    assert "crm_outboxmessage" in tables
    assert "dashboards_branchfigures" in tables
    assert "customers_needtype" not in tables  # settings.SEED_DEMO_KEEP
    assert not any(t.startswith(("django_content", "auth_permission")) for t in tables)


def test_timestamps_are_on_the_banks_clock_in_any_time_zone(db):
    with override_settings(TIME_ZONE="America/New_York"):
        seed(customers=60)
        hours = {
            timezone.localtime(at).hour
            for at in Interaction.objects.values_list("occurred_at", flat=True)
        }
        assert hours and hours <= set(range(9, 18))  # working hours in New York
        changes = NeedChange.objects.values_list("changed_at", flat=True)
        assert {timezone.localtime(at).hour for at in changes} <= {10, 15}


def test_copy_rows_writes_any_text_and_type_without_hand_escaping(db):
    tricky = ["tab\there", "line\nbreak", "back\\slash", r"\N", 'quote"s', "", "王建国"]
    when = local_datetime(dt.date(2024, 7, 1), 9, 30)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copy_probe (t text, at timestamptz, a text[], n int)")
        rows = [(text, when, [text, "x,y"], None) for text in tricky]
        assert copy_rows("copy_probe", ["t", "at", "a", "n"], rows) == len(tricky)
        cursor.execute("SELECT t, at, a, n FROM copy_probe")
        stored = cursor.fetchall()
    assert [r[0] for r in stored] == tricky
    assert {r[1] for r in stored} == {when}
    assert [r[2] for r in stored] == [[text, "x,y"] for text in tricky]
    assert {r[3] for r in stored} == {None}
    assert when.utcoffset() == dt.timedelta(hours=8)  # Asia/Shanghai, from settings
