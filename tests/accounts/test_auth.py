"""Sign-in, throttling, sessions and CSRF: what protects every other page."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from crm.middleware import SESSION_TOUCHED_KEY
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"
WRONG = "The user name or password is not correct."


def login(client, username, password, ip="10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_anonymous_user_is_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_rm_signs_in_and_lands_on_home(client, rm_alice):
    response = login(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get("/").status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_message(client, rm_alice):
    wrong_password = login(client, "alice", "not the password")
    unknown_user = login(client, "nobody-here", PASSWORD)
    for response in (wrong_password, unknown_user):
        assert response.status_code == 200
        assert WRONG in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_gives_a_new_session_key(client, rm_alice):
    session = client.session
    session["visited"] = True
    session.save()
    before = session.session_key
    login(client, "alice", PASSWORD)
    assert client.session.session_key != before


def test_repeated_failures_lock_the_user_name_from_that_address_and_say_when_to_retry(
    client, rm_alice
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "alice", "bad guess")
    response = login(client, "alice", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Sign-in paused" in body
    assert "try again in 15 minutes" in body
    assert "_auth_user_id" not in client.session


def test_an_attacker_cannot_lock_out_a_colleague_at_another_address(client, rm_alice):
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        login(client, "alice", "bad guess", ip="203.0.113.9")
    response = login(client, "alice", PASSWORD, ip="10.1.1.1")
    assert response.status_code == 302


def test_lockout_ends_after_the_cool_off(client, rm_alice):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "alice", "bad guess")
    assert login(client, "alice", PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert login(client, "alice", PASSWORD).status_code == 302


def test_idle_session_expires(client, alice_client):
    assert alice_client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = alice_client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def _last_saved(client, seconds_ago: int, *, expires_in: timedelta) -> None:
    """Make the client's session look saved `seconds_ago`, expiring `expires_in` from now."""
    session = client.session
    session[SESSION_TOUCHED_KEY] = int(time.time()) - seconds_ago
    session.save()
    Session.objects.update(expire_date=timezone.now() + expires_in)


def test_a_request_extends_the_idle_timeout_once_a_minute(alice_client):
    _last_saved(alice_client, seconds_ago=61, expires_in=timedelta(minutes=10))
    assert alice_client.get("/").status_code == 200
    remaining = Session.objects.get().expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)


def test_a_request_soon_after_the_last_save_writes_nothing(alice_client):
    _last_saved(alice_client, seconds_ago=20, expires_in=timedelta(minutes=10))
    before = Session.objects.get().expire_date
    assert alice_client.get("/").status_code == 200
    assert Session.objects.get().expire_date == before  # to within SESSION_TOUCH_SECONDS


def test_login_post_without_csrf_token_is_refused(csrf_client, rm_alice):
    response = csrf_client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in csrf_client.session


def test_login_with_csrf_token_from_the_form_succeeds(csrf_client, rm_alice):
    csrf_client.get(LOGIN)
    token = csrf_client.cookies[settings.CSRF_COOKIE_NAME].value
    response = csrf_client.post(
        LOGIN, {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_logout_is_a_post_and_ends_the_session(alice_client):
    assert alice_client.get("/accounts/logout/").status_code == 405
    response = alice_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert alice_client.get("/").status_code == 302


def test_password_change_requires_the_old_password(alice_client, rm_alice):
    response = alice_client.post(
        "/accounts/password/",
        {
            "old_password": "wrong",
            "new_password1": "a new long pass 42",
            "new_password2": "a new long pass 42",
        },
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    response = alice_client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a new long pass 42",
            "new_password2": "a new long pass 42",
        },
    )
    assert response.status_code == 302
    rm_alice.refresh_from_db()
    assert rm_alice.check_password("a new long pass 42")


@pytest.mark.parametrize("language, text", [("en", "Sign in"), ("zh-hans", "登录")])
def test_login_page_in_both_languages(client, db, language, text):
    client.post("/i18n/setlang/", {"language": language, "next": LOGIN})
    assert text in client.get(LOGIN).content.decode()


# -- Password spraying and the absolute session lifetime (issue 8 item 7) -------------------


def test_spraying_one_password_over_many_user_names_pauses_the_address(client, db, rm_alice):
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    for n in range(limit):
        response = login(client, f"guess{n:02d}", "Spring2026!", ip="203.0.113.7")
        assert response.status_code == 200  # each user name on its own stays below its limit
    response = login(client, "alice", PASSWORD, ip="203.0.113.7")
    assert response.status_code == 429
    assert "too many failed sign-in attempts from your address" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The address is paused, not the user name: Alice signs in from her own desk.
    assert login(client, "alice", PASSWORD, ip="10.1.1.1").status_code == 302


def test_the_address_pause_lifts_after_the_cool_off(client, rm_alice):
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        login(client, f"guess{n:02d}", "Spring2026!", ip="203.0.113.7")
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert login(client, "alice", PASSWORD, ip="203.0.113.7").status_code == 302


def test_a_session_ends_after_its_absolute_lifetime_however_active(client, rm_alice, settings):
    from crm.middleware import SESSION_STARTED_KEY

    assert settings.SESSION_ABSOLUTE_HOURS == 8
    assert login(client, "alice", PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] -= 8 * 3600 - 60  # a busy day, one minute left
    session.save()
    assert client.get("/").status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] -= 61
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    page = client.get(response["Location"])
    assert "signed out after 8 hours" in page.content.decode()


def test_the_absolute_lifetime_is_configurable(client, rm_alice, settings):
    from crm.middleware import SESSION_STARTED_KEY

    settings.SESSION_ABSOLUTE_HOURS = 1
    login(client, "alice", PASSWORD)
    session = client.session
    session[SESSION_STARTED_KEY] -= 3601
    session.save()
    assert client.get("/").status_code == 302
