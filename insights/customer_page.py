"""What insights adds to the customer page: alerts on the timeline and an alerts panel."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from accounts.models import person_name, role_of
from crm.names import person_fields
from customers import panels, timeline
from customers.timeline import TimelineEntry
from insights.models import Alert
from insights.presenters import alert_evidence_words, alert_title

PANEL_ALERTS = 5


@timeline.provider(
    "alert",
    gettext_lazy("Alerts"),
    times=(
        "SELECT created_at FROM insights_alert"
        " WHERE customer_id = %(customer)s AND created_at <= %(before)s"
    ),
)
def alerts_for_timeline(*, customer, before, limit) -> list[TimelineEntry]:
    """Up to `limit` of the customer's alerts created at or before `before`, newest first
    (one query)."""
    qs = (
        Alert.objects.filter(customer=customer)
        .select_related("rule", "assignee")
        .only(
            "id",
            "created_at",
            "status",
            "evidence",
            "rule__code",
            *person_fields("assignee"),
        )
        .order_by("-created_at", "-id")
    )
    if before is not None:
        qs = qs.filter(created_at__lte=before)
    statuses = dict(Alert.Status.choices)
    return [
        TimelineEntry(
            occurred_at=a.created_at,
            kind="alert",
            title=alert_title(a.rule.code, a.evidence),
            detail=" ".join(alert_evidence_words(a.rule.code, a.evidence)),
            url=a.get_absolute_url(),
            actor=person_name(a.assignee),
            badge=str(statuses.get(a.status, "")),
        )
        for a in qs[:limit]
    ]


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
