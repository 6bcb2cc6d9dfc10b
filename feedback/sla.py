"""SLA clocks: when a case must be acknowledged and resolved.

A clock counts time in one of three units (SlaPolicy.acknowledge_unit / resolve_unit):

- calendar days: every second counts; 15 days after 30 Sep 18:30 is 15 Oct 18:30.
- working days: only the seconds of working days count (whole days, midnight to midnight),
  so "1 working day" after 30 Sep 2025 18:30 is 9 Oct 18:30 — 1–8 October are the National
  Day holiday — and an adjusted working day (调休, e.g. Saturday 11 Oct 2025) counts.
- working hours: only the branch's opening hours on working days count.

Which days are working days: the bank's HolidayOverride rows first, then the
`chinese-calendar` library (the State Council's published calendar with its adjusted
working days), and for a year neither covers, Monday to Friday.

Paused time (the resolution clock while the case awaits the customer, if the policy says so)
does not count. While a pause is open the clock has no due time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings
from django.utils import timezone

from feedback.models import BranchHours, ClockUnit, HolidayOverride

UNIT_SECONDS: dict[str, int] = {
    ClockUnit.CALENDAR_DAYS: 86400,
    ClockUnit.WORKING_DAYS: 86400,
    ClockUnit.WORKING_HOURS: 3600,
}
DEFAULT_OPENS = dt.time(9)
DEFAULT_CLOSES = dt.time(17)
# No clock is longer than this; a policy or pause list that would need more is a bug.
HORIZON_DAYS = 3 * 366

Pause = tuple[dt.datetime, dt.datetime | None]


@dataclass(frozen=True)
class WorkCalendar:
    """Working days and branch hours for one branch. `overrides`: date → is a working day."""

    overrides: dict[dt.date, bool] = field(default_factory=dict)
    opens: dt.time = DEFAULT_OPENS
    closes: dt.time = DEFAULT_CLOSES
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(settings.TIME_ZONE))

    def is_working_day(self, day: dt.date) -> bool:
        """Override, else the Chinese public-holiday calendar, else Monday–Friday."""
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:  # a year the library does not cover yet
            return day.weekday() < 5


def work_calendar(*, branch_id: int | None) -> WorkCalendar:
    """The calendar a branch's clocks count in (two small queries)."""
    overrides = dict(HolidayOverride.objects.values_list("date", "is_working_day"))
    hours = BranchHours.objects.filter(branch_id=branch_id).first() if branch_id else None
    if hours is None:
        return WorkCalendar(overrides=overrides)
    return WorkCalendar(overrides=overrides, opens=hours.opens_at, closes=hours.closes_at)


def _counting_intervals(start: dt.datetime, unit: str, cal: WorkCalendar):
    """Yield the [from, to) intervals, from `start` on, in which the clock counts."""
    local = start.astimezone(cal.tz)
    day = local.date()
    for _ in range(HORIZON_DAYS):
        if unit == ClockUnit.CALENDAR_DAYS or cal.is_working_day(day):
            if unit == ClockUnit.WORKING_HOURS:
                lo = dt.datetime.combine(day, cal.opens, tzinfo=cal.tz)
                hi = dt.datetime.combine(day, cal.closes, tzinfo=cal.tz)
            else:
                lo = dt.datetime.combine(day, dt.time(0), tzinfo=cal.tz)
                hi = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=cal.tz)
            lo = max(lo, start)
            if lo < hi:
                yield lo, hi
        day += dt.timedelta(days=1)
    raise ValueError("SLA clock runs past its horizon")


def _minus_pauses(lo: dt.datetime, hi: dt.datetime, pauses: Sequence[Pause]):
    """The parts of [lo, hi) outside every pause (pauses sorted, closed ones only)."""
    cursor = lo
    for p_start, p_end in pauses:
        if p_end is None or p_end <= cursor or p_start >= hi:
            continue
        if p_start > cursor:
            yield cursor, min(p_start, hi)
        cursor = max(cursor, p_end)
        if cursor >= hi:
            return
    if cursor < hi:
        yield cursor, hi


def sla_due_at(
    *,
    start: dt.datetime,
    amount: float,
    unit: str,
    calendar: WorkCalendar,
    pauses: Sequence[Pause] = (),
) -> dt.datetime | None:
    """The instant at which a clock started at `start` has counted `amount` units.

    `amount` may be fractional (0.8 × 15 days for the warning). `pauses`: (from, to)
    intervals that do not count; an open pause (to = None) stops the clock: returns None.
    Raises ValueError for an unknown unit or a clock longer than three years.
    """
    if unit not in UNIT_SECONDS:
        raise ValueError(f"unknown clock unit {unit!r}")
    ordered = sorted(pauses, key=lambda p: p[0])
    if any(p_end is None for _p, p_end in ordered):
        return None
    remaining = dt.timedelta(seconds=amount * UNIT_SECONDS[unit])
    if remaining <= dt.timedelta(0):
        return start
    for lo, hi in _counting_intervals(start, unit, calendar):
        for c_lo, c_hi in _minus_pauses(lo, hi, ordered):
            if c_hi - c_lo >= remaining:
                return c_lo + remaining
            remaining -= c_hi - c_lo
    raise AssertionError("unreachable")  # _counting_intervals raises at its horizon


