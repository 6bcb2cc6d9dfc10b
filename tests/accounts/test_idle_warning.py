"""The idle warning's endpoints: how long the session has left (asking is not activity), and
"Stay signed in" (slides the session; POST with CSRF only). Visitors and ended sessions get 0,
never the sign-in page. Every signed-in page carries what the script needs; the sign-in page
does not."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.sessions import idle_warning_lead_seconds
from crm import middleware
from crm.middleware import SESSION_STARTED_KEY, SESSION_TOUCHED_KEY
from tests.accounts.test_signed_out_notice import sign_in

pytestmark = pytest.mark.django_db

STATUS = "/accounts/session/"
KEEPALIVE = "/accounts/session/keepalive/"
LOGIN = "/accounts/login/"


def the_session() -> Session:
    return Session.objects.get()


def set_session(client, *, touched_ago: int, ends_in: int) -> None:
    """The session last slid `touched_ago` seconds ago and ends in `ends_in` seconds."""
    session = client.session
    session[SESSION_TOUCHED_KEY] = middleware._now() - touched_ago
    session.save()
    Session.objects.update(expire_date=timezone.now() + timedelta(seconds=ends_in))


def test_status_says_how_long_the_session_has_left_and_does_not_slide_it(client, rm_alice):
    sign_in(client)
    # Last slid five minutes ago: any page request now would slide the session.
    set_session(client, touched_ago=300, ends_in=100)
    before = the_session()

    response = client.get(STATUS)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["seconds_left"] in (99, 100)
    after = the_session()
    assert after.expire_date == before.expire_date
    assert after.get_decoded()[SESSION_TOUCHED_KEY] == before.get_decoded()[SESSION_TOUCHED_KEY]
    assert "no-store" in response["Cache-Control"]

    # What asking is not: a page request in the same state slides the session.
    assert client.get("/").status_code == 200
    assert the_session().expire_date > before.expire_date + timedelta(minutes=25)


def test_status_counts_the_absolute_lifetime_when_it_ends_sooner(client, rm_alice, settings):
    sign_in(client)
    session = client.session
    session[SESSION_STARTED_KEY] = middleware._now() - settings.SESSION_ABSOLUTE_HOURS * 3600 + 50
    session.save()
    assert client.get(STATUS).json()["seconds_left"] in (49, 50)


def test_keep_alive_slides_the_session(client, rm_alice, settings):
    sign_in(client)
    # Slid a moment ago, so the request itself would not slide it: the keep-alive does.
    set_session(client, touched_ago=0, ends_in=100)
    before = the_session()

    response = client.post(KEEPALIVE)

    assert response.status_code == 200
    assert response.json() == {"seconds_left": settings.SESSION_COOKIE_AGE}
    expires = the_session().expire_date
    assert expires > before.expire_date + timedelta(minutes=25)
    assert abs(expires - (timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE))) < (
        timedelta(seconds=5)
    )
    assert client.get(STATUS).json()["seconds_left"] >= settings.SESSION_COOKIE_AGE - 2


def test_keep_alive_needs_the_csrf_token_and_post(rm_alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(rm_alice)
    page = client.get("/")
    token = page.content.decode().split('data-csrf-token="', 1)[1].split('"', 1)[0]
    set_session(client, touched_ago=0, ends_in=100)
    before = the_session().expire_date

    assert client.post(KEEPALIVE).status_code == 403
    assert the_session().expire_date == before
    assert client.get(KEEPALIVE).status_code == 405
    assert client.post(STATUS, headers={"X-CSRFToken": token}).status_code == 405

    response = client.post(KEEPALIVE, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert the_session().expire_date > before


def test_a_visitor_gets_zero_not_the_sign_in_page(client):
    for response in (client.get(STATUS), client.post(KEEPALIVE)):
        assert response.status_code == 200
        assert response.json() == {"seconds_left": 0}
    assert not Session.objects.exists()  # no session is made for asking


def test_an_ended_session_gets_zero(client, rm_alice):
    sign_in(client)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get(STATUS).json() == {"seconds_left": 0}
    assert client.post(KEEPALIVE).json() == {"seconds_left": 0}


def test_the_warning_shows_two_minutes_before_or_at_half_a_short_idle_time(settings):
    settings.SESSION_IDLE_WARNING_SECONDS = 120
    settings.SESSION_COOKIE_AGE = 30 * 60
    assert idle_warning_lead_seconds() == 120
    settings.SESSION_COOKIE_AGE = 3 * 60
    assert idle_warning_lead_seconds() == 90


def test_a_signed_in_page_carries_the_idle_warning_and_the_sign_in_page_does_not(
    client, rm_alice, settings
):
    login_page = client.get(LOGIN).content.decode()
    assert 'id="idle-warning"' not in login_page
    assert "idle-warning.js" not in login_page

    sign_in(client)
    page = client.get("/").content.decode()
    assert f'data-idle-seconds="{settings.SESSION_COOKIE_AGE}"' in page
    assert 'data-lead-seconds="120"' in page
    assert f'data-status-url="{STATUS}"' in page
    assert f'data-keepalive-url="{KEEPALIVE}"' in page
    assert 'data-csrf-token="' in page
    assert 'role="alert"' in page.split('id="idle-warning"', 1)[1].split(">", 1)[0]
    assert "You will be signed out in {time} because of inactivity." in page
    assert "Stay signed in" in page
    assert "js/idle-warning.js" in page


def test_the_idle_warning_reads_in_chinese(client, rm_alice):
    sign_in(client)
    page = client.get("/", headers={"Accept-Language": "zh-CN"}).content.decode()
    assert "您将在 {time} 后自动退出登录" in page
    assert "保持登录" in page
