"""Request/response policies that hold for every page, kept in one place each."""

from __future__ import annotations

import functools
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import resolve_url
from django.urls import get_script_prefix, reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from crm.text import has_bidi, strip_bidi

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SESSION_STARTED_KEY = "crm_signed_in_at"
SESSION_TOUCHED_KEY = "crm_touched_at"
SESSION_LIFETIME_OVER = _(
    "For your security you were signed out after %(hours)s hours. Sign in again."
)
SESSION_IDLE_OVER = ngettext_lazy(
    "For your security you were signed out after %(minutes)s minute without activity. "
    "Sign in again.",
    "For your security you were signed out after %(minutes)s minutes without activity. "
    "Sign in again.",
    "minutes",
)
# The browser's note that it is signed in (SignedInNoteMiddleware): signed, so that nobody can
# make the sign-in page speak of a session they never had.
SIGNED_IN_COOKIE = "crm_signed_in"
_SIGNED_IN_SALT = "crm.middleware.signed_in"
_LIFETIME_OVER = "lifetime"  # the note's value once the absolute lifetime signed it out
# Set on the request by the sign-out itself: by the user (user_logged_out), or by the
# absolute lifetime (AbsoluteSessionLifetimeMiddleware, which says so first).
_SIGNED_OUT_ATTR = "crm_signed_out"
_LIFETIME_OVER_ATTR = "crm_session_lifetime_over"


def _now() -> int:
    """The clock of the session rules: whole seconds since the epoch."""
    return int(time.time())


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


@functools.cache
def _session_status_path(script_prefix: str) -> str:
    """The idle warning's status URL, reversed once per process (every request asks)."""
    return reverse("session_status")


class SessionIdleTouchMiddleware:
    """Slide the idle timeout (SESSION_IDLE_MINUTES) without writing the session on every
    request: a session is saved, which pushes its expiry forward, when it was last saved
    SESSION_TOUCH_SECONDS or more ago (or changed, as always). The idle timeout thus holds to
    within that many seconds, and most pages skip an UPDATE and its commit. Sessions that
    hold nothing (anonymous visitors) are never saved.

    Every request counts as activity, except the idle warning asking how long the session has
    left (accounts.views.session_status, URL name `session_status`): a page left open asks
    shortly before the timeout, and if asking slid the timer, an unattended page would keep
    its session alive for ever."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Not activity: the idle warning's question (see the docstring). Compared by path, as
        # this runs before the URL is resolved (both with the script prefix).
        if request.path == _session_status_path(get_script_prefix()):
            return self.get_response(request)
        session = request.session
        touched = session.get(SESSION_TOUCHED_KEY)  # loads the session: its key is known after
        now = _now()
        if session.session_key is not None and (
            touched is None or now - touched >= settings.SESSION_TOUCH_SECONDS
        ):
            session[SESSION_TOUCHED_KEY] = now
        return self.get_response(request)


def session_start_stamp(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: remember when this session signed in (signing in saves it)."""
    now = _now()
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
            now = _now()
            limit = settings.SESSION_ABSOLUTE_HOURS * 3600
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - started >= limit:
                # The sign-in page says why (signed_out_notice), however this request ends.
                setattr(request, _LIFETIME_OVER_ATTR, True)
                logout(request)
        return self.get_response(request)


class HtmxAwareLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Django's login requirement, answering an htmx request as htmx understands.

    A redirect to the sign-in page is followed by the browser's XMLHttpRequest, and htmx would
    swap the whole sign-in page into the small element that asked (a revealed number, a
    panel). An htmx request that needs a sign-in (its session idle or past its lifetime) is
    answered instead with `HX-Redirect` (status 204, nothing to swap): htmx sends the whole
    window to the sign-in page, whose `next` is the page the user was on (`HX-Current-URL`),
    not the fragment's URL.

    A form sent (POST) after the session ended is sent to sign in with `next` the page the
    form was on (its Referer), not the form's action: after signing in the browser GETs
    `next`, and an action that only takes POST would answer 405.
    """

    def handle_no_permission(self, request, view_func):
        htmx = request.headers.get("HX-Request") == "true"
        if not htmx and request.method in ("GET", "HEAD"):
            response = super().handle_no_permission(request, view_func)
        else:
            login_url = resolve_url(self.get_login_url(view_func))
            came_from = request.headers.get("HX-Current-URL" if htmx else "Referer", "")
            next_url = same_site_path(request, came_from)
            target = (
                login_url
                if next_url is None
                else redirect_to_login(
                    next_url, login_url, self.get_redirect_field_name(view_func)
                )["Location"]
            )
            if htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
            else:
                response = HttpResponseRedirect(target)
        patch_vary_headers(response, ["HX-Request"])
        return response


def same_site_path(request: HttpRequest, url: str) -> str | None:
    """The path (and query) of `url`, the page a request came from (htmx's
    `HX-Current-URL`, a form's Referer), or None when it is empty or names another site
    (never a `next` elsewhere)."""
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def session_end_mark(sender, request, user, **kwargs) -> None:
    """user_logged_out receiver: the session ends by a sign-out, not by itself, so the
    sign-in page has nothing to explain (SignedInNoteMiddleware forgets the browser)."""
    if request is not None:
        setattr(request, _SIGNED_OUT_ATTR, True)


class SignedInNoteMiddleware:
    """Keep a note in the browser of its signed-in session, so that the sign-in page can tell
    a user who finds themselves there why (signed_out_notice): signed out after
    SESSION_IDLE_MINUTES without activity, or at the end of the absolute lifetime.

    The session itself is gone by then (an idle session expires in the database), so the note
    is a cookie of its own, kept like the session's until the browser closes: signed, holding
    when the session was last active (SESSION_TOUCHED_KEY, which changes at most once a
    minute, so the cookie is rewritten at most that often), or "lifetime" once that rule
    signed it out. A sign-out by the user deletes it. It reads nothing but the session already
    loaded and the request's cookies: no query, on any page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        note = request.COOKIES.get(SIGNED_IN_COOKIE)
        if getattr(request, _LIFETIME_OVER_ATTR, False):
            value = _LIFETIME_OVER
        elif SESSION_KEY in request.session:  # signed in (or just signed in) at the end
            value = str(request.session.get(SESSION_TOUCHED_KEY, ""))
        elif note is not None and getattr(request, _SIGNED_OUT_ATTR, False):
            response.delete_cookie(SIGNED_IN_COOKIE, samesite="Lax")
            return response
        else:  # a visitor, or a browser whose session has ended: the note stays as it is
            return response
        # Signer's value is "note:signature": compare the note without checking the signature.
        if note is None or note.rpartition(":")[0] != value:
            response.set_cookie(
                SIGNED_IN_COOKIE,
                signing.Signer(salt=_SIGNED_IN_SALT).sign(value),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def signed_out_notice(request: HttpRequest) -> StrOrPromise | None:
    """What the sign-in page tells a browser whose signed-in session ended by itself: after
    SESSION_IDLE_MINUTES without activity, or after SESSION_ABSOLUTE_HOURS. None for anyone
    else: a browser that was never signed in (no note, or one not signed by us), one whose
    user signed out, one still signed in, or a session that ended some other way (recently
    active, not past its lifetime: e.g. the account was disabled)."""
    note = request.COOKIES.get(SIGNED_IN_COOKIE)
    if not note or SESSION_KEY in request.session:
        return None
    try:
        value = signing.Signer(salt=_SIGNED_IN_SALT).unsign(note)
    except signing.BadSignature:
        return None
    if value == _LIFETIME_OVER:
        return SESSION_LIFETIME_OVER % {"hours": settings.SESSION_ABSOLUTE_HOURS}
    try:
        touched = int(value)
    except ValueError:
        return None
    # The session was saved at most a minute after `touched` and expired SESSION_COOKIE_AGE
    # after its last save: it cannot have expired for idleness before touched + that age.
    if _now() - touched < settings.SESSION_COOKIE_AGE:
        return None
    return SESSION_IDLE_OVER % {"minutes": settings.SESSION_COOKIE_AGE // 60}


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
