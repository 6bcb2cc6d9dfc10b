"""A record's change history as pages show it: when, who, why, and each field old → new.

Models keep their history with django-simple-history. An app's selector reads the history
records, newest first, joining `history_user` and every relation it shows, and hands them to
`history_entries`; the same `field_changes` describes an edit conflict (crm.concurrency).

    records = customer.history.select_related("history_user", "branch").order_by(
        "-history_date", "-history_id"
    )[: limit + 1]
    entries = history_entries(records, fields=["name", "branch"], display=masked)[:limit]

Shapes:

- `FieldChange(label, old, new)`: the field's verbose name, capitalised, and its value
  before and after as text (`value_text`: choices by their label, staff by `person_name`,
  times in the bank's time zone, yes/no, lists joined, "—" for no value).
- `HistoryEntry(at, by, kind, reason, changes)`: one history record: when it was written,
  who wrote it (`person_name`, "" when unknown), simple-history's type ("+" created, "~"
  changed, "-" deleted; an app may give an entry a kind of its own), why (the record's change
  reason, through `reasons` when given; "" for none) and what it changed against the record
  after it in `records` (the next older one): `changes` is empty for the last record.

Templates show an entry's changes with `crm/partials/field_changes.html`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.models import TimeStampedModel, model_field
from crm.names import person_name

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

NO_VALUE = "—"

# How a field's value reads: `display(record, field_name) -> str`.
Display = Callable[[models.Model, str], str]
# A history record: a row of the model simple-history generates (untyped to mypy).
HistoryRecord = Any


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    by: str
    kind: str
    reason: str
    changes: list[FieldChange]


# How every page shows a moment: the templates' `|date:"Y-m-d H:i"`, in the bank's time zone
# (the same in English and Chinese; Django's DATETIME_FORMAT reads "Oct. 31, 2026, 2:05 p.m.").
DATETIME_SHOWN = "Y-m-d H:i"


def moment_text(value: dt.datetime) -> str:
    """A moment as pages show it: "2026-10-31 14:05", local time."""
    return formats.date_format(timezone.localtime(value), DATETIME_SHOWN)


def changes_text(changes: Iterable[FieldChange]) -> str:
    """Changes in one line, as messages give them: "Occupation: 工程师 → 教师; E-mail: … → …",
    with the language's own punctuation (Chinese: "职业：工程师 → 教师；…")."""
    return gettext("; ").join(
        gettext("%(label)s: %(old)s → %(new)s") % {"label": c.label, "old": c.old, "new": c.new}
        for c in changes
    )


def field_label(model: type[models.Model] | models.Model, name: str) -> str:
    """The field's verbose name as a change's label ("Occupation")."""
    return capfirst(str(model_field(model, name).verbose_name))


def record_model(record: models.Model) -> type[models.Model]:
    """The model of a row, or of the row a history record is a version of."""
    return getattr(record, "instance_type", type(record))


def stored_value(record: models.Model, name: str) -> Any:
    """Field `name` of `record` (a row or a history record) as stored, to compare versions: a
    column's value; for a many-to-many field whose history the model keeps (simple-history's
    `m2m_fields`, e.g. an interaction's needs discussed), the related rows' keys as a
    frozenset (one query)."""
    field = model_field(record_model(record), name)
    if not isinstance(field, models.ManyToManyField):
        return getattr(record, field.attname)
    related = getattr(record, name)
    if isinstance(record, field.model):
        return frozenset(related.values_list("pk", flat=True))
    # A history record's rows of simple-history's m2m table, one per related row then.
    return frozenset(related.values_list(field.m2m_reverse_field_name(), flat=True))


