"""An RM logs a call with "complaint raised", opens the case pre-filled from it; the
supervisor sees it breach (time moved by the test) and escalate."""

import datetime as dt

import pytest

from feedback.models import Case
from feedback.watch import sla_watch
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_complaint_from_a_call_to_escalation(
    live_server, page, rm_alice, supervisor, alices_customer
):
    sign_in(page, live_server, "alice")
    customer_url = f"{live_server.url}/customers/{alices_customer.pk}/"
    page.goto(customer_url)
    page.get_by_text("Log an interaction", exact=True).click()
    page.select_option("select[name=channel]", "phone")
    page.select_option("select[name=outcome]", "complaint")
    page.fill("input[name=subject]", "Annual fee charged twice")
    page.fill("textarea[name=notes]", "Customer is upset about a double charge.")
    page.get_by_role("button", name="Log interaction").click()
    page.get_by_text("Interaction logged.").wait_for()

    page.get_by_text("Feedback and complaints", exact=True).click()  # unfold the panel
    page.get_by_test_id("open-case-from-interaction").click()
    assert page.input_value("input[name=subject]") == "Annual fee charged twice"
    assert page.input_value("select[name=case_type]") == "complaint"
    assert "double charge" in page.input_value("textarea[name=description]")
    page.select_option("select[name=category]", "fees")
    page.get_by_role("button", name="Open case").click()
    page.get_by_test_id("case-status").wait_for()
    case = Case.objects.get()
    assert page.url == f"{live_server.url}/cases/{case.pk}/"
    assert case.interaction.outcome == "complaint" and case.assignee == rm_alice
    assert "14 d 23 h left" in page.get_by_test_id("clock-resolve-left").inner_text()
    page.get_by_test_id("action-start").click()
    page.get_by_text("Case updated.").wait_for()

    # Sixteen days later the watch runs: the 15-day clock has run out.
    sla_watch(now=case.opened_at + dt.timedelta(days=16))

    # Leave the case page first: its polling (the notification count) must not race the
    # sign-in of the next user once the cookies are gone.
    page.goto("about:blank")
    page.context.clear_cookies()
    sign_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/cases/?scope=branch&breached=on")
    assert page.get_by_test_id("n-breached").inner_text() == "1"
    page.get_by_test_id("case-table").get_by_role("link", name="Annual fee charged twice").click()
    assert page.get_by_test_id("case-breached").is_visible()
    assert "Escalation level 1" in page.get_by_test_id("case-escalated").inner_text()
    page.locator("#notification-count").wait_for(state="visible")
    assert page.locator("#notification-count").inner_text() == "1"  # the escalation
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="var/case-phone.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
