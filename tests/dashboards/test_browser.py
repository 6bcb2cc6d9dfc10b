"""In Chromium: a supervisor follows the breached-SLA figure of the dashboard to the case list
and into the case; an RM's home shows a new alert once the engine has run (issue 13 item 8)."""

import datetime as dt

import pytest
from django.utils import timezone

from customers.models import LifeEvent
from dashboards.services import figures_refresh
from feedback.models import Case
from feedback.services import case_open
from insights.engine import alerts_scan
from tests.conftest import sign_in
from tests.customers.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_follows_breached_sla_figure_into_the_case(
    live_server, page, supervisor, rm_alice
):
    customer = CustomerFactory(relationship_manager=rm_alice, name="王小明")
    case = case_open(
        actor=rm_alice,
        customer=customer,
        case_type="complaint",
        category="fees",
        channel="branch",
        subject="年费多扣",
        description="客户反映年费被重复扣收。",
        assignee=rm_alice,
    )
    Case.objects.filter(pk=case.pk).update(
        acknowledge_breached=True, acknowledge_due_at=timezone.now() - dt.timedelta(hours=2)
    )
    figures_refresh()
    sign_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/dashboard/")
    figure = page.get_by_test_id("kpi-cases-breached")
    assert figure.locator(".fs-3").inner_text() == "1"
    figure.click()
    page.wait_for_url("**/cases/?*breached=on*")
    page.get_by_role("link", name="年费多扣").click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    assert "年费多扣" in page.locator("h1").inner_text()


def test_rm_home_shows_a_new_alert_after_the_engine_runs(live_server, page, rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice, name="李华")
    sign_in(page, live_server, "alice")
    alerts = page.get_by_test_id("home-alerts")
    assert "No open alerts." in alerts.inner_text()
    LifeEvent.objects.create(
        customer=customer, kind="childbirth", event_date=timezone.localdate() - dt.timedelta(5)
    )
    alerts_scan(kind="full")
    page.reload()
    assert "李华" in alerts.inner_text()
    alerts.get_by_role("link", name="李华").click()
    page.wait_for_url("**/alerts/*/")
