"""The customer timeline: other apps contribute entries without `customers` importing them.

An app registers a provider in its AppConfig.ready():

    @timeline.provider(
        "interaction",
        _("Interactions"),
        probe="SELECT 1 FROM interactions_interaction "
        "WHERE customer_id = %(customer)s AND occurred_at <= %(before)s",
    )
    def interactions_for_timeline(*, customer, before, limit) -> list[TimelineEntry]:
        ...  # ONE query: up to `limit` entries at or before `before` (all if None), newest first

A page of the timeline first asks, in one statement, which of the selected kinds have any
entry at or before the cursor (each provider's `probe`: raw SQL with the parameters
%(customer)s, the customer's id, and %(before)s, a timestamptz — far in the future for the
first page); then it asks only those providers for `size + 1` entries each and merges them.
So a page costs at most one query per provider plus one, whatever the history's length
(keyset pagination, no OFFSET), and a customer with no cases or feedback pays nothing for
those kinds. The cursor is the time of the first entry NOT shown, and a page never ends
part-way through entries that share that time, so none is skipped or shown twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from typing import Protocol

from django.db import connection


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


class Provider(Protocol):
    def __call__(
        self, *, customer, before: dt.datetime | None, limit: int
    ) -> list[TimelineEntry]: ...


@dataclass(frozen=True)
class _Registration:
    kind: str
    label: str
    fetch: Provider
    probe: str


_registry: dict[str, _Registration] = {}
TICK = dt.timedelta(microseconds=1)
# The first page's cursor in the probes: later than any entry.
END_OF_TIME = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def provider(kind: str, label, *, probe: str) -> Callable[[Provider], Provider]:
    """Register `fetch` as the source of `kind` entries (label: a lazy translated string).

    `probe`: a SELECT returning a row when the customer (%(customer)s, an id) may have an
    entry of this kind at or before %(before)s (a timestamptz). It may answer yes when `fetch`
    then finds nothing, never the reverse; an index on (customer, time) makes it one probe.
    """

    def decorator(fetch: Provider) -> Provider:
        _registry[kind] = _Registration(kind=kind, label=label, fetch=fetch, probe=probe)
        return fetch

    return decorator


def _with_entries(registrations: list[_Registration], *, customer, before) -> list:
    """The registrations whose probe finds an entry at or before `before` (one statement)."""
    if not registrations:
        return []
    checks = ", ".join(f"EXISTS ({r.probe})" for r in registrations)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ARRAY[{checks}]",  # the providers' constant SQL; values are bound
            {"customer": customer.pk, "before": before or END_OF_TIME},
        )
        (found,) = cursor.fetchone()
    return [r for r, has in zip(registrations, found, strict=True) if has]


def kinds() -> list[tuple[str, str]]:
    """(kind, label) of every registered provider, for the timeline's filter."""
    return [(r.kind, r.label) for r in _registry.values()]


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    next_before: dt.datetime | None  # pass as `before` for the next page; None at the end


def timeline_page(
    *,
    customer,
    selected: list[str] | None = None,
    before: dt.datetime | None = None,
    size: int = 20,
) -> TimelinePage:
    """Newest-first entries of the selected kinds (all when None) at or before `before`.

    A page holds `size` entries, more only when more than `size` share one instant. Queries:
    one probe, then one per kind that has entries at or before `before`.
    """
    registrations = [r for k, r in _registry.items() if selected is None or k in selected]
    registrations = _with_entries(registrations, customer=customer, before=before)
    limit = size + 1
    while True:
        batches = [r.fetch(customer=customer, before=before, limit=limit) for r in registrations]
        merged = sorted(chain.from_iterable(batches), key=lambda e: e.occurred_at, reverse=True)
        if len(merged) <= size:
            return TimelinePage(entries=merged, next_before=None)
        boundary = merged[size].occurred_at  # the first entry that does not fit
        entries = [e for e in merged[:size] if e.occurred_at != boundary]
        if entries:
            return TimelinePage(entries=entries, next_before=boundary)
        # The whole page is one instant: show all of that instant, then step past it.
        if all(len(b) < limit or b[-1].occurred_at != boundary for b in batches):
            tied = [e for e in merged if e.occurred_at == boundary]
            more = len(tied) < len(merged) or any(len(b) == limit for b in batches)
            return TimelinePage(entries=tied, next_before=boundary - TICK if more else None)
        limit *= 2  # a provider may hold more entries of that instant
