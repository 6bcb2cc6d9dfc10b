"""Headless Chromium (Debian's package, driven by Playwright) against a live server."""

import os

import pytest

from accounts.models import Role
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM must still work.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is needed: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")


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
