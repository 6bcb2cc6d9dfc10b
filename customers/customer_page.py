"""The customer app's own timeline entries and page panels, registered like any other app's."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import person_name
from customers import panels, timeline
from customers.access import can_edit_customer, can_record_need
from customers.forms import HouseholdLinkForm, LifeEventForm, NeedForm
from customers.models import LifeEvent, NeedChange, need_change_words, need_status_label
from customers.timeline import TimelineEntry

# The body of a panel that is one form: the panel's dict gives `form`, `action` (where it
# posts), `submit` (the button's words) and `testid`.
FORM_PANEL = "customers/partials/panel_form.html"


@timeline.provider(
    "need",
    gettext_lazy("Needs"),
    times=(
        "SELECT c.changed_at FROM customers_needchange c"
        " JOIN customers_customerneed n ON n.id = c.need_id"
        " WHERE n.customer_id = %(customer)s AND c.changed_at <= %(before)s"
    ),
)
def need_changes_for_timeline(*, customer, before, limit) -> list[TimelineEntry]:
    changes = NeedChange.objects.filter(need__customer=customer).select_related(
        "need__need_type", "changed_by"
    )
    if before is not None:
        changes = changes.filter(changed_at__lte=before)
    entries = []
    for change in changes.order_by("-changed_at")[:limit]:
        detail = need_change_words(change)
        if change.reason:
            detail += f" ({change.reason})"
        entries.append(
            TimelineEntry(
                occurred_at=change.changed_at,
                kind="need",
                title=str(change.need.need_type),
                detail=detail,
                actor=person_name(change.changed_by),
                badge=need_status_label(change.new_status),
            )
        )
    return entries


@timeline.provider(
    "life_event",
    gettext_lazy("Life events"),
    times=(
        "SELECT event_date::timestamp AT TIME ZONE %(tz)s FROM customers_lifeevent"
        " WHERE customer_id = %(customer)s"
        " AND event_date <= (%(before)s AT TIME ZONE %(tz)s)::date"
    ),
)
def life_events_for_timeline(*, customer, before, limit) -> list[TimelineEntry]:
    events = LifeEvent.objects.filter(customer=customer).select_related("recorded_by")
    if before is not None:
        events = events.filter(event_date__lte=timezone.localtime(before).date())
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    return [
        TimelineEntry(
            occurred_at=dt.datetime.combine(e.event_date, dt.time.min, tzinfo=tz),
            kind="life_event",
            title=e.get_kind_display(),
            detail=e.note,
            actor=person_name(e.recorded_by),
            badge=_("expected") if e.event_date > today else "",
            date_only=True,
        )
        for e in events.order_by("-event_date", "-pk")[:limit]
    ]


@panels.panel(
    "customer-need",
    title=gettext_lazy("Record a need"),
    template=FORM_PANEL,
    order=20,
    visible=can_record_need,
)
def need_panel(request, customer) -> dict:
    return {
        "form": NeedForm(),
        "action": reverse("customers:need_record", args=[customer.pk]),
        "submit": _("Record need"),
        "testid": "need-form",
    }


@panels.panel(
    "customer-life-event",
    title=gettext_lazy("Record a life event"),
    template=FORM_PANEL,
    order=30,
    visible=can_edit_customer,
)
def life_event_panel(request, customer) -> dict:
    return {
        "form": LifeEventForm(),
        "action": reverse("customers:life_event_record", args=[customer.pk]),
        "submit": _("Record life event"),
        "testid": "life-event-form",
    }


@panels.panel(
    "customer-household",
    title=gettext_lazy("Link a household member"),
    template=FORM_PANEL,
    order=50,
    visible=can_edit_customer,
)
def household_panel(request, customer) -> dict:
    return {
        "form": HouseholdLinkForm(),
        "action": reverse("customers:household_link", args=[customer.pk]),
        "submit": _("Link"),
        "testid": "household-form",
    }
