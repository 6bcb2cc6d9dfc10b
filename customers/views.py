"""Customer pages: thin views over customers.selectors (reads) and customers.services (writes)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Branch, Role, branch_id_of, person_name, role_of
from crm import csvimport
from crm.concurrency import VERSION_FIELD, EditConflict, conflict_to_form
from crm.http import safe_next_url
from crm.paging import COUNT_CAP, bounded_count
from crm.params import id_param, page_param
from crm.submit_once import ALREADY_SUBMITTED, AlreadySubmitted, already_submitted
from customers import importing, panels, selectors, services
from customers.access import (
    can_create_customer,
    can_edit_customer,
    can_export_full_contact,
    can_import,
    can_read_access_log,
    can_reassign,
    can_record_need,
)
from customers.charts import balance_chart
from customers.exporting import (
    ACCESS_LOG_EXPORT_MAX_ROWS,
    access_log_csv_lines,
    customer_csv_lines,
)
from customers.forms import (
    AccessLogFilterForm,
    ArchiveForm,
    CustomerFilterForm,
    CustomerForm,
    HouseholdLinkForm,
    ImportForm,
    LifeEventForm,
    NeedForm,
    ReassignForm,
    masked_field_to_reveal,
)
from customers.limits import RateLimited
from customers.models import Customer
from customers.timeline import kinds as timeline_kinds
from customers.timeline import timeline_page

EXPORT_TOO_BIG = gettext_lazy(
    "An export holds at most %(limit)s customers: narrow the filters (for example by branch, "
    "segment or relationship manager) and export again."
)
HOUSEHOLD_NOT_FOUND = gettext_lazy(
    "No customer with that number in your branch: check the customer number (CIF)."
)

# -- List, export, reassignment ------------------------------------------------------------


def _query_without(request: HttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    form = CustomerFilterForm(request.GET, user=request.user)
    filters = form.filters()
    page = selectors.customer_page(user=request.user, filters=filters, page=page_param(request))
    hints = []
    if not page.rows and page.number == 1:
        query = request.GET.copy()
        for hint in selectors.customer_list_hints(user=request.user, filters=filters):
            params = query.copy()
            for key, value in hint.params.items():
                params[key] = value
            hints.append((hint, "?" + params.urlencode()))
    reassign_form = None
    if can_reassign(request.user):
        reassign_form = ReassignForm(user=request.user, branch_id=filters.branch)
    ctx = {
        "hints": hints,
        "count_cap": COUNT_CAP,
        "form": form,
        "filters": filters,
        "page": page,
        "query": _query_without(request, "page"),  # for the pager and the export link
        "reassign_form": reassign_form,
        # Head office picks a branch first: its RMs are the only possible new owners.
        "reassign_ready": role_of(request.user) == Role.SUPERVISOR or bool(filters.branch),
        "can_create": can_create_customer(request.user),
        "can_import": can_import(request.user),
        "can_read_access_log": can_read_access_log(request.user),
        "can_export_full_contact": can_export_full_contact(request.user),
    }
    return render(request, "customers/customer_list.html", ctx)


@require_GET
def customer_export(request: HttpRequest) -> HttpResponse:
    """CSV of exactly what the list shows with these filters (every page), streamed."""
    branch_id = id_param(request, "branch")
    if branch_id is not None and not (
        Branch.objects.visible_to(request.user).filter(pk=branch_id).exists()
    ):
        raise Http404  # a branch outside the user's scope, named in the URL
    form = CustomerFilterForm(request.GET, user=request.user)
    filters = form.filters()
    branch = None
    if filters.branch:
        branch = Branch.objects.visible_to(request.user).filter(pk=filters.branch).first()
    elif role_of(request.user) != Role.HEAD_OFFICE:
        branch = Branch.objects.filter(pk=branch_id_of(request.user)).first()
    limit = settings.CUSTOMER_EXPORT_MAX_ROWS
    if selectors.customer_list_exceeds(user=request.user, filters=filters, limit=limit):
        # A web request is no place for a bulk extract (and a worker timeout would cut it).
        messages.error(request, EXPORT_TOO_BIG % {"limit": f"{limit:,}"})
        return redirect(reverse("customers:list") + "?" + request.GET.urlencode())
    full_contact = request.GET.get("contact") == "full"
    if full_contact and not can_export_full_contact(request.user):
        raise PermissionDenied
    try:
        services.customer_export_record(
            actor=request.user,
            filters=filters.as_audit_detail(),
            branch=branch,
            full_contact=full_contact,
        )
    except RateLimited as refusal:
        messages.error(request, str(refusal))
        return redirect(reverse("customers:list") + "?" + _query_without(request, "contact"))
    rows = selectors.customer_export_rows(user=request.user, filters=filters)
    response = StreamingHttpResponse(
        customer_csv_lines(rows, full_contact=full_contact), content_type="text/csv"
    )
    stamp = dt.datetime.now().astimezone().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.csv"'
    return response


REASSIGN_MATCHING_MAX = 5000  # a branch's whole book; more is a job for an import


@require_POST
def customer_reassign(request: HttpRequest) -> HttpResponse:
    """Reassign the ticked customers, or all the customers the list's filters match.

    "All matching" first shows how many customers would move (a confirmation page); only a
    POST that repeats that number moves them, in one set-based service call.
    """
    if not can_reassign(request.user):
        raise PermissionDenied
    form = ReassignForm(request.POST, user=request.user)
    back = safe_next_url(request, reverse("customers:list"))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    customers = data["customers"]
    expected = None
    if data["scope"] == ReassignForm.SCOPE_MATCHING:
        filter_form = CustomerFilterForm(QueryDict(data["filters"]), user=request.user)
        customers = selectors.customer_list(user=request.user, filters=filter_form.filters())
        count = bounded_count(customers, REASSIGN_MATCHING_MAX)
        if count > REASSIGN_MATCHING_MAX:
            messages.error(
                request,
                _("The filters match more than %(max)s customers: narrow them (by RM, say).")
                % {"max": f"{REASSIGN_MATCHING_MAX:,}"},
            )
            return redirect(back)
        if count == 0:
            messages.error(request, _("No customer matches the filters: nothing to move."))
            return redirect(back)
        if data["confirm_count"] is None:
            ctx = {
                "count": count,
                "rm": data["relationship_manager"],
                "form": form,
                "filters": data["filters"],
                "next": back,
                "sample": list(customers.select_related("relationship_manager")[:10]),
            }
            return render(request, "customers/customer_reassign_confirm.html", ctx)
        expected = data["confirm_count"]
    try:
        moved = services.customer_reassign(
            actor=request.user,
            customers=customers,
            relationship_manager=data["relationship_manager"],
            expected_count=expected,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            ngettext(
                "%(n)d customer reassigned to %(rm)s.",
                "%(n)d customers reassigned to %(rm)s.",
                moved,
            )
            % {
                "n": moved,
                "rm": person_name(form.cleaned_data["relationship_manager"]),
            },
        )
    return redirect(back)


# -- The customer page ---------------------------------------------------------------------


def _timeline_params(request: HttpRequest) -> tuple[list[str] | None, dt.datetime | None]:
    registered = [k for k, _label in timeline_kinds()]
    selected = [k for k in request.GET.getlist("kind") if k in registered] or None
    try:
        before = parse_datetime(request.GET.get("before", ""))
    except ValueError:  # well-formed but impossible, e.g. month 13
        before = None
    if before is not None and timezone.is_naive(before):
        before = timezone.make_aware(before)
    return selected, before


def _detail_context(
    request: HttpRequest,
    customer: Customer,
    *,
    revealed: str = "",
    unfolded: str = "",
    panel_form=None,
) -> dict:
    """The customer page. `unfolded`: the panel shown open (else ?panel=), with `panel_form`,
    a refused form of it, in place of a new one (panels.render_body)."""
    user = request.user
    selected, before = _timeline_params(request)
    timeline = timeline_page(customer=customer, viewer=user, selected=selected, before=before)
    older_url = ""
    if timeline.next_before is not None:
        params = [("kind", k) for k in (selected or [])]
        params.append(("before", timeline.next_before.isoformat()))
        older_url = f"{customer.get_absolute_url()}?{urlencode(params)}#timeline"
    # Keyset pages have no "previous" cursor: past the first page, a link back to it.
    newest_url = ""
    if before is not None:
        kinds = urlencode([("kind", k) for k in (selected or [])])
        newest_url = f"{customer.get_absolute_url()}{'?' + kinds if kinds else ''}#timeline"
    editable = can_edit_customer(user, customer)
    household = selectors.household_for(user=user, customer=customer)
    return {
        "customer": customer,
        "can_edit": editable,
        "revealed_id": revealed,
        "needs": selectors.needs_with_history(customer=customer),
        "life_events": selectors.life_events_recent(customer=customer),
        "household": household,
        # Related customers whose tie this user may remove: both customers changeable, as
        # relationship_unlink requires.
        "household_unlinkable": {
            link.related_id
            for link in household
            if editable and can_edit_customer(user, link.related)
        },
        "chart": balance_chart(selectors.balances_last_12_months(customer=customer)),
        "history": selectors.customer_history(customer=customer),
        "panels": panels.panels_for(
            request,
            customer,
            unfolded=unfolded or request.GET.get("panel", ""),
            form=panel_form,
        ),
        "timeline": timeline,
        "timeline_kinds": timeline_kinds(),
        "timeline_selected": selected or [],
        "timeline_older_url": older_url,
        "timeline_newest_url": newest_url,
    }


@require_GET
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_for_page(user=request.user, customer_id=pk)
    services.customer_view_record(actor=request.user, customer=customer)
    return render(request, "customers/customer_detail.html", _detail_context(request, customer))


@require_GET
def customer_panel(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """A customer-page panel's body (its form), fetched by htmx when the user unfolds it;
    404 outside scope or for a panel this user does not get."""
    customer = selectors.customer_for_page(user=request.user, customer_id=pk)
    registration = panels.panel_for(key, request.user, customer)
    if registration is None:
        raise Http404
    if not request.headers.get("HX-Request"):
        return redirect(f"{customer.get_absolute_url()}?panel={key}#panel-{key}")
    return HttpResponse(panels.render_body(request, registration, customer))


@require_POST
def customer_reveal_id(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the whole ID number (logged); HTMX gets the fragment, a plain POST the page."""
    customer = selectors.customer_for_page(user=request.user, customer_id=pk)
    try:
        number = services.customer_id_reveal(actor=request.user, customer=customer)
    except RateLimited as refusal:
        return _reveal_refused(request, customer, refusal, "customers/partials/national_id.html")
    if request.headers.get("HX-Request"):
        return render(
            request,
            "customers/partials/national_id.html",
            {"customer": customer, "revealed_id": number},
        )
    ctx = _detail_context(request, customer, revealed=number)
    return render(request, "customers/customer_detail.html", ctx)


