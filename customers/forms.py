"""Forms check the shape of input; customers.services enforces the rules and writes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxLengthValidator
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, Role, Staff, branch_id_of, person_name, role_of
from crm import identifiers
from crm.concurrency import VERSION_FIELD, VersionFormMixin, version_of
from crm.params import parse_id
from crm.submit_once import SubmitOnceFormMixin
from crm.widgets import DateInput
from customers import national_id as nid
from customers.models import Customer, CustomerNeed, LifeEvent, NeedType, Relationship
from customers.selectors import (
    ACCESS_ACTIONS,
    DEFAULT_SORT,
    AccessLogFilters,
    CustomerFilters,
    NeedState,
    relationship_managers_for,
)
from customers.services import EDITABLE_FIELDS, customer_fields_normalise

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

User = get_user_model()


class FastSelect(forms.Select):
    """A <select> built in Python.

    Django renders every <option> through a template; on the list's 200-branch menu, drawn
    on every page view, that alone cost more than the database.
    """

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((str(v), " selected" if str(v) in chosen else "", label) for v, label in self.choices),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs), options)


class FastSelectsMixin:
    """Swap every single <select> of the form for a FastSelect (call after fields are set)."""

    def use_fast_selects(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if type(widget) is forms.Select:
                field.widget = FastSelect(attrs=widget.attrs)
                field.widget.choices = field.choices
                field.widget.is_required = widget.is_required


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_name(obj)


# -- The list's filters --------------------------------------------------------------------


class CustomerFilterForm(FastSelectsMixin, forms.Form):
    VIEW_MINE, VIEW_BRANCH = "mine", "branch"
    SORT_CHOICES = [
        ("name", _("Name A–Z")),
        ("-name", _("Name Z–A")),
        ("number", _("Customer number ↑")),
        ("-number", _("Customer number ↓")),
    ]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=50,
        help_text=_("Name (or part of it), customer number, mobile, or last 4 of the ID"),
    )
    view = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[(VIEW_MINE, _("My customers")), (VIEW_BRANCH, _("Whole branch"))],
    )
    segment = forms.ChoiceField(
        label=_("Segment"), required=False, choices=[("", _("Any")), *Customer.Segment.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *Customer.Status.choices]
    )
    risk_class = forms.ChoiceField(
        label=_("Risk class"),
        required=False,
        choices=[("", _("Any")), *Customer.RiskClass.choices, ("none", _("Not assessed"))],
    )
    need = forms.ModelChoiceField(
        label=_("Active need"), required=False, queryset=NeedType.objects.none()
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"), required=False, queryset=Branch.objects.none()
    )
    rm = UserChoiceField(
        label=_("Relationship manager"), required=False, queryset=User.objects.none()
    )
    archived = forms.BooleanField(label=_("Include archived"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.user = user
        self.role = role_of(user)
        self.fields["need"].queryset = NeedType.objects.filter(is_active=True)
        if self.role == Role.HEAD_OFFICE:
            self.fields["branch"].queryset = Branch.objects.visible_to(user).only("code", "name")
        else:
            del self.fields["branch"]
        if self.role != Role.RM:
            del self.fields["view"]
        branch_id = branch_id_of(user)
        if self.role == Role.HEAD_OFFICE:
            branch_id = parse_id(self.data.get("branch", ""))
        self.fields["rm"].queryset = relationship_managers_for(user=user, branch_id=branch_id)
        self.use_fast_selects()

    def filters(self) -> CustomerFilters:
        """The filters to apply; invalid values are ignored rather than failing the list."""
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        mine = self.role == Role.RM and data.get("view") != self.VIEW_BRANCH
        need, rm, branch = data.get("need"), data.get("rm"), data.get("branch")
        return CustomerFilters(
            q=data.get("q", "").strip(),
            segment=data.get("segment", ""),
            status=data.get("status", ""),
            risk_class=data.get("risk_class", ""),
            need=need.pk if need else None,
            rm=rm.pk if rm else None,
            branch=branch.pk if branch else None,
            mine=mine,
            archived=bool(data.get("archived")),
            sort=data.get("sort") or DEFAULT_SORT,
        )


# -- Create and edit -----------------------------------------------------------------------


def relax_identifier_lengths(form: forms.BaseForm) -> None:
    """Let identifiers be typed with separators (`0086 138 1234 5678`, an ID in groups).

    Their length is checked once normalised, by the model's own max_length validator.
    """
    for name in ("customer_number", "national_id", "phone"):
        field = form.fields.get(name)
        if field is None:
            continue
        field.max_length = None
        field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
        field.widget.attrs.pop("maxlength", None)


ID_MASKED_HELP = _(
    "Shown masked. Leave it as it is to keep the number, type a new one to replace it, or use "
    "“Reveal to correct” to see the whole number (logged)."
)
MASK_EDITED = _(
    "This number is shown masked and cannot be changed in part: leave it as it is to keep the "
    "number, type the whole new number, or use “Reveal to correct” to see it (logged)."
)
MASK_CHAR = "*"  # what nid.mask and nid.mask_phone put for a hidden character


@dataclass(frozen=True)
class MaskedField:
    """A personal number an edit form shows masked, and its "Reveal to correct" button."""

    mask: Callable[[str], str]
    reveal_param: str  # the parameter that asks for the reveal (POST on the page, GET in admin)
    reveal_label: StrOrPromise


# The fields every customer edit form (the page's and admin's) shows masked: the one list.
MASKED_FIELDS: dict[str, MaskedField] = {
    "national_id": MaskedField(
        nid.mask, "reveal_id", _("Reveal to correct the national ID (logged)")
    ),
    "phone": MaskedField(
        nid.mask_phone, "reveal_phone", _("Reveal to correct the mobile number (logged)")
    ),
}


def masked_field_to_reveal(params: Mapping[str, str]) -> str | None:
    """The masked field whose "Reveal to correct" the request asks for (None: none)."""
    for name, masked in MASKED_FIELDS.items():
        if masked.reveal_param in params:
            return name
    return None


class MaskedIdentifiersMixin:
    """An edit form's national ID and mobile number stay masked unless revealed on purpose
    (issue 7 item 2; MASKED_FIELDS).

    A masked value round-trips: submitted as shown it means "keep the stored number"; a new
    number replaces it (normalised and validated as any); a mask changed in part is refused
    (MASK_EDITED), since it is no number. When the record changed since the form was shown,
    a mask stands for the number stored now and the service's version check reports any
    change to it as an edit conflict. The reveal itself is the caller's
    (customers.services.customer_identifier_reveal, logged, rate-limited); `revealed` names
    the fields it revealed, which the form shows whole.
    """

    revealed: frozenset[str] = frozenset()

    def mask_identifiers(self, *, revealed: Iterable[str] = ()) -> None:
        self.revealed = frozenset(revealed)
        for name, masked in self.masked_now():
            self.initial[name] = masked.mask(getattr(self.instance, name))
            self.fields[name].help_text = ID_MASKED_HELP

    def masked_now(self) -> list[tuple[str, MaskedField]]:
        """The fields this form shows masked that hold a number (one to reveal)."""
        if not self.instance.pk:
            return []
        return [
            (name, masked)
            for name, masked in MASKED_FIELDS.items()
            if name in self.fields and name not in self.revealed and getattr(self.instance, name)
        ]

    def reveal_buttons(self) -> list[tuple[str, StrOrPromise]]:
        """(parameter, label) of each masked number's "Reveal to correct" button."""
        return [(masked.reveal_param, masked.reveal_label) for _name, masked in self.masked_now()]

    def unmask(self, name: str, value: str) -> str:
        """The stored number when `value` is its mask, else `value` (a new number)."""
        if not self.instance.pk:
            return value
        stored = getattr(self.instance, name)
        if value == MASKED_FIELDS[name].mask(stored):
            return stored
        if MASK_CHAR in value:
            shown = self.data.get(self.add_prefix(VERSION_FIELD))
            if shown and shown != version_of(self.instance):
                return stored  # changed meanwhile: the version check says how
            raise forms.ValidationError(MASK_EDITED, code="mask_edited")
        return value

    def typed_entries(self) -> dict[str, Any]:
        """What the user had entered in this bound form, as initial values for the form shown
        again after a "Reveal to correct", so that the reveal loses no typing: every field as
        posted (the version too, the one those entries were made on), except the masked
        numbers, which the reveal decides, and the one-time submission token. Nothing when
        the request did not carry the form (no version posted)."""
        if self.add_prefix(VERSION_FIELD) not in self.data:
            return {}
        return {
            name: field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            for name, field in self.fields.items()
            if name not in MASKED_FIELDS and name != "submission_token"
        }

    def masks_after_conflict(self, data: MutableMapping[str, Any], current: Customer) -> None:
        """After an edit conflict, a mask the user left stands for the number stored now:
        show that number's mask (the conflict's message says what changed)."""
        for name, masked in MASKED_FIELDS.items():
            key = self.add_prefix(name)
            if name in self.fields and MASK_CHAR in str(data.get(key, "")):
                data[key] = masked.mask(getattr(current, name))

    def clean_national_id(self) -> str:
        return self.unmask("national_id", self.cleaned_data["national_id"])

    def clean_phone(self) -> str:
        return self.unmask("phone", self.cleaned_data["phone"])


