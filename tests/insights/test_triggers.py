"""Immediate alert runs after relevant writes go through the outbox (never Redis directly)."""

import datetime as dt

import pytest

from crm.models import OutboxMessage
from customers.importing import import_balances
from customers.services import life_event_record, risk_assessment_record
from insights.listeners import TASK
from insights.models import Alert
from insights.tasks import alerts_scan_customers_task
from tests.customers.factories import CustomerFactory
from tests.insights.factories import today

pytestmark = pytest.mark.django_db


def queued() -> list[dict]:
    return list(OutboxMessage.objects.filter(task_name=TASK).values_list("kwargs", flat=True))


def test_a_life_event_queues_a_run_that_creates_the_alert(rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    life_event_record(actor=rm_alice, customer=customer, kind="childbirth", event_date=today())
    assert queued() == [{"customer_ids": [customer.pk]}]
    assert not Alert.objects.exists()  # nothing ran inside the request
    alerts_scan_customers_task(**queued()[0])  # what the worker does once dispatched
    alert = Alert.objects.get()
    assert alert.customer == customer and alert.run.kind == "customer"


def test_a_failed_write_queues_nothing(rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    with pytest.raises(Exception):  # noqa: B017 (the service's ValidationError)
        life_event_record(
            actor=rm_alice, customer=customer, kind="childbirth", event_date=dt.date(1900, 1, 1)
        )
    assert queued() == []


def test_a_risk_assessment_queues_a_run(rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    risk_assessment_record(
        actor=rm_alice, customer=customer, risk_class="C3", assessed_on=today(), score=50
    )
    assert queued() == [{"customer_ids": [customer.pk]}]


def test_a_balance_import_queues_a_run_for_the_imported_customers(head_office, rm_alice):
    a = CustomerFactory(relationship_manager=rm_alice, customer_number="CIF000001")
    b = CustomerFactory(relationship_manager=rm_alice, customer_number="CIF000002")
    lines = [
        "customer_number,as_of,deposits,investments,loans",
        f"CIF000001,{today()},500000,0,0",
        f"CIF000002,{today()},1000,0,0",
    ]
    report = import_balances(actor=head_office, lines=lines, commit=False)
    assert not report.errors and queued() == []  # a dry run changes nothing
    import_balances(actor=head_office, lines=lines, commit=True)
    assert queued() == [{"customer_ids": sorted([a.pk, b.pk])}]


def test_the_task_skips_customers_that_are_gone():
    alerts_scan_customers_task(customer_ids=[987654321])
    assert not Alert.objects.exists()