def _reveal_refused(request, customer, refusal, partial: str) -> HttpResponse:
    """A reveal past the limit: the masked value and why (HTMX), or a message on the page."""
    if request.headers.get("HX-Request"):
        ctx = {"customer": customer, "refusal": str(refusal)}
        return render(request, partial, ctx, status=429)
    messages.error(request, str(refusal))
    return redirect("customers:detail", customer.pk)


@require_POST
def customer_reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the whole mobile number (logged, rate-limited); HTMX gets the fragment."""
    customer = selectors.customer_for_page(user=request.user, customer_id=pk)
    try:
        number = services.customer_phone_reveal(actor=request.user, customer=customer)
    except RateLimited as refusal:
        return _reveal_refused(request, customer, refusal, "customers/partials/phone.html")
    ctx = {"customer": customer, "revealed_phone": number}
    if request.headers.get("HX-Request"):
        return render(request, "customers/partials/phone.html", ctx)
    ctx = {**_detail_context(request, customer), "revealed_phone": number}
    return render(request, "customers/customer_detail.html", ctx)


def _editable_customer(request: HttpRequest, pk: int) -> Customer:
    """The customer, 404 outside scope, 403 where the user may only read it."""
    customer = selectors.customer_for_page(user=request.user, customer_id=pk)
    if not can_edit_customer(request.user, customer):
        raise PermissionDenied
    return customer


@require_http_methods(["GET", "POST"])
def customer_create(request: HttpRequest) -> HttpResponse:
    if not can_create_customer(request.user):
        raise PermissionDenied
    form = CustomerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(
                actor=request.user,
                submission_token=form.cleaned_data["submission_token"],
                **form.service_fields(),
            )
        except AlreadySubmitted as exc:
            return already_submitted(request, exc, reverse("customers:list"))
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied:
            form.add_error(None, _("You may not create a customer there."))
        else:
            messages.success(request, _("Customer created."))
            return redirect(customer)
    return render(request, "customers/customer_form.html", {"form": form, "customer": None})


@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _editable_customer(request, pk)
    reveal = masked_field_to_reveal(request.POST) if request.method == "POST" else None
    if reveal is not None:
        # "Reveal to correct" the national ID or the mobile: the whole number, logged like
        # any reveal and counted towards the same limit (issue 7 item 2).
        revealed = [reveal]
        try:
            services.customer_identifier_reveal(
                actor=request.user, customer=customer, field=reveal, purpose="correct"
            )
        except RateLimited as refusal:
            messages.error(request, str(refusal))
            revealed = []
        typed = CustomerForm(request.POST, instance=customer, user=request.user).typed_entries()
        form = CustomerForm(instance=customer, user=request.user, revealed=revealed, initial=typed)
        return render(request, "customers/customer_form.html", {"form": form, "customer": customer})
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(
                actor=request.user,
                customer=customer,
                fields=form.service_fields(),
                expected_version=form.cleaned_data.get(VERSION_FIELD),
            )
        except EditConflict as conflict:
            conflict_to_form(form, conflict)
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied:
            form.add_error(None, _("You may not move this customer out of your reach."))
        else:
            messages.success(request, _("Changes saved."))
            return redirect("customers:detail", customer.pk)
    customer.refresh_from_db()  # the form may have changed the instance in memory
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer})


@require_http_methods(["GET", "POST"])
def customer_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Archive a customer: a confirmation page asks for the reason (kept in the history)."""
    customer = _editable_customer(request, pk)
    if customer.is_archived:
        messages.error(request, services.ALREADY_ARCHIVED)
        return redirect("customers:detail", customer.pk)
    form = ArchiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_archive(actor=request.user, customer=customer, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Customer archived. Restore brings them back."))
            return redirect("customers:detail", customer.pk)
    return render(request, "customers/customer_archive.html", {"form": form, "customer": customer})


@require_POST
def customer_restore(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _editable_customer(request, pk)
    try:
        services.customer_restore(actor=request.user, customer=customer)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Customer restored."))
    return redirect("customers:detail", customer.pk)


def _form_errors_to_messages(request: HttpRequest, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _record_from_panel(
    request: HttpRequest,
    pk: int,
    form_class,
    record,
    success: str,
    anchor: str = "",
    *,
    panel: str,
    may=can_edit_customer,
) -> HttpResponse:
    """The POST of customer-page panel `panel`: check the form, call `record(customer,
    data)`, say how it went in a message (`success`, unless `record` returns its own
    `(level, text)`), and go back to the customer page. Refused (the form's errors, or the
    service's in a message), the page comes back with the panel open and what the user typed
    in it. 404 outside scope, 403 when `may(user, customer)` says no (the same predicate the
    panel and the service use).

    A GET (the address of a page that came back refused, reloaded, opened again after
    signing in, or in another language) goes to the customer page with the panel open.
    """
    customer = selectors.customer_for_page(user=request.user, customer_id=pk)
    if request.method == "GET":
        return redirect(f"{customer.get_absolute_url()}?panel={panel}#panel-{panel}")
    if not may(request.user, customer):
        raise PermissionDenied
    form = form_class(request.POST)
    if form.is_valid():
        try:
            said = record(customer, form.cleaned_data)
        except AlreadySubmitted:
            messages.info(request, ALREADY_SUBMITTED)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return _page_with_refused_form(request, customer, panel, form)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("You may not change this customer."))
            return _page_with_refused_form(request, customer, panel, form)
        else:
            level, text = said or (messages.SUCCESS, success)
            messages.add_message(request, level, text)
    else:
        _form_errors_to_messages(request, form)
        return _page_with_refused_form(request, customer, panel, form)
    return redirect(reverse("customers:detail", args=[customer.pk]) + anchor)


def _page_with_refused_form(request: HttpRequest, customer: Customer, panel: str, form):
    """The customer page with panel `panel` open and the refused `form` in it (its values and
    errors), the reason in a message at the top. Status 200, as a form shown again."""
    services.customer_view_record(actor=request.user, customer=customer)
    context = _detail_context(request, customer, unfolded=panel, panel_form=form)
    return render(request, "customers/customer_detail.html", context)


@require_http_methods(["GET", "POST"])
def need_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Whoever serves the customer may record a need (can_record_need, as the service)."""

    def record(customer, data):
        services.customer_need_record(actor=request.user, customer=customer, **data)

    return _record_from_panel(
        request,
        pk,
        NeedForm,
        record,
        _("Need recorded."),
        "#needs",
        panel="customer-need",
        may=can_record_need,
    )


@require_http_methods(["GET", "POST"])
def life_event_record(request: HttpRequest, pk: int) -> HttpResponse:
    def record(customer, data):
        services.life_event_record(actor=request.user, customer=customer, **data)

    return _record_from_panel(
        request,
        pk,
        LifeEventForm,
        record,
        _("Life event recorded."),
        "#life-events",
        panel="customer-life-event",
    )


@require_http_methods(["GET", "POST"])
def household_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link a household member by customer number; only customers in the user's scope. The
    message says whether the link was made, its kind changed, or it was already so."""

    def record(customer, data):
        related = selectors.customer_by_number(
            user=request.user, customer_number=data["customer_number"]
        )
        if related is None:
            raise ValidationError(HOUSEHOLD_NOT_FOUND)
        link, outcome = services.relationship_link(
            actor=request.user, customer=customer, related=related, kind=data["kind"]
        )
        said = {"name": related.name, "role": link.member_role}
        if outcome == services.LinkOutcome.CHANGED:
            return messages.SUCCESS, _(
                "Household link changed: %(name)s is now listed as “%(role)s”."
            ) % said
        if outcome == services.LinkOutcome.UNCHANGED:
            return messages.INFO, _(
                "%(name)s is already linked as “%(role)s”; nothing was changed."
            ) % said
        return None  # created: the panel's own message

    return _record_from_panel(
        request,
        pk,
        HouseholdLinkForm,
        record,
        _("Household member linked."),
        "#household-heading",
        panel="customer-household",
    )


@require_POST
def household_unlink(request: HttpRequest, pk: int, related_pk: int) -> HttpResponse:
    """Remove a household member's tie (both directions, audited by the service). 404 when
    either customer is outside the user's scope, 403 unless the user may change both (the
    same predicate the Unlink button and the service use)."""
    customer = _editable_customer(request, pk)
    related = selectors.customer_for_page(user=request.user, customer_id=related_pk)
    # 403 naming the member when they are not the user's to change (the service's check)
    if services.relationship_unlink(actor=request.user, customer=customer, related=related):
        messages.success(
            request, _("Household member unlinked: %(name)s.") % {"name": related.name}
        )
    else:  # already unlinked, e.g. by a colleague or a second click
        messages.info(
            request, _("%(name)s was not linked to this customer.") % {"name": related.name}
        )
    return redirect(reverse("customers:detail", args=[customer.pk]) + "#household-heading")


# -- Import from core banking --------------------------------------------------------------


def _import_scope(user) -> Branch | None:
    """Supervisors import into their own branch only; head office anywhere."""
    if role_of(user) == Role.HEAD_OFFICE:
        return None
    return Branch.objects.get(pk=branch_id_of(user))


def _importer(user, kind: str) -> csvimport.CsvImporter:
    if kind == ImportForm.KIND_BALANCES:
        return importing.BalanceImporter(actor=user, customers=Customer.objects.visible_to(user))
    return importing.CustomerImporter(actor=user, branch=_import_scope(user))


@require_http_methods(["GET", "POST"])
def customer_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV: a dry run shows what would change and every error; then commit."""
    if not can_import(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    report, token = None, ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            text = csvimport.upload_text(content)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            kind = form.cleaned_data["kind"]
            pending = csvimport.pending_upload_store(
                actor=request.user, kind=kind, name=upload.name, content=content
            )
            token = str(pending.token)
            report = csvimport.import_dry_run(_importer(request.user, kind), text)
    ctx = {"form": form, "report": report, "token": token}
    return render(request, "customers/customer_import.html", ctx)


@require_POST
def customer_import_commit(request: HttpRequest) -> HttpResponse:
    if not can_import(request.user):
        raise PermissionDenied
    token = request.POST.get("token", "")
    pending = csvimport.pending_upload_for(actor=request.user, token=token)
    if pending is None:
        raise Http404
    pending, report = csvimport.pending_upload_commit(
        importer=_importer(request.user, pending.kind), token=token
    )
    if pending is None:  # committed meanwhile by a first click
        messages.info(request, _("This file has already been imported."))
        return redirect("customers:list")
    if report.committed:
        messages.success(
            request,
            _("Imported %(name)s: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.")
            % {
                "name": pending.name,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            },
        )
        return redirect("customers:list")
    form = ImportForm(initial={"kind": pending.kind})
    ctx = {"form": form, "report": report, "token": token}
    return render(request, "customers/customer_import.html", ctx)


# -- Personal-data access log --------------------------------------------------------------


@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    """Who viewed, revealed or exported whose personal data: filters, keyset pages, CSV."""
    if not can_read_access_log(request.user):
        raise PermissionDenied
    form = AccessLogFilterForm(request.GET)
    filters = form.filters()
    before = id_param(request, "before")
    entries, next_before = selectors.access_log_page(
        user=request.user, filters=filters, before_id=before
    )
    query = _query_without(request, "before")
    older_url = ""
    if next_before is not None:
        older_url = "?" + "&".join(p for p in [query, urlencode({"before": next_before})] if p)
    descriptions = selectors.access_log_descriptions(entries)
    ctx = {
        "form": form,
        "rows": [(entry, descriptions[entry.pk]) for entry in entries],
        "actions": selectors.ACCESS_ACTIONS,
        "older_url": older_url,
        "newest_url": "?" + query if query else "?",
        "export_url": reverse("customers:access_log_export") + ("?" + query if query else ""),
        "first_page": not before,
        "filtered": any(filters.as_audit_detail().values()),
    }
    return render(request, "customers/access_log.html", ctx)


@require_GET
def access_log_export(request: HttpRequest) -> HttpResponse:
    """CSV of the filtered access log (at most ACCESS_LOG_EXPORT_MAX_ROWS); the export is
    itself logged, and shows in the access log."""
    if not can_read_access_log(request.user):
        raise PermissionDenied
    form = AccessLogFilterForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Correct the filters before exporting."))
        return redirect(reverse("customers:access_log") + "?" + request.GET.urlencode())
    filters = form.filters()
    branch = None
    if role_of(request.user) != Role.HEAD_OFFICE:
        branch = Branch.objects.filter(pk=branch_id_of(request.user)).first()
    services.access_log_export_record(
        actor=request.user, filters=filters.as_audit_detail(), branch=branch
    )
    entries = selectors.access_log_entries(user=request.user, filters=filters)
    response = StreamingHttpResponse(
        access_log_csv_lines(entries[:ACCESS_LOG_EXPORT_MAX_ROWS].iterator(chunk_size=2000)),
        content_type="text/csv",
    )
    stamp = dt.datetime.now().astimezone().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="access-log-{stamp}.csv"'
    return response
