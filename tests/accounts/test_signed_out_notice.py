"""The sign-in page says why a session ended by itself (idle timeout, absolute lifetime), and
says nothing to anyone else: a visitor never signed in, a user who signed out, a forged note.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import signing
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from crm import middleware
from crm.middleware import SESSION_STARTED_KEY, SESSION_TOUCHED_KEY, SIGNED_IN_COOKIE
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"
IDLE = "signed out after 30 minutes without activity"
IDLE_ZH = "30 分钟没有操作"
LIFETIME = "signed out after 8 hours"


def sign_in(client):
    response = client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def later(monkeypatch, seconds: int) -> None:
    """The session rules' clock, `seconds` on."""
    now = middleware._now()
    monkeypatch.setattr(middleware, "_now", lambda: now + seconds)


def expire_sessions() -> None:
    """What the idle timeout does: the session's row is past its expiry date."""
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))


def notice(response) -> str:
    body = response.content.decode()
    if 'data-testid="signed-out-notice"' not in body:
        return ""
    return body.split('data-testid="signed-out-notice">', 1)[1].split("</div>", 1)[0]


def test_after_the_idle_timeout_the_sign_in_page_says_so(client, rm_alice, monkeypatch):
    sign_in(client)
    later(monkeypatch, 31 * 60)
    expire_sessions()
    response = client.get("/customers/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    page = client.get(response["Location"])
    assert IDLE in notice(page)
    # It stays true on a reload, until the user signs in again.
    assert IDLE in notice(client.get(LOGIN))
    sign_in(client)
    client.post("/accounts/logout/")
    assert notice(client.get(LOGIN)) == ""


def test_the_idle_notice_speaks_chinese_and_follows_the_setting(
    client, rm_alice, monkeypatch, settings
):
    settings.SESSION_COOKIE_AGE = 45 * 60  # SESSION_IDLE_MINUTES=45
    sign_in(client)
    later(monkeypatch, 46 * 60)
    expire_sessions()
    page = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "45 分钟没有操作" in notice(page) and "请重新登录" in notice(page)


def test_after_the_absolute_lifetime_the_sign_in_page_says_so(client, rm_alice):
    sign_in(client)
    session = client.session
    session[SESSION_STARTED_KEY] -= 8 * 3600 + 1
    session.save()
    response = client.get("/customers/")
    assert response.status_code == 302
    assert LIFETIME in notice(client.get(response["Location"]))
    assert "登录 8 小时后已自动退出" in notice(client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="zh-hans"))


def test_after_a_sign_out_the_sign_in_page_says_nothing(client, rm_alice, monkeypatch):
    sign_in(client)
    assert client.post("/accounts/logout/").status_code == 302
    assert SIGNED_IN_COOKIE not in client.cookies or not client.cookies[SIGNED_IN_COOKIE].value
    later(monkeypatch, 9 * 3600)
    page = client.get(LOGIN)
    assert notice(page) == "" and "signed out" not in page.content.decode()


def test_a_visitor_never_signed_in_is_told_nothing(client, db, monkeypatch):
    assert notice(client.get(LOGIN)) == ""
    # A note made up, or copied without our signature, is not believed.
    client.cookies[SIGNED_IN_COOKIE] = "0:forged"
    assert notice(client.get(LOGIN)) == ""
    client.cookies[SIGNED_IN_COOKIE] = signing.Signer(salt="elsewhere").sign("0")
    assert notice(client.get(LOGIN)) == ""
    client.cookies[SIGNED_IN_COOKIE] = "lifetime"
    assert notice(client.get(LOGIN)) == ""


def test_a_session_ended_otherwise_while_active_is_not_called_idle(client, rm_alice):
    sign_in(client)
    Session.objects.all().delete()  # e.g. ended by an administrator a moment ago
    assert notice(client.get(LOGIN)) == ""


