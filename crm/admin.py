from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from crm.models import JobRun, OutboxMessage


class EstimatedCountPaginator(Paginator):
    """An unfiltered admin list of a table of millions counts from the planner's statistics
    (an estimate) instead of COUNT(*) over every row; filtered lists count exactly."""

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is not None and not query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [self.object_list.model._meta.db_table],
                )
                estimate = cursor.fetchone()[0]
            if estimate > 100_000:
                return estimate
        return super().count


admin.site.site_header = _("Bank CRM administration")
admin.site.site_title = _("Bank CRM")


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """Read-only: runs are written by the workers."""

    list_display = ["job", "started_at", "finished_at", "outcome", "rows"]
    list_filter = ["outcome", "job"]
    search_fields = ["job", "task_id"]
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in JobRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: messages are written by services and stamped by the dispatcher and workers."""

    list_display = ["id", "task_name", "created_at", "dispatched_at", "delivered_at", "attempts"]
    list_filter = [("dispatched_at", admin.EmptyFieldListFilter), "task_name"]
    search_fields = ["task_name", "dedupe_key"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    paginator = EstimatedCountPaginator

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
