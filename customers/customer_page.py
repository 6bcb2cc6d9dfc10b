"""The customer app's own timeline entries and page panels, registered like any other app's."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.names import person_json, person_name_of
from customers import panels, timeline
from customers.access import can_edit_customer, can_record_need
from customers.forms import HouseholdLinkForm, LifeEventForm, NeedForm
from customers.models import (
    LifeEvent,
    NeedChange,
    NeedType,
    need_change_words,
    need_status_label,
    need_text,
)
from customers.selectors import need_states
from customers.timeline import TimelineEntry, model_from_row

# The body of a panel that is one form: the panel's dict gives `form`, `action` (where it
# posts), `submit` (the button's words) and `testid`.
FORM_PANEL = "customers/partials/panel_form.html"


@timeline.provider(
    "need",
    gettext_lazy("Needs"),
    rows=(
        "SELECT c.changed_at, c.id, jsonb_build_object("  # noqa: S608 (constant SQL)
        "'record', to_jsonb(c), 'need_type',"
        " (SELECT t.name FROM customers_needtype t WHERE t.id = n.need_type_id), 'staff', "
        f"{person_json('c.changed_by_id')})"
        " FROM customers_needchange c"
        " JOIN customers_customerneed n ON n.id = c.need_id"
        " WHERE n.customer_id = %(customer)s AND c.changed_at <= %(before)s"
    ),
)
def need_change_entry(at: dt.datetime, row: dict) -> TimelineEntry:
    change = model_from_row(NeedChange, row["record"])
    detail = need_change_words(change)
    if change.reason:
        detail += " " + _("(%(reason)s)") % {"reason": need_text(change.reason)}
    return TimelineEntry(
        occurred_at=at,
        kind="need",
        title=str(NeedType(name=row["need_type"])),
        detail=detail,
        actor=person_name_of(row["staff"]),
        badge=need_status_label(change.new_status),
    )


@timeline.provider(
    "life_event",
    gettext_lazy("Life events"),
    rows=timeline.entry_rows(
        "customers_lifeevent", at="event_date", dated=True, staff="recorded_by_id"
    ),
)
def life_event_entry(at: dt.datetime, row: dict) -> TimelineEntry:
    event = model_from_row(LifeEvent, row["record"])
    return TimelineEntry(
        occurred_at=at,
        kind="life_event",
        title=event.get_kind_display(),
        detail=event.note,
        actor=person_name_of(row["staff"]),
        badge=_("expected") if event.event_date > timezone.localdate() else "",
        date_only=True,
    )


@panels.panel(
    "customer-need",
    title=gettext_lazy("Record a need"),
    template=FORM_PANEL,
    order=20,
    visible=can_record_need,
)
def need_panel(request, customer) -> dict:
    return {
        "form": NeedForm(needs_loaded=need_states(customer=customer)),
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
