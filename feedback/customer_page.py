"""What the feedback app adds to the customer page: feedback and cases on the timeline,
and panels to record feedback and open a case."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import person_name, role_of
from crm.names import person_fields
from customers import panels, timeline
from customers.timeline import TimelineEntry
from feedback.models import Case, Feedback
from interactions.models import Interaction


@timeline.provider(
    "feedback",
    _("Feedback"),
    times=(
        "SELECT received_at FROM feedback_feedback WHERE customer_id = %(customer)s"
        " AND received_at <= %(before)s"
    ),
)
def feedback_for_timeline(
    *, customer, before: dt.datetime | None, limit: int
) -> list[TimelineEntry]:
    """Up to `limit` of the customer's feedback at or before `before`, newest first."""
    qs = (
        Feedback.objects.filter(customer=customer)
        .select_related("staff")
        .order_by("-received_at", "-id")
    )
    if before is not None:
        qs = qs.filter(received_at__lte=before)
    entries = []
    for f in qs[:limit]:
        scores = []
        if f.csat is not None:
            scores.append(gettext("CSAT %(score)d/5") % {"score": f.csat})
        if f.nps is not None:
            scores.append(gettext("NPS %(score)d/10") % {"score": f.nps})
        detail = " · ".join([*scores, str(f.get_channel_display()), str(f.get_category_display())])
        if f.comment:
            detail += "\n" + f.comment[:200]
        entries.append(
            TimelineEntry(
                occurred_at=f.received_at,
                kind="feedback",
                title=gettext("Feedback"),
                detail=detail,
                url=reverse("feedback:feedback_list") + f"?customer={customer.pk}",
                actor=person_name(f.staff),
                badge=gettext("Detractor") if f.is_detractor else "",
            )
        )
    return entries


@timeline.provider(
    "case",
    _("Cases"),
    times=(
        "SELECT opened_at FROM feedback_case"
        " WHERE customer_id = %(customer)s AND opened_at <= %(before)s"
    ),
)
def cases_for_timeline(*, customer, before: dt.datetime | None, limit: int) -> list[TimelineEntry]:
    """Up to `limit` of the customer's cases opened at or before `before`, newest first."""
    qs = (
        Case.objects.filter(customer=customer)
        .select_related("assignee")
        .only(
            "id",
            "case_type",
            "subject",
            "status",
            "severity",
            "opened_at",
            "resolve_breached",
            *person_fields("assignee"),
        )
        .order_by("-opened_at", "-id")
    )
    if before is not None:
        qs = qs.filter(opened_at__lte=before)
    return [
        TimelineEntry(
            occurred_at=c.opened_at,
            kind="case",
            title=gettext("%(type)s #%(id)d: %(subject)s")
            % {"type": c.get_case_type_display(), "id": c.pk, "subject": c.subject},
            detail=gettext("Severity: %(severity)s") % {"severity": c.get_severity_display()},
            url=reverse("feedback:case_detail", args=[c.pk]),
            actor=person_name(c.assignee),
            badge=gettext("Breached") if c.resolve_breached else str(c.get_status_display()),
        )
        for c in qs[:limit]
    ]


RECENT_INTERACTIONS = 3


@panels.panel(
    "feedback",
    title=_("Feedback and complaints"),
    template="feedback/partials/feedback_panel.html",
    order=30,
    visible=lambda user, customer: role_of(user) is not None,
)
def feedback_panel(request, customer) -> dict:
    """Record feedback, open a case, and — for the latest interactions — a survey link or a
    case for a complaint raised that has none yet (one query)."""
    recent = list(
        Interaction.objects.filter(customer=customer)
        .annotate(has_case=Exists(Case.objects.filter(interaction=OuterRef("pk"))))
        .only("id", "subject", "occurred_at", "outcome")
        .order_by("-occurred_at", "-id")[:RECENT_INTERACTIONS]
    )
    case_url = reverse("feedback:case_create", args=[customer.pk])
    return {
        "feedback_url": reverse("feedback:feedback_create", args=[customer.pk]),
        "case_url": case_url,
        "complaints": [
            {"interaction": i, "url": f"{case_url}?interaction={i.pk}"}
            for i in recent
            if i.outcome == Interaction.Outcome.COMPLAINT and not i.has_case
        ],
        "survey_for": [
            {"interaction": i, "url": reverse("feedback:survey_link_create", args=[i.pk])}
            for i in recent
        ],
    }
