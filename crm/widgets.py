"""Form widgets every app uses: the browser's own date and date-time pickers.

An `<input type="date">` shows its value only in ISO form (2026-12-07); Django would render
it in the active language's format (2026/12/07 in Chinese), which the browser discards, so
the field looked empty. These widgets always write ISO values.
"""

from __future__ import annotations

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")
