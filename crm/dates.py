"""One plausible range for every date and time a person or a file gives us (issue 8 item 2).

`0001-01-01T00:00` typed into an interaction form became, through the bank's time zone's
historic (LMT, +08:05:43) offset, a timestamp in year 0 that PostgreSQL stored and Python
could not read back: every page showing it answered 500. Forms (as a field validator), import
files (crm.csvimport and customers.importing) and services (model field validators run by
`full_clean()`) all call `plausible_date_check`, so the rule lives here only. Fields may narrow
the range further (an interaction is not in the future; a birth date is not before 1900);
none may widen it.

Reading what is already stored is the other half: `crm.apps` registers database loaders that
turn an unreadable stored value into the nearest representable one instead of an exception, so
a page shows the odd date (and its form lets someone correct it) rather than failing.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST = dt.date(1900, 1, 1)
YEARS_AHEAD = 100  # long enough for a 30-year loan's maturity, a child's university start …

DATE_IMPLAUSIBLE = _("Enter a date between %(earliest)s and %(latest)s.")


def plausible_latest(today: dt.date | None = None) -> dt.date:
    """The last plausible date: YEARS_AHEAD years after today (the bank's time zone)."""
    today = today or timezone.localdate()
    return dt.date(today.year + YEARS_AHEAD, 12, 31)


def plausible_date_check(value: dt.date | dt.datetime | None) -> None:
    """Raise ValidationError (code "date_implausible") unless `value` lies between EARLIEST and
    plausible_latest(); None passes (a missing value is the field's `required` to judge).

    `value` is a date, or a datetime judged by its wall-clock date (no time-zone arithmetic, so
    that year-1 input cannot overflow while being checked). Usable as a Django validator on a
    model or form field.
    """
    if value is None:
        return
    day = value.date() if isinstance(value, dt.datetime) else value
    latest = plausible_latest()
    if not EARLIEST <= day <= latest:
        raise ValidationError(
            DATE_IMPLAUSIBLE,
            code="date_implausible",
            params={"earliest": EARLIEST.isoformat(), "latest": latest.isoformat()},
        )


def plausible_or_none(value: dt.date | dt.datetime | None):
    """`value` if plausible, else None: for reading parameters (a list filter, a cursor) where a
    wild value should simply be ignored rather than reported."""
    try:
        plausible_date_check(value)
    except ValidationError:
        return None
    return value


def local_day_start(day: dt.date) -> dt.datetime:
    """00:00 of `day` in the bank's time zone (TIME_ZONE): the lower bound of a day's records.

    Lists filtered "from D1 to D2" take [local_day_start(D1), local_day_start(D2 + 1 day)),
    and the dashboards group by the same local day, so a figure and its list agree.
    """
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0)))
