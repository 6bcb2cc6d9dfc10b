"""What interactions add to the customer page: the "log an interaction" panel and the
interaction and task timeline entries."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.names import person_name_of
from customers import panels, timeline
from customers.access import has_role
from customers.models import NeedType
from customers.timeline import TimelineEntry, model_from_row
from interactions.forms import InteractionForm
from interactions.models import Interaction, Task
from interactions.selectors import need_priorities_for, need_types_active

NOTES_EXCERPT_CHARS = 200


@timeline.provider(
    "interaction",
    _("Interactions"),
    rows=timeline.entry_rows(
        "interactions_interaction",
        at="occurred_at",
        staff="staff_id",
        more="'needs', ARRAY(SELECT t.name FROM interactions_interaction_needs x"
        " JOIN customers_needtype t ON t.id = x.needtype_id"
        " WHERE x.interaction_id = e.id ORDER BY t.sort_order, t.id)",
    ),
)
def interaction_entry(at: dt.datetime, row: dict) -> TimelineEntry:
    """An interaction: channel, direction, length, needs and products discussed, the start
    of its notes."""
    i = model_from_row(Interaction, row["record"])
    parts = [i.get_channel_display(), i.get_direction_display()]
    if i.duration_minutes:
        parts.append(gettext("%(minutes)d min") % {"minutes": i.duration_minutes})
    if row["needs"]:
        needs = ", ".join(str(NeedType(name=n)) for n in row["needs"])
        parts.append(gettext("needs: %(needs)s") % {"needs": needs})
    if i.product_codes:
        parts.append(gettext("products: %(codes)s") % {"codes": ", ".join(i.product_codes)})
    detail = " · ".join(str(p) for p in parts)
    if i.notes:
        detail += "\n" + Truncator(i.notes).chars(NOTES_EXCERPT_CHARS)
    return TimelineEntry(
        occurred_at=at,
        kind="interaction",
        title=i.subject,
        detail=detail,
        url=reverse("interactions:detail", args=[i.pk]),
        actor=person_name_of(row["staff"]),
        badge=i.get_outcome_display(),
    )


@timeline.provider(
    "task",
    _("Tasks"),
    rows=timeline.entry_rows("interactions_task", at="created_at", staff="assignee_id"),
)
def task_entry(at: dt.datetime, row: dict) -> TimelineEntry:
    """A task, by when it was created: its state (overdue, done, cancelled), due date and
    assignee."""
    t = model_from_row(Task, row["record"])
    assignee = person_name_of(row["staff"])
    badge = gettext("Overdue") if t.is_overdue(timezone.localdate()) else t.get_status_display()
    detail = gettext("Due %(date)s · assigned to %(person)s · %(origin)s") % {
        "date": t.due_date.isoformat(),
        "person": assignee,
        "origin": t.get_origin_display(),
    }
    if t.completed_at:
        detail += " · " + gettext("done %(when)s") % {
            "when": f"{timezone.localtime(t.completed_at):%Y-%m-%d %H:%M}"
        }
    if t.cancel_reason:
        detail += " · " + gettext("cancelled: %(reason)s") % {"reason": t.cancel_reason}
    return TimelineEntry(
        occurred_at=at,
        kind="task",
        title=gettext("Task: %(title)s") % {"title": t.title},
        detail=detail,
        actor=assignee,
        badge=str(badge),
    )


@panels.panel(
    "log-interaction",
    title=_("Log an interaction"),
    template="interactions/partials/log_panel.html",
    order=10,
    visible=lambda user, customer: has_role(user),
)
def log_panel(request, customer) -> dict:
    """The logging form; anyone who can open the customer's page may log (two queries)."""
    form = InteractionForm(
        need_types=need_types_active(), priorities=need_priorities_for(customer=customer)
    )
    return {
        "form": form,
        "action": reverse("interactions:create", args=[customer.pk]),
        "task_url": reverse("interactions:task_create", args=[customer.pk]),
    }
