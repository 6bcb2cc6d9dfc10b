"""Read every stored date and timestamp, even one Python cannot represent (issue 8 item 2).

PostgreSQL accepts dates from 4713 BC and `infinity`; Python's `datetime` starts at year 1.
A single such value (a year-0 timestamp made by an LMT offset, a BC date written by hand) made
psycopg raise on every query that selected it, and so every page showing that record answered
500 until someone deleted the row. These loaders read such a value as the nearest representable
one (logged once per read), so the page renders, and its edit form, whose plausible-range check
(crm.dates) refuses it, asks for a real date.
"""

from __future__ import annotations

import datetime as dt
import logging

from psycopg import DataError
from psycopg.adapt import Loader
from psycopg.pq import Format
from psycopg.types.datetime import DateLoader

logger = logging.getLogger(__name__)

# A day inside both ends, so that conversion to any time zone cannot overflow.
FLOOR = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
CEILING = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)


def _far_past(data) -> bool:
    text = bytes(data)
    return text.endswith(b"BC") or text.startswith(b"-")


def nearest_representable(text: str, *, date_only: bool) -> dt.date | dt.datetime:
    """What a stored date or timestamp Python cannot represent, as PostgreSQL writes it as text
    (e.g. inside a jsonb value: "0001-12-31T15:54:00+00:00 BC", "infinity"), is read as: the
    same nearest value the loaders below give (logged)."""
    value = FLOOR if _far_past(text.encode()) else CEILING
    logger.warning("unrepresentable stored date read as %s", value.isoformat())
    return value.date() if date_only else value


def _clamping(base: type[Loader], low, high) -> type[Loader]:
    # Composition, not inheritance: psycopg's C loaders cannot be subclassed.
    class ClampingLoader(Loader):
        timezone = getattr(base, "timezone", None)  # Django compares it per cursor

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self._inner = base(oid, context)

        def load(self, data):
            try:
                return self._inner.load(data)
            except (DataError, OverflowError, ValueError):
                value = low if _far_past(data) else high
                logger.warning("unrepresentable stored date read as %s", value.isoformat())
                return value

    ClampingLoader.__name__ = f"Clamping{base.__name__}"
    return ClampingLoader


def register(connection) -> None:
    """Wrap the connection's timestamptz and date loaders (psycopg 3; a no-op otherwise).

    Django registers its own time-zone-aware timestamptz loader per connection; the wrapper
    subclasses whichever loader is in place, so Django's time-zone handling is kept.
    """
    adapters = getattr(connection, "adapters", None)
    if adapters is None:
        return
    oid = adapters.types["timestamptz"].oid
    current = adapters.get_loader(oid, Format.TEXT)
    if current is not None and not current.__name__.startswith("Clamping"):
        adapters.register_loader("timestamptz", _clamping(current, FLOOR, CEILING))
    date_oid = adapters.types["date"].oid
    current_date = adapters.get_loader(date_oid, Format.TEXT) or DateLoader
    if not current_date.__name__.startswith("Clamping"):
        adapters.register_loader("date", _clamping(current_date, FLOOR.date(), CEILING.date()))
