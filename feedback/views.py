"""Thin views: look up in scope, validate the form, call a service, redirect."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import segno
from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import branch_param
from accounts.models import Role, role_of
from crm.submit_once import AlreadySubmitted, already_submitted
from customers.access import is_supervising
from customers.models import Customer
from feedback import selectors, services
from feedback.access import can_see_branch_cases, can_supervise_case, can_work_case
from feedback.forms import (
    AnalyticsFilterForm,
    AssignForm,
    CaseFilterForm,
    CaseForm,
    ExtendForm,
    FeedbackFilterForm,
    FeedbackForm,
    SeverityForm,
    SurveyForm,
    TransitionForm,
)
from feedback.models import Case, CaseType, ClockUnit
from interactions.models import Interaction

PAGE_SIZE = 25


def _add_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _customer_in_scope(request: HttpRequest, customer_id: int) -> Customer:
    return get_object_or_404(
        Customer.objects.visible_to(request.user).select_related("branch"), pk=customer_id
    )


def _require_role(request: HttpRequest) -> Role:
    role = role_of(request.user)
    if role is None:
        raise PermissionDenied
    return role


# -- Feedback --------------------------------------------------------------------------------


DEFAULT_FEEDBACK_DAYS = 30


@require_GET
def feedback_list(request: HttpRequest) -> HttpResponse:
    """Feedback in scope with filters, and the filtered set's CSAT average and NPS."""
    role = _require_role(request)
    branch = branch_param(request)  # a branch outside scope: 404
    data = request.GET.copy()
    if not {"date_from", "date_to", "customer"} & set(data):
        # The last DEFAULT_FEEDBACK_DAYS by default (the form shows them; clearing both dates
        # asks for every period; one customer's feedback is all of it): head office's
        # bank-wide figures stay a small aggregate.
        today = timezone.localdate()
        data["date_from"] = (today - dt.timedelta(days=DEFAULT_FEEDBACK_DAYS - 1)).isoformat()
        data["date_to"] = today.isoformat()
    form = FeedbackFilterForm(
        data,
        branches=selectors.branches_for(user=request.user),
        # Head office picks a member of staff once a branch is chosen.
        staff=selectors.staff_for(user=request.user, branch_id=branch.pk if branch else None)
        if branch is not None or role != Role.HEAD_OFFICE
        else selectors.staff_for(user=request.user).none(),
    )
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = selectors.feedback_list(user=request.user, filters=filters)
    figures = selectors.feedback_figures(qs)
    paginator = Paginator(qs, PAGE_SIZE)
    paginator.count = figures.n  # the aggregate already counted the set: no second COUNT
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "form": form,
        "page": page,
        "figures": figures,
        "query": query.urlencode(),
        "is_head_office": role_of(request.user) == Role.HEAD_OFFICE,
    }
    return render(request, "feedback/feedback_list.html", ctx)


