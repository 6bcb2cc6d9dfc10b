from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection, router, transaction
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from crm.concurrency import SOMEONE
from crm.models import JobRun, OutboxMessage
from crm.names import person_name


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


# -- Lost updates in admin edit forms (issue 8 item 3) ----------------------------------------

STAMP_FIELD = "edit_stamp"
_STAMP_SALT = "crm.admin.edit_stamp"
ADMIN_EDIT_CONFLICT = _(
    "Nothing was saved: %(who)s changed this record while you were editing it (%(changes)s). "
    "Your entries are still in the form: save again to keep yours, or reopen the record to "
    "start from theirs."
)
STAMP_INVALID = _("This form could not be checked against the stored record: reopen it.")


def _norm(field: forms.Field, value) -> str | list[str]:
    """A form field's value as comparable JSON: what its widget would show, as text."""
    value = field.prepare_value(value)
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(str(v) for v in value)
    return "" if value is None else str(value)


def _shown(field: forms.Field, value: str | list[str]) -> str:
    """A normalised value as the person knows it: a choice's label, an object's name."""
    if value in ("", []):
        return "—"
    if isinstance(field, forms.ModelMultipleChoiceField | forms.ModelChoiceField):
        pks = value if isinstance(value, list) else [value]
        try:
            names = sorted(str(o) for o in field.queryset.filter(pk__in=pks))
        except (ValueError, ValidationError):
            names = pks
        return ", ".join(names) or "—"
    if isinstance(field, forms.BooleanField | forms.NullBooleanField):
        return str(_("yes") if value == "True" else _("no"))
    choices = getattr(field, "choices", None)
    if choices is not None and not isinstance(value, list):
        for key, label in choices:
            if isinstance(label, list | tuple):  # an option group
                for sub_key, sub_label in label:
                    if str(sub_key) == value:
                        return str(sub_label)
            elif str(key) == value:
                return str(label)
    text = ", ".join(value) if isinstance(value, list) else value
    return text if len(text) <= 80 else text[:79] + "…"


class EditStampField(forms.CharField):
    """The hidden field carrying the editable values of the row as the form showed them
    (signed, so that the message's "old" values are the ones the server sent)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "")
        super().__init__(**kwargs)

    def has_changed(self, initial, data) -> bool:
        return False  # not an edit: kept out of changed_data, change messages and audits


class VersionCheckedForm:
    """Mixed into an admin ModelForm by VersionCheckedAdmin: refuses the save when a field
    of the form changed in the database since the form was shown.

    The version is the form's own editable values of the row ("a hash of the row's editable
    values", kept whole so that the message can say old → new): no migration, it works for
    models without `updated_at` or `version`, it sees writes that bypass `updated_at` (bulk
    updates, list-editable saves), and a change to a field the form does not edit (a login
    stamping `last_login`, a service bumping a counter) is no conflict. The admin loads the row
    with select_for_update() inside its transaction before this form is built, so the compare
    and the save see the same row. Without a stamp in the submission (a script) the check is
    skipped, as with crm.concurrency's `expected_version=None`.
    """

    stamp_by_hidden_initial = False  # changelist rows: the fields' own hidden initial values
    stamp_log_target = None  # the object whose admin log names the other editor (inlines)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.stamp_by_hidden_initial:
            for name in self._stamp_names():
                self.fields[name].show_hidden_initial = True
        elif STAMP_FIELD in self.fields and not self.is_bound:
            self.fields[STAMP_FIELD].initial = self._stamp()

    def _stamp_names(self) -> list[str]:
        opts = self._meta.model._meta
        names = []
        for name, field in self.fields.items():
            if name == STAMP_FIELD or field.disabled or name == opts.pk.name:
                continue
            try:
                opts.get_field(name)
            except FieldDoesNotExist:
                continue  # a form-only field (a shelf change, a password confirmation)
            names.append(name)
        return names

    def _values(self, names) -> dict:
        # self.initial was read from the instance, which the admin has just loaded (locked).
        return {
            n: _norm(self.fields[n], self.get_initial_for_field(self.fields[n], n)) for n in names
        }

    def _stamp(self) -> str:
        if self.instance.pk is None:
            return ""
        payload = {"at": timezone.now().isoformat(), "values": self._values(self._stamp_names())}
        return signing.dumps(payload, salt=_STAMP_SALT, compress=True)

    def _loaded(self) -> tuple[dict, str | None] | None:
        """The values the user's form was filled from, and when; None: nothing to check."""
        if self.instance.pk is None:
            return None
        if self.stamp_by_hidden_initial:
            loaded = {}
            for name in self._stamp_names():
                field, key = self.fields[name], self[name].html_initial_name
                if key not in self.data:
                    continue
                raw = field.hidden_widget().value_from_datadict(self.data, self.files, key)
                try:
                    loaded[name] = _norm(field, field.to_python(raw))
                except ValidationError:
                    loaded[name] = raw
            return loaded, None
        token = self.data.get(self.add_prefix(STAMP_FIELD)) if STAMP_FIELD in self.fields else None
        if not token:
            return None
        try:
            payload = signing.loads(token, salt=_STAMP_SALT)
        except signing.BadSignature:
            raise ValidationError(STAMP_INVALID, code="edit_stamp_invalid") from None
        return payload["values"], payload.get("at")

    def _change_line(self, name: str, old, new) -> str:
        field = self.fields[name]
        label = capfirst(self[name].label or name)
        return f"{label}: {_shown(field, old)} → {_shown(field, new)}"

    def clean(self):
        cleaned = super().clean()
        try:
            loaded = self._loaded()
        except ValidationError as exc:
            self.add_error(None, exc)
            return cleaned
        if loaded is None:
            return cleaned
        values, since = loaded
        names = [n for n in self._stamp_names() if n in values]
        current = self._values(names)
        changes = [n for n in names if values[n] != current[n]]
        if not changes:
            return cleaned
        described = "; ".join(self._change_line(n, values[n], current[n]) for n in changes)
        who = _who_changed(self.stamp_log_target or self.instance, since)
        self.add_error(
            None,
            ValidationError(
                ADMIN_EDIT_CONFLICT,
                code="edit_conflict",
                params={"who": who, "changes": described},
            ),
        )
        # Armed with the current values: saving again is the user's informed choice.
        data = self.data.copy()
        if self.stamp_by_hidden_initial:
            for name in changes:
                data[self[name].html_initial_name] = current[name]
        else:
            data[self.add_prefix(STAMP_FIELD)] = self._stamp()
        self.data = data
        return cleaned


