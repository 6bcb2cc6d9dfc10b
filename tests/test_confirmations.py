"""Irreversible actions ask for confirmation and a reason, kept in the history (issue 7.9)."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers.models import AuditEntry, Customer
from interactions.models import Task
from tests.customers.factories import CustomerFactory
from tests.interactions.factories import TaskFactory


@pytest.fixture
def carol_client(rm_carol):
    client = Client()
    client.force_login(rm_carol)
    return client


@pytest.fixture
def alices_customer(rm_alice):
    return CustomerFactory(relationship_manager=rm_alice, name="王小明")


@pytest.fixture
def task(rm_alice, alices_customer):
    return TaskFactory(customer=alices_customer, assignee=rm_alice, due_date=timezone.localdate())


def test_task_list_offers_no_one_click_cancel(alice_client, task):
    html = alice_client.get(reverse("interactions:task_list")).content.decode()
    cancel_url = reverse("interactions:task_cancel", args=[task.pk])
    assert f'href="{cancel_url}"' in html  # a link to the confirmation page
    assert f'action="{cancel_url}"' not in html  # not a button that acts at once


def test_cancelling_a_task_asks_why_and_keeps_the_reason(alice_client, task, alices_customer):
    url = reverse("interactions:task_cancel", args=[task.pk])
    page = alice_client.get(url)
    assert page.status_code == 200
    assert "cannot be reopened" in page.content.decode()

    refused = alice_client.post(url, {"reason": "   "})
    assert refused.status_code == 200
    assert "reason" in refused.context["form"].errors
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN

    assert alice_client.post(url, {"reason": "客户已自行办理"}).status_code == 302
    task.refresh_from_db()
    assert (task.status, task.cancel_reason) == (Task.Status.CANCELLED, "客户已自行办理")
    assert task.history.latest().history_change_reason == "客户已自行办理"
    entry = AuditEntry.objects.get(action="task.cancelled")
    assert entry.detail == {"reason": "客户已自行办理"}
    timeline = alice_client.get(alices_customer.get_absolute_url()).content.decode()
    assert "客户已自行办理" in timeline


def test_only_the_assignee_may_cancel(carol_client, task):
    url = reverse("interactions:task_cancel", args=[task.pk])
    assert carol_client.get(url).status_code == 403
    assert carol_client.post(url, {"reason": "x"}).status_code == 403


def test_archiving_asks_why_and_the_reason_is_in_the_change_history(alice_client, alices_customer):
    detail = alice_client.get(alices_customer.get_absolute_url()).content.decode()
    archive_url = reverse("customers:archive", args=[alices_customer.pk])
    assert f'href="{archive_url}"' in detail and f'action="{archive_url}"' not in detail

    assert alice_client.get(archive_url).status_code == 200
    refused = alice_client.post(archive_url, {})
    assert refused.status_code == 200
    alices_customer.refresh_from_db()
    assert alices_customer.status == Customer.Status.ACTIVE

    response = alice_client.post(archive_url, {"reason": "Moved abroad"})
    assert response.status_code == 302
    alices_customer.refresh_from_db()
    assert alices_customer.status == Customer.Status.ARCHIVED
    history = alice_client.get(alices_customer.get_absolute_url()).context["history"]
    assert history[0].reason == "Moved abroad"
    assert AuditEntry.objects.get(action="customer.archived").detail == {"reason": "Moved abroad"}


def test_bob_cannot_reach_the_confirmation_pages(bob_client, task, alices_customer):
    assert bob_client.get(reverse("interactions:task_cancel", args=[task.pk])).status_code == 404
    archive_url = reverse("customers:archive", args=[alices_customer.pk])
    assert bob_client.get(archive_url).status_code == 404