class CustomerForm(
    SubmitOnceFormMixin,
    FastSelectsMixin,
    VersionFormMixin,
    MaskedIdentifiersMixin,
    forms.ModelForm,
):
    """The profile form; which of branch and RM a user may set depends on the role."""

    class Meta:
        model = Customer
        fields = EDITABLE_FIELDS
        widgets = {
            "date_of_birth": DateInput(),
            "address": forms.TextInput(),
        }

    def __init__(self, *args, user, revealed: Iterable[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        role = role_of(user)
        creating = self.instance.pk is None
        self.mask_identifiers(revealed=revealed)
        self.fields["status"].choices = [
            c for c in Customer.Status.choices if c[0] != Customer.Status.ARCHIVED
        ]
        if not creating and self.instance.is_archived:
            del self.fields["status"]
        if role == Role.HEAD_OFFICE:
            self.fields["branch"].queryset = Branch.objects.all()
            rms = Staff.objects.active_rms(branch_id=None if creating else self.instance.branch_id)
            self.fields["relationship_manager"] = UserChoiceField(
                label=_("relationship manager"),
                required=False,
                queryset=User.objects.filter(pk__in=rms.values("user_id")).order_by("username"),
            )
        else:
            del self.fields["branch"]
            if creating:
                self.instance.branch_id = branch_id_of(user)
            if role == Role.SUPERVISOR:
                self.fields["relationship_manager"] = UserChoiceField(
                    label=_("relationship manager"),
                    required=False,
                    queryset=relationship_managers_for(
                        user=user, branch_id=self.instance.branch_id
                    ),
                )
            else:
                del self.fields["relationship_manager"]
                if creating:
                    self.instance.relationship_manager = user
        self.use_fast_selects()
        relax_identifier_lengths(self)
        if not creating:
            self.add_version_field()

    def clean(self):
        # The services' normalisation, before the model's validators see the values.
        cleaned = super().clean()
        cleaned.update(customer_fields_normalise(cleaned))
        return cleaned

    def service_fields(self) -> dict:
        """cleaned_data for the service, with the fields this user could not choose."""
        internal = {"submission_token", VERSION_FIELD}
        data = {name: self.cleaned_data[name] for name in self.fields if name not in internal}
        if self.instance.pk is None:
            data.setdefault("branch", self.instance.branch)
            data.setdefault("relationship_manager", self.instance.relationship_manager)
        return data


class ArchiveForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the customer archived?"),
        max_length=100,
        help_text=_("For example: account closed, moved abroad, deceased, duplicate record."),
    )


class NeedForm(SubmitOnceFormMixin, FastSelectsMixin, forms.Form):
    need_type = forms.ModelChoiceField(label=_("Need"), queryset=NeedType.objects.none())
    priority = forms.IntegerField(label=_("Priority (0–100)"), min_value=0, max_value=100)
    status = forms.ChoiceField(
        label=_("Status"), choices=CustomerNeed.Status.choices, initial="active"
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=CustomerNeed.Source.choices, initial="recorded"
    )
    evidence = forms.CharField(
        label=_("Evidence"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2})
    )
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=255)
    # The customer's needs as the form was opened with them (customers.selectors.need_states),
    # so that the service can tell a need changed since from one the user has seen. Each need
    # is [priority, status, evidence digest]: a 12-character hash of the evidence rather than
    # its text (up to 2,000 characters), to keep the field small.
    needs_loaded = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, needs_loaded: Mapping[int, NeedState] | None = None, **kwargs):
        kwargs.setdefault("auto_id", "need_%s")  # ids unique among the page's panels
        super().__init__(*args, **kwargs)
        self.fields["need_type"].queryset = NeedType.objects.filter(is_active=True)
        if needs_loaded is not None:
            self.fields["needs_loaded"].initial = json.dumps(
                {str(pk): list(state) for pk, state in needs_loaded.items()}
            )
        self.use_fast_selects()

    def clean_needs_loaded(self) -> dict[int, NeedState] | None:
        """The needs the form was opened with; None when the form did not say (no check).
        A value that does not parse counts as "no need seen", so every existing need the
        user's values would change is reported rather than overwritten."""
        raw = self.cleaned_data["needs_loaded"]
        if not raw:
            return None
        try:
            return {
                int(pk): NeedState(int(priority), str(status), str(digest))
                for pk, (priority, status, digest) in json.loads(raw).items()
            }
        except (ValueError, TypeError, AttributeError):
            return {}


