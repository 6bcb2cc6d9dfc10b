"""Headless Chromium (Debian's package, driven by Playwright) against a live server."""

import pytest

from accounts.models import Role
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rm_signs_in_and_sees_the_rm_navigation(page, live_server, rm_alice):
    sign_in(page, live_server, "alice")
    nav = page.locator("[data-testid=role-nav]")
    assert nav.get_by_text("My day").is_visible()
    assert nav.get_by_text("Administration").count() == 0
    assert page.locator("[data-testid=user-menu]").inner_text().strip().endswith(str(Role.RM.label))


def test_supervisor_signs_in_and_sees_the_branch_navigation(
    page, live_server, supervisor, rm_alice
):
    sign_in(page, live_server, "sam")
    assert page.locator("[data-testid=role-nav]").get_by_text("My branch").is_visible()
    assert page.locator("[data-testid=staff-table]").get_by_text("员工").count() >= 1


def test_wrong_password_shows_the_message_on_the_form(page, live_server, rm_alice):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "wrong")
    page.click("main form button[type=submit]")
    assert page.get_by_text("The user name or password is not correct.").is_visible()


def test_language_switch_to_chinese(page, live_server, rm_alice):
    sign_in(page, live_server, "alice")
    page.click("text=Language")
    page.click("button[value=zh-hans]")
    assert page.locator("[data-testid=role-nav]").get_by_text("我的一天").is_visible()
