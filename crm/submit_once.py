"""Double-submit protection for every form that creates something: one shared mechanism.

A form sent twice — a second click while the first save is slow, a browser retry, a replayed
request — must create one record, and the second submission should show the user the record
the first one created. Two layers:

1. In the browser, static/js/submit-once.js (loaded by base.html for every page; no inline
   script) disables a POST form's submit buttons while it is being sent.
2. On the server, each rendered form carries a one-time token (a hidden field); the service
   that creates the record claims the token inside its own transaction. The claim is a row
   with a unique (user, token) key: a second claim waits for the first transaction and then
   fails, so even two requests at the same instant create one record.

How an app adopts it (interactions, customers, products, feedback …):

    # forms.py
    class CaseForm(SubmitOnceFormMixin, forms.Form): ...   # adds the hidden `submission_token`

    # services.py
    @transaction.atomic
    def case_open(*, actor, ..., submission_token: str = "") -> Case:
        claim = submission_claim(actor=actor, token=submission_token, kind="feedback.case")
        ...                                                # create the record
        submission_done(claim, url=case.get_absolute_url())
        return case

    # views.py
    try:
        services.case_open(actor=request.user, **form.cleaned_data)
    except AlreadySubmitted as exc:
        return already_submitted(request, exc)             # message + redirect to the record

Calls without a token (imports, tasks, scripts, tests) are not affected. Claims are kept for
SUBMISSION_KEEP_DAYS days (`submissions_purge`, run by the job-runs tidy job), far longer
than a form stays open.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import SubmittedForm

SUBMISSION_KEEP_DAYS = 7
TOKEN_BYTES = 16
ALREADY_SUBMITTED = _(
    "This form had already been sent: nothing was added twice. Here is what it recorded."
)


class AlreadySubmitted(Exception):
    """The form's token was claimed before; `url` is the page of what that submission made."""

    def __init__(self, url: str = ""):
        super().__init__(str(ALREADY_SUBMITTED))
        self.url = url


def submission_token_new() -> str:
    """A fresh random token for one rendering of a form (32 hex characters)."""
    return secrets.token_hex(TOKEN_BYTES)


class SubmitOnceFormMixin:
    """Adds the hidden one-time `submission_token` field to a form (first in its fields).

    A new token each time an unbound form is built; a bound form (re-shown with errors) keeps
    the token it was sent with, since nothing was saved. Not required, so that a client
    without it (an API script, an old test) still works without the protection.
    """

    fields: dict[str, forms.Field]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submission_token"] = forms.CharField(
            required=False,
            max_length=64,
            widget=forms.HiddenInput,
            initial=submission_token_new,
        )


def submission_claim(*, actor, token: str, kind: str) -> SubmittedForm | None:
    """Claim a form's token inside the caller's transaction (call it first, before writing).

    Returns the claim (pass it to `submission_done`), or None when `token` is empty.
    Raises AlreadySubmitted (with the first submission's result URL) when the token was
    claimed before; if that submission is still running, waits for it to commit first.
    """
    if not token or actor is None:
        return None
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives the clash
            return SubmittedForm.objects.create(user=actor, token=token[:64], kind=kind)
    except IntegrityError:
        prior = SubmittedForm.objects.filter(user=actor, token=token[:64]).first()
        raise AlreadySubmitted(prior.result_url if prior else "") from None


def submission_done(claim: SubmittedForm | None, *, url: str) -> None:
    """Record where the record made by a claimed submission is shown."""
    if claim is not None:
        claim.result_url = url[:255]
        claim.save(update_fields=["result_url"])


def already_submitted(request: HttpRequest, exc: AlreadySubmitted, fallback: str) -> HttpResponse:
    """The view's answer to a second submission: say so and show what the first one made."""
    messages.info(request, ALREADY_SUBMITTED)
    return redirect(exc.url or fallback)


def submissions_purge(*, now: dt.datetime | None = None) -> int:
    """Delete claims older than SUBMISSION_KEEP_DAYS; returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=SUBMISSION_KEEP_DAYS)
    deleted, _per_model = SubmittedForm.objects.filter(submitted_at__lt=cutoff).delete()
    return deleted
