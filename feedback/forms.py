"""Forms check the shape of the input; feedback.services enforces the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import person_name
from crm.submit_once import SubmitOnceFormMixin
from crm.widgets import DateInput, DateTimeLocalInput
from feedback.models import (
    COMMENT_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    RESOLUTION_MAX_LENGTH,
    Case,
    CaseType,
    Feedback,
    Severity,
)
from interactions.forms import NotesField

CSAT_CHOICES = [("", "—")] + [(str(i), str(i)) for i in range(1, 6)]
NPS_CHOICES = [("", "—")] + [(str(i), str(i)) for i in range(11)]
TOO_LONG = _("At most %(limit_value)d characters; this has %(show_value)d. Please shorten it.")


def _score(label, lo, hi, help_text=""):
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=lo,
        max_value=hi,
        help_text=help_text,
        error_messages={
            "min_value": _("Choose a score from %(lo)d to %(hi)d.") % {"lo": lo, "hi": hi},
            "max_value": _("Choose a score from %(lo)d to %(hi)d.") % {"lo": lo, "hi": hi},
        },
    )


class PersonChoiceField(forms.ModelChoiceField):
    """Members of staff by their names (accounts.models.person_name), not their user names."""

    def label_from_instance(self, obj) -> str:
        return person_name(obj)


class ScoresMixin:
    def clean(self):
        data = super().clean()
        if data.get("csat") is None and data.get("nps") is None and not self.errors:
            raise forms.ValidationError(_("Give a CSAT or an NPS score (or both)."))
        return data


class FeedbackForm(SubmitOnceFormMixin, ScoresMixin, forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Feedback.Channel.choices)
    received_at = forms.DateTimeField(label=_("Received at"), widget=DateTimeLocalInput())
    csat = _score(_("CSAT (1–5)"), 1, 5, _("1 very dissatisfied … 5 very satisfied"))
    nps = _score(_("NPS score (0–10)"), 0, 10, _("How likely to recommend us, 0 … 10"))
    category = forms.ChoiceField(label=_("Category"), choices=Feedback.Category.choices)
    comment = NotesField(
        label=_("Comment"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": TOO_LONG},
    )
    staff = PersonChoiceField(label=_("Staff member who served"), queryset=None, required=False)

    def __init__(self, *args, staff_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff_choices


class SurveyForm(ScoresMixin, forms.Form):
    """The customer's form: radio buttons, big enough for a thumb."""

    csat = forms.TypedChoiceField(
        label=_("How satisfied were you with our service?"),
        choices=[(str(i), str(i)) for i in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    nps = forms.TypedChoiceField(
        label=_("How likely are you to recommend us to a friend or colleague?"),
        choices=[(str(i), str(i)) for i in range(11)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = NotesField(
        label=_("Anything you would like to tell us? (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": TOO_LONG},
    )


class CaseForm(SubmitOnceFormMixin, forms.Form):
    case_type = forms.ChoiceField(label=_("Type"), choices=CaseType.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Case.Category.choices)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.NORMAL
    )
    # No channel chosen until the user chooses one (or the interaction's matches one): a
    # video call or a message has no case channel of its own to guess.
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", "---------"), *Case.Channel.choices]
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = NotesField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": TOO_LONG},
    )
    about_staff = PersonChoiceField(
        label=_("About member of staff"),
        queryset=None,
        required=False,
        help_text=_("For a complaint about someone: the case will not be assigned to them."),
    )
    assignee = PersonChoiceField(
        label=_("Assign to"),
        queryset=None,
        required=False,
        help_text=_("Empty: yourself (or the branch supervisor if the complaint is about you)."),
    )

    def __init__(self, *args, staff_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["about_staff"].queryset = staff_choices
        self.fields["assignee"].queryset = staff_choices


class TransitionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    resolution_summary = NotesField(
        label=_("Resolution summary"),
        required=False,
        max_length=RESOLUTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": TOO_LONG},
    )
    root_cause = forms.ChoiceField(
        label=_("Root cause"), choices=[("", "—"), *Case.RootCause.choices], required=False
    )
    customer_confirmed_satisfied = forms.NullBooleanField(
        label=_("Customer confirmed satisfied"),
        required=False,
        widget=forms.Select(choices=[("unknown", "—"), ("true", _("Yes")), ("false", _("No"))]),
    )


class ExtendForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    units = forms.IntegerField(label=_("Extend by"), min_value=1, max_value=366)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class SeverityForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class AssignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    assignee = PersonChoiceField(label=_("Assign to"), queryset=None)

    def __init__(self, *args, staff_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_choices


class FeedbackFilterForm(forms.Form):
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None, required=False)
    staff = PersonChoiceField(label=_("Staff member"), queryset=None, required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All")), *Feedback.Channel.choices], required=False
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All")), *Feedback.Category.choices], required=False
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    detractors = forms.BooleanField(label=_("Detractors only (NPS 0–6)"), required=False)
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, branches, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["staff"].queryset = staff

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The period's start is after its end."))
        return data


class CaseFilterForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Cases"),
        choices=[("mine", _("Assigned to me")), ("branch", _("Branch"))],
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All open")), *Case.Status.choices, ("all", _("Any status"))],
        required=False,
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=[("", _("All")), *Severity.choices], required=False
    )
    case_type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("All")), *CaseType.choices], required=False
    )
    due_soon = forms.BooleanField(label=_("Due within 24 hours"), required=False)
    breached = forms.BooleanField(label=_("Breached"), required=False)
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None, required=False)
    # Set by the links of /cases/analytics/: the cases behind one figure.
    passed = forms.ChoiceField(
        label=_("Passed through status"),
        choices=[("", _("Any")), *Case.Status.choices],
        required=False,
    )
    opened_from = forms.DateField(label=_("Opened from"), required=False, widget=DateInput())
    opened_to = forms.DateField(label=_("Opened to"), required=False, widget=DateInput())
    # Set by the dashboards' staff table: one member's cases (within the viewer's scope).
    assignee = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches


class AnalyticsFilterForm(forms.Form):
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None, required=False)
    date_from = forms.DateField(label=_("Opened from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Opened to"), required=False, widget=DateInput())

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The period's start is after its end."))
        return data
