"""The customer timeline: other apps contribute entries without `customers` importing them.

An app registers a provider in its AppConfig.ready():

    @timeline.provider(
        "interaction",
        _("Interactions"),
        times="SELECT occurred_at FROM interactions_interaction "
        "WHERE customer_id = %(customer)s AND occurred_at <= %(before)s",
    )
    def interactions_for_timeline(*, customer, before, limit) -> list[TimelineEntry]:
        ...  # ONE query: up to `limit` entries at or before `before` (all if None), newest first

A page of the timeline first asks, in one statement, how many of the page's entries each
selected kind holds: each provider's `times` (raw SQL giving the time of each entry, with the
parameters %(customer)s, the customer's id, %(before)s, a timestamptz — far in the future for
the first page — and %(tz)s, the bank's time zone) is cut to the newest `size + 1` and the
union of them ranked. Then only the kinds with entries on the page are asked, each for its
share. So a page costs at most one query per provider plus one, whatever the history's length
(keyset pagination, no OFFSET), reads about one page of rows in all, and a customer whose
page holds no cases or feedback pays nothing for those kinds. The cursor is the time of the
first entry NOT shown, and a page never ends part-way through entries that share that time,
so none is skipped or shown twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from typing import Protocol

from django.db import connection
from django.utils import timezone


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
    times: str


_registry: dict[str, _Registration] = {}
TICK = dt.timedelta(microseconds=1)
# The first page's cursor in the probes: later than any entry.
END_OF_TIME = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def provider(kind: str, label, *, times: str) -> Callable[[Provider], Provider]:
    """Register `fetch` as the source of `kind` entries (label: a lazy translated string).

    `times`: a SELECT of one column, the time (timestamptz) of each of the customer's
    (%(customer)s, an id) entries of this kind at or before %(before)s (a timestamptz), exactly
    the `occurred_at` that `fetch` gives them; %(tz)s names the bank's time zone, for entries
    that have a date only (their time is local midnight). An index on (customer, time) makes
    it one short index scan.
    """

    def decorator(fetch: Provider) -> Provider:
        _registry[kind] = _Registration(kind=kind, label=label, fetch=fetch, times=times)
        return fetch

    return decorator


def _parameters(customer, before) -> dict:
    return {
        "customer": customer.pk,
        "before": before or END_OF_TIME,
        "tz": timezone.get_current_timezone_name(),
    }


def _shares(registrations: list[_Registration], *, customer, before, limit: int) -> list[int]:
    """How many of the `limit` newest entries at or before `before`, of all the registrations'
    kinds together, each registration holds (one statement; ties at the last place are cut
    arbitrarily)."""
    if not registrations:
        return []
    # Only the providers' constant SQL and list positions are spliced in; values are bound.
    newest = " UNION ALL ".join(
        f"(SELECT {i} AS k, t FROM ({r.times}) AS entries (t) ORDER BY t DESC LIMIT %(limit)s)"  # noqa: S608
        for i, r in enumerate(registrations)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT k, count(*) FROM (SELECT k FROM ({newest}) AS newest"  # noqa: S608
            " ORDER BY t DESC LIMIT %(limit)s) AS page GROUP BY k",
            {**_parameters(customer, before), "limit": limit},
        )
        counts = dict(cursor.fetchall())
    return [counts.get(i, 0) for i in range(len(registrations))]


def _with_entries(registrations: list[_Registration], *, customer, before) -> list:
    """The registrations with an entry at or before `before` (one statement)."""
    if not registrations:
        return []
    checks = ", ".join(f"EXISTS ({r.times})" for r in registrations)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ARRAY[{checks}]",  # the providers' constant SQL; values are bound
            _parameters(customer, before),
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
    one that ranks the kinds' entry times, then one per kind with entries on the page; a page
    that is all one instant asks again, as _one_instant_page says.
    """
    registrations = [r for k, r in _registry.items() if selected is None or k in selected]
    shares = _shares(registrations, customer=customer, before=before, limit=size + 1)
    merged = sorted(
        chain.from_iterable(
            r.fetch(customer=customer, before=before, limit=share)
            for r, share in zip(registrations, shares, strict=True)
            if share
        ),
        key=lambda e: e.occurred_at,
        reverse=True,
    )
    if len(merged) <= size:
        return TimelinePage(entries=merged, next_before=None)
    boundary = merged[size].occurred_at  # the first entry that does not fit
    entries = [e for e in merged[:size] if e.occurred_at != boundary]
    if entries:
        return TimelinePage(entries=entries, next_before=boundary)
    return _one_instant_page(registrations, customer=customer, before=before, size=size)


def _one_instant_page(
    registrations: list[_Registration], *, customer, before, size: int
) -> TimelinePage:
    """The page when its `size + 1` newest entries all share one instant: every entry of that
    instant, of any kind (a kind may hold some that the ranking cut), then the cursor steps
    past it. One probe, then one query per kind with entries, repeated with twice the limit
    while a kind may hold more entries of that instant."""
    registrations = _with_entries(registrations, customer=customer, before=before)
    limit = size + 1
    while True:
        batches = [r.fetch(customer=customer, before=before, limit=limit) for r in registrations]
        merged = sorted(chain.from_iterable(batches), key=lambda e: e.occurred_at, reverse=True)
        boundary = merged[0].occurred_at
        if all(len(b) < limit or b[-1].occurred_at != boundary for b in batches):
            tied = [e for e in merged if e.occurred_at == boundary]
            more = len(tied) < len(merged) or any(len(b) == limit for b in batches)
            return TimelinePage(entries=tied, next_before=boundary - TICK if more else None)
        limit *= 2  # a provider may hold more entries of that instant
