"""Error pages (400, 403, 404, 500, CSRF failure) in the app's layout and the user's language.

Each page says what happened in plain words and offers a way back (the page the user came
from, when it is on this site, and the home page). A 500 carries a short reference that is
logged with the traceback, so a supervisor can quote it and an administrator can find the
error in the logs (`grep "error reference AB12CD34"`).
"""

from __future__ import annotations

import logging
import secrets

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger("crm.errors")

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
REFERENCE_LENGTH = 8


def error_reference() -> str:
    """A random 8-character reference for one server error (unambiguous letters/digits)."""
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _i in range(REFERENCE_LENGTH))


def _back_url(request: HttpRequest) -> str:
    """The same-site page the user came from, or ""."""
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


def _page(request, status: int, title: str, message: str, **extra) -> HttpResponse:
    ctx = {"status": status, "title": title, "message": message, "back_url": _back_url(request)}
    ctx.update(extra)
    return render(request, "error.html", ctx, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _page(
        request,
        400,
        _("The request could not be understood"),
        _("Something in the address or the form was not valid. Go back and try again."),
    )


@requires_csrf_token
def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    reason = str(exception) if exception is not None and str(exception) else ""
    return _page(
        request,
        403,
        _("You may not do this"),
        reason or _("Your role does not allow this page or action."),
    )


@requires_csrf_token
def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _page(
        request,
        404,
        _("Page not found"),
        _(
            "There is no such page, or it is outside what you may see (another branch's "
            "customers, for example)."
        ),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: a stale or missing form token, said in plain words."""
    return _page(
        request,
        403,
        _("This form has expired"),
        _(
            "The page was open too long or you were signed out meanwhile. Go back, reload the "
            "page and submit the form again."
        ),
    )


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page with a reference that is logged together with the traceback.

    Called while the exception is being handled, so `exc_info=True` logs it. Rendering falls
    back to a page without the layout when the layout itself fails (a database that is down).
    """
    reference = error_reference()
    logger.error(
        "Server error reference %s on %s %s",
        reference,
        request.method,
        request.path,
        exc_info=True,
    )
    ctx = {
        "status": 500,
        "title": _("Something went wrong on our side"),
        "message": _(
            "The error has been recorded. Try again in a moment; if it happens again, tell your "
            "supervisor or the help desk this reference."
        ),
        "reference": reference,
        "back_url": _back_url(request),
    }
    try:
        return render(request, "error.html", ctx, status=500)
    except Exception:  # the layout needs the database; the error may be the database
        logger.exception("Error page %s rendered without the layout", reference)
        body = loader.get_template("error_plain.html").render(ctx)
        return HttpResponse(body, status=500)