def _who_changed(target, since: str | None) -> str:
    """Who saved `target` in admin after `since` (its admin log), or "Someone else"."""
    moment = parse_datetime(since) if since else None
    if moment is not None and target.pk is not None:
        entry = (
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(target),
                object_id=str(target.pk),
                action_time__gte=moment,
            )
            .select_related("user")
            .order_by("-action_time")
            .first()
        )
        if entry is not None:
            return person_name(entry.user)
    return str(SOMEONE)


def _stamped(form, **attrs):
    if issubclass(form, VersionCheckedForm):
        return type(form.__name__, (form,), attrs)
    return type(form.__name__, (VersionCheckedForm, form), attrs)


def _with_stamp(fieldsets):
    if STAMP_FIELD in flatten_fieldsets(fieldsets) or not fieldsets:
        return fieldsets
    (name, opts), *rest = fieldsets
    return [(name, {**opts, "fields": [*opts["fields"], STAMP_FIELD]}), *rest]


def _locking(request, model) -> bool:
    using = router.db_for_write(model)
    return request.method == "POST" and transaction.get_connection(using).in_atomic_block


class _LockedRowsFormSet:
    """A changelist formset whose rows are read with select_for_update()."""

    def get_queryset(self):
        if not hasattr(self, "_queryset") and self.queryset is not None:
            self.queryset = self.queryset.select_for_update(of=("self",))
        return super().get_queryset()


class VersionCheckedAdmin(admin.ModelAdmin):
    """An admin for a record several people edit: a save over a colleague's is refused.

    The change form carries the row's values as shown (the hidden `edit_stamp`, see
    VersionCheckedForm); on POST the row is read with select_for_update() inside the admin's
    transaction, and the form compares. A conflict shows the form again with the user's
    entries and a message naming each changed field (label, old → new) and who saved it;
    nothing is saved. List-editable rows carry their fields' hidden initial values instead.
    """

    def get_object(self, request, object_id, from_field=None):
        if not _locking(request, self.model):
            return super().get_object(request, object_id, from_field)
        queryset = self.get_queryset(request).select_for_update(of=("self",))
        field = (
            self.model._meta.pk if from_field is None else self.model._meta.get_field(from_field)
        )
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (self.model.DoesNotExist, ValidationError, ValueError):
            return None

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        return _with_stamp(fieldsets)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and self.has_change_permission(request, obj):
            form = kwargs.get("form", self.form)
            kwargs["form"] = _stamped(form, **{STAMP_FIELD: EditStampField()})
        return super().get_form(request, obj, change=change, **kwargs)

    def get_changelist_form(self, request, **kwargs):
        form = super().get_changelist_form(request, **kwargs)
        return _stamped(form, stamp_by_hidden_initial=True)

    def get_changelist_formset(self, request, **kwargs):
        formset = super().get_changelist_formset(request, **kwargs)
        if not _locking(request, self.model):
            return formset
        return type(formset.__name__, (_LockedRowsFormSet, formset), {})

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and self.list_editable and "_save" in request.POST:
            # Django validates list-editable rows outside its transaction; lock and compare
            # inside one.
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().changelist_view(request, extra_context)
        return super().changelist_view(request, extra_context)


class VersionCheckedInline(InlineModelAdmin):
    """The inline counterpart of VersionCheckedAdmin (each row its own stamp)."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if _locking(request, self.model):
            queryset = queryset.select_for_update(of=("self",))
        return queryset

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        return _with_stamp(fieldsets)

    def get_formset(self, request, obj=None, **kwargs):
        if obj is not None and self.has_change_permission(request, obj):
            form = kwargs.get("form", self.form)
            attrs = {STAMP_FIELD: EditStampField(), "stamp_log_target": obj}
            kwargs["form"] = _stamped(form, **attrs)
        return super().get_formset(request, obj, **kwargs)


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
