"""A real Celery worker killed with SIGKILL half-way through a full scan: the redelivered scan
leaves every alert exactly once (no duplicate, none missing)."""

import datetime as dt
import signal

import psutil
import psycopg
import pytest
from django.db.models import Count
from django.utils import timezone

from crm.models import JobRun
from customers.models import LifeEvent
from insights.models import Alert, AlertRule, AlertRun
from insights.tasks import alerts_scan_task
from tests.crm import test_database_url
from tests.crm.test_celery_worker import wait_for, worker  # noqa: F401 (the fixture)
from tests.customers.factories import CustomerFactory
from tests.insights.factories import today
from tests.interactions.factories import InteractionFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def _libpq_url() -> str:
    return test_database_url().replace("postgres://", "postgresql://", 1)


def test_scan_killed_mid_run_is_redelivered_without_duplicates(worker, rm_alice):  # noqa: F811
    process, queue = worker
    t = today()
    for _ in range(3):
        customer = CustomerFactory(relationship_manager=rm_alice)
        LifeEvent.objects.create(customer=customer, kind="childbirth", event_date=t)
    gap = CustomerFactory(relationship_manager=rm_alice, segment="affluent")
    last = timezone.make_aware(dt.datetime.combine(t - dt.timedelta(days=120), dt.time(12)))
    InteractionFactory(customer=gap, staff=rm_alice, occurred_at=last)
    rule = AlertRule.objects.get(code="contact_gap")
    blocker_run = AlertRun.objects.create(kind="customer", as_of=t, status="success")

    # Another session holds (uncommitted) the very alert the contact-gap rule will insert, so
    # the scan stops there, after the life-event rule has committed its alerts.
    blocker = psycopg.connect(_libpq_url())
    blocker.execute(
        """INSERT INTO insights_alert (customer_id, branch_id, rule_id, rule_version, run_id,
               trigger_key, severity, evidence, need_codes, product_codes, status, outcome,
               dismiss_reason, note, created_at, ack_due_at, expires_at)
           VALUES (%s, %s, %s, 1, %s, %s, 'low', '{}', '{}', '{}', 'open', '', '', '', now(),
                   now(), now())""",
        [gap.pk, gap.branch_id, rule.pk, blocker_run.pk, f"since:{t - dt.timedelta(days=120)}"],
    )
    try:
        alerts_scan_task.apply_async(kwargs={"full": True}, queue=queue)

        def scan_is_blocked() -> bool:
            with psycopg.connect(_libpq_url(), autocommit=True) as probe:
                row = probe.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND query LIKE '%WITH fired%'"  # the engine's INSERT (its text is cut)
                ).fetchone()
            return row[0] > 0

        wait_for(scan_is_blocked)
        assert Alert.objects.filter(rule__code="life_event").count() == 3  # committed already
        for child in psutil.Process(process.pid).children():
            child.send_signal(signal.SIGKILL)
    finally:
        blocker.rollback()
        blocker.close()

    wait_for(lambda: JobRun.objects.filter(job="alerts_scan_full", outcome="success").exists())
    per_key = (
        Alert.objects.values("rule__code", "customer_id", "trigger_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert list(per_key) == []  # no duplicate
    counts = dict(
        Alert.objects.values_list("rule__code")
        .annotate(n=Count("id"))
        .values_list("rule__code", "n")
    )
    assert counts == {"life_event": 3, "contact_gap": 1}  # none missing
    outcomes = sorted(
        JobRun.objects.filter(job="alerts_scan_full").values_list("outcome", flat=True)
    )
    assert outcomes == ["running", "success"]  # the killed attempt, then the redelivery
    redelivered = AlertRun.objects.filter(kind="full", status="success").get()
    assert redelivered.counts["life_event"] == 0 and redelivered.counts["contact_gap"] == 1
