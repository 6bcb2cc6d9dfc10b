"""The role-based home pages and /dashboard/: an RM's day, a branch's figures for its
supervisor, every branch's for head office. Thin: selectors read, presenters shape charts."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.http import branch_param
from accounts.models import Branch, Role, branch_id_of, role_of
from crm.params import page_param
from customers import selectors as customer_selectors
from customers.access import is_supervising
from customers.exporting import csv_lines
from customers.services import audit_record
from dashboards import charts, exporting, selectors
from dashboards.forms import PeriodForm
from interactions import selectors as interaction_selectors

HOME_LIST_SIZE = 5
DRILL_DOWN_PAGE_SIZE = 50


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The role-based home page."""
    role = role_of(request.user)
    ctx: dict = {"role": role}
    if role == Role.RM:
        ctx.update(selectors.rm_day(user=request.user, size=HOME_LIST_SIZE))
        ctx["portfolio"] = customer_selectors.portfolio_summary(user=request.user)
        ctx["board"] = interaction_selectors.task_board(user=request.user, assignee=request.user)
        ctx["to_contact"] = list(
            interaction_selectors.customers_to_contact(user=request.user, rm=request.user)[
                :HOME_LIST_SIZE
            ]
        )
        ctx["score_chart"] = charts.score_trend(ctx["scores"])
        template = "dashboards/home_rm.html"
    elif role == Role.SUPERVISOR:
        staff = list(
            interaction_selectors.with_task_counts(
                interaction_selectors.team_staff(user=request.user)
            )
        )
        customers = customer_selectors.assigned_customer_counts(user=request.user)
        for member in staff:
            member.n_customers = customers.get(member.user_id, 0)
        ctx["staff"] = staff
        template = "dashboards/home_supervisor.html"
    elif role == Role.HEAD_OFFICE:
        branches = list(selectors.branch_summary(user=request.user))
        computed = [b.figures.computed_at for b in branches if getattr(b, "figures", None)]
        ctx["branches"] = branches
        ctx["figures_as_of"] = min(computed) if computed else None
        template = "dashboards/home_head_office.html"
    else:
        template = "dashboards/home_no_role.html"
    return render(request, template, ctx)


def _dashboard_branch(request: HttpRequest) -> Branch | None:
    """The branch whose dashboard is asked for: a supervisor's own (another: 404), for head
    office ?branch=<id> or None (every branch). PermissionDenied (403) for anyone else: the
    dashboards are pages of a role, like /tasks/team/ (customers.access, "Pages of a role")."""
    role = role_of(request.user)
    if not is_supervising(request.user):
        raise PermissionDenied
    branch = branch_param(request)
    if role == Role.SUPERVISOR and branch is None:
        branch = Branch.objects.filter(pk=branch_id_of(request.user)).first()
        if branch is None:
            raise Http404
    return branch


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """/dashboard/: a branch's staff, alerts, cases, feedback, needs, campaigns, assessments
    and overrides over a chosen period, every figure linking to its records."""
    branch = _dashboard_branch(request)
    form = PeriodForm(request.GET)
    today = timezone.localdate()
    period = form.selected_period(today)
    data = selectors.branch_dashboard(branch=branch, period=period, today=today)
    ctx = {
        "form": form,
        "data": data,
        "charts": charts.dashboard_charts(data),
        "is_head_office": role_of(request.user) == Role.HEAD_OFFICE,
        "branches": list(selectors.dashboard_branches(user=request.user))
        if role_of(request.user) == Role.HEAD_OFFICE
        else [],
        "query": request.GET.urlencode(),
        "exports": exporting.TABLES,
    }
    if branch is None:
        sort = request.GET.get("sort", "code")
        ctx["sort"] = sort if sort in selectors.BRANCH_SORTS else "code"
        ctx["branch_page"] = selectors.branch_comparison_page(
            data.branches, sort=ctx["sort"], page=page_param(request, "bpage")
        )
        query = request.GET.copy()
        for name in ("sort", "bpage"):
            query.pop(name, None)
        ctx["query_unsorted"] = query.urlencode()
    return render(request, "dashboards/dashboard.html", ctx)


@require_GET
def dashboard_export(request: HttpRequest, table: str) -> HttpResponse:
    """One dashboard table as CSV (formula-safe), for the same branch and period; logged in
    the access log (action "dashboard.exported")."""
    if table not in exporting.TABLES:
        raise Http404
    branch = _dashboard_branch(request)
    if (table == "staff" and branch is None) or (table == "branches" and branch is not None):
        raise Http404  # the staff table is one branch's, the comparison every branch's
    form = PeriodForm(request.GET)
    today = timezone.localdate()
    period = form.selected_period(today)
    data = selectors.branch_dashboard(branch=branch, period=period, today=today)
    header, rows = exporting.table_rows(data, table)
    audit_record(
        actor=request.user,
        action="dashboard.exported",
        detail={
            "table": table,
            **({"branch": branch.pk} if branch else {}),
            "date_from": period.start.isoformat(),
            "date_to": period.end.isoformat(),
        },
        branch=branch,
    )
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv")
    stamp = dt.datetime.now().astimezone().strftime("%Y%m%d-%H%M")
    scope = branch.code if branch else "all"
    response["Content-Disposition"] = (
        f'attachment; filename="dashboard-{table}-{scope}-{stamp}.csv"'
    )
    return response


@require_GET
def need_changes(request: HttpRequest) -> HttpResponse:
    """The need changes behind a "needs rising or falling" figure (drill-down)."""
    branch = _dashboard_branch(request)
    form = PeriodForm(request.GET)
    today = timezone.localdate()
    period = form.selected_period(today)
    need = request.GET.get("need", "")[:30]
    rows = selectors.need_changes(user=request.user, branch=branch, need=need, period=period)
    page = Paginator(rows, DRILL_DOWN_PAGE_SIZE).get_page(page_param(request))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "form": form,
        "page": page,
        "period": period,
        "branch": branch,
        "need_name": selectors.need_name(need),
        "query": query.urlencode(),
    }
    return render(request, "dashboards/need_changes.html", ctx)


@require_GET
def assessments_expiring(request: HttpRequest) -> HttpResponse:
    """The customers behind "risk assessments expiring within 30 days" (drill-down)."""
    branch = _dashboard_branch(request)
    today = timezone.localdate()
    rows = selectors.assessments_expiring(user=request.user, branch=branch, today=today)
    page = Paginator(rows, DRILL_DOWN_PAGE_SIZE).get_page(page_param(request))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {"page": page, "branch": branch, "query": query.urlencode()}
    return render(request, "dashboards/assessments_expiring.html", ctx)
