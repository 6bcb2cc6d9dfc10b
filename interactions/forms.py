"""Forms check the shape of the input; interactions.services enforces the rules."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.concurrency import VERSION_FIELD, VersionField
from crm.dates import plausible_date_check
from crm.submit_once import SubmitOnceFormMixin
from crm.widgets import DateInput, DateTimeLocalInput
from customers.models import NeedType
from interactions.models import NOTES_MAX_LENGTH, Interaction
from interactions.services import PRIORITY_OF

NOTES_TOO_LONG = _(
    "Notes can be at most %(limit_value)d characters long; these have %(show_value)d. "
    "Please shorten them."
)
FOLLOW_UP_INCOMPLETE = _("A follow-up task needs both a title and a due date.")
PRIORITY_NOT_TICKED = _("Tick “%(need)s” to record this priority.")


class NotesField(forms.CharField):
    """Plain text; line breaks count as one character, as the browser counts them."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True)
class NeedRow:
    need_type: NeedType
    option: forms.boundfield.BoundWidget  # the need's checkbox
    priority: forms.BoundField
    current: int | None


class InteractionForm(SubmitOnceFormMixin, forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Interaction.Channel.choices)
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=Interaction.Direction.choices,
        initial=Interaction.Direction.OUTBOUND,
    )
    occurred_at = forms.DateTimeField(
        label=_("Occurred at"), widget=DateTimeLocalInput(), validators=[plausible_date_check]
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=0, max_value=24 * 60
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    notes = NotesField(
        label=_("Notes"),
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": NOTES_TOO_LONG},
        help_text=_("Plain text, at most 5,000 characters."),
    )
    needs = forms.MultipleChoiceField(
        label=_("Needs discussed"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    product_codes = forms.CharField(
        label=_("Products discussed"),
        required=False,
        max_length=400,
        help_text=_("Product codes, separated by commas."),
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Interaction.Outcome.choices)
    follow_up_title = forms.CharField(label=_("Follow-up task"), required=False, max_length=200)
    version = VersionField()  # optimistic locking of the edit form (crm.concurrency)
    follow_up_due = forms.DateField(
        label=_("Follow-up due"),
        required=False,
        widget=DateInput(),
        validators=[plausible_date_check],
    )

    def __init__(
        self,
        *args,
        need_types: list[NeedType],
        priorities: dict[int, int],
        with_follow_up: bool = True,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.need_types = need_types
        self.priorities = priorities
        self.fields["needs"].choices = [(str(n.pk), str(n)) for n in need_types]
        for need_type in need_types:
            self.fields[f"priority_{need_type.pk}"] = forms.IntegerField(
                label=PRIORITY_OF % {"need": need_type},
                required=False,
                min_value=0,
                max_value=100,
                initial=priorities.get(need_type.pk),
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
                # The priority shown travels with the form, so that a priority left as shown
                # is told from one typed (service_kwargs): the first never overwrites a
                # priority a colleague set meanwhile.
                show_hidden_initial=True,
            )
        if not with_follow_up:
            del self.fields["follow_up_title"], self.fields["follow_up_due"]
        if not self.is_bound and "occurred_at" not in self.initial:
            self.initial["occurred_at"] = timezone.localtime().replace(second=0, microsecond=0)

    def need_rows(self) -> list[NeedRow]:
        """One row per need type: its checkbox, its priority input, its current priority."""
        options = list(self["needs"])
        return [
            NeedRow(
                need_type=need_type,
                option=option,
                priority=self[f"priority_{need_type.pk}"],
                current=self.priorities.get(need_type.pk),
            )
            for need_type, option in zip(self.need_types, options, strict=True)
        ]

    def clean_product_codes(self) -> list[str]:
        raw = self.cleaned_data["product_codes"]
        return [code for code in raw.replace("，", ",").split(",") if code.strip()]

    def clean(self):
        cleaned = super().clean()
        if "follow_up_title" in self.fields:
            title, due = cleaned.get("follow_up_title"), cleaned.get("follow_up_due")
            if bool(title) != bool(due) and "follow_up_due" not in self.errors:
                field = "follow_up_due" if title else "follow_up_title"
                self.add_error(field, FOLLOW_UP_INCOMPLETE)
        if "needs" not in self.errors:
            for name, need_type in self.priorities_of_unticked_needs(cleaned):
                self.add_error(name, PRIORITY_NOT_TICKED % {"need": need_type})
        return cleaned

    def priorities_of_unticked_needs(self, cleaned: dict) -> list[tuple[str, NeedType]]:
        """The priority inputs the user typed a priority into without ticking their need.

        Only a need that is ticked is recorded, so such a priority would be dropped silently.
        The inputs show the customer's current priority for every need: one left as shown
        (or cleared) asks for nothing; one that differs from what the form showed (the
        value travelling with the input, see __init__) was typed.
        """
        ticked = set(cleaned.get("needs") or [])
        typed = set(self.changed_data)
        return [
            (name, need_type)
            for need_type in self.need_types
            if str(need_type.pk) not in ticked
            and (name := f"priority_{need_type.pk}") in typed
            and cleaned.get(name) is not None
        ]

    def service_kwargs(self) -> dict:
        """cleaned_data in the shape interactions.services takes (needs → priority given).

        A priority is given only where the user typed one: left as the form showed it, it is
        None, and the service keeps the customer's priority as it is at the save.
        """
        data = dict(self.cleaned_data)
        data.pop(VERSION_FIELD, None)
        typed = set(self.changed_data)
        ticked = set(data["needs"])
        needs: dict[NeedType, int | None] = {}
        for need_type in self.need_types:
            name = f"priority_{need_type.pk}"
            priority = data.pop(name, None)
            if str(need_type.pk) in ticked:
                needs[need_type] = priority if name in typed else None
        data["needs"] = needs
        return data

    def priorities_shown(self) -> dict[int, int | None]:
        """The priority the form showed for each need type when the user opened it (the
        value travelling with the input), by need type id; None where there was none. Need
        types whose shown value was not posted are left out (nothing to compare with)."""
        shown: dict[int, int | None] = {}
        for need_type in self.need_types:
            name = f"priority_{need_type.pk}"
            key = self.add_initial_prefix(name)
            if key not in self.data:
                continue
            try:
                shown[need_type.pk] = self.fields[name].to_python(self.data.get(key))
            except forms.ValidationError:
                shown[need_type.pk] = None
        return shown

    def masks_after_conflict(self, data: QueryDict, current: Interaction) -> None:
        """crm.concurrency.conflict_to_form's hook, after an edit conflict: every priority now
        travels with the customer's priority as this request loaded it (a colleague may have
        changed it meanwhile). One the user left as their form showed it shows that priority
        and still counts as left alone; one the user typed stays, and is saved over it by
        the informed second save."""
        for need_type in self.need_types:
            name = f"priority_{need_type.pk}"
            shown = "" if (now := self.priorities.get(need_type.pk)) is None else str(now)
            if name not in self.changed_data:
                data[self.add_prefix(name)] = shown
            data[self.add_initial_prefix(name)] = shown


class TaskForm(SubmitOnceFormMixin, forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    due_date = forms.DateField(
        label=_("Due date"), widget=DateInput(), validators=[plausible_date_check]
    )


class CancelTaskForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the task cancelled?"),
        max_length=255,
        help_text=_("Kept with the task and shown on the customer's timeline."),
    )


class RescheduleForm(forms.Form):
    version = VersionField()
    due_date = forms.DateField(
        label=_("New due date"), widget=DateInput(), validators=[plausible_date_check]
    )
    reason = forms.CharField(label=_("Reason"), max_length=255)
