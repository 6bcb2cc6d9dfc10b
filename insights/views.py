"""Thin views: look up in scope (404 outside), validate the form, call a service, redirect."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.http import branch_param
from accounts.models import Branch, Role, Staff, person_name, role_of
from crm.paging import CappedPaginator
from customers.access import has_role, is_head_office
from insights import selectors, services
from insights.charts import score_chart
from insights.forms import AlertActionForm, AlertDismissForm, AlertFilterForm
from insights.models import Alert, ScoreSnapshot
from insights.presenters import alert_evidence_words, alert_title, rule_name
from insights.records import COMPONENT_LABELS, component_records
from insights.scoring import COMPONENTS, default_period_end

PAGE_SIZE = 50


def _add_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _alert_or_404(request: HttpRequest, pk: int) -> Alert:
    try:
        return selectors.alert_detail(user=request.user, pk=pk)
    except Alert.DoesNotExist:
        raise Http404 from None


@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    """An RM's alerts; a supervisor's branch; head office all — most severe, oldest first."""
    if not has_role(request.user):
        raise PermissionDenied
    branch = branch_param(request)  # a branch outside scope: 404
    form = AlertFilterForm(
        request.GET,
        rules=selectors.rule_choices(),
        assignees=selectors.assignee_choices(
            user=request.user, branch_id=branch.pk if branch else None
        ),
        branches=selectors.branch_choices(user=request.user),
    )
    filters = form.filters()
    now = timezone.now()
    alerts = selectors.alert_list_for_user(user=request.user, filters=filters, now=now)
    page = CappedPaginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "alert": a,
            "title": alert_title(a.rule.code, a.evidence),
            "rule": rule_name(a.rule.code),
            "age_days": (now - a.created_at).days,
            "overdue": a.is_overdue(now),
        }
        for a in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    every_branch = query.copy()  # the active branch filter's "clear" link
    for name in ("branch", "assignee", "page"):
        every_branch.pop(name, None)
    ctx = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "is_head_office": role_of(request.user) == Role.HEAD_OFFICE,
        "branch": branch,
        "every_branch_query": every_branch.urlencode(),
    }
    return render(request, "insights/alert_list.html", ctx)


def _detail_context(request, alert: Alert, **forms) -> dict:
    return {
        "alert": alert,
        "title": alert_title(alert.rule.code, alert.evidence),
        "rule": rule_name(alert.rule.code),
        "evidence": alert_evidence_words(alert.rule.code, alert.evidence),
        "needs": selectors.need_names(alert.need_codes),
        "overdue": alert.is_overdue(),
        "action_form": forms.get("action_form")
        or AlertActionForm(
            initial={"follow_up_due": timezone.localdate() + dt.timedelta(days=7)},
            products=alert.product_codes,
        ),
        "dismiss_form": forms.get("dismiss_form") or AlertDismissForm(),
        "assignee_name": person_name(alert.assignee),
    }


@require_GET
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert_or_404(request, pk)
    return render(request, "insights/alert_detail.html", _detail_context(request, alert))


@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert_or_404(request, pk)
    try:
        services.alert_acknowledge(actor=request.user, alert=alert)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Alert acknowledged."))
    return redirect(alert)


@require_POST
def alert_act(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the alert as actioned, with its outcome and an optional follow-up task."""
    alert = _alert_or_404(request, pk)
    if not alert.is_open:  # a double submit, or a colleague was quicker
        messages.error(request, services.ALERT_NOT_OPEN)
        return redirect(alert)
    form = AlertActionForm(request.POST, products=alert.product_codes)
    if form.is_valid():
        try:
            services.alert_action(actor=request.user, alert=alert, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Alert actioned."))
            return redirect("insights:alert_list")
    ctx = _detail_context(request, alert, action_form=form)
    return render(request, "insights/alert_detail.html", ctx, status=400)


@require_POST
def alert_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert_or_404(request, pk)
    if not alert.is_open:
        messages.error(request, services.ALERT_NOT_OPEN)
        return redirect(alert)
    form = AlertDismissForm(request.POST)
    if form.is_valid():
        try:
            services.alert_dismiss(actor=request.user, alert=alert, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Alert dismissed."))
            return redirect("insights:alert_list")
    ctx = _detail_context(request, alert, dismiss_form=form)
    return render(request, "insights/alert_detail.html", ctx, status=400)


@require_GET
def alert_precision(request: HttpRequest) -> HttpResponse:
    """Head office: per rule, the share of decided alerts that were actioned."""
    if not is_head_office(request.user):
        raise PermissionDenied  # a page of a role: 403 (customers.access, "Pages of a role")
    return render(request, "insights/alert_precision.html", {"rules": selectors.rule_precision()})


# -- Scores -------------------------------------------------------------------------------


@require_GET
def score_list(request: HttpRequest) -> HttpResponse:
    """The latest scores in scope: an RM's own, a supervisor's branch, head office all."""
    if not has_role(request.user):
        raise PermissionDenied
    if role_of(request.user) == Role.RM:
        return redirect("insights:score_detail", request.user.pk)
    branch = branch_param(request)  # head office: one branch's staff (another's: 404)
    period_end, rows = selectors.branch_scores(
        user=request.user, branch_id=branch.pk if branch else None
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    is_head_office = role_of(request.user) == Role.HEAD_OFFICE
    ctx = {
        "period_end": period_end,
        "page": page,
        "rows": page.object_list,
        "query": query.urlencode(),
        "branch": branch,
        "branches": list(Branch.objects.order_by("code")) if is_head_office else [],
        "can_compute": is_head_office,
    }
    return render(request, "insights/score_list.html", ctx)


@require_POST
def scores_compute_now(request: HttpRequest) -> HttpResponse:
    """Head office: compute last week's scores now (queued; a worker writes the snapshots)."""
    if not is_head_office(request.user):
        raise PermissionDenied
    services.scores_compute_request(actor=request.user, period_end=default_period_end())
    messages.success(request, _("The scores are being computed; reload in a minute."))
    return redirect("insights:score_list")


@require_GET
def score_detail(request: HttpRequest, staff_id: int) -> HttpResponse:
    """One member's score: composite, components with raw figures, 12-snapshot trend, rank."""
    history = selectors.score_history(user=request.user, staff_id=staff_id)
    if not history:
        staff = Staff.objects.visible_to(request.user).filter(user_id=staff_id).first()
        if staff is None or (role_of(request.user) == Role.RM and staff_id != request.user.pk):
            raise Http404
        ctx = {"member": staff.user, "snapshot": None}
        return render(request, "insights/score_detail.html", ctx)
    wanted = request.GET.get("period")
    snapshot = next((s for s in history if str(s.period_end) == wanted), history[-1])
    components = [
        {
            "code": code,
            "label": COMPONENT_LABELS.get(code, code),
            "records_url": reverse(
                "insights:score_records", args=[staff_id, snapshot.period_end.isoformat(), code]
            ),
            **figures,
        }
        for code, figures in sorted(
            snapshot.components.items(),
            key=lambda item: COMPONENTS.index(item[0]) if item[0] in COMPONENTS else 99,
        )
    ]
    ctx = {
        "member": snapshot.staff,
        "snapshot": snapshot,
        "components": components,
        "history": history,
        "chart": score_chart(history),
    }
    return render(request, "insights/score_detail.html", ctx)


@require_GET
def score_records(request: HttpRequest, staff_id: int, period: str, component: str) -> HttpResponse:
    """The records a component counted for that snapshot (tasks, customers or alerts)."""
    try:
        period_end = dt.date.fromisoformat(period)
    except ValueError:
        raise Http404 from None
    snapshot = (
        ScoreSnapshot.objects.visible_to(request.user)
        .select_related("staff")
        .filter(staff_id=staff_id, period_end=period_end)
        .first()
    )
    if snapshot is None or component not in snapshot.components:
        raise Http404
    records = component_records(snapshot=snapshot, component=component)
    ctx = {
        "snapshot": snapshot,
        "member": snapshot.staff,
        "component": component,
        "label": COMPONENT_LABELS.get(component, component),
        "records": records,
    }
    return render(request, "insights/score_records.html", ctx)
