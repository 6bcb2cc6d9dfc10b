"""The national ID stays masked in the edit form and Django admin unless revealed on purpose;
every reveal, including one to correct a wrong ID, is logged (issue 7 item 2)."""

import pytest
from django.urls import reverse

from accounts.services import role_groups_sync
from customers.models import AuditEntry, Customer
from tests.customers.factories import CustomerFactory, national_id_for


@pytest.fixture
def alices_customer(rm_alice):
    return CustomerFactory(relationship_manager=rm_alice, name="王建国")


def _form(customer, **overrides):
    data = {
        "customer_number": customer.customer_number,
        "name": customer.name,
        "date_of_birth": customer.date_of_birth.isoformat(),
        "national_id": customer.masked_national_id,
        "phone": customer.phone,
        "segment": customer.segment,
        "status": customer.status,
        "relationship_manager": str(customer.relationship_manager_id or ""),
    }
    data.update(overrides)
    return data


def test_the_edit_form_shows_the_id_masked_and_logs_nothing(supervisor_client, alices_customer):
    page = supervisor_client.get(reverse("customers:edit", args=[alices_customer.pk]))
    body = page.content.decode()
    assert alices_customer.national_id not in body
    assert alices_customer.masked_national_id in body
    assert not AuditEntry.objects.filter(action="customer.id_revealed").exists()


def test_saving_with_the_masked_id_keeps_the_number(supervisor_client, alices_customer):
    url = reverse("customers:edit", args=[alices_customer.pk])
    response = supervisor_client.post(url, _form(alices_customer, occupation="教师"))
    assert response.status_code == 302
    stored = Customer.objects.get(pk=alices_customer.pk)
    assert stored.national_id == alices_customer.national_id and stored.occupation == "教师"


def test_reveal_to_correct_is_logged_then_the_id_can_be_corrected(
    supervisor_client, alices_customer
):
    url = reverse("customers:edit", args=[alices_customer.pk])
    revealed = supervisor_client.post(url, {"reveal_id": "1"})
    assert revealed.status_code == 200
    assert alices_customer.national_id in revealed.content.decode()
    entry = AuditEntry.objects.get(action="customer.id_revealed")
    assert entry.detail == {"purpose": "correct"}
    corrected = national_id_for(alices_customer.date_of_birth, 555)
    response = supervisor_client.post(url, _form(alices_customer, national_id=corrected))
    assert response.status_code == 302
    assert Customer.objects.get(pk=alices_customer.pk).national_id == corrected


def test_admin_masks_the_id_and_logs_a_reveal(head_office, head_office_client, alices_customer):
    head_office.groups.add(role_groups_sync())
    url = f"/admin/customers/customer/{alices_customer.pk}/change/"
    body = head_office_client.get(url).content.decode()
    assert alices_customer.national_id not in body
    assert "?reveal_id=1" in body
    assert not AuditEntry.objects.filter(action="customer.id_revealed").exists()
    body = head_office_client.get(url + "?reveal_id=1").content.decode()
    assert alices_customer.national_id in body
    assert AuditEntry.objects.filter(action="customer.id_revealed").count() == 1


def test_admin_history_masks_id_and_mobile(
    head_office, head_office_client, alices_customer, rm_alice
):
    from customers.services import customer_update

    head_office.groups.add(role_groups_sync())
    new_id = national_id_for(alices_customer.date_of_birth, 444)
    customer_update(
        actor=rm_alice,
        customer=alices_customer,
        fields={"national_id": new_id, "phone": "13911112222"},
    )
    url = f"/admin/customers/customer/{alices_customer.pk}/history/"
    body = head_office_client.get(url).content.decode()
    assert "139****2222" in body
    for whole in (new_id, alices_customer.national_id, "13911112222"):
        assert whole not in body