def sla_counted(
    *,
    start: dt.datetime,
    end: dt.datetime,
    unit: str,
    calendar: WorkCalendar,
    pauses: Sequence[Pause] = (),
) -> dt.timedelta:
    """How much clock time (in counted seconds) ran between `start` and `end`; an open pause
    counts as lasting until `end`."""
    ordered = sorted(((p, q or end) for p, q in pauses), key=lambda p: p[0])
    total = dt.timedelta(0)
    if end <= start:
        return total
    for lo, hi in _counting_intervals(start, unit, calendar):
        if lo >= end:
            break
        for c_lo, c_hi in _minus_pauses(lo, min(hi, end), ordered):
            total += c_hi - c_lo
    return total


@dataclass(frozen=True)
class CaseDueTimes:
    acknowledge_due_at: dt.datetime
    acknowledge_warn_at: dt.datetime
    resolve_due_at: dt.datetime | None  # None while the resolution clock is paused
    resolve_warn_at: dt.datetime | None


def case_due_times(
    *,
    opened_at: dt.datetime,
    policy,
    extension_units: int = 0,
    pauses: Sequence[Pause] = (),
    calendar: WorkCalendar,
) -> CaseDueTimes:
    """Due and warning times of a case's two clocks under `policy` (an SlaPolicy).

    Called when a case opens and again on pause, resume, extension and severity change
    (with the new severity's policy), always from the opening time, so the result depends
    only on the case's history. The acknowledgement clock never pauses; the resolution
    clock skips `pauses` if the policy pauses while awaiting the customer, and counts
    `policy.resolve_within + extension_units` units. Warnings fall at
    `policy.warn_at_percent` of each clock.
    """
    fraction = policy.warn_at_percent / 100
    ack_due = sla_due_at(
        start=opened_at,
        amount=policy.acknowledge_within,
        unit=policy.acknowledge_unit,
        calendar=calendar,
    )
    ack_warn = sla_due_at(
        start=opened_at,
        amount=policy.acknowledge_within * fraction,
        unit=policy.acknowledge_unit,
        calendar=calendar,
    )
    counted_pauses = pauses if policy.pause_when_awaiting_customer else ()
    budget = policy.resolve_within + extension_units
    resolve_due = sla_due_at(
        start=opened_at,
        amount=budget,
        unit=policy.resolve_unit,
        calendar=calendar,
        pauses=counted_pauses,
    )
    resolve_warn = sla_due_at(
        start=opened_at,
        amount=budget * fraction,
        unit=policy.resolve_unit,
        calendar=calendar,
        pauses=counted_pauses,
    )
    if ack_due is None or ack_warn is None:  # only an open pause stops a clock; this has none
        raise ValueError("the acknowledgement clock has no pauses, so it always ends")
    return CaseDueTimes(
        acknowledge_due_at=ack_due,
        acknowledge_warn_at=ack_warn,
        resolve_due_at=resolve_due,
        resolve_warn_at=resolve_warn,
    )


@dataclass(frozen=True)
class ClockState:
    """What a case page shows for one clock."""

    due_at: dt.datetime | None
    stopped_at: dt.datetime | None  # acknowledged / resolved: the clock is done
    paused: bool
    left: dt.timedelta | None  # counted time left (negative: overdue); None when stopped
    breached: bool


def clock_state(
    *,
    due_at: dt.datetime | None,
    stopped_at: dt.datetime | None,
    paused: bool,
    unit: str,
    calendar: WorkCalendar,
    now: dt.datetime | None = None,
) -> ClockState:
    """The time left on a clock, counted in its unit (working hours left, not wall time)."""
    now = now or timezone.now()
    if stopped_at is not None:
        return ClockState(
            due_at, stopped_at, False, None, due_at is not None and stopped_at > due_at
        )
    if due_at is None:
        return ClockState(None, None, paused, None, False)
    if now <= due_at:
        left = sla_counted(start=now, end=due_at, unit=unit, calendar=calendar)
        return ClockState(due_at, None, paused, left, False)
    over = sla_counted(start=due_at, end=now, unit=unit, calendar=calendar)
    return ClockState(due_at, None, paused, -over, True)
