"""Head office's admin for the products app. Writes go through products.services; records the
bank must keep (shelf history, holdings, recommendations, campaign targets) are read-only."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.admin import EstimatedCountPaginator, VersionCheckedAdmin, VersionCheckedInline
from crm.concurrency import VERSION_FIELD, VersionField, version_of
from crm.dates import plausible_date_check
from products import services
from products.models import (
    Campaign,
    CampaignTarget,
    Holding,
    Product,
    ProductVersion,
    QuestionnaireAnswers,
    Recommendation,
    RiskLevel,
    RiskOption,
    RiskQuestion,
    RiskQuestionnaire,
    SaleOverride,
)

PRODUCT_FIELDS = [
    "code",
    "name",
    "category",
    "currency",
    "expected_yield",
    "term_days",
    "minimum_investment",
    "open_ended",
    "need_types",
    "target_segments",
    "description",
]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records kept for the regulator: viewed here, written only by the services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProductVersionInline(admin.TabularInline):
    model = ProductVersion
    extra = 0
    fields = ["effective_from", "risk_level", "status", "sale_start", "sale_end", "note"]
    readonly_fields = fields
    ordering = ["-effective_from"]
    verbose_name_plural = _("Shelf history (never changed: add a new shelf change below)")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The product's own terms (need types are a many-to-many the admin saves after the row).
TERMS = [f for f in PRODUCT_FIELDS if f != "need_types"]


class ProductAdminForm(forms.ModelForm):
    """The product's terms, and a shelf change (required for a new product)."""

    shelf_effective_from = forms.DateField(
        label=_("shelf change effective from"),
        required=False,
        help_text=_("Today or later. Leave empty to keep the shelf as it is."),
        validators=[plausible_date_check],
    )
    shelf_risk_level = forms.ChoiceField(
        label=_("risk level"), required=False, choices=[("", "—"), *RiskLevel.choices]
    )
    shelf_status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", "—"), *ProductVersion.Status.choices]
    )
    shelf_sale_start = forms.DateField(
        label=_("sale window opens"), required=False, validators=[plausible_date_check]
    )
    shelf_sale_end = forms.DateField(
        label=_("sale window closes"), required=False, validators=[plausible_date_check]
    )
    shelf_note = forms.CharField(label=_("reason for the change"), required=False, max_length=255)
    # The row's version when the form was shown (crm.concurrency): a colleague's save in
    # between is refused with what changed instead of being overwritten.
    version = VersionField()

    class Meta:
        model = Product
        fields = PRODUCT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[VERSION_FIELD].initial = version_of(self.instance)

    def clean(self):
        data = super().clean()
        adding = self.instance.pk is None
        if adding and not data.get("shelf_effective_from"):
            data["shelf_effective_from"] = timezone.localdate()
        day = data.get("shelf_effective_from")
        if day:
            for name in ("shelf_risk_level", "shelf_status"):
                if not data.get(name):
                    self.add_error(name, _("Needed for a shelf change."))
            # The service decides too; checked here so the page shows it next to the field.
            if day < timezone.localdate():
                self.add_error("shelf_effective_from", services.SHELF_IN_THE_PAST)
            elif not adding and self.instance.versions.filter(effective_from=day).exists():
                self.add_error(
                    "shelf_effective_from",
                    services.SHELF_DATE_TAKEN % {"date": day.isoformat()},
                )
        return data


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductAdminForm
    list_display = ["code", "name", "category", "currency", "expected_yield", "minimum_investment"]
    list_filter = ["category", "currency", "open_ended"]
    search_fields = ["code", "name"]
    filter_horizontal = ["need_types"]
    inlines = [ProductVersionInline]
    fieldsets = [
        (None, {"fields": [*PRODUCT_FIELDS, VERSION_FIELD]}),
        (
            _("Shelf change"),
            {
                "fields": [
                    "shelf_effective_from",
                    "shelf_risk_level",
                    "shelf_status",
                    "shelf_sale_start",
                    "shelf_sale_end",
                    "shelf_note",
                ]
            },
        ),
    ]

    def has_delete_permission(self, request, obj=None):
        return False  # holdings and recommendations point at products; the shelf closes them

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A refusal by the services (a concurrent change, a shelf rule) is shown, not a 500;
        # the admin's transaction is rolled back, so nothing of the submission is kept.
        try:
            with transaction.atomic():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(
                request,
                _("Nothing was saved: %(why)s") % {"why": " ".join(exc.messages)},
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        shelf = {
            "risk_level": data.get("shelf_risk_level"),
            "status": data.get("shelf_status"),
            "sale_start": data.get("shelf_sale_start"),
            "sale_end": data.get("shelf_sale_end"),
        }
        if not change:
            # The need types are set by save_related (Django's admin), after this.
            fields = {f: data[f] for f in PRODUCT_FIELDS if f != "need_types"}
            created = services.product_create(
                actor=request.user,
                effective_from=data["shelf_effective_from"],
                **shelf,
                **fields,
            )
            obj.pk = created.pk
            obj._state.adding = False
            return
        services.product_update(
            actor=request.user,
            product=obj,
            fields={f: data[f] for f in TERMS if f in form.changed_data},
            expected_version=data.get(VERSION_FIELD),
        )
        if data.get("shelf_effective_from"):
            services.product_shelf_change(
                actor=request.user,
                product=obj,
                effective_from=data["shelf_effective_from"],
                note=data.get("shelf_note", ""),
                **shelf,
            )


class RiskQuestionInline(VersionCheckedInline, admin.TabularInline):
    model = RiskQuestion
    extra = 0
    fields = ["position", "text"]
    show_change_link = True


class RiskOptionInline(VersionCheckedInline, admin.TabularInline):
    model = RiskOption
    extra = 0
    fields = ["position", "text", "score"]


class FrozenWhenAnsweredMixin:
    """A questionnaire version customers have answered is never edited: copy it instead."""

    def _answered(self, questionnaire) -> bool:
        return questionnaire is not None and questionnaire.answer_sets.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RiskQuestionnaire)
