"""The periods a dashboard can show: this month, last month, this quarter, the last 12 months
or a custom range — each with the period of the same length just before it, for "rising or
falling" comparisons."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

THIS_MONTH, LAST_MONTH, QUARTER, LAST_12_MONTHS, CUSTOM = (
    "this_month",
    "last_month",
    "quarter",
    "12_months",
    "custom",
)
PERIOD_CHOICES = [
    (THIS_MONTH, _("This month")),
    (LAST_MONTH, _("Last month")),
    (QUARTER, _("This quarter")),
    (LAST_12_MONTHS, _("Last 12 months")),
    (CUSTOM, _("Custom")),
]
MAX_CUSTOM_DAYS = 3 * 366  # the figures kept per day reach back DAILY_FIGURE_DAYS


@dataclass(frozen=True)
class Period:
    """Days `start` to `end`, both included (the bank's time zone); `before`, when set, is
    the period it is compared with (see previous())."""

    start: dt.date
    end: dt.date
    before: Period | None = field(default=None, compare=False, repr=False)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period this one is compared with: the calendar one before (`before`: the same
        days of the previous month or quarter, the previous month, the 12 months before), or
        else the same number of days ending the day before `start`."""
        if self.before is not None:
            return self.before
        end = self.start - dt.timedelta(days=1)
        return Period(start=end - dt.timedelta(days=self.days - 1), end=end)

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def month_start(day: dt.date, months_back: int = 0) -> dt.date:
    """The first day of the month `months_back` months before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def period_for(
    choice: str,
    today: dt.date,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> Period:
    """The period a PERIOD_CHOICES value names, as of `today`.

    This month and this quarter run to today and compare with the same stretch of the month
    or quarter before; last month is the whole previous calendar month, compared with the one
    before it; the last 12 months are the 11 previous calendar months and this one to today,
    compared with the 12 months before. A custom period compares with as many days before it.
    CUSTOM takes `date_from`/`date_to` (ValueError if either is missing or they are reversed).
    """
    if choice == LAST_MONTH:
        start = month_start(today, 1)
        before = Period(start=month_start(today, 2), end=start - dt.timedelta(days=1))
        return Period(start=start, end=month_start(today) - dt.timedelta(days=1), before=before)
    if choice == QUARTER:
        back = (today.month - 1) % 3
        start = month_start(today, back)
        before = _same_stretch(month_start(today, back + 3), today - start, start)
        return Period(start=start, end=today, before=before)
    if choice == LAST_12_MONTHS:
        start = month_start(today, 11)
        before = Period(start=month_start(today, 23), end=start - dt.timedelta(days=1))
        return Period(start=start, end=today, before=before)
    if choice == CUSTOM:
        if date_from is None or date_to is None or date_from > date_to:
            raise ValueError("a custom period needs a start on or before its end")
        return Period(start=date_from, end=date_to)
    start = month_start(today)
    before = _same_stretch(month_start(today, 1), today - start, start)
    return Period(start=start, end=today, before=before)


def _same_stretch(start: dt.date, elapsed: dt.timedelta, limit: dt.date) -> Period:
    """From `start`, as many days as `elapsed` (the same stretch of the previous month or
    quarter), ending before `limit` at the latest (1–31 March against 1–28 February)."""
    return Period(start=start, end=min(start + elapsed, limit - dt.timedelta(days=1)))


def months(today: dt.date, n: int = 12) -> list[Period]:
    """The last `n` calendar months, oldest first, the current one to `today`."""
    result = []
    for back in range(n - 1, -1, -1):
        start = month_start(today, back)
        end = month_start(today, back - 1) - dt.timedelta(days=1) if back else today
        result.append(Period(start=start, end=end))
    return result
