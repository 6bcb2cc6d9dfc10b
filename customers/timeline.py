"""The customer timeline: other apps contribute entries without `customers` importing them.

An app registers a provider in its AppConfig.ready():

    @timeline.provider("interaction", _("Interactions"))
    def interactions_for_timeline(*, customer, before, limit) -> list[TimelineEntry]:
        ...  # ONE query: up to `limit` entries older than `before` (all if None), newest first

A page of the timeline asks every selected provider for `size` entries older than a cursor
and merges them, so it costs one query per provider whatever the history's length, and the
next page starts at the oldest entry shown (keyset pagination, no OFFSET).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
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
    """Newest-first entries of the selected kinds (all when None) older than `before`."""
    registrations = [r for k, r in _registry.items() if selected is None or k in selected]
    merged: list[TimelineEntry] = []
    for registration in registrations:
        merged.extend(registration.fetch(customer=customer, before=before, limit=size + 1))
    merged.sort(key=lambda e: e.occurred_at, reverse=True)
    entries = merged[:size]
    has_more = len(merged) > size
    return TimelinePage(entries=entries, next_before=entries[-1].occurred_at if has_more else None)
