"""Forms check the shape of the input; insights.services enforces the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.widgets import DateInput
from customers.forms import FastSelect
from insights.models import Alert

FOLLOW_UP_INCOMPLETE = _("A follow-up task needs both a title and a due date.")


class AlertActionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What came of it"), choices=Alert.Outcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    recommend = forms.ChoiceField(label=_("Recommend a suitable product"), required=False)
    follow_up_title = forms.CharField(label=_("Follow-up task"), max_length=200, required=False)
    follow_up_due = forms.DateField(label=_("Due date"), required=False, widget=DateInput())

    def __init__(self, *args, products: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        if products:
            self.fields["recommend"].choices = [
                ("", _("No recommendation")),
                *[(c, c) for c in products],
            ]
        else:
            del self.fields["recommend"]

    def clean(self):
        data = super().clean()
        if bool(data.get("follow_up_title")) != bool(data.get("follow_up_due")):
            raise forms.ValidationError(FOLLOW_UP_INCOMPLETE)
        return data


class AlertDismissForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Alert.DismissReason.choices)
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


AGE_CHOICES = [("", _("Any age")), ("7", _("Older than 7 days")), ("30", _("Older than 30 days"))]
STATUS_CHOICES = [
    ("open", _("Open")),
    ("closed", _("Closed")),
    ("all", _("All")),
]


class AlertFilterForm(forms.Form):
    """The /alerts/ filters; invalid values are ignored rather than refused (a shared link)."""

    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    rule = forms.ChoiceField(label=_("Rule"), required=False)
    assignee = forms.TypedChoiceField(label=_("RM"), coerce=int, required=False, empty_value=None)
    age = forms.ChoiceField(label=_("Age"), choices=AGE_CHOICES, required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    # Set by the dashboards' links (a branch's alerts); head office picks it (`branches`).
    branch = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, data, *, rules, assignees, branches=()):
        super().__init__(data)
        if branches:
            # Head office's ~200 branches: a select built in Python (FastSelect), as the
            # customer list's; an id outside the list was already refused (404) by the view.
            self.fields["branch"] = forms.TypedChoiceField(
                label=_("Branch"),
                coerce=int,
                required=False,
                empty_value=None,
                choices=[("", _("All branches")), *branches],
                widget=FastSelect(attrs={"class": "form-select form-select-sm"}),
            )
            self.order_fields(["status", "branch"])
        self.fields["rule"].choices = [("", _("Any rule")), *rules]
        self.fields["assignee"].choices = [("", _("Anyone")), *assignees]
        if not assignees:
            del self.fields["assignee"]

    def filters(self) -> dict:
        if not self.is_valid():
            return {
                name: self.cleaned_data.get(name)
                for name in self.fields
                if name not in self.errors and self.cleaned_data.get(name) not in (None, "")
            }
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}
