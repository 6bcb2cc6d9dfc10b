"""The "log an interaction" panel of the customer page."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import role_of
from customers import panels
from interactions.forms import InteractionForm
from interactions.selectors import need_priorities_for, need_types_active


@panels.panel("log-interaction", "interactions/partials/log_panel.html", order=10)
def log_panel(request, customer) -> dict | None:
    """The logging form; anyone who can open the customer's page may log (two queries)."""
    if role_of(request.user) is None:
        return None
    form = InteractionForm(
        need_types=need_types_active(), priorities=need_priorities_for(customer=customer)
    )
    return {
        "form": form,
        "action": reverse("interactions:create", args=[customer.pk]),
        "task_url": reverse("interactions:task_create", args=[customer.pk]),
    }
