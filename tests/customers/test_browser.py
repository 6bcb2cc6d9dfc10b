"""In a real browser: an RM searches, opens a customer, records a need, sees its history."""

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD, sign_in
from tests.customers.factories import CustomerFactory, need_type


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_rm_searches_opens_records_a_need_and_sees_its_history(live_server, page, rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice, name="王建国")
    CustomerFactory(relationship_manager=rm_alice, name="李娜")
    need_type("education")

    sign_in(page, live_server, rm_alice.username)
    page.click("nav >> text=Customers")

    page.fill("input[name=q]", "建国")
    page.click("[data-testid=customer-filters] button[type=submit]")
    table = page.locator("[data-testid=customer-table]")
    assert table.locator("tbody tr").count() == 1
    table.locator("text=王建国").click()

    assert page.locator("[data-testid=customer-name]").inner_text().startswith("王建国")
    assert customer.national_id not in page.content()
    page.get_by_text("Record a need", exact=True).click()  # unfold the panel
    form = page.locator("[data-testid=need-form]")
    form.locator("select[name=need_type]").select_option(label="Education funding")
    form.locator("input[name=priority]").fill("70")
    form.locator("button[type=submit]").click()
    page.get_by_text("Record a need", exact=True).click()
    form = page.locator("[data-testid=need-form]")
    form.locator("select[name=need_type]").select_option(label="Education funding")
    form.locator("input[name=priority]").fill("85")
    form.locator("input[name=reason]").fill("孩子明年上小学")
    form.locator("button[type=submit]").click()

    need = page.locator("[data-testid=need]")
    assert "priority 85" in need.inner_text()
    need.locator("summary").click()
    history = need.locator("[data-testid=need-history]").inner_text()
    assert "70 → 85" in history
    assert "孩子明年上小学" in history
    assert "new need, priority 70" in history  # as the timeline says it
    today = timezone.localdate().isoformat()
    assert today in history

    page.click("text=Reveal")
    page.wait_for_selector("text=revealed, logged")
    assert customer.national_id in page.locator("[data-testid=national-id]").inner_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reveal_to_correct_keeps_what_was_typed_and_enter_still_saves(live_server, page, rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice, phone="13800001234")
    sign_in(page, live_server, rm_alice.username)
    page.goto(f"{live_server.url}/customers/{customer.pk}/edit/")
    form = page.get_by_test_id("customer-form")
    assert form.locator("input[name=phone]").input_value() == "138****1234"
    form.locator("input[name=occupation]").fill("教师")
    page.get_by_role("button", name="Reveal to correct the mobile number (logged)").click()
    page.wait_for_load_state()
    form = page.get_by_test_id("customer-form")
    assert form.locator("input[name=phone]").input_value() == "13800001234"
    assert form.locator("input[name=occupation]").input_value() == "教师"
    form.locator("input[name=phone]").fill("13900005678")
    form.locator("input[name=phone]").press("Enter")  # saves; does not reveal again
    page.get_by_text("Changes saved.").wait_for()
    customer.refresh_from_db()
    assert (customer.phone, customer.occupation) == ("13900005678", "教师")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_access_log_names_the_customer_of_a_refused_reveal_in_chinese_on_a_phone(
    live_server, browser, rm_alice, supervisor, settings, tmp_path
):
    from customers.limits import RateLimited
    from customers.services import customer_phone_reveal

    settings.REVEAL_LIMIT = 0  # every reveal refused
    customer = CustomerFactory(relationship_manager=rm_alice, name="王建国")
    with pytest.raises(RateLimited):
        customer_phone_reveal(actor=rm_alice, customer=customer)

    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    sign_in(page, live_server, supervisor.username)
    page.goto(f"{live_server.url}/customers/access-log/")
    intro = page.locator("main p.text-body-secondary").first.inner_text()
    assert "手机号" in intro and "上限" in intro
    row = page.locator("[data-testid=access-log] tbody tr").first
    assert "达到查看上限" in row.inner_text()
    assert "王建国" in row.inner_text() and customer.customer_number in row.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=tmp_path / "access-log-zh-390.png", full_page=True)
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reveal_past_the_limit_shows_why_in_place(live_server, page, rm_alice, settings):
    settings.REVEAL_LIMIT = 0  # every reveal refused
    customer = CustomerFactory(relationship_manager=rm_alice, phone="13800001234")
    sign_in(page, live_server, rm_alice.username)
    page.goto(f"{live_server.url}{customer.get_absolute_url()}")
    national_id = page.get_by_test_id("national-id")
    national_id.get_by_role("button", name="Reveal").click()
    alert = page.get_by_test_id("national-id").get_by_role("alert")
    alert.wait_for()
    assert "reached the limit of 0 reveals" in alert.inner_text()
    assert customer.national_id not in page.content()
    assert page.url == f"{live_server.url}{customer.get_absolute_url()}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reveal_after_the_idle_timeout_goes_to_the_sign_in_page(
    live_server, page, rm_alice, monkeypatch
):
    """Not the sign-in page swapped into the profile: the window goes to sign in, says why,
    and comes back to the customer's page."""
    from datetime import timedelta

    from django.contrib.sessions.models import Session

    from crm import middleware

    customer = CustomerFactory(relationship_manager=rm_alice)
    sign_in(page, live_server, rm_alice.username)
    page.goto(f"{live_server.url}{customer.get_absolute_url()}")
    now = middleware._now()
    monkeypatch.setattr(middleware, "_now", lambda: now + 31 * 60)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    page.get_by_test_id("national-id").get_by_role("button", name="Reveal").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/**")
    assert page.url.endswith(f"?next=/customers/{customer.pk}/")
    notice = page.get_by_test_id("signed-out-notice").inner_text()
    assert "signed out after 30 minutes without activity" in notice
    page.fill("input[name=username]", rm_alice.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form [type=submit]")
    page.wait_for_url(f"{live_server.url}{customer.get_absolute_url()}")
