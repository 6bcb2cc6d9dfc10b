"""Head office's admin for the customer database: search, filters, history; no deletes."""

import functools
import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from crm.admin import EstimatedCountPaginator, ServiceWriteAdmin, VersionCheckedAdmin
from crm.concurrency import VERSION_FIELD, VersionField, version_of
from customers import national_id as nid
from customers.access import NOT_ALLOWED, require_edit
from customers.forms import (
    MaskedIdentifiersMixin,
    masked_field_to_reveal,
    relax_identifier_lengths,
)
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
    need_change_words,
    need_status_label,
    need_text,
)
from customers.selectors import audit_detail_shown
from customers.services import (
    EDITABLE_FIELDS,
    customer_archive,
    customer_check,
    customer_create,
    customer_fields_normalise,
    customer_identifier_reveal,
    customer_restore,
    customer_update,
    need_type_save,
    relationship_link,
    relationship_unlink,
)

ARCHIVE_PREVIEW = 20  # customers named on the archive confirmation page


class NoDeleteMixin:
    """Customer records are archived, never deleted (DOMAIN.md)."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyMixin(NoDeleteMixin):
    """Written by the services only (the customer page, imports, workers); admin shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _service_error(form, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc) or NOT_ALLOWED)
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class CustomerAdminForm(MaskedIdentifiersMixin, forms.ModelForm):
    """The fields a person edits (customers.services.EDITABLE_FIELDS): no risk class (it comes
    from risk assessments), no "archived" status (the archive/restore actions), and the same
    rules as the customer page (an RM of the customer's branch), shown on the form. The
    national ID and the mobile number are masked as there (MaskedIdentifiersMixin)."""

    class Meta:
        model = Customer
        fields = EDITABLE_FIELDS

    # The row's version when the form was filled in: a colleague's save in between is shown
    # as a conflict instead of being overwritten (crm.concurrency, issue 8 item 3).
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[VERSION_FIELD].initial = version_of(self.instance)
        relax_identifier_lengths(self)
        self.mask_identifiers(revealed=self.revealed)
        for name, masked in self.masked_now():
            self.fields[name].help_text = format_html(
                '{} <a href="?{}=1">{}</a>',
                _("Shown masked; leave it to keep the number."),
                masked.reveal_param,
                _("Reveal to correct (logged)"),
            )
        status = self.fields.get("status")
        if status is not None:
            if self.instance.pk and self.instance.is_archived:
                status.disabled = True
            else:
                status.choices = [c for c in status.choices if c[0] != Customer.Status.ARCHIVED]

    actor = None  # set by CustomerAdmin.get_form
    revealed: frozenset[str] = frozenset()  # set by CustomerAdmin.get_form after a logged reveal

    def clean(self):
        # The services' normalisation (crm/identifiers.py), before the model's validators.
        cleaned = super().clean()
        cleaned.update(customer_fields_normalise(cleaned))
        return cleaned

    def _post_clean(self):
        super()._post_clean()  # the instance's full_clean
        try:
            require_edit(self.actor, self.instance)
            customer_check(self.instance)
        except (ValidationError, PermissionDenied) as exc:
            _service_error(self, exc)


class MaskedHistoryHelper(HistoricalRecordContextHelper):
    """The change-history page shows ID and mobile numbers masked, like every other page."""

    MASKS = {"national_id": nid.mask, "phone": nid.mask_phone}

    def prepare_delta_change_value(self, change, value):
        mask = self.MASKS.get(change.field)
        if mask is not None and isinstance(value, str):
            return mask(value)
        return super().prepare_delta_change_value(change, value)


