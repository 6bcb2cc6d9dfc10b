"""An RM logs a call with a follow-up from the customer page, sees it on the customer's
timeline and completes the task from /tasks/."""

import datetime as dt

import pytest
from django.utils import timezone

from interactions.models import Interaction, Task
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rm_logs_a_call_with_a_follow_up_and_completes_it_from_tasks(
    live_server, page, rm_alice, alices_customer, education
):
    sign_in(page, live_server, "alice")
    customer_url = f"{live_server.url}/customers/{alices_customer.pk}/"
    page.goto(customer_url)
    page.get_by_text("Log an interaction", exact=True).click()  # unfold the panel
    page.select_option("select[name=channel]", "phone")
    page.select_option("select[name=outcome]", "follow_up")
    page.fill("input[name=subject]", "Education savings call")
    page.fill("textarea[name=notes]", "Daughter starts university in 2027.\n<b>Not bold</b>")
    page.check(f"input[name=needs][value='{education.pk}']")
    page.fill(f"input[name=priority_{education.pk}]", "80")
    page.fill("input[name=follow_up_title]", "Send education plan")
    due = timezone.localdate() + dt.timedelta(days=2)
    page.fill("input[name=follow_up_due]", due.isoformat())
    page.get_by_role("button", name="Log interaction").click()

    page.get_by_text("Interaction logged.").wait_for()
    assert page.url == customer_url  # back on the customer page, not a separate form
    timeline = page.get_by_test_id("timeline")
    timeline.get_by_role("link", name="Education savings call").wait_for()
    assert "<b>Not bold</b>" in timeline.inner_text()  # shown as text, not markup
    assert timeline.get_by_text("Task: Send education plan").is_visible()
    interaction = Interaction.objects.get()
    assert interaction.staff == rm_alice

    page.get_by_role("link", name="Tasks", exact=True).click()
    assert page.get_by_test_id("n-upcoming").inner_text() == "1"
    task = Task.objects.get()
    row = page.get_by_test_id(f"task-{task.pk}")
    assert "Send education plan" in row.inner_text()
    row.get_by_role("button", name="Done").click()
    page.get_by_text("Done: Send education plan").wait_for()
    assert page.get_by_test_id("n-upcoming").inner_text() == "0"
    task.refresh_from_db()
    assert task.status == Task.Status.DONE


def test_needs_discussed_in_one_tab_are_kept_by_the_other_tabs_save_in_chinese_on_a_phone(
    live_server, browser, rm_alice, alices_customer, tmp_path
):
    """Two tabs on the same interaction, Chinese, 390 px: one ticks a need, the other (stale)
    changes the subject; the second save shows the banner with the need change, the form
    now ticks that need, and saving again keeps both."""
    from tests.customers.factories import need_type
    from tests.interactions.factories import interaction_logged

    retirement = need_type("retirement")
    interaction = interaction_logged(rm_alice, alices_customer, subject="电话回访")
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844}
    )
    tab_a = context.new_page()
    sign_in(tab_a, live_server, "alice")
    edit_url = f"{live_server.url}/interactions/{interaction.pk}/edit/"
    tab_b = context.new_page()
    tab_b.goto(edit_url)  # opened before tab A saves: stale from then on
    tab_a.goto(edit_url)
    tab_a.check(f"input[name=needs][value='{retirement.pk}']")
    tab_a.get_by_role("button", name="保存修改").click()
    tab_a.get_by_text("客户互动已更新。").wait_for()

    tab_b.fill("input[name=subject]", "养老金电话回访")
    tab_b.get_by_role("button", name="保存修改").click()
    banner = tab_b.locator("main form .alert-danger")
    banner.wait_for()
    assert "涉及的需求：— → 退休" in banner.inner_text()
    assert tab_b.is_checked(f"input[name=needs][value='{retirement.pk}']")
    assert tab_b.input_value("input[name=subject]") == "养老金电话回访"
    assert tab_b.evaluate("document.documentElement.scrollWidth") <= 390
    tab_b.screenshot(path=tmp_path / "needs-conflict-zh-390.png", full_page=True)

    tab_b.get_by_role("button", name="保存修改").click()
    tab_b.get_by_text("客户互动已更新。").wait_for()
    interaction.refresh_from_db()
    assert interaction.subject == "养老金电话回访"
    assert list(interaction.needs.values_list("code", flat=True)) == ["retirement"]
    context.close()