@require_http_methods(["GET", "POST"])
def feedback_create(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Record feedback from the customer page."""
    customer = _customer_in_scope(request, customer_id)
    form = FeedbackForm(
        request.POST or None,
        initial={"received_at": timezone.localtime().replace(second=0, microsecond=0)},
        staff_choices=selectors.staff_of_branch(branch_id=customer.branch_id),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_record(actor=request.user, customer=customer, **form.cleaned_data)
        except AlreadySubmitted as exc:
            return already_submitted(request, exc, customer.get_absolute_url())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Feedback recorded."))
            return redirect("customers:detail", customer.pk)
    ctx = {
        "form": form,
        "customer": customer,
        "customer_url": reverse("customers:detail", args=[customer.pk]),
    }
    return render(request, "feedback/feedback_form.html", ctx)


# -- Survey links ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def survey_link_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Create a survey link for an interaction and show its URL and QR code (none once the
    interaction's survey was answered: back to its page with the reason)."""
    interaction = get_object_or_404(
        Interaction.objects.visible_to(request.user).select_related("customer"), pk=pk
    )
    if request.method == "GET":  # the link page's address, reloaded or opened again
        return redirect("interactions:detail", interaction.pk)
    try:
        link, token = services.survey_link_create(actor=request.user, interaction=interaction)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("interactions:detail", interaction.pk)
    url = request.build_absolute_uri(reverse("feedback:survey_answer", args=[token]))
    qr = segno.make(url, error="m").svg_data_uri(scale=6, border=2)
    ctx = {
        "interaction": interaction,
        "link": link,
        "url": url,
        "qr": qr,
        "customer_url": reverse("customers:detail", args=[interaction.customer_id]),
    }
    return render(request, "feedback/survey_link.html", ctx)


def _client_address(request: HttpRequest) -> str:
    """The client's address, resolved exactly as the login throttle resolves it (django-axes,
    honouring CLIENT_IP_HEADERS / PROXY_COUNT), so both limits key on the same address."""
    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104


SURVEY_LANGUAGES = {"zh-hans", "en"}


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's survey: no login, Chinese by default (?lang=en for English).

    A used, expired, tampered or unknown link gets a clear page (status 410 or 404), never
    a 5xx and never a second feedback row.
    """
    lang = request.GET.get("lang") or request.POST.get("lang") or "zh-hans"
    if lang not in SURVEY_LANGUAGES:
        lang = "zh-hans"
    with translation.override(lang):
        return _survey_answer(request, token, lang)


def _survey_answer(request: HttpRequest, token: str, lang: str) -> HttpResponse:
    status_for = {"invalid": 404, "expired": 410, "used": 410, "rate_limited": 429}
    try:
        link = services.survey_link_for_token(token)
    except services.SurveyError as exc:
        return render(
            request,
            "feedback/survey_closed.html",
            {"message": exc.message, "code": exc.code, "lang": lang},
            status=status_for[exc.code],
        )
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_submit(
                token=token,
                csat=form.cleaned_data["csat"],
                nps=form.cleaned_data["nps"],
                comment=form.cleaned_data["comment"],
                client=_client_address(request),
            )
        except services.SurveyError as exc:
            return render(
                request,
                "feedback/survey_closed.html",
                {"message": exc.message, "code": exc.code, "lang": lang},
                status=status_for[exc.code],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return render(request, "feedback/survey_thanks.html", {"lang": lang})
    ctx = {
        "form": form,
        "lang": lang,
        "other_lang": "en" if lang == "zh-hans" else "zh-hans",
        "served_on": timezone.localtime(link.interaction.occurred_at).date(),
    }
    return render(request, "feedback/survey_form.html", ctx)


# -- Cases -----------------------------------------------------------------------------------


@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    """My cases (and the branch's for supervisors) with filters and counts."""
    role = _require_role(request)
    branch_param(request)  # a branch outside scope: 404
    form = CaseFilterForm(request.GET or None, branches=selectors.branches_for(user=request.user))
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if role == Role.RM:
        filters = {**filters, "scope": "mine"}
    page = Paginator(selectors.case_list(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "form": form,
        "page": page,
        "counts": selectors.case_counts(user=request.user),
        "query": query.urlencode(),
        "now": timezone.now(),
        "can_see_branch": can_see_branch_cases(request.user),
        "is_head_office": role == Role.HEAD_OFFICE,
    }
    return render(request, "feedback/case_list.html", ctx)


@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Open a case for a customer; ?interaction=<id> pre-fills it from that interaction — or,
    when a case was already opened from it, links to that case instead of a form."""
    customer = _customer_in_scope(request, customer_id)
    interaction = None
    interaction_id = request.GET.get("interaction") or request.POST.get("interaction")
    if interaction_id:
        if not str(interaction_id).isdigit():
            raise Http404
        interaction = get_object_or_404(
            Interaction.objects.visible_to(request.user).select_related("staff"),
            pk=int(interaction_id),
            customer=customer,
        )
    initial = {}
    if interaction is not None:
        complaint = interaction.outcome == Interaction.Outcome.COMPLAINT
        initial = {
            "case_type": CaseType.COMPLAINT if complaint else CaseType.SERVICE_REQUEST,
            # The interaction's channel where cases have it (phone, e-mail, branch visit);
            # otherwise (video, messaging, an event) the user chooses.
            "channel": interaction.channel if interaction.channel in Case.Channel.values else "",
            "subject": interaction.subject,
            "description": interaction.notes,
        }
    form = CaseForm(
        request.POST or None,
        initial=initial,
        staff_choices=selectors.staff_of_branch(branch_id=customer.branch_id),
    )
    existing = interaction and selectors.case_opened_from(
        interaction_id=interaction.pk, user=request.user
    )
    if request.method == "POST" and not existing and form.is_valid():
        try:
            case = services.case_open(
                actor=request.user, customer=customer, interaction=interaction, **form.cleaned_data
            )
        except AlreadySubmitted as exc:
            return already_submitted(request, exc, customer.get_absolute_url())
        except ValidationError as exc:
            _add_errors(form, exc)
            # Another tab opened the interaction's case meanwhile: show that case, no form.
            existing = interaction and selectors.case_opened_from(
                interaction_id=interaction.pk, user=request.user
            )
        else:
            messages.success(request, _("Case #%(id)d opened.") % {"id": case.pk})
            return redirect(case)
    ctx = {
        "form": form,
        "customer": customer,
        "interaction": interaction,
        "existing_case": existing,
        "customer_url": reverse("customers:detail", args=[customer.pk]),
    }
    status = 409 if existing and request.method == "POST" else 200
    return render(request, "feedback/case_form.html", ctx, status=status)


def _case_or_404(request: HttpRequest, pk: int) -> Case:
    try:
        return selectors.case_for_page(user=request.user, pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None


def _case_page(request: HttpRequest, case: Case, **forms) -> HttpResponse:
    policy = services.sla_policy_for(case_type=case.case_type, severity=case.severity)
    actions = services.case_allowed_actions(user=request.user, case=case)
    with_reason, total = services.extension_limits(policy)
    history = selectors.case_history(case=case)
    staff_choices = selectors.staff_of_branch(branch_id=case.branch_id)
    if case.about_staff_id:
        staff_choices = staff_choices.exclude(pk=case.about_staff_id)
    ctx = {
        "case": case,
        "clocks": selectors.case_clocks(case=case, policy=policy),
        "policy": policy,
        "history": history,
        "time_in_status": selectors.case_time_in_status(case=case, history=history),
        "actions": [(a, services.ACTION_LABELS[a]) for a in actions],
        "can_work": can_work_case(request.user, case),
        "can_supervise": can_supervise_case(request.user, case),
        "transition_form": forms.get("transition_form")
        or TransitionForm(
            initial={
                "version": case.version,
                "resolution_summary": case.resolution_summary,
                "root_cause": case.root_cause,
                "customer_confirmed_satisfied": case.customer_confirmed_satisfied,
            }
        ),
        "extend_form": forms.get("extend_form") or ExtendForm(initial={"version": case.version}),
        "severity_form": forms.get("severity_form")
        or SeverityForm(initial={"version": case.version, "severity": case.severity}),
        "assign_form": forms.get("assign_form")
        or AssignForm(initial={"version": case.version}, staff_choices=staff_choices),
        "can_extend": total > case.extension_units
        and case.status not in (Case.Status.RESOLVED, Case.Status.CLOSED),
        "extension_reason_limit": policy.resolve_within + with_reason,
        "extension_total_limit": policy.resolve_within + total,
        "ack_unit": ClockUnit(policy.acknowledge_unit).label,
        "resolve_unit": ClockUnit(policy.resolve_unit).label,
        "customer_url": reverse("customers:detail", args=[case.customer_id]),
    }
    return render(request, "feedback/case_detail.html", ctx, status=400 if forms else 200)


@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, _case_or_404(request, pk))


def _case_post(request, pk, form_class, form_key, call, success, **form_kwargs):
    case = _case_or_404(request, pk)
    form = form_class(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            call(case, form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(case)
    return _case_page(request, _case_or_404(request, pk), **{form_key: form})


@require_POST
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    def call(case, data):
        services.case_transition(
            actor=request.user,
            case=case,
            action=data["action"],
            note=data["note"],
            version=data["version"],
            resolution_summary=data["resolution_summary"] or None,
            root_cause=data["root_cause"] or None,
            customer_confirmed_satisfied=data["customer_confirmed_satisfied"],
        )

    return _case_post(request, pk, TransitionForm, "transition_form", call, _("Case updated."))


@require_POST
def case_extend(request: HttpRequest, pk: int) -> HttpResponse:
    def call(case, data):
        services.case_extend(actor=request.user, case=case, **data)

    return _case_post(request, pk, ExtendForm, "extend_form", call, _("Case extended."))


@require_POST
def case_severity(request: HttpRequest, pk: int) -> HttpResponse:
    def call(case, data):
        services.case_change_severity(actor=request.user, case=case, **data)

    return _case_post(request, pk, SeverityForm, "severity_form", call, _("Severity changed."))


@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)

    def call(case, data):
        services.case_assign(actor=request.user, case=case, **data)

    return _case_post(
        request,
        pk,
        AssignForm,
        "assign_form",
        call,
        _("Case reassigned."),
        staff_choices=selectors.staff_of_branch(branch_id=case.branch_id),
    )


# -- Analytics -------------------------------------------------------------------------------


@require_GET
def case_analytics(request: HttpRequest) -> HttpResponse:
    """Time in each status: median and p90 per status and case type, per branch."""
    if not is_supervising(request.user):
        raise PermissionDenied
    branch_param(request)  # a branch outside scope: 404
    today = timezone.localdate()
    branches = selectors.branches_for(user=request.user)
    form = AnalyticsFilterForm(
        request.GET or None,
        initial={"date_from": today - dt.timedelta(days=365), "date_to": today},
        branches=branches,
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    date_from = data.get("date_from") or today - dt.timedelta(days=365)
    date_to = data.get("date_to") or today
    branch = data.get("branch")
    figures = selectors.time_in_status(
        user=request.user,
        branch_id=branch.pk if branch else None,
        date_from=date_from,
        date_to=date_to,
    )
    names = {b.pk: b for b in branches}
    order = [s for s, _label in Case.Status.choices if s != Case.Status.CLOSED]
    labels = dict(Case.Status.choices)
    type_labels = dict(CaseType.choices)
    tables: dict[int, dict] = {}
    for f in figures:
        table = tables.setdefault(f.branch_id, {"branch": names.get(f.branch_id), "rows": {}})
        row = table["rows"].setdefault(
            f.case_type or "", {"label": type_labels.get(f.case_type, _("All types")), "cells": {}}
        )
        query = urlencode(
            {
                "scope": "branch",
                "branch": f.branch_id,
                "status": "all",
                "passed": f.status,
                "case_type": f.case_type or "",
                "opened_from": date_from.isoformat(),
                "opened_to": date_to.isoformat(),
            }
        )
        row["cells"][f.status] = {"figure": f, "url": reverse("feedback:case_list") + "?" + query}
    for table in tables.values():
        table["rows"] = [
            {"label": r["label"], "cells": [r["cells"].get(s) for s in order]}
            for _key, r in sorted(table["rows"].items())
        ]
    ctx = {
        "form": form,
        "tables": list(tables.values()),
        "statuses": [labels[s] for s in order],
        "date_from": date_from,
        "date_to": date_to,
    }
    return render(request, "feedback/case_analytics.html", ctx)


# -- Notifications ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def notification_list(request: HttpRequest) -> HttpResponse:
    """My notifications; POST marks them all read."""
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        messages.success(request, _("All notifications marked as read."))
        return redirect("feedback:notifications")
    ctx = {"notifications": selectors.notifications_for(user=request.user)}
    return render(request, "feedback/notification_list.html", ctx)


@never_cache
@require_GET
def notification_unread(request: HttpRequest) -> JsonResponse:
    """The navigation's unread count (fetched by static/js/notifications.js)."""
    return JsonResponse({"unread": selectors.unread_count(user=request.user)})
