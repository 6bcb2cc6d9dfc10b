"""Concurrent edits of a shared record are detected, shown, and left to the user (issue 8
item 3): the second save no longer silently reverts the first."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crm.concurrency import EditConflict, version_of
from customers import services as customer_services
from customers.models import Customer
from interactions import services
from tests.customers.factories import customer_form_data
from tests.interactions.factories import TaskFactory


def _version_in(response) -> str:
    return response.context["form"]["version"].value()


def test_the_second_save_sees_the_first_change_and_decides(
    alice_client, supervisor_client, alices_customer
):
    url = reverse("customers:edit", args=[alices_customer.pk])
    alice_version = _version_in(alice_client.get(url))
    sam_version = _version_in(supervisor_client.get(url))
    assert alice_version == sam_version == version_of(alices_customer)

    first = alice_client.post(
        url, customer_form_data(alices_customer, occupation="教师", version=alice_version)
    )
    assert first.status_code == 302
    second = supervisor_client.post(
        url, customer_form_data(alices_customer, address="上海市浦东新区1号", version=sam_version)
    )
    assert second.status_code == 200  # the form again, not a silent overwrite
    body = second.content.decode()
    assert "saved this record" in body and "教师" in body  # who changed what
    assert 'value="上海市浦东新区1号"' in body  # the supervisor's entry is kept in the form
    stored = Customer.objects.get(pk=alices_customer.pk)
    assert stored.occupation == "教师" and stored.address == ""

    # The supervisor decides to keep theirs: the re-rendered form carries the new version.
    again = supervisor_client.post(
        url,
        customer_form_data(
            alices_customer,
            occupation="教师",
            address="上海市浦东新区1号",
            version=_version_in(second),
        ),
    )
    assert again.status_code == 302
    stored.refresh_from_db()
    assert (stored.occupation, stored.address) == ("教师", "上海市浦东新区1号")


def test_twenty_of_twenty_concurrent_edits_are_detected(rm_alice, supervisor, alices_customer):
    for n in range(20):
        start = Customer.objects.get(pk=alices_customer.pk)
        version = version_of(start)
        customer_services.customer_update(
            actor=rm_alice, customer=start, expected_version=version, fields={"occupation": f"A{n}"}
        )
        with pytest.raises(EditConflict):
            customer_services.customer_update(
                actor=supervisor,
                customer=start,
                expected_version=version,
                fields={"occupation": f"B{n}"},
            )
        assert Customer.objects.get(pk=alices_customer.pk).occupation == f"A{n}"


def test_a_change_to_other_fields_meanwhile_is_no_conflict(rm_alice, supervisor, alices_customer):
    version = version_of(alices_customer)
    customer_services.customer_update(
        actor=rm_alice, customer=alices_customer, fields={"occupation": "教师"}
    )
    customer_services.customer_update(
        actor=supervisor,
        customer=alices_customer,
        expected_version=version,
        fields={"address": "北京路2号"},
    )
    stored = Customer.objects.get(pk=alices_customer.pk)
    assert (stored.occupation, stored.address) == ("教师", "北京路2号")


def test_a_conflict_shows_no_whole_id_number(rm_alice, supervisor, alices_customer):
    from tests.customers.factories import national_id_for

    version = version_of(alices_customer)
    new_id = national_id_for(alices_customer.date_of_birth, 977)
    customer_services.customer_update(
        actor=rm_alice, customer=alices_customer, fields={"national_id": new_id}
    )
    with pytest.raises(EditConflict) as raised:
        customer_services.customer_update(
            actor=supervisor,
            customer=alices_customer,
            expected_version=version,
            fields={"national_id": alices_customer.national_id},
        )
    text = " ".join(raised.value.messages)
    assert new_id not in text and new_id[-4:] in text


def test_interaction_edited_in_two_tabs(alice_client, rm_alice, alices_customer):
    interaction = services.interaction_log(
        actor=rm_alice,
        customer=alices_customer,
        channel="phone",
        direction="outbound",
        occurred_at=timezone.now(),
        subject="Call",
        outcome="interested",
    )
    url = reverse("interactions:edit", args=[interaction.pk])
    version = _version_in(alice_client.get(url))
    base = {
        "channel": "phone",
        "direction": "outbound",
        "occurred_at": timezone.localtime(interaction.occurred_at).strftime("%Y-%m-%dT%H:%M"),
        "outcome": "interested",
        "version": version,
    }
    assert alice_client.post(url, {**base, "subject": "Call about the fund"}).status_code == 302
    response = alice_client.post(url, {**base, "subject": "Call about the loan"})
    assert response.status_code == 200
    assert "Call about the fund" in response.content.decode()
    interaction.refresh_from_db()
    assert interaction.subject == "Call about the fund"


def test_task_rescheduled_twice_from_the_same_page(rm_alice, alices_customer):
    task = TaskFactory(customer=alices_customer, assignee=rm_alice)
    client = Client()
    client.force_login(rm_alice)
    url = reverse("interactions:task_reschedule", args=[task.pk])
    version = _version_in(client.get(url))
    day = timezone.localdate()
    first = client.post(
        url, {"due_date": day + dt.timedelta(days=3), "reason": "away", "version": version}
    )
    assert first.status_code == 302
    second = client.post(
        url, {"due_date": day + dt.timedelta(days=9), "reason": "later", "version": version}
    )
    assert second.status_code == 200
    assert "saved this record" in second.content.decode()
    task.refresh_from_db()
    assert task.due_date == day + dt.timedelta(days=3)
