"""Plausible dates on the way in, and any stored date readable on the way out (issue 8 item 2)."""

import datetime as dt
import io
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.services import role_groups_sync
from crm.dates import EARLIEST, plausible_date_check, plausible_latest
from customers import importing
from customers import services as customer_services
from interactions import services
from interactions.models import Interaction
from tests.customers.factories import CustomerFactory
from tests.interactions.factories import InteractionFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
YEAR_ONE = "0001-01-01T00:00"


@pytest.mark.parametrize(
    "value",
    [
        dt.date(1, 1, 1),
        dt.date(1899, 12, 31),
        dt.datetime(1, 1, 1, tzinfo=SHANGHAI),  # the example: year 0 once converted to UTC
        dt.date(9999, 12, 31),
        dt.date(timezone.localdate().year + 101, 1, 1),
    ],
)
def test_implausible_dates_are_refused(value):
    with pytest.raises(ValidationError, match="Enter a date between 1900-01-01"):
        plausible_date_check(value)


@pytest.mark.parametrize("value", [None, EARLIEST, dt.date(1985, 6, 15), plausible_latest()])
def test_plausible_dates_pass(value):
    plausible_date_check(value)


def test_the_service_refuses_a_year_one_interaction(rm_alice, alices_customer):
    with pytest.raises(ValidationError, match="1900-01-01"):
        services.interaction_log(
            actor=rm_alice,
            customer=alices_customer,
            channel="phone",
            direction="outbound",
            occurred_at=dt.datetime(1, 1, 1, tzinfo=SHANGHAI),
            subject="x",
            outcome="interested",
        )
    assert not Interaction.objects.exists()


def test_the_form_refuses_a_year_one_interaction(alice_client, alices_customer):
    url = reverse("interactions:create", args=[alices_customer.pk])
    response = alice_client.post(
        url,
        {
            "channel": "phone",
            "direction": "outbound",
            "occurred_at": YEAR_ONE,
            "subject": "Call",
            "outcome": "interested",
        },
    )
    assert response.status_code == 200
    assert "Enter a date between 1900-01-01" in response.content.decode()
    assert not Interaction.objects.exists()


@pytest.mark.parametrize(
    ("url_name", "field"),
    [("interactions:task_create", "due_date")],
)
def test_task_forms_refuse_far_future_dates(alice_client, alices_customer, url_name, field):
    url = reverse(url_name, args=[alices_customer.pk])
    response = alice_client.post(url, {"title": "Call back", field: "9999-12-31"})
    assert response.status_code == 200
    assert "Enter a date between" in response.content.decode()


def test_life_event_and_birth_date_services_refuse_implausible_dates(rm_alice, alices_customer):
    with pytest.raises(ValidationError):
        customer_services.life_event_record(
            actor=rm_alice, customer=alices_customer, kind="marriage", event_date=dt.date(1, 1, 1)
        )
    with pytest.raises(ValidationError):
        customer_services.customer_update(
            actor=rm_alice, customer=alices_customer, fields={"date_of_birth": dt.date(1, 1, 1)}
        )


def test_the_import_refuses_implausible_dates(head_office, alices_customer):
    lines = io.StringIO(
        "customer_number,as_of,deposits,investments,loans\n"
        f"{alices_customer.customer_number},0001-01-01,1,1,1\n"
    )
    report = importing.import_balances(actor=head_office, lines=lines, commit=False)
    assert not report.ok
    assert "1900-01-01" in str(report.errors)


# -- Whatever is stored renders ------------------------------------------------------------


def _store_unreadable(interaction: Interaction) -> None:
    """What the fault left behind: a year-0 timestamp Python cannot represent."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE interactions_interaction SET occurred_at = %s::timestamptz WHERE id = %s",
            ["0001-01-01 00:00:00+08:06", interaction.pk],
        )
        cursor.execute(
            "UPDATE interactions_historicalinteraction SET occurred_at = %s::timestamptz"
            " WHERE id = %s",
            ["0001-01-01 00:00:00+08:06", interaction.pk],
        )
        cursor.execute("SELECT extract(year FROM occurred_at) FROM interactions_interaction")
        assert cursor.fetchone()[0] == -1  # 1 BC: before Python's year 1


def test_pages_render_a_stored_year_zero_interaction(alice_client, rm_alice, alices_customer):
    interaction = services.interaction_log(
        actor=rm_alice,
        customer=alices_customer,
        channel="phone",
        direction="outbound",
        occurred_at=timezone.now(),
        subject="Call",
        outcome="interested",
    )
    _store_unreadable(interaction)
    for url in (
        reverse("customers:detail", args=[alices_customer.pk]),
        reverse("interactions:detail", args=[interaction.pk]),
        reverse("interactions:edit", args=[interaction.pk]),
        reverse("interactions:task_list"),
    ):
        assert alice_client.get(url).status_code == 200, url
    # The form shows the odd date and refuses to keep it until it is corrected.
    response = alice_client.post(
        reverse("interactions:edit", args=[interaction.pk]),
        {
            "channel": "phone",
            "direction": "outbound",
            "occurred_at": "0001-01-02T08:05",
            "subject": "Call",
            "outcome": "interested",
        },
    )
    assert response.status_code == 200
    assert "Enter a date between" in response.content.decode()


def test_pages_render_a_stored_bc_date(alice_client, head_office, head_office_client, rm_alice):
    head_office.groups.add(role_groups_sync())
    customer = CustomerFactory(relationship_manager=rm_alice)
    InteractionFactory(customer=customer, staff=rm_alice)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE customers_customer SET risk_assessed_on = '0044-03-15 BC', risk_class='C3'"
            " WHERE id = %s",
            [customer.pk],
        )
    assert alice_client.get(reverse("customers:detail", args=[customer.pk])).status_code == 200
    assert alice_client.get(reverse("customers:list")).status_code == 200
    assert alice_client.get(reverse("customers:edit", args=[customer.pk])).status_code == 200
    assert (
        head_office_client.get(f"/admin/customers/customer/{customer.pk}/change/").status_code
        == 200
    )
