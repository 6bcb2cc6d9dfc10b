"""In a real browser (Chinese, 390 px): shortly before the idle timeout the page warns,
"Stay signed in" keeps the session past its original end, and when time runs out the page
stays, says so, and its button leads to the sign-in page with its notice. A 6-second idle
time keeps the test short."""

import time

import pytest

from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDLE = 6  # seconds; the warning shows 3 seconds before the end (half the idle time)


def test_the_idle_warning_keeps_the_session_alive_in_chinese_on_a_phone(
    live_server, phone_page, rm_alice, settings, tmp_path
):
    settings.SESSION_COOKIE_AGE = IDLE
    settings.SESSION_TOUCH_SECONDS = 0  # every request slides the session
    settings.SESSION_IDLE_WARNING_SECONDS = 5  # more than half: half the idle time wins
    page = phone_page  # Content-Security-Policy violations fail the test (tests/conftest.py)

    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/customers/")  # a page with a field to type in
    loaded = time.monotonic()
    home = page.url
    warning = page.get_by_role("alert").filter(has_text="保持登录")
    warning.wait_for(state="visible", timeout=IDLE * 1000)
    assert time.monotonic() - loaded >= IDLE / 2 - 1  # not before its time
    text = warning.inner_text()
    assert "由于长时间没有操作，您将在 0:0" in text and "未保存的内容将会丢失" in text
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=tmp_path / "idle-warning-zh-390.png")

    page.get_by_role("button", name="保持登录").click()
    warning.wait_for(state="hidden", timeout=2000)
    # Past the session's original end: still signed in, on the same page (asking for the
    # seconds left does not slide the session, so the answer is the keep-alive's doing).
    time.sleep(max(0.0, loaded + IDLE + 0.5 - time.monotonic()))
    status = page.evaluate(
        "fetch('/accounts/session/', {credentials: 'same-origin'}).then(r => r.json())"
    )
    assert status["seconds_left"] > 0
    assert page.url == home

    # Left alone, the warning comes back; at the end the page stays (what was typed can still
    # be copied) and says so; its button leads to the sign-in page with the notice.
    page.fill("input[name=q]", "typed, not saved")
    signed_out = page.get_by_role("alert").filter(has_text="已因长时间没有操作而退出登录")
    signed_out.wait_for(state="visible", timeout=(IDLE + 3) * 1000)
    assert page.url == home and page.input_value("input[name=q]") == "typed, not saved"
    page.get_by_role("button", name="重新登录").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/**")
    assert "分钟没有操作后已自动退出" in page.get_by_test_id("signed-out-notice").inner_text()
