"""The customer timeline: other apps contribute entries without `customers` importing them.

An app registers a provider in its AppConfig.ready() (its `customer_page.py`):

    @timeline.provider(
        "task",
        _("Tasks"),
        rows=timeline.entry_rows("interactions_task", at="created_at", staff="assignee_id"),
    )
    def task_entry(at, row) -> TimelineEntry:
        task = model_from_row(Task, row["record"])
        ...

`rows` is raw SQL giving, for each of the customer's entries of that kind at or before the
cursor, three columns: the entry's time (timestamptz), its id (to order entries of one
instant) and a jsonb object of what the presenter needs. Its parameters: %(customer)s, the
customer's id; %(before)s, a timestamptz (far in the future for the first page); %(tz)s, the
bank's time zone (a dated entry's time is local midnight); and who is looking, for a kind
whose scope is narrower than the customer's (an RM sees only the alerts assigned to them):
%(viewer)s, the user's id, %(viewer_role)s, their role ("" without one) and
%(viewer_branch)s, their branch's id (NULL without one). `entry_rows` writes it for the
usual kind, the rows of one table with a `customer_id`. The presenter turns one row into
a TimelineEntry, through the model's own methods (model_from_row gives an unsaved instance),
so that the timeline says things the way the rest of the product does.

A page of the timeline is ONE statement, whatever the kinds: each kind's newest `size + 1`
rows (one short index scan on (customer, time)), their union ranked and cut to `size + 1`.
Only what the page shows is built, so a long history costs no more than a short one (keyset
pagination, no OFFSET). The cursor is the time of the first entry NOT shown, and a page never
ends part-way through entries that share that time, so none is skipped or shown twice.
Django's ORM would cost one compiled query per kind, and compiling a query costs more CPU
than the page's rows themselves (docs/benchmarks.md, the customer page); raw SQL here is the
price of answering the RM's most used page in one round trip.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils import timezone

from accounts.models import branch_id_of, role_of
from crm.dbloaders import nearest_representable
from crm.names import person_json


@dataclass(frozen=True)
class TimelineEntry:
    occurred_at: dt.datetime
    kind: str  # the provider's key, e.g. "interaction"
    title: str
    detail: str = ""  # plain text: templates escape it
    url: str = ""
    actor: str = ""
    badge: str = ""  # a short status word, e.g. "overdue"
    date_only: bool = False  # a dated event (life event): its time of day means nothing

    @property
    def when(self) -> str:
        """When, as the timeline shows it in the bank's time zone: "2026-11-30 14:05", or
        "2026-11-30" for a dated entry."""
        local = timezone.localtime(self.occurred_at)
        day = local.date().isoformat()  # strftime would write year 1 as "1"
        return day if self.date_only else f"{day} {local:%H:%M}"


# present(at, row) -> TimelineEntry: `at` the entry's time (aware), `row` the jsonb object.
Presenter = Callable[[dt.datetime, dict], TimelineEntry]


@dataclass(frozen=True)
class _Registration:
    kind: str
    label: str
    present: Presenter
    rows: str


_registry: dict[str, _Registration] = {}
TICK = dt.timedelta(microseconds=1)
# The first page's cursor: later than any entry.
END_OF_TIME = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def provider(kind: str, label, *, rows: str) -> Callable[[Presenter], Presenter]:
    """Register `present` as the presenter of `kind` entries (label: a lazy translated
    string), whose rows `rows` selects (see the module's docstring for its three columns and
    parameters). An index on (customer, time) makes each kind one short index scan."""

    def decorator(present: Presenter) -> Presenter:
        _registry[kind] = _Registration(kind=kind, label=label, present=present, rows=rows)
        return present

    return decorator


def entry_rows(
    table: str, *, at: str, staff: str, dated: bool = False, more: str = "", scope: str = ""
) -> str:
    """`rows` SQL for a kind whose entries are the rows of `table` (alias `e`, with a
    `customer_id`), which most kinds are. The entry's time is column `at` (a date when
    `dated`: local midnight); the jsonb object holds the row as "record" (`to_jsonb(e)`, for
    model_from_row), the member of staff of column `staff` as "staff" (crm.names.person_json)
    and `more`: further "'key', expression" pairs, which may refer to `e`. `scope`, a
    condition on `e` and the viewer's parameters, keeps only the rows the viewer may see where
    that is narrower than the customer. The arguments are the caller's constant SQL, never
    input."""
    time, bound = (
        (
            f"e.{at}::timestamp AT TIME ZONE %(tz)s",
            f"e.{at} <= (%(before)s AT TIME ZONE %(tz)s)::date",
        )
        if dated
        else (f"e.{at}", f"e.{at} <= %(before)s")
    )
    pairs = f"'record', to_jsonb(e), 'staff', {person_json('e.' + staff)}"
    if more:
        pairs += f", {more}"
    return (
        f"SELECT {time}, e.id, jsonb_build_object({pairs}) FROM {table} e"  # noqa: S608
        f" WHERE e.customer_id = %(customer)s AND {bound}" + (f" AND {scope}" if scope else "")
    )


def model_from_row(model, values: dict) -> Any:
    """An unsaved `model` instance from a row's jsonb object of its columns (e.g. `to_jsonb(t)`
    of the table's row): each value converted by its field (ISO dates and times, decimals as
    text), so that presenters use the model's own methods and labels. Columns the model does
    not know (none, for `to_jsonb` of its own table) raise FieldDoesNotExist."""
    fields = model._meta
    return model(**{name: _python(fields.get_field(name), v) for name, v in values.items()})


def _python(field, value):
    try:
        return field.to_python(value)
    except ValidationError:
        if not isinstance(field, models.DateField):
            raise
        # A stored date Python cannot represent (BC, infinity): read as every query reads it.
        return nearest_representable(value, date_only=not isinstance(field, models.DateTimeField))


def kinds() -> list[tuple[str, str]]:
    """(kind, label) of every registered provider, for the timeline's filter."""
    return [(r.kind, r.label) for r in _registry.values()]


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    next_before: dt.datetime | None  # pass as `before` for the next page; None at the end


