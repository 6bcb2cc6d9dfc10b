"""An RM opens an alert, reads its evidence, acts on it with a recommendation and a follow-up
task, and sees it leave the open list; the pages in Chinese at phone width."""

import datetime as dt

import pytest
from django.utils import timezone

from customers.models import LifeEvent
from insights.engine import alerts_scan
from insights.models import Alert
from interactions.models import Task
from products.models import Recommendation
from tests.conftest import sign_in
from tests.customers.factories import CustomerFactory, need_type
from tests.products.factories import assessed, product_on_shelf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _alert(rm):
    education = need_type("education")
    need_type("protection")
    product_on_shelf("R2", needs=[education], code="EDU-PLAN", name="子女教育理财")
    customer = assessed(CustomerFactory(relationship_manager=rm, name="王小明"), "C3")
    LifeEvent.objects.create(
        customer=customer, kind="childbirth", event_date=timezone.localdate() - dt.timedelta(5)
    )
    alerts_scan(kind="full")
    return Alert.objects.get(customer=customer)


def test_rm_acts_on_an_alert_with_a_recommendation(live_server, page, rm_alice):
    alert = _alert(rm_alice)
    assert alert.product_codes == ["EDU-PLAN"]
    sign_in(page, live_server, "alice")
    page.get_by_role("link", name="Alerts", exact=True).click()
    row = page.get_by_test_id(f"alert-{alert.pk}")
    row.get_by_role("link", name="Life event: Childbirth").click()

    evidence = page.get_by_test_id("alert-evidence").inner_text()
    assert "Childbirth on" in evidence and "5 days ago" in evidence
    assert "Education funding" in page.content() and "EDU-PLAN" in page.content()

    form = page.get_by_test_id("action-form")
    form.get_by_label("Recommendation made").check()
    form.locator("select[name=recommend]").select_option("EDU-PLAN")
    form.locator("input[name=follow_up_title]").fill("Call back about the education plan")
    form.get_by_role("button", name="Mark as actioned").click()

    page.get_by_text("Alert actioned.").wait_for()
    assert page.get_by_test_id(f"alert-{alert.pk}").count() == 0  # left the open list
    assert page.get_by_test_id("alert-count").inner_text().startswith("0 alerts")
    alert.refresh_from_db()
    assert alert.status == "actioned" and alert.outcome == "recommendation"
    recommendation = Recommendation.objects.get(customer=alert.customer)
    assert recommendation.product.code == "EDU-PLAN" and recommendation.recommended_by == rm_alice
    assert Task.objects.get(customer=alert.customer).origin == Task.Origin.ALERT


def test_alert_pages_in_chinese_at_phone_width(live_server, phone_page, rm_alice):
    alert = _alert(rm_alice)
    page = phone_page
    sign_in(page, live_server, "alice")
    for path in ("/alerts/", alert.get_absolute_url()):
        page.goto(f"{live_server.url}{path}")
        assert "提醒" in page.content()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide at phone width"
    assert "人生事件" in page.get_by_test_id("alert-title").inner_text()


def test_a_refused_dismissal_comes_back_with_its_error_in_view(live_server, phone_page, rm_alice):
    """Reason "Other" without a note, on a phone in Chinese: the page comes back scrolled to
    the unfolded form, its error visible without searching for it."""
    alert = _alert(rm_alice)
    page = phone_page
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}{alert.get_absolute_url()}")
    page.get_by_test_id("dismiss-panel").locator("summary").click()
    form = page.get_by_test_id("dismiss-form")
    form.locator("select[name=reason]").select_option("other")
    form.locator("button[type=submit]").click()
    error = page.get_by_text("请在备注中说明原因。")
    error.wait_for()
    page.wait_for_load_state()
    box = error.bounding_box()
    assert box is not None and 0 <= box["y"] <= 844 - box["height"], box
    alert.refresh_from_db()
    assert alert.status != "dismissed"