@admin.register(Customer)
class CustomerAdmin(NoDeleteMixin, ServiceWriteAdmin, SimpleHistoryAdmin):
    """Creates and edits through customer_create / customer_update (scope, rules, history and
    audit as on the customer page); archive and restore are actions calling their services."""

    form = CustomerAdminForm

    def get_historical_record_context_helper(self, request, historical_record):
        return MaskedHistoryHelper(self.model, historical_record)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"revealed": self._revealed(request, obj)})

    def _revealed(self, request, obj) -> frozenset[str]:
        """The numbers shown whole in this request's form: the one a GET's "Reveal to correct"
        (?reveal_id=1, ?reveal_phone=1) asked for, logged once per request like any reveal
        (admin builds its form several times). Saving a form opened that way reveals nothing
        again: the user typed or kept the number themselves."""
        revealed = getattr(request, "_crm_revealed", None)
        if revealed is not None:
            return revealed
        revealed = frozenset()
        name = masked_field_to_reveal(request.GET)
        if obj is not None and name is not None and request.method == "GET":
            try:
                customer_identifier_reveal(
                    actor=request.user, customer=obj, field=name, purpose="correct (admin)"
                )
            except PermissionDenied as refusal:  # out of scope, or the reveal limit
                messages.error(request, str(refusal))
            else:
                revealed = frozenset([name])
        request._crm_revealed = revealed
        return revealed

    # Someone who may only view customers in admin gets every field read-only, shown from the
    # row: the numbers through their masks (there is no form to reveal them from).
    MASKED_READ_ONLY = {"national_id": "national_id_masked", "phone": "phone_masked"}

    @admin.display(description=_("national ID number"))
    def national_id_masked(self, obj: Customer) -> str:
        return obj.masked_national_id

    @admin.display(description=_("mobile phone"))
    def phone_masked(self, obj: Customer) -> str:
        return obj.masked_phone

    def _view_only(self, request, obj) -> bool:
        return obj is not None and not self.has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if self._view_only(request, obj):
            return [*self.MASKED_READ_ONLY.values(), *self.readonly_fields]
        return self.readonly_fields

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
    readonly_fields = ["risk_class", "risk_assessed_on", "created_at", "updated_at"]
    history_list_display = ["status", "relationship_manager"]
    show_full_result_count = False  # COUNT(*) over a million rows on every page is wasted
    list_per_page = 50
    actions = ["archive", "restore"]

    def get_search_results(self, request, queryset, search_term):
        # Name search through the bigram index (customers/search.py), not a sequential ILIKE.
        from customers.search import search_filter

        if search_term.strip():
            return queryset.filter(search_filter(search_term)), False
        return queryset, False

    def get_fields(self, request, obj=None):
        fields = [*EDITABLE_FIELDS, VERSION_FIELD, *self.readonly_fields]
        if self._view_only(request, obj):
            return [self.MASKED_READ_ONLY.get(name, name) for name in fields]
        return fields

    def service_save(self, request, form, change):
        fields = {
            name: form.cleaned_data[name]
            for name in EDITABLE_FIELDS
            if name in form.cleaned_data and not form.fields[name].disabled
        }
        if change:
            changed = {n: v for n, v in fields.items() if n in form.changed_data}
            return customer_update(
                actor=request.user,
                customer=form.instance,
                fields=changed,
                expected_version=form.cleaned_data.get(VERSION_FIELD),
            )
        return customer_create(actor=request.user, **fields)

    @admin.action(description=_("Archive the selected customers"))
    def archive(self, request, queryset):
        """An intermediate page asks for the reason (kept in each customer's history)."""
        reason = " ".join(request.POST.get("archive_reason", "").split())
        if "archive_confirmed" not in request.POST or not reason:
            ctx = {
                **self.admin_site.each_context(request),
                "title": _("Archive the selected customers"),
                "customers": queryset.order_by("pk")[:ARCHIVE_PREVIEW],
                "count": queryset.count(),
                "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
                "missing_reason": "archive_confirmed" in request.POST,
                "opts": self.model._meta,
            }
            return TemplateResponse(request, "admin/customers/archive_confirm.html", ctx)
        archive = functools.partial(customer_archive, reason=reason)
        self._each(
            request,
            queryset,
            archive,
            ngettext_lazy("%(n)d customer archived.", "%(n)d customers archived.", "n"),
        )
        return None

    @admin.action(description=_("Restore the selected archived customers"))
    def restore(self, request, queryset):
        self._each(
            request,
            queryset,
            customer_restore,
            ngettext_lazy("%(n)d customer restored.", "%(n)d customers restored.", "n"),
        )

    def _each(self, request, queryset, service, done) -> None:
        n = 0
        for customer in queryset.order_by("pk"):
            try:
                service(actor=request.user, customer=customer)
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(getattr(exc, "messages", [str(exc)]))
                self.message_user(request, f"{customer}: {text}", messages.WARNING)
            else:
                n += 1
        if n:
            self.message_user(request, done % {"n": n}, messages.SUCCESS)


class RelationshipAdminForm(forms.ModelForm):
    """Checks what relationship_link will: both customers changeable by the user."""

    actor = None  # set by RelationshipAdmin.get_form

    class Meta:
        model = Relationship
        fields = ["customer", "related", "kind"]

    def _post_clean(self):
        super()._post_clean()
        for name in ("customer", "related"):
            customer = self.cleaned_data.get(name)
            if customer is None:
                continue
            try:
                require_edit(self.actor, customer)
            except PermissionDenied as exc:
                self.add_error(name, str(exc))


