"""crm.widgets: the date pickers every form uses."""


def test_date_fields_show_their_value_in_chinese_too():
    """<input type="date"> shows only ISO values; Chinese formats dates 2026/12/07, which the
    browser would drop (the alert's follow-up date and a task's reschedule looked empty)."""
    import datetime as dt

    from django.utils import translation

    from crm.widgets import DateInput, DateTimeLocalInput

    with translation.override("zh-hans"):
        assert 'value="2026-12-07"' in DateInput().render("d", dt.date(2026, 12, 7))
        moment = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)
        assert 'value="2026-12-07T09:30"' in DateTimeLocalInput().render("t", moment)
