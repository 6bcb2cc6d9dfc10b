"""Forms check the shape of input; products.services enforces the rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.dates import plausible_date_check
from crm.submit_once import SubmitOnceFormMixin
from crm.widgets import DateInput
from customers.models import NeedType
from products.models import Product, RiskLevel, SaleOverride
from products.selectors import ProductFilters


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("Code or name"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *Product.Category.choices],
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level"), required=False, choices=[("", _("All levels")), *RiskLevel.choices]
    )
    need = forms.ModelChoiceField(
        label=_("Need served"),
        required=False,
        queryset=NeedType.objects.filter(is_active=True),
        empty_label=_("All needs"),
    )
    on_sale = forms.BooleanField(label=_("On sale now"), required=False)

    def filters(self) -> ProductFilters:
        """The valid filters (an invalid value is ignored rather than failing the page)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        need = data.get("need")
        return ProductFilters(
            q=data.get("q", ""),
            category=data.get("category", ""),
            risk_level=data.get("risk_level", ""),
            need=need.pk if need else None,
            on_sale=bool(data.get("on_sale")),
        )


class QuestionnaireForm(SubmitOnceFormMixin, forms.Form):
    """One radio group per question of a questionnaire version (texts translated).

    `questions` is [(question, [options])] as products.selectors.questionnaire_in_use_questions
    returns it (one query)."""

    in_person = forms.BooleanField(
        label=_("Done in person with the customer at the branch"), required=False, initial=True
    )

    def __init__(self, *args, questions: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.question_fields = []
        for question, options in questions:
            name = f"q{question.pk}"
            self.fields[name] = forms.TypedChoiceField(
                label=f"{question.position}. {gettext(question.text)}",
                choices=[(o.pk, gettext(o.text)) for o in options],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Answer this question.")},
            )
            self.question_fields.append((question.pk, name))
        self.order_fields([*(n for _q, n in self.question_fields), "in_person"])

    def answers(self) -> dict[int, int]:
        return {qid: self.cleaned_data[name] for qid, name in self.question_fields}


class RecommendationForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.all())
    needs = forms.ModelMultipleChoiceField(
        label=_("Needs it serves"),
        queryset=NeedType.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Name the customer's need(s) this product serves.")},
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why this product fits the customer, as you explained it to them."),
    )


class RecommendationOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("accepted", _("Accepted")), ("declined", _("Declined"))],
    )
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)


class HoldingForm(SubmitOnceFormMixin, forms.Form):
    """A sale recorded by staff (a subscription the customer made at the branch)."""

    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.all())
    principal = forms.DecimalField(
        label=_("Amount"), max_digits=16, decimal_places=2, min_value=Decimal("0.01")
    )


class SaleOverrideForm(HoldingForm):
    customer_statement = forms.CharField(
        label=_("Customer's confirmation"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "The customer asked for this product and confirms, knowing its risk is above "
            "their class. A branch supervisor must sign it off."
        ),
    )


class CampaignForm(SubmitOnceFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    products = forms.ModelMultipleChoiceField(
        label=_("Products"), queryset=Product.objects.all(), widget=forms.SelectMultiple
    )
    target_segments = forms.MultipleChoiceField(
        label=_("Segments"),
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every segment."),
    )
    target_needs = forms.ModelMultipleChoiceField(
        label=_("Customers with an active need of"),
        required=False,
        queryset=NeedType.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )
    min_need_priority = forms.IntegerField(
        label=_("Minimum need priority"), min_value=0, max_value=100, initial=0
    )
    target_branches = forms.ModelMultipleChoiceField(
        label=_("Branches"),
        required=False,
        queryset=None,
        help_text=_("None chosen: every branch."),
    )
    exclude_holders = forms.BooleanField(
        label=_("Only customers not already holding the products"), required=False, initial=True
    )
    starts_on = forms.DateField(
        label=_("Starts on"),
        widget=DateInput(),
        validators=[plausible_date_check],
    )
    ends_on = forms.DateField(
        label=_("Ends on"),
        widget=DateInput(),
        validators=[plausible_date_check],
    )

    def __init__(self, *args, user, **kwargs):
        from accounts.models import Branch, Role, role_of
        from customers.models import Customer

        super().__init__(*args, **kwargs)
        self.fields["target_segments"].choices = Customer.Segment.choices
        if role_of(user) == Role.HEAD_OFFICE:
            self.fields["target_branches"].queryset = Branch.objects.all()
        else:
            del self.fields["target_branches"]  # a supervisor's campaign is their branch's


class TargetMoveForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[])

    def __init__(self, *args, **kwargs):
        from products.models import CampaignTarget

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = CampaignTarget.Status.choices


class HoldingImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file (UTF-8)"))


class OverrideFilterForm(forms.Form):
    """/products/above-class/ filters; the dashboards link here with them (a figure's records).
    Invalid values are ignored rather than refused (a shared link)."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any")), *SaleOverride.Status.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    date_from = forms.DateField(
        label=_("Requested from"),
        required=False,
        widget=DateInput(attrs={"class": "form-control form-control-sm"}),
        validators=[plausible_date_check],
    )
    date_to = forms.DateField(
        label=_("Requested to"),
        required=False,
        widget=DateInput(attrs={"class": "form-control form-control-sm"}),
        validators=[plausible_date_check],
    )
    # Set by head office's dashboard of one branch.
    branch = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def filters(self) -> dict:
        """The valid filters as a dict (an invalid one is left out)."""
        self.is_valid()
        return {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if name not in self.errors and value not in (None, "")
        }