def _life_event_field(name: str, **kwargs) -> forms.Field:
    return LifeEvent._meta.get_field(name).formfield(**kwargs)


class LifeEventForm(SubmitOnceFormMixin, FastSelectsMixin, forms.Form):
    """The life-event panel's fields, as the model defines them. A plain form, not a
    ModelForm: the service checks the date against the customer's own range
    (services.life_event_date_range) and names its dates, where a ModelForm would first apply
    every date field's wider plausible range and answer with different dates."""

    kind = _life_event_field("kind")
    event_date = _life_event_field("event_date", widget=DateInput())
    source = _life_event_field("source")
    note = _life_event_field("note", widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "life_event_%s")  # ids unique among the page's panels
        super().__init__(*args, **kwargs)
        self.use_fast_selects()


class HouseholdLinkForm(FastSelectsMixin, forms.Form):
    customer_number = forms.CharField(
        label=_("Customer number (CIF) of the household member"), max_length=20
    )
    # "This customer is: Child of" (the member); in Chinese "本客户是该成员的：子女".
    kind = forms.ChoiceField(label=_("This customer is"), choices=Relationship.Kind.choices)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "household_%s")  # ids unique among the page's panels
        super().__init__(*args, **kwargs)
        self.use_fast_selects()

    def clean_customer_number(self) -> str:
        return identifiers.customer_number(self.cleaned_data["customer_number"])


