"""The records behind a score component: what a supervisor opens to check a figure."""

from __future__ import annotations

from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from feedback.models import Case, Feedback
from insights.models import Alert, ScoreSnapshot
from insights.scoring import Period
from interactions.models import Interaction, Task

COMPONENT_LABELS = {
    "csat": _("CSAT"),
    "nps": _("NPS"),
    "complaints": _("Complaints per 100 interactions (inverted)"),
    "case_sla": _("Case SLA compliance"),
    "follow_up_on_time": _("Follow-up tasks done on time"),
    "contact_coverage": _("Contact coverage (weighted by segment)"),
    "alert_responsiveness": _("Alert responsiveness"),
}
MAX_RECORDS = 200


def component_records(*, snapshot: ScoreSnapshot, component: str) -> dict:
    """{"rows": [...], "total": n}: up to MAX_RECORDS records the component counts, as the
    data is now (the stored figures are the ones of the snapshot's run). One or two queries."""
    period = Period(start=snapshot.period_start, end=snapshot.period_end)
    start, end = period.bounds()
    if component == "follow_up_on_time":
        tasks = (
            Task.objects.filter(
                assignee_id=snapshot.staff_id, due_date__range=(period.start, period.end)
            )
            .exclude(status=Task.Status.CANCELLED)
            .select_related("customer")
            .order_by("due_date", "pk")
        )
        rows = [
            {
                "task": t,
                "on_time": t.status == Task.Status.DONE
                and timezone.localtime(t.completed_at).date() <= t.due_date,
            }
            for t in tasks[:MAX_RECORDS]
        ]
        return {"rows": rows, "total": tasks.count()}
    if component == "contact_coverage":
        contacts = Interaction.objects.filter(
            customer=OuterRef("pk"), occurred_at__gte=start, occurred_at__lt=end
        )
        customers = (
            Customer.objects.filter(
                relationship_manager_id=snapshot.staff_id,
                status__in=[Customer.Status.ACTIVE, Customer.Status.DORMANT],
            )
            .annotate(contacted=Exists(contacts))
            .annotate(last_contact=Max("interactions__occurred_at"))
            .only("id", "name", "customer_number", "segment")
            .order_by("contacted", "name", "pk")
        )
        return {"rows": list(customers[:MAX_RECORDS]), "total": customers.count()}
    if component == "alert_responsiveness":
        alerts = (
            Alert.objects.filter(
                assignee_id=snapshot.staff_id, created_at__gte=start, created_at__lt=end
            )
            .select_related("customer", "rule")
            .order_by("created_at", "pk")
        )
        rows = []
        for a in alerts[:MAX_RECORDS]:
            responded = a.acknowledged_at or a.closed_at
            hours = (
                round((min(responded, end) - a.created_at).total_seconds() / 3600, 1)
                if responded
                else None
            )
            rows.append({"alert": a, "hours": hours})
        return {"rows": rows, "total": alerts.count()}
    if component in ("csat", "nps"):
        field = component
        feedback = (
            Feedback.objects.filter(
                staff_id=snapshot.staff_id,
                received_at__gte=start,
                received_at__lt=end,
                **{f"{field}__isnull": False},
            )
            .select_related("customer")
            .order_by("received_at", "pk")
        )
        return {"rows": list(feedback[:MAX_RECORDS]), "total": feedback.count()}
    if component in ("complaints", "case_sla"):
        if component == "complaints":
            cases = Case.objects.filter(
                Q(about_staff_id=snapshot.staff_id)
                | Q(about_staff__isnull=True, interaction__staff_id=snapshot.staff_id),
                case_type="complaint",
            )
        else:
            cases = Case.objects.filter(assignee_id=snapshot.staff_id).filter(
                Q(status__in=["resolved", "closed"])
                | Q(acknowledge_breached=True)
                | Q(resolve_breached=True)
            )
        cases = (
            cases.filter(opened_at__gte=start, opened_at__lt=end)
            .select_related("customer")
            .order_by("opened_at", "pk")
        )
        return {"rows": list(cases[:MAX_RECORDS]), "total": cases.count()}
    return {"rows": [], "total": 0}