def value_text(record: models.Model, name: str) -> str:
    """Field `name` of `record` (a row or a history record) as the history shows it."""
    field = model_field(record_model(record), name)
    if isinstance(field, models.ManyToManyField):  # the rows by name, in their model's order
        keys = stored_value(record, name)
        related = field.remote_field.model._default_manager.filter(pk__in=keys)
        return ", ".join(str(row) for row in related) or NO_VALUE
    try:
        value = getattr(record, name)
    except ObjectDoesNotExist:  # a relation whose row is gone
        value = None
    if value is None or value == "" or value == []:
        return NO_VALUE
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if hasattr(value, "get_username"):  # a member of staff
        return person_name(value)
    if isinstance(value, dt.datetime):
        return moment_text(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def field_changes(
    older: models.Model,
    newer: models.Model,
    fields: Iterable[str],
    *,
    display: Display = value_text,
) -> list[FieldChange]:
    """The `fields` whose stored value differs between two versions of a row, in that order
    (stored_value: a many-to-many field kept in the history costs a query per version)."""
    return [
        FieldChange(
            label=field_label(newer, name), old=display(older, name), new=display(newer, name)
        )
        for name in fields
        if stored_value(older, name) != stored_value(newer, name)
    ]


def tracked_fields(record: HistoryRecord) -> list[str]:
    """The fields simple-history keeps for the record's model, in the model's order
    (many-to-many fields, kept in tables of their own, are not among them)."""
    return [f.name for f in record.tracked_fields if f.editable and not f.primary_key]


def history_baseline(instances: Sequence[TimeStampedModel]) -> None:
    """Before a service changes `instances` (locked rows of one model), give each current
    version a history record of its own where it has none: the row was loaded by COPY (the
    demo), or last changed by a set-based import, neither of which writes history. The record
    holds the values as they are, dated at the version (`updated_at`), "+" when the row has no
    history at all, "~" otherwise, with no user. Without it the change about to be made would
    show as "saved without changes" (nothing older to compare with), and an edit form filled
    from this version would have no base for the three-way merge (crm.concurrency.merge_edits),
    so a colleague's change to a field left alone could be reverted. Call it before setting
    `_history_user` or `_change_reason` on them. One query, plus one INSERT per kind of
    record written; nothing for models without simple-history.
    """
    if not instances:
        return
    history = getattr(type(instances[0]), "history", None)
    if history is None:
        return
    last = dict(
        history.filter(id__in=[i.pk for i in instances])
        .values("id")
        .annotate(last=models.Max("history_date"))
        .values_list("id", "last")
    )
    missing = [i for i in instances if last.get(i.pk) is None or last[i.pk] < i.updated_at]
    for update in (False, True):  # "+" for rows with no history at all, "~" for the others
        rows = [i for i in missing if (i.pk in last) is update]
        for row in rows:  # each dated at its own version (simple-history reads this attribute)
            row._history_date = row.updated_at  # type: ignore[attr-defined]
        try:
            if rows:
                history.bulk_history_create(rows, update=update)
        finally:
            for row in rows:
                del row._history_date  # type: ignore[attr-defined]


def history_entries(
    records: Iterable[HistoryRecord],
    *,
    fields: Sequence[str] | None = None,
    display: Display = value_text,
    reasons: Mapping[str, StrOrPromise] | None = None,
    more_changes: Callable[[HistoryRecord, HistoryRecord], list[FieldChange]] | None = None,
) -> list[HistoryEntry]:
    """One HistoryEntry per history record (`records` newest first), each with what it
    changed against the next; `fields`: which fields to compare (all tracked when None);
    `more_changes(older, newer)`: changes of what simple-history keeps apart (many-to-many).
    Runs no query beyond what reading a record's relations costs (join them)."""
    records = list(records)
    if fields is None:
        fields = tracked_fields(records[0]) if records else []
    entries = []
    # Each record with the next older one (None for the oldest; nothing when there are none).
    for newer, older in zip(records, [*records[1:], None], strict=False):
        changes = []
        if older is not None:
            changes = field_changes(older, newer, fields, display=display)
            if more_changes is not None:
                changes += more_changes(older, newer)
        reason = newer.history_change_reason or ""
        if reasons is not None:
            reason = str(reasons.get(reason, reason))
        entries.append(
            HistoryEntry(
                at=newer.history_date,
                by=person_name(newer.history_user),
                kind=newer.history_type,
                reason=reason,
                changes=changes,
            )
        )
    return entries