NOTHING_SELECTED = _(
    "No customer is ticked: tick the customers to move in the list above, or choose "
    "“All customers matching the filters” to move the whole filtered list."
)


class ReassignForm(FastSelectsMixin, forms.Form):
    """Bulk reassignment: the ticked rows, or every customer the list's filters match.

    "Matching" carries the list's query string (`filters`) and, once the user has seen how
    many customers it moves, that number (`confirm_count`).
    """

    SCOPE_SELECTED, SCOPE_MATCHING = "selected", "matching"
    scope = forms.ChoiceField(
        label=_("Which customers"),
        choices=[
            (SCOPE_SELECTED, _("The customers ticked above")),
            (SCOPE_MATCHING, _("All customers matching the filters")),
        ],
        initial=SCOPE_SELECTED,
        required=False,  # a form without the choice (an older page) moves the ticked rows
        widget=forms.RadioSelect,
    )
    customers = forms.ModelMultipleChoiceField(queryset=Customer.objects.none(), required=False)
    relationship_manager = UserChoiceField(
        label=_("New relationship manager"), queryset=User.objects.none()
    )
    filters = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)
    confirm_count = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, user, branch_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customers"].queryset = Customer.objects.visible_to(user)
        if branch_id is None:
            branch_id = parse_id(self.data.get("branch", "")) or branch_id_of(user)
        self.fields["relationship_manager"].queryset = relationship_managers_for(
            user=user, branch_id=branch_id
        )
        self.use_fast_selects()

    def clean_customers(self):
        customers = self.cleaned_data["customers"]
        if len(customers) > 500:
            raise forms.ValidationError(_("Reassign at most 500 customers at a time."))
        return customers

    def clean(self):
        cleaned = super().clean()
        cleaned["scope"] = cleaned.get("scope") or self.SCOPE_SELECTED
        nothing = cleaned.get("scope") == self.SCOPE_SELECTED and not cleaned.get("customers")
        if nothing and "customers" not in self.errors:
            self.add_error("customers", NOTHING_SELECTED)
        return cleaned


class ImportForm(forms.Form):
    KIND_CUSTOMERS, KIND_BALANCES = "customers", "balances"
    kind = forms.ChoiceField(
        label=_("File contains"),
        choices=[(KIND_CUSTOMERS, _("Customers")), (KIND_BALANCES, _("Balance snapshots"))],
    )
    file = forms.FileField(
        label=_("CSV file (UTF-8)"),
        help_text=_("Up to 10 MB; larger files with `manage.py import_customers`."),
    )

    MAX_BYTES = 10 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


class AccessLogFilterForm(forms.Form):
    """The access log's filters (GET); invalid values are reported, never silently ignored."""

    action = forms.ChoiceField(label=_("What"), required=False)
    user = forms.CharField(label=_("Who (user name)"), required=False, max_length=150)
    customer = forms.CharField(label=_("Customer number (CIF)"), required=False, max_length=40)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All accesses")), *ACCESS_ACTIONS.items()]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period is before its start."))
        return cleaned

    def filters(self) -> AccessLogFilters:
        """The filters to apply; the valid ones only when some field is invalid."""
        data = (
            self.cleaned_data
            if self.is_valid()
            else {
                k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors
            }
        )
        return AccessLogFilters(
            action=data.get("action") or "",
            username=(data.get("user") or "").strip(),
            customer_number=identifiers.customer_number(data.get("customer") or ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
