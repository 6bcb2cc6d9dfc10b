from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponseRedirect
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


class _Refused(Exception):
    def __init__(self, exc: ValidationError | PermissionDenied):
        super().__init__(str(exc))
        self.text = " ".join(getattr(exc, "messages", None) or [str(exc)])


class ServiceWriteAdmin(admin.ModelAdmin):
    """An admin whose adds and changes go through a service, never `obj.save()`.

    A subclass implements `service_save(request, form, change) -> obj`. Its form learns the
    user as `form.actor` (for rule checks shown on the form, e.g. in `_post_clean`). A
    ValidationError or PermissionDenied the service raises all the same (a concurrent change)
    leaves the admin's transaction, so nothing is saved, and answers with the service's
    message and the form again.
    """

    def service_save(self, request, form, change):
        """Save through the model's service; every subclass names its own (abstract hook)."""
        raise NotImplementedError(f"{type(self).__name__} must define service_save()")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def get_changelist_form(self, request, **kwargs):
        form = super().get_changelist_form(request, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_form(self, request, form, change):
        try:
            return self.service_save(request, form, change)
        except (ValidationError, PermissionDenied) as exc:
            raise _Refused(exc) from exc

    def save_model(self, request, obj, form, change):
        pass  # saved by the service in save_form

    def save_related(self, request, form, formsets, change):
        # The service writes everything the write implies; inlines here are read-only. (A
        # formset saved without commit writes nothing but tells the change message so.)
        for formset in formsets:
            formset.save(commit=False)

    def _refused(self, request, refused: _Refused):
        self.message_user(
            request, _("Nothing was saved: %(why)s") % {"why": refused.text}, messages.ERROR
        )
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as refused:
            return self._refused(request, refused)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except _Refused as refused:
            return self._refused(request, refused)


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