def test_the_note_follows_activity_and_costs_no_query(db, rm_alice, django_assert_num_queries):
    """An ordinary signed-in request: the note is written from the session already loaded,
    the user is never loaded for it, and no query is made; once written, it is left alone
    until the session is touched again (at most once a minute)."""
    session = SessionStore()
    session[SESSION_KEY] = str(rm_alice.pk)
    session[SESSION_TOUCHED_KEY] = 1_000_000

    def request_with(cookies):
        request = RequestFactory().get("/customers/")
        request.COOKIES.update(cookies)
        request.session = session

        def never():
            raise AssertionError("the note must not load the user")

        request.user = SimpleLazyObject(never)
        return request

    note = middleware.SignedInNoteMiddleware(lambda request: HttpResponse())
    with django_assert_num_queries(0):
        first = note(request_with({}))
    written = first.cookies[SIGNED_IN_COOKIE]
    assert written["httponly"] and written["samesite"] == "Lax"
    with django_assert_num_queries(0):
        again = note(request_with({SIGNED_IN_COOKIE: written.value}))
    assert SIGNED_IN_COOKIE not in again.cookies
    session[SESSION_TOUCHED_KEY] = 1_000_060
    touched = note(request_with({SIGNED_IN_COOKIE: written.value}))
    assert touched.cookies[SIGNED_IN_COOKIE].value != written.value


@pytest.mark.parametrize("minutes_idle, told", [(29, False), (31, True)])
def test_the_idle_notice_needs_the_whole_idle_time(
    client, rm_alice, monkeypatch, minutes_idle, told
):
    sign_in(client)
    later(monkeypatch, minutes_idle * 60)
    expire_sessions()
    assert (IDLE in notice(client.get(LOGIN))) is told


# -- htmx requests after the session ended -------------------------------------------------

PANEL = "/customers/7/panels/needs/"
PAGE = "http://testserver/customers/7/?panel=needs"


def htmx(**headers) -> dict:
    return {"HTTP_HX_REQUEST": "true", **{f"HTTP_{k}": v for k, v in headers.items()}}


def test_an_htmx_request_after_the_idle_timeout_sends_the_window_to_sign_in(
    client, rm_alice, monkeypatch
):
    """Not a redirect that htmx would follow and swap the sign-in page into the panel: an
    HX-Redirect to the sign-in page, whose `next` is the page the user was on."""
    sign_in(client)
    later(monkeypatch, 31 * 60)
    expire_sessions()
    response = client.get(PANEL, **htmx(HX_CURRENT_URL=PAGE))
    assert response.status_code == 204 and response.content == b""
    assert "Location" not in response
    assert response["HX-Redirect"] == f"{LOGIN}?next=/customers/7/%3Fpanel%3Dneeds"
    assert "HX-Request" in response["Vary"]
    # The reveal buttons post: the same answer.
    reveal = client.post("/customers/7/reveal-id/", **htmx(HX_CURRENT_URL=PAGE))
    assert reveal.status_code == 204 and reveal["HX-Redirect"] == response["HX-Redirect"]
    # Where htmx sends the window, the sign-in page says why.
    assert IDLE in notice(client.get(response["HX-Redirect"]))


def test_a_plain_request_still_gets_the_redirect_to_sign_in(client, db):
    response = client.get(PANEL)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={PANEL}"
    assert "HX-Redirect" not in response


def test_an_htmx_request_from_elsewhere_signs_in_without_a_next(client, db):
    """`next` is only ever a page of this site: a current URL on another host (or none) is
    dropped rather than replaced by the fragment's URL."""
    foreign = client.get(PANEL, **htmx(HX_CURRENT_URL="https://evil.example/customers/7/"))
    assert foreign.status_code == 204 and foreign["HX-Redirect"] == LOGIN
    assert client.get(PANEL, **htmx())["HX-Redirect"] == LOGIN


def test_a_form_sent_after_the_idle_timeout_comes_back_to_its_page_not_its_action(
    client, rm_alice, monkeypatch
):
    """A POST-only action (unlink a household member, create a survey link) as `next` would
    answer 405 after signing in: `next` is the page the form was on (its Referer)."""
    sign_in(client)
    later(monkeypatch, 31 * 60)
    expire_sessions()
    action = "/customers/7/household/8/unlink/"
    response = client.post(action, HTTP_REFERER=PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/customers/7/%3Fpanel%3Dneeds"
    assert IDLE in notice(client.get(response["Location"]))
    # Without a Referer of this site: sign in, then the home page (never the action, never
    # another site).
    assert client.post(action)["Location"] == LOGIN
    elsewhere = client.post(action, HTTP_REFERER="https://evil.example/customers/7/")
    assert elsewhere["Location"] == LOGIN
