"""Head office's view of interactions and tasks. Interactions are kept records: read-only
here, with their history; tasks may be reassigned (through the service). Nothing is deleted.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from crm import identifiers
from crm.admin import EstimatedCountPaginator, ServiceWriteAdmin, VersionCheckedAdmin
from customers.models import Customer
from interactions.models import Interaction, Task, TaskReschedule
from interactions.services import task_reassign


class ByCustomerOrStaffSearch:
    """Search by exact customer number (CIF) or staff user name, resolved to ids first so the
    big table is read through its (customer, …) and (staff/assignee, …) indexes."""

    staff_field = "staff"

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        customer_ids = list(
            Customer.objects.filter(customer_number=identifiers.customer_number(term)).values_list(
                "pk", flat=True
            )
        )
        user_ids = list(get_user_model().objects.filter(username=term).values_list("pk", flat=True))
        condition = Q(customer_id__in=customer_ids) | Q(**{f"{self.staff_field}_id__in": user_ids})
        return queryset.filter(condition), False


@admin.register(Interaction)
class InteractionAdmin(ByCustomerOrStaffSearch, SimpleHistoryAdmin):
    list_display = ["occurred_at", "customer", "staff", "channel", "direction", "outcome"]
    list_filter = ["channel", "direction", "outcome", "occurred_at", "needs"]
    list_select_related = ["customer", "staff"]
    search_fields = ["=customer__customer_number", "=staff__username"]  # see get_search_results
    search_help_text = _("Exact customer number (CIF) or staff user name.")
    paginator = EstimatedCountPaginator
    autocomplete_fields = ["customer", "staff"]
    ordering = ["-occurred_at"]
    show_full_result_count = False  # a COUNT(*) over ten million rows per page is wasted
    readonly_fields = ["created_at", "updated_at"]
    history_list_display = ["subject", "outcome"]

    def has_add_permission(self, request):
        return False  # logged from the customer page, through interactions.services

    def has_change_permission(self, request, obj=None):
        return False  # edited by their author within 24 hours only; history is read-only

    def has_delete_permission(self, request, obj=None):
        return False  # never deleted


class TaskRescheduleInline(admin.TabularInline):
    model = TaskReschedule
    fields = ["at", "by", "old_due_date", "new_due_date", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(
    ByCustomerOrStaffSearch, VersionCheckedAdmin, ServiceWriteAdmin, SimpleHistoryAdmin
):
    staff_field = "assignee"
    list_display = ["title", "customer", "assignee", "due_date", "status", "origin"]
    list_filter = ["status", "origin", "due_date"]
    list_select_related = ["customer", "assignee"]
    search_fields = ["=customer__customer_number", "=assignee__username"]  # see get_search_results
    search_help_text = _("Exact customer number (CIF) or assignee user name.")
    paginator = EstimatedCountPaginator
    autocomplete_fields = ["assignee"]
    ordering = ["-id"]
    show_full_result_count = False
    fields = [
        "title",
        "customer",
        "assignee",
        "due_date",
        "status",
        "origin",
        "interaction",
        "created_by",
        "created_at",
        "completed_at",
        "cancelled_at",
    ]
    readonly_fields = [f for f in fields if f != "assignee"]
    inlines = [TaskRescheduleInline]

    def has_add_permission(self, request):
        return False  # tasks come from interactions, alerts, cases or the customer page

    def has_delete_permission(self, request, obj=None):
        return False

    def service_save(self, request, form, change):
        # Only the assignee is editable; the service checks who asks, scope, and audits.
        return task_reassign(
            actor=request.user, task=form.instance, assignee=form.cleaned_data["assignee"]
        )
