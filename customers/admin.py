"""Head office's admin for the customer database: search, filters, history; no deletes."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from crm.admin import EstimatedCountPaginator
from customers.models import (
    AuditEntry,
    BalanceSnapshot,
    Customer,
    CustomerNeed,
    LifeEvent,
    NeedChange,
    NeedType,
    Relationship,
    RiskAssessment,
)
from customers.services import audit_record, customer_search_keys_fill


class NoDeleteMixin:
    """Customer records are archived, never deleted (DOMAIN.md)."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = [
        "customer_number",
        "name",
        "segment",
        "status",
        "branch",
        "relationship_manager",
        "risk_class",
        "risk_assessed_on",
    ]
    list_filter = ["segment", "status", "risk_class", "branch"]
    list_select_related = ["branch", "relationship_manager"]
    search_fields = ["=customer_number", "name", "=phone", "=national_id"]
    autocomplete_fields = ["branch", "relationship_manager"]
    readonly_fields = ["created_at", "updated_at"]
    history_list_display = ["status", "relationship_manager"]
    show_full_result_count = False  # COUNT(*) over a million rows on every page is wasted
    list_per_page = 50

    def get_search_results(self, request, queryset, search_term):
        # Name search through the bigram index (customers/search.py), not a sequential ILIKE.
        from customers.search import search_filter

        if search_term.strip():
            return queryset.filter(search_filter(search_term)), False
        return queryset, False

    def save_model(self, request, obj, form, change):
        customer_search_keys_fill(obj)
        super().save_model(request, obj, form, change)  # SimpleHistoryAdmin sets history_user
        audit_record(
            actor=request.user,
            action="customer.updated" if change else "customer.created",
            target=obj,
            detail={"fields": form.changed_data, "via": "admin"},
        )


@admin.register(Relationship)
class RelationshipAdmin(admin.ModelAdmin):
    list_display = ["customer", "kind", "related"]
    list_filter = ["kind"]
    list_select_related = ["customer", "related"]
    search_fields = ["=customer__customer_number", "=related__customer_number"]
    autocomplete_fields = ["customer", "related"]
    show_full_result_count = False


@admin.register(LifeEvent)
class LifeEventAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["customer", "kind", "event_date", "source", "recorded_by"]
    list_filter = ["kind", "source"]
    list_select_related = ["customer", "recorded_by"]
    search_fields = ["=customer__customer_number"]
    autocomplete_fields = ["customer", "recorded_by"]
    date_hierarchy = "event_date"
    show_full_result_count = False


@admin.register(NeedType)
class NeedTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    search_fields = ["code", "name"]


class NeedChangeInline(admin.TabularInline):
    model = NeedChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "changed_by", "old_priority", "new_priority", "old_status"]
    fields += ["new_status", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CustomerNeed)
class CustomerNeedAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Read-only: a need changes through customer_need_record, which keeps its history."""

    list_display = ["customer", "need_type", "priority", "status", "source", "last_confirmed"]
    list_filter = ["need_type", "status", "source"]
    list_select_related = ["customer", "need_type"]
    search_fields = ["=customer__customer_number"]
    autocomplete_fields = ["customer"]
    inlines = [NeedChangeInline]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


class NeedChangeStatusFilter(admin.SimpleListFilter):
    """The need statuses as fixed choices (the column has none: a plain filter would run a
    DISTINCT over every change)."""

    title = _("new status")
    parameter_name = "new_status"

    def lookups(self, request, model_admin):
        return CustomerNeed.Status.choices

    def queryset(self, request, queryset):
        return queryset.filter(new_status=self.value()) if self.value() else queryset


class ByCustomerNumberSearch:
    """Search a big child table by exact customer number, resolved to the customer's id first
    so that the table is read through its (customer, …) index."""

    customer_id_field = "customer_id"

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        ids = list(Customer.objects.filter(customer_number=term).values_list("pk", flat=True))
        return queryset.filter(**{f"{self.customer_id_field}__in": ids}), False


@admin.register(NeedChange)
class NeedChangeAdmin(ByCustomerNumberSearch, NoDeleteMixin, admin.ModelAdmin):
    list_display = ["need", "changed_at", "changed_by", "old_priority", "new_priority"]
    list_display += ["old_status", "new_status"]
    list_select_related = ["need", "changed_by"]
    list_filter = [NeedChangeStatusFilter, "changed_at"]
    search_fields = ["=need__customer__customer_number"]
    customer_id_field = "need__customer_id"
    ordering = ["-pk"]  # insertion order: "-changed_at" would get a "-pk" tiebreak and a sort
    # Date filters rather than date_hierarchy, whose DISTINCT over millions of rows takes
    # seconds; an estimated count for the unfiltered list.
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(ByCustomerNumberSearch, NoDeleteMixin, admin.ModelAdmin):
    """Read-only: the latest assessment sets the customer's class (risk_assessment_record)."""

    list_display = ["customer", "risk_class", "assessed_on", "score", "assessed_by"]
    list_filter = ["risk_class", "assessed_on"]
    list_select_related = ["customer", "assessed_by"]
    search_fields = ["=customer__customer_number"]
    # Date filters rather than date_hierarchy, whose DISTINCT over millions of rows takes
    # seconds; an estimated count for the unfiltered list.
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(BalanceSnapshot)
class BalanceSnapshotAdmin(ByCustomerNumberSearch, NoDeleteMixin, admin.ModelAdmin):
    list_display = ["customer", "as_of", "deposits", "investments", "loans"]
    list_select_related = ["customer"]
    search_fields = ["=customer__customer_number"]
    autocomplete_fields = ["customer"]
    list_filter = ["as_of"]
    # Date filters rather than date_hierarchy, whose DISTINCT over millions of rows takes
    # seconds; an estimated count for the unfiltered list.
    paginator = EstimatedCountPaginator
    show_full_result_count = False


@admin.register(AuditEntry)
class AuditEntryAdmin(NoDeleteMixin, admin.ModelAdmin):
    """The audit log is append-only: nobody edits it, not even in the admin."""

    list_display = ["at", "actor", "action", "customer", "branch", "target_type", "target_id"]
    # No filter on `action`: its choices would be a DISTINCT over the whole log; search it.
    list_filter = ["branch", "at"]
    list_select_related = ["actor", "customer", "branch"]
    search_fields = ["=customer__customer_number", "=actor__username", "=action"]
    # Date filters rather than date_hierarchy, whose DISTINCT over millions of rows takes
    # seconds; an estimated count for the unfiltered list.
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
