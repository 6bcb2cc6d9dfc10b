"""How long a signed-in session has left, for the idle warning (static/js/idle-warning.js).

The session rules themselves live in crm.middleware: the idle timeout (SESSION_IDLE_MINUTES,
the session's stored expiry, slid by SessionIdleTouchMiddleware) and the absolute lifetime
(SESSION_ABSOLUTE_HOURS after sign-in). These functions read them, and slide the first on the
user's word ("Stay signed in").
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.models import Session
from django.http import HttpRequest

from crm import middleware
from crm.middleware import SESSION_STARTED_KEY, SESSION_TOUCHED_KEY


def idle_warning_lead_seconds() -> int:
    """How long before the idle sign-out the warning shows: SESSION_IDLE_WARNING_SECONDS,
    or half the idle time when that is shorter (a 3-minute timeout warns after 1:30)."""
    return min(settings.SESSION_IDLE_WARNING_SECONDS, settings.SESSION_COOKIE_AGE // 2)


def session_seconds_left(request: HttpRequest) -> int:
    """Whole seconds until this request's session ends by itself: its stored expiry (the idle
    timeout, as last slid by any tab of the browser), or the absolute lifetime if sooner.
    0 for a visitor, or a session that has already ended (it no longer loads: anonymous).

    Reads one row and writes nothing: asking is not activity (SessionIdleTouchMiddleware
    leaves the asking endpoint alone).
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or request.session.session_key is None:
        return 0
    expires = (
        Session.objects.filter(session_key=request.session.session_key)
        .values_list("expire_date", flat=True)
        .first()
    )
    if expires is None:
        return 0
    now = middleware._now()
    left = int(expires.timestamp()) - now
    started = request.session.get(SESSION_STARTED_KEY)
    if started is not None:
        left = min(left, started + settings.SESSION_ABSOLUTE_HOURS * 3600 - now)
    return max(left, 0)


def session_keep_alive(request: HttpRequest) -> int:
    """Slide the idle timeout now, as a page request would ("Stay signed in"): the session is
    saved at the end of this request, so it lives SESSION_IDLE_MINUTES from now (never past
    its absolute lifetime). Returns the seconds it then has left; 0 for a visitor, whose
    (empty) session is left unsaved."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    # Setting the key marks the session modified even when SessionIdleTouchMiddleware set it
    # a moment ago: SessionMiddleware saves it, which pushes its expiry forward.
    request.session[SESSION_TOUCHED_KEY] = middleware._now()
    left = settings.SESSION_COOKIE_AGE
    started = request.session.get(SESSION_STARTED_KEY)
    if started is not None:
        left = min(left, started + settings.SESSION_ABSOLUTE_HOURS * 3600 - middleware._now())
    return max(left, 0)