class RiskQuestionnaireAdmin(FrozenWhenAnsweredMixin, VersionCheckedAdmin):
    list_display = [
        "version",
        "title",
        "is_active",
        "c2_min_score",
        "c3_min_score",
        "c4_min_score",
        "c5_min_score",
    ]
    inlines = [RiskQuestionInline]
    actions = ["copy_as_new_version", "put_in_use"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._answered(obj)

    @admin.action(description=_("Copy as a new version (not in use yet)"))
    def copy_as_new_version(self, request, queryset):
        for questionnaire in queryset:
            copy = services.questionnaire_copy(actor=request.user, questionnaire=questionnaire)
            self.message_user(request, _("Created version %(v)s.") % {"v": copy.version})

    @admin.action(description=_("Put in use (RMs fill this version in from now on)"))
    def put_in_use(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one version."), messages.ERROR)
            return
        services.questionnaire_activate(actor=request.user, questionnaire=queryset.get())
        self.message_user(request, _("Version in use."))


@admin.register(RiskQuestion)
class RiskQuestionAdmin(FrozenWhenAnsweredMixin, VersionCheckedAdmin):
    list_display = ["questionnaire", "position", "text"]
    list_filter = ["questionnaire"]
    inlines = [RiskOptionInline]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (
            obj is not None and self._answered(obj.questionnaire)
        )


@admin.register(QuestionnaireAnswers)
class QuestionnaireAnswersAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "questionnaire", "in_person", "branch"]
    list_select_related = ["assessment__customer", "questionnaire", "branch"]
    list_filter = ["questionnaire", "in_person"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator


@admin.register(Holding)
class HoldingAdmin(ReadOnlyAdmin):
    list_display = [
        "customer",
        "product",
        "principal",
        "currency",
        "start_date",
        "maturity_date",
        "status",
        "source",
        "above_class_override",
    ]
    list_filter = ["status", "source", "above_class_override", "product__category"]
    list_select_related = ["customer", "product"]
    search_fields = ["=reference", "=customer__customer_number", "=product__code"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator


@admin.register(SaleOverride)
class SaleOverrideAdmin(ReadOnlyAdmin):
    list_display = ["customer", "product", "principal", "status", "requested_by", "decided_by"]
    list_filter = ["status"]
    list_select_related = ["customer", "product", "requested_by", "decided_by"]


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdmin):
    list_display = ["customer", "product", "recommended_by", "recommended_at", "outcome"]
    list_filter = ["outcome"]
    list_select_related = ["customer", "product", "recommended_by"]
    search_fields = ["=customer__customer_number", "=product__code"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["name", "owner", "branch", "starts_on", "ends_on", "status", "target_count"]
    list_filter = ["status"]
    list_select_related = ["owner", "branch"]


@admin.register(CampaignTarget)
class CampaignTargetAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "customer", "assigned_to", "branch", "status", "status_changed_at"]
    list_filter = ["status", "campaign"]
    list_select_related = ["campaign", "customer", "assigned_to", "branch"]
    search_fields = ["=customer__customer_number"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
