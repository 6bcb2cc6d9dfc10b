"""Optimistic locking for the edit forms of shared records (issue 8 item 3).

Two people open the same customer's form; the second to save used to overwrite the first one's
change without either knowing. Now every edit form carries the version of the record it was
filled from, and the service compares it with the stored row *inside its locked transaction*:

1. The form: add ``version = VersionField()`` and give it ``version_of(instance)`` as initial
   value (ModelForms: ``VersionFormMixin`` does both). Leave it out of what goes to the service
   as a field.
2. The service: take ``expected_version: str | None = None``; after
   ``select_for_update()`` call ``version_check(current=row, expected=expected_version,
   fields={...the values being saved, by field name, normalised as stored...})``. It raises
   ``EditConflict`` only when one of those fields changed since that version (a change
   elsewhere on the row, e.g. a reassignment, lets the save go through). ``None`` (imports,
   admin actions, scripts) skips the check.
3. The view: ``except EditConflict as exc: conflict_to_form(form, exc)`` and render the form
   again. The user sees who changed what (old → new) and decides: save again (the form now
   carries the new version) to keep their entries, or reopen the record to start from the
   other person's.

A three-way merge (``merge_edits``) decides what the re-armed form holds: the base is the
version the form was filled from, and for each field the other person changed since, the form
keeps the user's entry only if the user changed that field too (a conflict, shown in the
banner); a field the user left alone takes the other person's value, so the informed second
save cannot silently revert it. Without a known base every differing field is a conflict.

The version is the row's ``updated_at`` (every TimeStampedModel has one; services and bulk
writers set it), to the microsecond. What changed is read from the record's
django-simple-history rows where the model keeps them; without history every differing field
is listed with its current value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.http import QueryDict
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from crm.history import (
    Display,
    FieldChange,
    HistoryRecord,
    changes_text,
    field_changes,
    field_label,
    moment_text,
    stored_value,
    value_text,
)
from crm.models import TimeStampedModel, model_field
from crm.names import person_name

VERSION_FIELD = "version"
EDIT_CONFLICT = _("%(who)s saved this record at %(when)s while you were editing it.")
CONFLICT_TAKEN = _(
    "Their changes to fields you had not changed are kept (the form now shows them): %(changes)s."
)
CONFLICT_BOTH = _(
    "You both changed these fields (theirs here, yours in the form): %(changes)s. Save again "
    "to keep yours, or reopen the record to start from theirs."
)
CONFLICT_UNKNOWN = _(
    "Where your entries differ from the record as saved now (its value here, yours in the "
    "form): %(changes)s. Save again to keep yours, or reopen the record to start from theirs."
)
CONFLICT_NONE_LEFT = _(
    "None of your changes clashes with theirs: check the form and save to keep both."
)
SOMEONE = _("Someone else")
# A save writes its history record in its transaction, moments after the row's updated_at.
VERSION_RECORD_SLACK = dt.timedelta(minutes=1)
# The base's value of a field that was not there to compare with: never equal to a value.
_UNKNOWN = object()


@dataclass(frozen=True)
class EditMerge:
    """What a form filled from an older version does to each field changed since (names)."""

    taken: list[str]  # only the other person changed it: the form takes their value
    conflicts: list[str]  # both changed it, differently: the user's entry stays in the form


class EditConflict(ValidationError):
    """Raised by version_check: the current row, what changed since the form's version
    (`changes`, in the order of the fields saved), and how it merges with the form's values
    (`merge`, used by conflict_to_form)."""

    def __init__(
        self,
        *,
        current: TimeStampedModel,
        merge: EditMerge,
        changes: dict[str, FieldChange],
        base_known: bool,
        who: str,
        when: dt.datetime,
    ):
        self.current = current
        self.merge = merge
        self.changes = list(changes.values())
        self._by_name, self._base_known, self._who, self._when = changes, base_known, who, when

        def described(names: list[str]) -> str:
            return changes_text(changes[n] for n in names)

        at = moment_text(when)
        messages = [ValidationError(EDIT_CONFLICT, params={"who": who, "when": at})]
        if merge.taken:
            messages.append(
                ValidationError(CONFLICT_TAKEN, params={"changes": described(merge.taken)})
            )
        if merge.conflicts:
            both = CONFLICT_BOTH if base_known else CONFLICT_UNKNOWN
            messages.append(ValidationError(both, params={"changes": described(merge.conflicts)}))
        else:
            messages.append(ValidationError(CONFLICT_NONE_LEFT))
        for message in messages:
            message.code = "edit_conflict"
        super().__init__(messages)

    def with_clashes(self, clashes: Mapping[str, FieldChange]) -> EditConflict:
        """This conflict and `clashes`: more values both changed, by name, found outside the
        record's history (an interaction form's need priorities are the customer's needs)."""
        return EditConflict(
            current=self.current,
            merge=EditMerge(taken=self.merge.taken, conflicts=[*self.merge.conflicts, *clashes]),
            changes={**self._by_name, **clashes},
            base_known=self._base_known,
            who=self._who,
            when=self._when,
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


def _stored(value: Any, *, many: bool = False) -> Any:
    """A value as the row stores it (crm.history.stored_value): a related row by its key;
    for a many-to-many field (`many`), the related rows or keys as a frozenset of keys."""
    if many:
        return frozenset(_stored(v) for v in value or ())
    return value.pk if isinstance(value, models.Model) else value


def merge_edits(
    *,
    base: HistoryRecord | None,
    current: models.Model,
    submitted: Mapping[str, Any] | None,
    fields: Iterable[str],
) -> EditMerge:
    """The three-way merge of an edit form's save with the saves made since its version.

    `base`: the history record of the version the form was filled from (None when unknown);
    `current`: the row as it is now; `submitted`: the values the form saves, by field name,
    as the row stores them (None when unknown); a many-to-many field whose history the model
    keeps (an interaction's needs discussed) takes part like a column, its value the set of
    related rows or keys. For each of `fields`:

    - unchanged since the base, or the form already holds the current value (both made the
      same change): nothing to decide;
    - the form holds the base's value (the user left it alone) and someone changed it since:
      `taken`, the form must take the current value, or saving would revert it silently;
    - anything else: `conflicts`, both changed it; the user's entry stays in the form.

    With no base (or no submitted values) nothing is known to be untouched: every field
    whose value would change is a conflict, none is taken silently.
    """
    taken: list[str] = []
    conflicts: list[str] = []
    for name in fields:
        many = isinstance(model_field(current, name), models.ManyToManyField)
        now = stored_value(current, name)
        before = stored_value(base, name) if base is not None else _UNKNOWN
        if before is not _UNKNOWN and before == now:
            continue
        if submitted is None or name not in submitted:
            conflicts.append(name)
            continue
        mine = _stored(submitted[name], many=many)
        if mine == now:
            continue
        (taken if before is not _UNKNOWN and mine == before else conflicts).append(name)
    return EditMerge(taken=taken, conflicts=conflicts)


def version_records(
    current: TimeStampedModel, expected: str
) -> tuple[HistoryRecord | None, HistoryRecord | None]:
    """(base, latest): the history record of version `expected` of `current` (None when the
    model keeps no history or that version wrote none) and the newest record since."""
    history = getattr(current, "history", None)
    since = parse_datetime(expected)
    if history is None or since is None:
        return None, None
    records = list(history.filter(history_date__gte=since).order_by("history_date"))
    if not records:
        return None, None
    # The version's own record, written by the save that set `expected`: only when the first
    # record follows it closely. A version written without history (a bulk import, the demo's
    # COPY) has none, and the first record is already someone else's change: what the form
    # was filled from is then unknown.
    base = records[0] if records[0].history_date - since <= VERSION_RECORD_SLACK else None
    return base, records[-1]


def version_check(
    *,
    current: TimeStampedModel,
    expected: str | None,
    fields: Iterable[str] | Mapping[str, Any],
    display: Display = value_text,
) -> None:
    """Raise EditConflict if any of `fields` changed since version `expected` of `current`.

    Call inside the service's transaction, on the row it locked with select_for_update();
    `expected` None or "" skips the check. `fields`: the values being saved by field name,
    as stored (then a field the user left alone is told from one they changed: merge_edits),
    or only the names; a many-to-many field kept in the model's history (simple-history's
    `m2m_fields`) may be among them, its value the related rows or their keys.
    `display(record, name)` formats a value for the message (pass one that masks personal
    data). Raises nothing when the row is unchanged, when only other fields changed since,
    or when the form already holds every current value.
    """
    if not expected or version_of(current) == expected:
        return
    submitted = fields if isinstance(fields, Mapping) else None
    names = list(fields)
    base, latest = version_records(current, expected)
    merge = merge_edits(base=base, current=current, submitted=submitted, fields=names)
    involved = [n for n in names if n in merge.taken or n in merge.conflicts]
    if not involved:
        return
    if base is None:  # what the form was filled from is unknown: the values as they are now
        changes = {
            n: FieldChange(label=field_label(current, n), old="…", new=display(current, n))
            for n in involved
        }
    else:
        found = field_changes(base, current, involved, display=display)
        changes = dict(zip(involved, found, strict=True))
    user = getattr(latest, "history_user", None) if latest is not None else None
    who = person_name(user) or str(SOMEONE)
    raise EditConflict(
        current=current,
        merge=merge,
        changes=changes,
        base_known=base is not None,
        who=who,
        when=current.updated_at,
    )


def _form_data_set(data: QueryDict, key: str, field: forms.Field, value) -> None:
    """Put `value` (a form's initial value) into submitted `data` as the browser would post
    the field rendered with it."""
    widget = field.widget
    value = field.prepare_value(value)
    if isinstance(widget, forms.CheckboxInput):
        if value:
            data[key] = "on"
        else:
            data.pop(key, None)
    elif getattr(widget, "allow_multiple_selected", False) or isinstance(
        widget, forms.MultipleHiddenInput
    ):
        data.setlist(key, [str(v) for v in value or []])
    else:
        shown = widget.format_value(value)
        if isinstance(shown, list):  # a <select>: its one chosen value
            shown = shown[0] if shown else ""
        data[key] = "" if shown is None else str(shown)


def conflict_to_form(form: forms.Form, conflict: EditConflict) -> None:
    """Show the conflict on the form and arm it for the user's informed second save.

    The fields only the other person changed (conflict.merge.taken) take the form's initial
    value, which the view filled from the row as this request loaded it (masked where the
    form masks personal data), so that saving again keeps their change; the user's own
    entries stay. The form is armed with the version of that loaded row: saving again keeps
    the user's entries over the other person's, and a save that slipped in after the load is
    still caught. A form that shows values derived from the row rather than entered (a masked
    number stands for the number stored) brings them up to date in its
    `masks_after_conflict(data, current)`.
    """
    if isinstance(form.data, QueryDict):
        data = form.data.copy()
    else:  # a dict, as tests pass
        data = QueryDict(mutable=True)
        for key, value in form.data.items():
            data.setlist(key, value if isinstance(value, list | tuple) else [value])
    for name in conflict.merge.taken:
        field = form.fields.get(name)
        if field is not None and not field.disabled:
            value = form.get_initial_for_field(field, name)
            _form_data_set(data, form.add_prefix(name), field, value)
    loaded = ""
    if VERSION_FIELD in form.fields:
        loaded = form.get_initial_for_field(form.fields[VERSION_FIELD], VERSION_FIELD) or ""
    data[form.add_prefix(VERSION_FIELD)] = loaded or version_of(conflict.current)
    refresh = getattr(form, "masks_after_conflict", None)
    if refresh is not None:
        refresh(data, conflict.current)
    form.data = data
    form.add_error(None, conflict)
