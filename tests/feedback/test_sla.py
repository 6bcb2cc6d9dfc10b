"""The SLA clock (feedback.sla): due times across the National Day holiday and its adjusted
working days, pauses, extensions and severity changes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from feedback.models import ClockUnit, SlaPolicy
from feedback.sla import WorkCalendar, case_due_times, sla_counted, sla_due_at

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(tz=SH)


def at(y, m, d, h=0, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


def policy(**kw):
    values = {
        "acknowledge_within": 1,
        "acknowledge_unit": ClockUnit.WORKING_DAYS,
        "resolve_within": 15,
        "resolve_unit": ClockUnit.CALENDAR_DAYS,
        "pause_when_awaiting_customer": True,
        "extension_with_reason": 15,
        "extension_with_approval": 30,
        "warn_at_percent": 80,
    }
    values.update(kw)
    return SlaPolicy(case_type="complaint", severity="normal", **values)


def test_one_working_day_from_the_evening_before_national_day_skips_the_holiday():
    # 1–8 Oct 2025 are holidays (National Day + Mid-Autumn); the next working day is 9 Oct.
    due = sla_due_at(
        start=at(2025, 9, 30, 18, 30), amount=1, unit=ClockUnit.WORKING_DAYS, calendar=CAL
    )
    assert due == at(2025, 10, 9, 18, 30)


def test_the_adjusted_saturday_working_day_counts():
    # Saturday 11 Oct 2025 is an adjusted working day (调休); Sunday 12 Oct is not.
    due = sla_due_at(
        start=at(2025, 9, 30, 18, 30), amount=15, unit=ClockUnit.WORKING_DAYS, calendar=CAL
    )
    # Working days after 30 Sep: 9, 10, 11(Sat), 13, 14 … 28 Oct is the 15th.
    assert due == at(2025, 10, 28, 18, 30)
    without_adjustment = WorkCalendar(tz=SH, overrides={dt.date(2025, 10, 11): False})
    assert sla_due_at(
        start=at(2025, 9, 30, 18, 30),
        amount=15,
        unit=ClockUnit.WORKING_DAYS,
        calendar=without_adjustment,
    ) == at(2025, 10, 29, 18, 30)


def test_working_hours_count_only_branch_hours_on_working_days():
    # 30 min left on 30 Sep (16:30–17:00), then 1.5 h from 09:00 on 9 Oct.
    due = sla_due_at(
        start=at(2025, 9, 30, 16, 30), amount=2, unit=ClockUnit.WORKING_HOURS, calendar=CAL
    )
    assert due == at(2025, 10, 9, 10, 30)
    late_branch = WorkCalendar(tz=SH, opens=dt.time(10), closes=dt.time(18))
    assert sla_due_at(
        start=at(2025, 9, 30, 16, 30), amount=2, unit=ClockUnit.WORKING_HOURS, calendar=late_branch
    ) == at(2025, 10, 9, 10, 30)


def test_calendar_days_ignore_holidays():
    due = sla_due_at(
        start=at(2025, 9, 30, 18, 30), amount=15, unit=ClockUnit.CALENDAR_DAYS, calendar=CAL
    )
    assert due == at(2025, 10, 15, 18, 30)


def test_a_year_the_library_does_not_cover_uses_overrides_then_weekdays():
    cal = WorkCalendar(tz=SH, overrides={dt.date(2099, 1, 1): False})
    # Thu 1 Jan 2099 is a holiday by override; Fri 2 Jan is a working day by default.
    assert not cal.is_working_day(dt.date(2099, 1, 1))
    assert cal.is_working_day(dt.date(2099, 1, 2))
    assert not cal.is_working_day(dt.date(2099, 1, 3))  # Saturday
    assert sla_due_at(
        start=at(2098, 12, 31, 12), amount=1, unit=ClockUnit.WORKING_DAYS, calendar=cal
    ) == at(2099, 1, 2, 12)


def test_a_pause_moves_the_due_time_by_its_length_and_an_open_pause_stops_the_clock():
    start = at(2026, 3, 2, 10)
    pause = (at(2026, 3, 5, 10), at(2026, 3, 8, 10))  # three days awaiting the customer
    due = sla_due_at(
        start=start, amount=15, unit=ClockUnit.CALENDAR_DAYS, calendar=CAL, pauses=[pause]
    )
    assert due == at(2026, 3, 20, 10)
    assert (
        sla_due_at(
            start=start,
            amount=15,
            unit=ClockUnit.CALENDAR_DAYS,
            calendar=CAL,
            pauses=[(at(2026, 3, 5, 10), None)],
        )
        is None
    )


def test_counted_time_matches_the_due_time():
    start = at(2025, 9, 30, 18, 30)
    due = sla_due_at(start=start, amount=3, unit=ClockUnit.WORKING_DAYS, calendar=CAL)
    counted = sla_counted(start=start, end=due, unit=ClockUnit.WORKING_DAYS, calendar=CAL)
    assert counted == dt.timedelta(days=3)


def test_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="unknown clock unit"):
        sla_due_at(start=at(2026, 1, 5), amount=1, unit="fortnights", calendar=CAL)


def test_case_due_times_with_pause_extension_and_warning():
    opened = at(2025, 9, 30, 18, 30)
    base = case_due_times(opened_at=opened, policy=policy(), calendar=CAL)
    assert base.acknowledge_due_at == at(2025, 10, 9, 18, 30)
    assert base.resolve_due_at == at(2025, 10, 15, 18, 30)
    assert base.resolve_warn_at == at(2025, 10, 12, 18, 30)  # 80 % of 15 days = 12 days
    extended = case_due_times(opened_at=opened, policy=policy(), extension_units=15, calendar=CAL)
    assert extended.resolve_due_at == at(2025, 10, 30, 18, 30)
    paused = case_due_times(
        opened_at=opened,
        policy=policy(),
        pauses=[(at(2025, 10, 2, 9), at(2025, 10, 4, 9))],
        calendar=CAL,
    )
    assert paused.resolve_due_at == at(2025, 10, 17, 18, 30)
    assert paused.acknowledge_due_at == base.acknowledge_due_at  # acknowledgement never pauses
    not_pausing = case_due_times(
        opened_at=opened,
        policy=policy(pause_when_awaiting_customer=False),
        pauses=[(at(2025, 10, 2, 9), None)],
        calendar=CAL,
    )
    assert not_pausing.resolve_due_at == base.resolve_due_at


def test_severity_change_recomputes_from_opening_with_the_new_policy():
    opened = at(2025, 9, 30, 16, 30)
    high = policy(acknowledge_within=2, acknowledge_unit=ClockUnit.WORKING_HOURS, resolve_within=5)
    due = case_due_times(opened_at=opened, policy=high, calendar=CAL)
    assert due.acknowledge_due_at == at(2025, 10, 9, 10, 30)
    assert due.resolve_due_at == at(2025, 10, 5, 16, 30)
