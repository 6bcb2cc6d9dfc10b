"""Optimistic locking for the edit forms of shared records (issue 8 item 3).

Two people open the same customer's form; the second to save used to overwrite the first one's
change without either knowing. Now every edit form carries the version of the record it was
filled from, and the service compares it with the stored row *inside its locked transaction*:

1. The form: add ``version = VersionField()`` and give it ``version_of(instance)`` as initial
   value (ModelForms: ``VersionFormMixin`` does both). Leave it out of what goes to the service
   as a field.
2. The service: take ``expected_version: str | None = None``; after
   ``select_for_update()`` call ``version_check(current=row, expected=expected_version,
   fields=[...the fields being saved...])``. It raises ``EditConflict`` only when one of those
   fields changed since that version (a change elsewhere on the row, e.g. a reassignment,
   lets the save go through). ``None`` (imports, admin actions, scripts) skips the check.
3. The view: ``except EditConflict as exc: conflict_to_form(form, exc)`` and render the form
   again. The user sees who changed what (old → new), keeps their own entries in the form, and
   decides: save again (the form now carries the new version) to keep theirs, or reopen the
   record to start from the other person's.

The version is the row's ``updated_at`` (every TimeStampedModel has one; services and bulk
writers set it), to the microsecond. What changed is read from the record's
django-simple-history rows where the model keeps them; without history every differing field
is listed with its current value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from crm.history import (
    Display,
    FieldChange,
    field_changes,
    field_label,
    moment_text,
    value_text,
)
from crm.models import TimeStampedModel
from crm.names import person_name

VERSION_FIELD = "version"
EDIT_CONFLICT = _(
    "%(who)s saved this record at %(when)s while you were editing it. Their changes: "
    "%(changes)s. Your entries are still in the form: save again to keep yours, or reopen the "
    "record to start from theirs."
)
SOMEONE = _("Someone else")
# A save writes its history record in its transaction, moments after the row's updated_at.
VERSION_RECORD_SLACK = dt.timedelta(minutes=1)


class EditConflict(ValidationError):
    """Raised by version_check; carries the current row and what changed since."""

    def __init__(self, *, current: TimeStampedModel, changes: list[FieldChange], who: str, when):
        self.current = current
        self.changes = changes
        described = "; ".join(f"{c.label}: {c.old} → {c.new}" for c in changes)
        super().__init__(
            EDIT_CONFLICT,
            code="edit_conflict",
            params={
                "who": who,
                "when": moment_text(when),
                "changes": described,
            },
        )


def version_of(instance: TimeStampedModel) -> str:
    """The version token of a saved row: its updated_at, ISO 8601 to the microsecond."""
    return instance.updated_at.isoformat() if instance.pk and instance.updated_at else ""


class VersionField(forms.CharField):
    """The hidden field that carries version_of(instance) through the round trip."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)


class VersionFormMixin:
    """For ModelForms of shared records: a `version` field set from the instance."""

    fields: dict[str, forms.Field]
    instance: TimeStampedModel

    def add_version_field(self) -> None:
        self.fields[VERSION_FIELD] = VersionField(initial=version_of(self.instance))


def version_check(
    *,
    current: TimeStampedModel,
    expected: str | None,
    fields: Iterable[str],
    display: Display = value_text,
) -> None:
    """Raise EditConflict if any of `fields` changed since version `expected` of `current`.

    Call inside the service's transaction, on the row it locked with select_for_update();
    `expected` None or "" skips the check. `display(record, name)` formats a value for the
    message (pass one that masks personal data). Raises nothing when the row is unchanged, or
    when only other fields changed since.
    """
    if not expected or version_of(current) == expected:
        return
    fields = list(fields)
    base, latest = None, None
    history = getattr(current, "history", None)
    since = parse_datetime(expected)
    if history is not None and since is not None:
        records = list(history.filter(history_date__gte=since).order_by("history_date"))
        if records:
            latest = records[-1]
            # The version's own record, written by the save that set `expected`: only when
            # the first record follows it closely. A version written without history (a bulk
            # import, the demo's COPY) has none, and the first record is already someone
            # else's change: what the form was filled from is then unknown.
            if records[0].history_date - since <= VERSION_RECORD_SLACK:
                base = records[0]
    if base is None:  # no history to compare with: every field, as it is now
        changes = [
            FieldChange(label=field_label(current, name), old="…", new=display(current, name))
            for name in fields
        ]
    else:
        changes = field_changes(base, current, fields, display=display)
    if not changes:
        return
    user = getattr(latest, "history_user", None) if latest is not None else None
    who = person_name(user) or str(SOMEONE)
    raise EditConflict(current=current, changes=changes, who=who, when=current.updated_at)


def conflict_to_form(form: forms.Form, conflict: EditConflict) -> None:
    """Show the conflict on the form and arm it with the current version, so that saving again
    keeps the user's entries over the other person's (their informed choice)."""
    data: dict[str, Any] | QueryDict
    data = form.data.copy() if isinstance(form.data, QueryDict) else dict(form.data)
    data[form.add_prefix(VERSION_FIELD)] = version_of(conflict.current)
    form.data = data
    form.add_error(None, conflict)
