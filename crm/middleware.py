"""Request/response policies that hold for every page, kept in one place each."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import QueryDict
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext_lazy as _

from crm.text import has_bidi, strip_bidi

SESSION_STARTED_KEY = "crm_signed_in_at"
SESSION_TOUCHED_KEY = "crm_touched_at"
SESSION_LIFETIME_OVER = _(
    "For your security you were signed out after %(hours)s hours. Sign in again."
)


class NoStoreForSignedInMiddleware:
    """Pages for a signed-in user carry personal data: no browser or proxy may keep them
    (`Cache-Control: no-store`), so the back button after sign-out shows nothing (issue 8
    item 6). Static files never reach this middleware (WhiteNoise answers them first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


class SessionIdleTouchMiddleware:
    """Slide the idle timeout (SESSION_IDLE_MINUTES) without writing the session on every
    request: a session is saved, which pushes its expiry forward, when it was last saved
    SESSION_TOUCH_SECONDS or more ago (or changed, as always). The idle timeout thus holds to
    within that many seconds, and most pages skip an UPDATE and its commit. Sessions that
    hold nothing (anonymous visitors) are never saved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        touched = session.get(SESSION_TOUCHED_KEY)  # loads the session: its key is known after
        now = int(time.time())
        if session.session_key is not None and (
            touched is None or now - touched >= settings.SESSION_TOUCH_SECONDS
        ):
            session[SESSION_TOUCHED_KEY] = now
        return self.get_response(request)


def session_start_stamp(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: remember when this session signed in (signing in saves it)."""
    now = int(time.time())
    request.session[SESSION_STARTED_KEY] = now
    request.session[SESSION_TOUCHED_KEY] = now


class AbsoluteSessionLifetimeMiddleware:
    """Sign out a session SESSION_ABSOLUTE_HOURS after sign-in, however active it has been.

    The idle timeout (SESSION_IDLE_MINUTES) slides with every request; this one does not, so a
    stolen or forgotten session ends the same day (issue 8 item 7). A session without a stamp
    (signed in before this rule) is stamped on its first request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = int(time.time())
            limit = settings.SESSION_ABSOLUTE_HOURS * 3600
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - started >= limit:
                logout(request)
                messages.info(
                    request, SESSION_LIFETIME_OVER % {"hours": settings.SESSION_ABSOLUTE_HOURS}
                )
        return self.get_response(request)


class StripBidiControlsMiddleware:
    """Strip bidirectional control characters from every query-string and form value, once
    for every page, admin included (crm.text; issue 8 item 11). Uploaded files are the
    importers' to clean."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = _cleaned(request.GET)
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            request.POST = _cleaned(request.POST)
        return self.get_response(request)


def _cleaned(data: QueryDict) -> QueryDict:
    if not any(has_bidi(v) for values in data.lists() for v in values[1]):
        return data
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        cleaned.setlist(strip_bidi(key), [strip_bidi(v) for v in values])
    cleaned._mutable = False
    return cleaned
