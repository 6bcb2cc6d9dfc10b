from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from crm.models import JobRun

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
