"""Thin views: look up in scope, validate the form, call a service, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role, Staff, role_of
from crm.concurrency import VERSION_FIELD, EditConflict, conflict_to_form, version_of
from crm.http import safe_next_url
from crm.params import id_param, page_param
from crm.submit_once import AlreadySubmitted, already_submitted
from customers.access import can_see_team
from customers.models import Customer
from customers.timeline import timeline_page
from interactions import actions, selectors, services
from interactions.forms import CancelTaskForm, InteractionForm, RescheduleForm, TaskForm
from interactions.models import Interaction, Task

RECENT_ENTRIES = 10
TEAM_PAGE_SIZE = 50
TO_CONTACT_PAGE_SIZE = 25


def _add_errors(form, exc: ValidationError, renames: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError next to the matching form fields."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        name = (renames or {}).get(field, field)
        form.add_error(name if name in form.fields else None, errors)


def _customer_in_scope(request: HttpRequest, customer_id: int) -> Customer:
    return get_object_or_404(
        Customer.objects.visible_to(request.user).select_related("branch", "relationship_manager"),
        pk=customer_id,
    )


# -- Interactions ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def interaction_create(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Log an interaction; the customer page's panel posts here and comes back on success."""
    customer = _customer_in_scope(request, customer_id)
    form = InteractionForm(
        request.POST or None,
        need_types=selectors.need_types_active(),
        priorities=selectors.need_priorities_for(customer=customer),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.interaction_log(actor=request.user, customer=customer, **form.service_kwargs())
        except AlreadySubmitted as exc:
            return already_submitted(request, exc, reverse("customers:detail", args=[customer.pk]))
        except ValidationError as exc:
            _add_errors(form, exc, {"due_date": "follow_up_due", "title": "follow_up_title"})
        else:
            messages.success(request, _("Interaction logged."))
            return redirect(safe_next_url(request, reverse("customers:detail", args=[customer.pk])))
    ctx = {
        "form": form,
        "customer": customer,
        "customer_url": reverse("customers:detail", args=[customer.pk]),
        "next": safe_next_url(request, ""),
        "recent": timeline_page(
            customer=customer, viewer=request.user, size=RECENT_ENTRIES
        ).entries,
    }
    return render(request, "interactions/interaction_form.html", ctx)


@require_GET
def interaction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        interaction = selectors.interaction_detail(user=request.user, pk=pk)
    except Interaction.DoesNotExist:
        raise Http404 from None
    ctx = {
        "interaction": interaction,
        "customer_url": reverse("customers:detail", args=[interaction.customer_id]),
        "products": selectors.products_discussed(interaction=interaction),
        "history": selectors.interaction_history(interaction=interaction),
        "edit_refusal": services.interaction_edit_refusal(
            user=request.user, interaction=interaction
        ),
        "actions": actions.actions_for(user=request.user, interaction=interaction),
    }
    return render(request, "interactions/interaction_detail.html", ctx)


@require_http_methods(["GET", "POST"])
def interaction_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit an interaction: its author only (403 for others), within 24 hours of logging."""
    interaction = get_object_or_404(
        Interaction.objects.visible_to(request.user).select_related("customer"), pk=pk
    )
    if interaction.staff_id != request.user.pk:
        raise PermissionDenied(services.INTERACTION_NOT_AUTHOR)
    refusal = services.interaction_edit_refusal(user=request.user, interaction=interaction)
    if refusal is not None:
        messages.error(request, refusal)
        return redirect(interaction)
    initial = {name: getattr(interaction, name) for name in services.EDITABLE_FIELDS}
    initial["product_codes"] = ", ".join(interaction.product_codes)
    initial[VERSION_FIELD] = version_of(interaction)
    initial["needs"] = [str(pk) for pk in interaction.needs.values_list("pk", flat=True)]
    form = InteractionForm(
        request.POST or None,
        initial=initial,
        need_types=selectors.need_types_active(),
        priorities=selectors.need_priorities_for(customer=interaction.customer),
        with_follow_up=False,
    )
    if request.method == "POST" and form.is_valid():
        try:
            fields = form.service_kwargs()
            fields.pop("submission_token", None)  # an edit changes one record: nothing to repeat
            needs = fields.pop("needs")
            services.interaction_update(
                actor=request.user,
                interaction=interaction,
                fields=fields,
                needs=needs,
                expected_version=form.cleaned_data.get(VERSION_FIELD),
                priorities_shown=form.priorities_shown(),
            )
        except EditConflict as conflict:
            conflict_to_form(form, conflict)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Interaction updated."))
            return redirect(interaction)
    ctx = {
        "form": form,
        "interaction": interaction,
        "customer": interaction.customer,
        "customer_url": reverse("customers:detail", args=[interaction.customer_id]),
    }
    return render(request, "interactions/interaction_edit.html", ctx)


# -- Tasks -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Create a task by hand for a customer, assigned to oneself."""
    customer = _customer_in_scope(request, customer_id)
    form = TaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_create(actor=request.user, customer=customer, **form.cleaned_data)
        except AlreadySubmitted as exc:
            return already_submitted(request, exc, reverse("customers:detail", args=[customer.pk]))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Task added."))
            return redirect(safe_next_url(request, reverse("customers:detail", args=[customer.pk])))
    ctx = {
        "form": form,
        "customer": customer,
        "customer_url": reverse("customers:detail", args=[customer.pk]),
        "next": safe_next_url(request, ""),
    }
    return render(request, "interactions/task_form.html", ctx)


@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    """My open tasks: overdue, due today, upcoming."""
    ctx = {
        "board": selectors.task_board(user=request.user, assignee=request.user),
        "own": True,
        "can_see_team": can_see_team(request.user),
    }
    return render(request, "interactions/task_list.html", ctx)


def _task_action(request: HttpRequest, pk: int, action, done_message: str) -> HttpResponse:
    task = get_object_or_404(Task.objects.visible_to(request.user), pk=pk)
    try:
        action(actor=request.user, task=task)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done_message % {"title": task.title})
    return redirect(safe_next_url(request, reverse("interactions:task_list")))