@admin.register(Relationship)
class RelationshipAdmin(ServiceWriteAdmin):
    """Household ties go through relationship_link / relationship_unlink, which write (and
    remove) both directions and audit them; a tie is never edited one-sidedly."""

    form = RelationshipAdminForm
    list_display = ["customer", "kind", "related"]
    list_filter = ["kind"]
    list_select_related = ["customer", "related"]
    search_fields = ["=customer__customer_number", "=related__customer_number"]
    autocomplete_fields = ["customer", "related"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False  # unlink (delete) and link again to change the kind

    def service_save(self, request, form, change):
        data = form.cleaned_data
        return relationship_link(
            actor=request.user,
            customer=data["customer"],
            related=data["related"],
            kind=data["kind"],
        ).link

    def delete_model(self, request, obj):
        relationship_unlink(actor=request.user, customer=obj.customer, related=obj.related)

    def delete_queryset(self, request, queryset):
        for tie in queryset.select_related("customer", "related"):
            relationship_unlink(actor=request.user, customer=tie.customer, related=tie.related)


@admin.register(LifeEvent)
class LifeEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: recorded on the customer page (life_event_record)."""

    list_display = ["customer", "kind", "event_date", "source", "recorded_by"]
    list_filter = ["kind", "source"]
    list_select_related = ["customer", "recorded_by"]
    search_fields = ["=customer__customer_number"]
    date_hierarchy = "event_date"
    show_full_result_count = False


@admin.register(NeedType)
class NeedTypeAdmin(VersionCheckedAdmin, ServiceWriteAdmin):
    """Reference data head office keeps (need_type_save audits each change); types in use are
    retired (not active), never deleted. A save over a colleague's, in the form or the list, is
    refused with what changed (VersionCheckedAdmin)."""

    list_display = ["code", "name", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    search_fields = ["code", "name"]

    def has_delete_permission(self, request, obj=None):
        return False

    def service_save(self, request, form, change):
        return need_type_save(
            actor=request.user, need_type=form.instance, changed=list(form.changed_data)
        )


class NeedStatusInWords:
    """A need change's old and new status in words, as on every page (the columns hold the
    codes and have no choices)."""

    @admin.display(description=_("old status"), ordering="old_status")
    def old_status_label(self, change: NeedChange) -> str | None:
        return need_status_label(change.old_status) or None  # None: the admin's "-"

    @admin.display(description=_("new status"), ordering="new_status")
    def new_status_label(self, change: NeedChange) -> str | None:
        return need_status_label(change.new_status) or None

    @admin.display(description=_("change"))
    def change_words(self, change: NeedChange) -> str:
        return need_change_words(change)

    @admin.display(description=_("reason"))
    def reason_text(self, change: NeedChange) -> str:
        return need_text(change.reason)


class NeedChangeInline(NeedStatusInWords, admin.TabularInline):
    model = NeedChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "changed_by", "old_priority", "new_priority", "old_status_label"]
    fields += ["new_status_label", "reason_text"]
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
class NeedChangeAdmin(NeedStatusInWords, ByCustomerNumberSearch, NoDeleteMixin, admin.ModelAdmin):
    list_display = ["need", "changed_at", "changed_by", "old_priority", "new_priority"]
    list_display += ["old_status_label", "new_status_label", "change_words"]
    # The need's name is its customer's number and its type (CustomerNeed.__str__).
    list_select_related = ["need__customer", "need__need_type", "changed_by"]
    # The detail page (read-only) shows the statuses in words, not their codes.
    fields = ["need", "changed_at", "changed_by", "change_words", "old_priority"]
    fields += ["new_priority", "old_status_label", "new_status_label", "reason_text"]
    readonly_fields = fields
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
class BalanceSnapshotAdmin(ByCustomerNumberSearch, ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: balances come from core banking (the balance import)."""

    list_display = ["customer", "as_of", "deposits", "investments", "loans"]
    list_select_related = ["customer"]
    search_fields = ["=customer__customer_number"]
    list_filter = ["as_of"]
    # Date filters rather than date_hierarchy, whose DISTINCT over millions of rows takes
    # seconds; an estimated count for the unfiltered list.
    paginator = EstimatedCountPaginator
    show_full_result_count = False


@admin.register(AuditEntry)
class AuditEntryAdmin(NoDeleteMixin, admin.ModelAdmin):
    """The audit log is append-only: nobody edits it, not even in the admin."""

    list_display = ["at", "actor", "action", "customer", "branch", "target_type", "target_id"]
    # The detail as the access log shows it (a searched mobile or ID number masked).
    fields = [*list_display, "detail_shown"]
    readonly_fields = ["detail_shown"]
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

    @admin.display(description=_("detail"))
    def detail_shown(self, entry: AuditEntry) -> str:
        return json.dumps(audit_detail_shown(entry.detail), ensure_ascii=False)
