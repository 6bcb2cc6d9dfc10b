"""In a real browser: the sign-in page says why a session ended by itself, and nothing after a
sign-out (Chinese, 390 px)."""

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from crm import middleware
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_sign_in_page_says_why_the_session_ended_in_chinese_on_a_phone(
    live_server, browser, rm_alice, monkeypatch, tmp_path
):
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    sign_in(page, live_server, "alice")
    # Thirty-one minutes without a request: the idle timeout has ended the session.
    now = middleware._now()
    monkeypatch.setattr(middleware, "_now", lambda: now + 31 * 60)
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    page.goto(f"{live_server.url}/customers/")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    notice = page.get_by_test_id("signed-out-notice")
    assert "30 分钟没有操作后已自动退出" in notice.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=tmp_path / "idle-notice-zh-390.png")

    # Signed in again, then signed out by the user: the sign-in page says nothing.
    sign_in(page, live_server, "alice")
    page.locator("nav .navbar-toggler").click()  # the phone's collapsed menu
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    monkeypatch.setattr(middleware, "_now", lambda: now + 9 * 3600)
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.get_by_test_id("signed-out-notice").count() == 0
    page.screenshot(path=tmp_path / "after-sign-out-zh-390.png")
    context.close()
