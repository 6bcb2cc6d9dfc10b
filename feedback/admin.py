"""Head office's admin: SLA policies, branch hours and holiday overrides are edited here;
a save over a colleague's is refused with what changed (crm.admin.VersionCheckedAdmin);
feedback and cases are kept records (read-only here: they change through the pages and
feedback.services, which keep the history and the audit trail)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from crm.admin import EstimatedCountPaginator, VersionCheckedAdmin
from feedback.models import (
    BranchHours,
    Case,
    CaseEvent,
    CaseStatusChange,
    Feedback,
    HolidayOverride,
    Notification,
    SlaPolicy,
    SurveyLink,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SlaPolicy)
class SlaPolicyAdmin(VersionCheckedAdmin):
    list_display = [
        "case_type",
        "severity",
        "acknowledge_within",
        "acknowledge_unit",
        "resolve_within",
        "resolve_unit",
        "pause_when_awaiting_customer",
        "extension_with_reason",
        "extension_with_approval",
        "warn_at_percent",
    ]
    list_filter = ["case_type", "severity"]
    readonly_fields = ["created_at", "updated_at"]

    def has_delete_permission(self, request, obj=None):
        return False  # every case type and severity needs a policy


@admin.register(BranchHours)
class BranchHoursAdmin(VersionCheckedAdmin):
    list_display = ["branch", "opens_at", "closes_at"]
    list_select_related = ["branch"]


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(VersionCheckedAdmin):
    list_display = ["date", "name", "is_working_day"]
    list_filter = ["is_working_day"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = [
        "received_at",
        "customer",
        "branch",
        "staff",
        "channel",
        "csat",
        "nps",
        "category",
    ]
    list_filter = ["channel", "category", "received_at", "branch"]
    list_select_related = ["customer", "branch", "staff"]
    search_fields = ["=customer__customer_number", "=staff__username"]
    search_help_text = _("Exact customer number (CIF) or staff user name.")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    ordering = ["-received_at"]


class StatusChangeInline(admin.TabularInline):
    model = CaseStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "at", "actor", "note"]

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "clock", "at", "actor", "approved_by", "units", "reason"]
    exclude = ["detail"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "case_type",
        "subject",
        "branch",
        "assignee",
        "status",
        "severity",
        "resolve_due_at",
        "resolve_breached",
        "escalation_level",
    ]
    list_filter = ["case_type", "status", "severity", "resolve_breached", "branch", "opened_at"]
    list_select_related = ["branch", "assignee"]
    search_fields = ["=id", "=customer__customer_number"]
    search_help_text = _("Case number or exact customer number (CIF).")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    ordering = ["-opened_at"]
    inlines = [StatusChangeInline, EventInline]

    def has_change_permission(self, request, obj=None):
        # Viewing is allowed (the inlines need it); nothing is saved: see has_* and save_model.
        return request.user.has_perm("feedback.view_case")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def save_model(self, request, obj, form, change):
        raise PermissionError("cases change through feedback.services")


@admin.register(SurveyLink)
class SurveyLinkAdmin(ReadOnlyAdmin):
    list_display = ["id", "interaction", "created_by", "created_at", "expires_at", "used_at"]
    list_select_related = ["interaction", "created_by"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "case", "read_at", "emailed_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
