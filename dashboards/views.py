"""The role-based home pages: an RM's day, a supervisor's team, head office's branches."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Role, role_of
from customers import selectors as customer_selectors
from dashboards import selectors
from interactions import selectors as interaction_selectors

HOME_LIST_SIZE = 5


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The role-based home page."""
    role = role_of(request.user)
    ctx: dict = {"role": role}
    if role == Role.RM:
        ctx["portfolio"] = customer_selectors.portfolio_summary(user=request.user)
        ctx["board"] = interaction_selectors.task_board(user=request.user, assignee=request.user)
        ctx["to_contact"] = list(
            interaction_selectors.customers_to_contact(user=request.user, rm=request.user)[
                :HOME_LIST_SIZE
            ]
        )
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
