"""The dashboards' period and branch selection."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.dates import plausible_date_check
from crm.widgets import DateInput
from dashboards.periods import (
    CUSTOM,
    MAX_CUSTOM_DAYS,
    PERIOD_CHOICES,
    THIS_MONTH,
    Period,
    period_for,
)

DATE_WIDGET = {"class": "form-control form-control-sm"}


class PeriodForm(forms.Form):
    """?period=this_month|last_month|quarter|12_months|custom[&date_from=…&date_to=…].

    An invalid choice shows its error and the page falls back to this month; it never
    answers 500 (a shared or hand-edited link)."""

    period = forms.ChoiceField(
        label=_("Period"),
        choices=PERIOD_CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=DateInput(attrs=DATE_WIDGET),
        validators=[plausible_date_check],
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=DateInput(attrs=DATE_WIDGET),
        validators=[plausible_date_check],
    )

    def clean(self):
        data = super().clean()
        if "date_from" in self.errors or "date_to" in self.errors:
            return data  # the field's own message says what is wrong with the date
        if data.get("period") == CUSTOM:
            start, end = data.get("date_from"), data.get("date_to")
            if start is None or end is None:
                raise forms.ValidationError(_("A custom period needs a start and an end date."))
            if start > end:
                raise forms.ValidationError(_("The period's start is after its end."))
            if (end - start).days >= MAX_CUSTOM_DAYS:
                raise forms.ValidationError(
                    _("A custom period may cover at most %(n)d days.") % {"n": MAX_CUSTOM_DAYS}
                )
        return data

    def selected_period(self, today: dt.date) -> Period:
        """The chosen period, or this month when the choice is missing or invalid."""
        if self.is_valid() and self.cleaned_data.get("period"):
            data = self.cleaned_data
            return period_for(data["period"], today, data.get("date_from"), data.get("date_to"))
        return period_for(THIS_MONTH, today)

    def choice(self) -> str:
        if self.is_valid():
            return self.cleaned_data.get("period") or THIS_MONTH
        return THIS_MONTH
