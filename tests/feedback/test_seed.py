"""seed_demo's feedback step: realistic volumes and distributions, valid histories."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Q
from django.test import Client

from feedback.models import Case, CaseEvent, CaseStatusChange, Feedback
from feedback.selectors import feedback_figures
from feedback.watch import sla_watch

User = get_user_model()


def test_seeded_feedback_and_cases(db):
    """One seed (5,000 customers), checked three ways."""
    call_command("seed_demo", customers=5000, seed=3, password="crm-demo")
    check_feedback_volume_and_detractor_tail()
    check_cases_with_histories_some_extended_breached_escalated()
    check_the_watch_and_pages_work_on_seeded_data()


def check_feedback_volume_and_detractor_tail():
    figures = feedback_figures(Feedback.objects.all())
    assert 2200 < figures.n < 2800  # about one per two customers
    assert 0.15 < figures.detractors / figures.nps_n < 0.45  # a realistic tail
    assert 3.4 < figures.csat_avg < 4.6
    assert figures.nps > 0


def check_cases_with_histories_some_extended_breached_escalated():
    cases = Case.objects.all()
    assert 80 <= cases.count() <= 110  # about one per 50 customers
    stats = cases.aggregate(
        extended=Count("id", filter=Q(extension_units__gt=0)),
        breached=Count("id", filter=Q(resolve_breached=True) | Q(acknowledge_breached=True)),
        escalated=Count("id", filter=Q(escalation_level__gt=0, escalated_to__isnull=False)),
        closed=Count("id", filter=Q(status="closed")),
    )
    assert stats["breached"] > 0 and stats["escalated"] == stats["breached"]
    assert stats["closed"] > cases.count() / 2
    assert CaseStatusChange.objects.filter(to_status="awaiting_customer").exists()
    # Every case's history starts at "new" and ends at its status.
    for case in cases.prefetch_related("status_changes"):
        steps = [c.to_status for c in case.status_changes.all()]
        assert steps[0] == "new" and steps[-1] == case.status
    assert CaseEvent.objects.filter(kind="breached").exists()


def check_the_watch_and_pages_work_on_seeded_data():
    first = sla_watch(now=dt.datetime.now(tz=dt.UTC))
    assert sla_watch(now=dt.datetime.now(tz=dt.UTC)).rows == 0
    assert first.rows >= 0
    client = Client()
    client.force_login(User.objects.get(username="sup01"))
    case = Case.objects.filter(branch__code="B001").first()
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert client.get("/cases/analytics/").status_code == 200
    assert client.get("/feedback/").status_code == 200
