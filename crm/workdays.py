"""Working days in mainland China: weekends, public holidays and adjusted working days (调休).

The holiday calendar comes from the `chinesecalendar` package, which the State Council's yearly
notice updates; for a year it does not cover yet, Monday to Friday are working days.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar


def is_working_day(day: dt.date) -> bool:
    """True if `day` is a working day for the bank (a weekday that is not a public holiday,
    or a weekend day declared a working day)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the calendar does not cover yet
        return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (`days` ≥ 0; 0 gives `start` itself).

    E.g. an alert created on Friday with a 1-working-day SLA is due on Monday.
    """
    if days < 0:
        raise ValueError("days must be ≥ 0")
    day = start
    while days:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day
