"""What interactions add to the customer page: the "log an interaction" panel and the
interaction and task timeline entries (one query each)."""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import person_name
from crm.names import person_fields
from customers import panels, timeline
from customers.access import has_role
from customers.models import NeedType
from customers.timeline import TimelineEntry
from interactions.forms import InteractionForm
from interactions.models import Interaction, Task
from interactions.selectors import need_priorities_for, need_types_active

NOTES_EXCERPT_CHARS = 200


@timeline.provider(
    "interaction",
    _("Interactions"),
    times=(
        "SELECT occurred_at FROM interactions_interaction"
        " WHERE customer_id = %(customer)s AND occurred_at <= %(before)s"
    ),
)
def interactions_for_timeline(
    *, customer, before: dt.datetime | None, limit: int
) -> list[TimelineEntry]:
    """Up to `limit` of the customer's interactions at or before `before`, newest first."""
    needs = NeedType.objects.filter(interactions=OuterRef("pk")).order_by("sort_order")
    qs = (
        Interaction.objects.filter(customer=customer)
        .select_related("staff")
        .only(
            "id",
            "occurred_at",
            "channel",
            "direction",
            "duration_minutes",
            "subject",
            "notes",
            "outcome",
            "product_codes",
            *person_fields("staff"),
        )
        .annotate(need_names=ArraySubquery(needs.values("name")))
        .order_by("-occurred_at", "-id")
    )
    if before is not None:
        qs = qs.filter(occurred_at__lte=before)
    entries = []
    for i in qs[:limit]:
        parts = [i.get_channel_display(), i.get_direction_display()]
        if i.duration_minutes:
            parts.append(gettext("%(minutes)d min") % {"minutes": i.duration_minutes})
        if i.need_names:
            parts.append(
                gettext("needs: %(needs)s") % {"needs": ", ".join(gettext(n) for n in i.need_names)}
            )
        if i.product_codes:
            parts.append(gettext("products: %(codes)s") % {"codes": ", ".join(i.product_codes)})
        detail = " · ".join(str(p) for p in parts)
        if i.notes:
            detail += "\n" + Truncator(i.notes).chars(NOTES_EXCERPT_CHARS)
        entries.append(
            TimelineEntry(
                occurred_at=i.occurred_at,
                kind="interaction",
                title=i.subject,
                detail=detail,
                url=reverse("interactions:detail", args=[i.pk]),
                actor=person_name(i.staff),
                badge=i.get_outcome_display(),
            )
        )
    return entries


@timeline.provider(
    "task",
    _("Tasks"),
    times=(
        "SELECT created_at FROM interactions_task WHERE customer_id = %(customer)s"
        " AND created_at <= %(before)s"
    ),
)
def tasks_for_timeline(*, customer, before: dt.datetime | None, limit: int) -> list[TimelineEntry]:
    """Up to `limit` of the customer's tasks created at or before `before`, newest first."""
    qs = (
        Task.objects.filter(customer=customer)
        .select_related("assignee")
        .only(
            "id",
            "created_at",
            "title",
            "due_date",
            "status",
            "completed_at",
            "cancel_reason",
            "origin",
            *person_fields("assignee"),
        )
        .order_by("-created_at", "-id")
    )
    if before is not None:
        qs = qs.filter(created_at__lte=before)
    today = timezone.localdate()
    entries = []
    for t in qs[:limit]:
        badge = gettext("Overdue") if t.is_overdue(today) else t.get_status_display()
        detail = gettext("Due %(date)s · assigned to %(person)s · %(origin)s") % {
            "date": t.due_date.isoformat(),
            "person": person_name(t.assignee),
            "origin": t.get_origin_display(),
        }
        if t.completed_at:
            detail += " · " + gettext("done %(when)s") % {
                "when": f"{timezone.localtime(t.completed_at):%Y-%m-%d %H:%M}"
            }
        if t.cancel_reason:
            detail += " · " + gettext("cancelled: %(reason)s") % {"reason": t.cancel_reason}
        entries.append(
            TimelineEntry(
                occurred_at=t.created_at,
                kind="task",
                title=gettext("Task: %(title)s") % {"title": t.title},
                detail=detail,
                actor=person_name(t.assignee),
                badge=str(badge),
            )
        )
    return entries


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
