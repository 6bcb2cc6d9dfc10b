"""The commands beat calls (DOMAIN.md contracts) and the tasks that wrap them."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from crm.models import JobRun
from customers.models import LifeEvent
from insights.engine import add_working_days
from insights.models import Alert
from insights.tasks import alerts_scan_task, scores_compute_task
from tests.customers.factories import CustomerFactory
from tests.insights.factories import today

pytestmark = pytest.mark.django_db


def test_alerts_scan_prints_one_line_per_rule_then_a_total(rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    LifeEvent.objects.create(customer=customer, kind="marriage", event_date=today())
    out = StringIO()
    call_command("alerts_scan", "--full", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[:11] == [
        "rule life_event: 1 new",
        "rule large_inflow: 0 new",
        "rule aum_outflow: 0 new",
        "rule maturity: 0 new",
        "rule risk_expiry: 0 new",
        "rule suitability_review: 0 new",
        "rule retention_risk: 0 new",
        "rule contact_gap: 0 new",
        "rule unmet_need: 0 new",
        "rule age_milestone: 0 new",
        "total: 1 new",
    ]
    out = StringIO()
    call_command("alerts_scan", stdout=out)  # incremental: nothing new
    assert "total: 0 new" in out.getvalue()


def test_beat_tasks_leave_a_job_run(rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    LifeEvent.objects.create(customer=customer, kind="marriage", event_date=today())
    alerts_scan_task.apply(kwargs={"full": True})
    run = JobRun.objects.get(job="alerts_scan_full")
    assert run.outcome == "success" and run.rows == 1
    scores_compute_task.apply()
    run = JobRun.objects.get(job="scores_compute")
    assert run.outcome == "success" and run.rows == 1


def test_a_failed_scan_is_recorded_and_the_next_one_runs(rm_alice, monkeypatch):
    from insights import engine

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(engine, "_follow_rm_and_expire", broken)
    with pytest.raises(RuntimeError):
        alerts_scan_task.apply(kwargs={"full": True}, throw=True)
    assert JobRun.objects.get(job="alerts_scan_full").outcome == "failed"
    monkeypatch.undo()
    alerts_scan_task.apply(kwargs={"full": True})
    assert JobRun.objects.filter(job="alerts_scan_full", outcome="success").count() == 1


def test_alert_ack_due_counts_working_days(rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    LifeEvent.objects.create(customer=customer, kind="marriage", event_date=today())
    call_command("alerts_scan", "--full", stdout=StringIO())
    alert = Alert.objects.get()
    due = add_working_days(today(), alert.rule.ack_working_days)
    assert alert.ack_due_at.astimezone(dt.UTC) > alert.created_at
    from django.utils import timezone

    assert timezone.localtime(alert.ack_due_at).date() == due + dt.timedelta(days=1)


def test_working_days_skip_weekends_and_holidays():
    # National Day 2026: 1–7 October are holidays; Wednesday 30 September + 1 → Thursday 8th.
    assert add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert add_working_days(dt.date(2026, 11, 27), 1) == dt.date(2026, 11, 30)  # Fri → Mon
    assert add_working_days(dt.date(2027, 3, 5), 1) == dt.date(2027, 3, 8)  # beyond the data
