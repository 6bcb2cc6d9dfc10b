"""What insights adds to the customer page: alerts on the timeline and an alerts panel."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from accounts.models import role_of
from crm.names import person_name_of
from customers import panels, timeline
from customers.timeline import TimelineEntry, model_from_row
from insights.models import ALERT_SCOPE_SQL, Alert
from insights.presenters import alert_evidence_words, alert_title

PANEL_ALERTS = 5


@timeline.provider(
    "alert",
    gettext_lazy("Alerts"),
    rows=timeline.entry_rows(
        "insights_alert",
        at="created_at",
        staff="assignee_id",
        more="'rule', (SELECT r.code FROM insights_alertrule r WHERE r.id = e.rule_id)",
        scope=ALERT_SCOPE_SQL,
    ),
)
def alert_entry(at, row: dict) -> TimelineEntry:
    """An alert, by when it was raised: what it noticed, its evidence and its state."""
    alert = model_from_row(Alert, row["record"])
    return TimelineEntry(
        occurred_at=at,
        kind="alert",
        title=alert_title(row["rule"], alert.evidence),
        detail=" ".join(alert_evidence_words(row["rule"], alert.evidence)),
        url=alert.get_absolute_url(),
        actor=person_name_of(row["staff"]),
        badge=alert.get_status_display(),
    )


@panels.panel(
    "insights-alerts",
    title=gettext_lazy("Need-change alerts"),
    template="insights/partials/panel_alerts.html",
    order=5,
    visible=lambda user, customer: role_of(user) is not None,
)
def alerts_panel(request, customer) -> dict:
    """The customer's open alerts that this user may see, newest first (one query)."""
    alerts = list(
        Alert.objects.visible_to(request.user)
        .open()
        .filter(customer=customer)
        .select_related("rule")
        .order_by("-created_at")[:PANEL_ALERTS]
    )
    return {
        "list_url": reverse("insights:alert_list") + f"?customer={customer.pk}",
        "alerts": [
            {
                "alert": a,
                "title": alert_title(a.rule.code, a.evidence),
                "overdue": a.is_overdue(),
            }
            for a in alerts
        ],
    }