@require_POST
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_action(request, pk, services.task_complete, _("Done: %(title)s"))


@require_http_methods(["GET", "POST"])
def task_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a task: a confirmation page that asks for the reason (kept in the history)."""
    task = get_object_or_404(
        Task.objects.visible_to(request.user).select_related("customer"), pk=pk
    )
    if task.assignee_id != request.user.pk:
        raise PermissionDenied(services.TASK_NOT_ASSIGNEE)
    if task.status != Task.Status.OPEN:
        messages.error(request, services.TASK_NOT_OPEN)
        return redirect(safe_next_url(request, reverse("interactions:task_list")))
    form = CancelTaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_cancel(actor=request.user, task=task, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Cancelled: %(title)s") % {"title": task.title})
            return redirect(safe_next_url(request, reverse("interactions:task_list")))
    ctx = {
        "form": form,
        "task": task,
        "customer_url": reverse("customers:detail", args=[task.customer_id]),
        "next": safe_next_url(request, ""),
    }
    return render(request, "interactions/task_cancel.html", ctx)


@require_http_methods(["GET", "POST"])
def task_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a task's due date with a reason (kept in the task's reschedule record)."""
    task = get_object_or_404(
        Task.objects.visible_to(request.user).select_related("customer"), pk=pk
    )
    if task.assignee_id != request.user.pk:
        raise PermissionDenied(services.TASK_NOT_ASSIGNEE)
    form = RescheduleForm(
        request.POST or None, initial={"due_date": task.due_date, VERSION_FIELD: version_of(task)}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        expected = data.pop(VERSION_FIELD, None)
        try:
            services.task_reschedule(
                actor=request.user, task=task, expected_version=expected, **data
            )
        except EditConflict as conflict:
            conflict_to_form(form, conflict)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Task rescheduled."))
            return redirect("interactions:task_list")
    ctx = {
        "form": form,
        "task": task,
        "customer_url": reverse("customers:detail", args=[task.customer_id]),
        "reschedules": selectors.task_reschedules(task=task),
    }
    return render(request, "interactions/task_reschedule.html", ctx)


def _require_supervision(request: HttpRequest) -> None:
    if not can_see_team(request.user):
        raise PermissionDenied


@require_GET
def team_tasks(request: HttpRequest) -> HttpResponse:
    """Supervisors: open and overdue tasks (and customers to contact) per staff member."""
    _require_supervision(request)
    page = Paginator(selectors.team_staff(user=request.user), TEAM_PAGE_SIZE).get_page(
        page_param(request)
    )
    page.object_list = selectors.with_task_counts(page.object_list)
    return render(request, "interactions/team_tasks.html", {"page": page})


@require_GET
def team_member_tasks(request: HttpRequest, user_id: int) -> HttpResponse:
    """Supervisors: one staff member's open tasks (read-only drill-down)."""
    _require_supervision(request)
    try:
        member = selectors.team_member(user=request.user, user_id=user_id)
    except Staff.DoesNotExist:
        raise Http404 from None
    ctx = {
        "board": selectors.task_board(user=request.user, assignee=member.user),
        "member": member,
        "own": False,
    }
    return render(request, "interactions/task_list.html", ctx)


# -- Customers to contact --------------------------------------------------------------------


@require_GET
def to_contact(request: HttpRequest) -> HttpResponse:
    """Assigned affluent-or-above customers with no interaction for 90 days, oldest first.

    An RM sees their own list; a supervisor (or head office) picks an RM with ?rm=<user id>.
    """
    role = role_of(request.user)
    if role is None:
        raise PermissionDenied
    rm_staff, choices = None, None
    if role == Role.RM:
        rm = request.user
    else:
        rm_id = id_param(request, "rm")
        if rm_id is not None:
            rm_staff = (
                selectors.relationship_managers_visible_to(user=request.user)
                .filter(user_id=rm_id)
                .first()
            )
            if rm_staff is None:
                raise Http404
            rm = rm_staff.user
        else:
            rm = None
            if role == Role.SUPERVISOR:
                choices = selectors.relationship_managers_visible_to(user=request.user)
    page = None
    if rm is not None:
        customers = selectors.customers_to_contact(user=request.user, rm=rm)
        page = Paginator(customers, TO_CONTACT_PAGE_SIZE).get_page(page_param(request))
    ctx = {
        "page": page,
        "rm_staff": rm_staff,
        "choices": choices,
        "query": f"rm={rm_staff.user_id}" if rm_staff else "",
        "gap_days": selectors.CONTACT_GAP_DAYS,
    }
    return render(request, "interactions/to_contact.html", ctx)
