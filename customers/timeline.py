"""The customer timeline: other apps contribute entries without `customers` importing them.

An app registers a provider in its AppConfig.ready():

    @timeline.provider("interaction", _("Interactions"))
    def interactions_for_timeline(*, customer, before, limit) -> list[TimelineEntry]:
        ...  # ONE query: up to `limit` entries at or before `before` (all if None), newest first

A page of the timeline asks every selected provider for `size + 1` entries at or before a
cursor and merges them, so it costs one query per provider whatever the history's length
(keyset pagination, no OFFSET). The cursor is the time of the first entry NOT shown, and a
page never ends part-way through entries that share that time, so none is skipped or shown
twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from typing import Protocol


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


_registry: dict[str, _Registration] = {}
TICK = dt.timedelta(microseconds=1)


def provider(kind: str, label) -> Callable[[Provider], Provider]:
    """Register `fetch` as the source of `kind` entries (label: a lazy translated string)."""

    def decorator(fetch: Provider) -> Provider:
        _registry[kind] = _Registration(kind=kind, label=label, fetch=fetch)
        return fetch

    return decorator


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

    A page holds `size` entries, more only when more than `size` share one instant.
    """
    registrations = [r for k, r in _registry.items() if selected is None or k in selected]
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
