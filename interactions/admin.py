"""Head office's view of interactions and tasks. Interactions are kept records: read-only
here, with their history; tasks may be reassigned (through the service). Nothing is deleted.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from interactions.models import Interaction, Task, TaskReschedule
from interactions.services import task_reassign


@admin.register(Interaction)
class InteractionAdmin(SimpleHistoryAdmin):
    list_display = ["occurred_at", "customer", "staff", "channel", "direction", "outcome"]
    list_filter = ["channel", "direction", "outcome", "occurred_at", "needs"]
    list_select_related = ["customer", "staff"]
    search_fields = ["=customer__customer_number", "customer__name", "=staff__username"]
    autocomplete_fields = ["customer", "staff"]
    date_hierarchy = "occurred_at"
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
class TaskAdmin(SimpleHistoryAdmin):
    list_display = ["title", "customer", "assignee", "due_date", "status", "origin"]
    list_filter = ["status", "origin", "due_date"]
    list_select_related = ["customer", "assignee"]
    search_fields = ["title", "=customer__customer_number", "customer__name", "=assignee__username"]
    autocomplete_fields = ["assignee"]
    ordering = ["-due_date"]
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

    def save_model(self, request, obj, form, change):
        # Only the assignee is editable; the service checks scope and audits.
        try:
            task_reassign(actor=request.user, task=obj, assignee=form.cleaned_data["assignee"])
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), level="error")