@dataclass(frozen=True)
class _Row:
    registration: _Registration
    at: dt.datetime
    row: dict

    def entry(self) -> TimelineEntry:
        return self.registration.present(self.at, self.row)


def _newest(
    registrations: list[_Registration], *, customer, viewer, before, limit: int
) -> list[_Row]:
    """The `limit` newest rows at or before `before` of all the registrations' kinds together,
    newest first (entries of one instant by kind, then newest id first): one statement."""
    if not registrations:
        return []
    # Only the providers' constant SQL and list positions are spliced in; values are bound.
    newest = " UNION ALL ".join(
        f"(SELECT {i} AS k, at, id, row FROM ({r.rows}) AS entries (at, id, row)"  # noqa: S608
        " ORDER BY at DESC, id DESC LIMIT %(limit)s)"
        for i, r in enumerate(registrations)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT k, at, row FROM ({newest}) AS newest"  # noqa: S608
            " ORDER BY at DESC, k, id DESC LIMIT %(limit)s",
            {
                "customer": customer.pk,
                "viewer": viewer.pk,
                "viewer_role": role_of(viewer) or "",
                "viewer_branch": branch_id_of(viewer),
                "before": before or END_OF_TIME,
                "tz": timezone.get_current_timezone_name(),
                "limit": limit,
            },
        )
        # Django's connection hands jsonb over as text.
        return [_Row(registrations[k], at, json.loads(row)) for k, at, row in cursor.fetchall()]


def timeline_page(
    *,
    customer,
    viewer,
    selected: list[str] | None = None,
    before: dt.datetime | None = None,
    size: int = 20,
) -> TimelinePage:
    """Newest-first entries of the selected kinds (all when None) at or before `before`,
    as `viewer` (the signed-in user, whose scope covers the customer) may see them.

    A page holds `size` entries, more only when more than `size` share one instant. One
    query; a page that is all one instant asks again with twice the room until it holds the
    whole instant.
    """
    registrations = [r for k, r in _registry.items() if selected is None or k in selected]
    limit = size + 1
    rows = _newest(registrations, customer=customer, viewer=viewer, before=before, limit=limit)
    if len(rows) < limit:
        return TimelinePage(entries=[r.entry() for r in rows], next_before=None)
    boundary = rows[size].at  # the first entry that does not fit
    shown = [r for r in rows[:size] if r.at != boundary]
    if shown:
        return TimelinePage(entries=[r.entry() for r in shown], next_before=boundary)
    # The page's `size + 1` newest entries share one instant: show all of it, then step past.
    while len(rows) == limit and rows[-1].at == boundary:  # the instant may hold more
        limit *= 2
        rows = _newest(registrations, customer=customer, viewer=viewer, before=before, limit=limit)
    tied = [r.entry() for r in rows if r.at == boundary]
    return TimelinePage(
        entries=tied, next_before=boundary - TICK if len(rows) > len(tied) else None
    )
