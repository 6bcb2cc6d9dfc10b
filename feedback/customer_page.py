"""What the feedback app adds to the customer page: feedback and cases on the timeline,
and panels to record feedback and open a case."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import role_of
from crm.names import person_name_of
from customers import panels, timeline
from customers.timeline import TimelineEntry, model_from_row
from feedback.models import Case, Feedback
from interactions.models import Interaction


@timeline.provider(
    "feedback",
    _("Feedback"),
    rows=timeline.entry_rows("feedback_feedback", at="received_at", staff="staff_id"),
)
def feedback_entry(at: dt.datetime, row: dict) -> TimelineEntry:
    """Feedback: its scores, channel and category, the start of the comment."""
    f = model_from_row(Feedback, row["record"])
    scores = []
    if f.csat is not None:
        scores.append(gettext("CSAT %(score)d/5") % {"score": f.csat})
    if f.nps is not None:
        scores.append(gettext("NPS %(score)d/10") % {"score": f.nps})
    detail = " · ".join([*scores, str(f.get_channel_display()), str(f.get_category_display())])
    if f.comment:
        detail += "\n" + f.comment[:200]
    return TimelineEntry(
        occurred_at=at,
        kind="feedback",
        title=gettext("Feedback"),
        detail=detail,
        url=reverse("feedback:feedback_list") + f"?customer={f.customer_id}",
        actor=person_name_of(row["staff"]),
        badge=gettext("Detractor") if f.is_detractor else "",
    )


@timeline.provider(
    "case",
    _("Cases"),
    rows=timeline.entry_rows("feedback_case", at="opened_at", staff="assignee_id"),
)
def case_entry(at: dt.datetime, row: dict) -> TimelineEntry:
    """A case, by when it was opened: type, subject, severity and state (breached first)."""
    c = model_from_row(Case, row["record"])
    return TimelineEntry(
        occurred_at=at,
        kind="case",
        title=gettext("%(type)s #%(id)d: %(subject)s")
        % {"type": c.get_case_type_display(), "id": c.pk, "subject": c.subject},
        detail=gettext("Severity: %(severity)s") % {"severity": c.get_severity_display()},
        url=reverse("feedback:case_detail", args=[c.pk]),
        actor=person_name_of(row["staff"]),
        badge=gettext("Breached") if c.resolve_breached else str(c.get_status_display()),
    )


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
