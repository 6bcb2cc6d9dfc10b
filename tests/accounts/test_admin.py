"""Django admin is head office's tool for branches, staff and users."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Branch, Role, Staff
from accounts.services import staff_create
from tests.customers.factories import CustomerFactory


def test_head_office_staff_can_manage_branches_and_staff(client, db):
    admin_user = staff_create(
        username="ho1", password="a long password 1", role=Role.HEAD_OFFICE, employee_number="HO9"
    ).user
    client.force_login(admin_user)
    assert client.get("/admin/accounts/branch/").status_code == 200
    assert client.get("/admin/accounts/staff/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 200
    response = client.post(
        "/admin/accounts/branch/add/", {"code": "SZ1", "name": "深圳南山支行", "city": "深圳"}
    )
    assert response.status_code == 302
    assert Branch.objects.filter(code="SZ1").exists()


def test_head_office_cannot_delete_customers_in_admin(client, db):
    user = staff_create(
        username="ho2", password="a long password 1", role=Role.HEAD_OFFICE, employee_number="HO8"
    ).user
    customer = CustomerFactory()
    client.force_login(user)
    assert client.get(f"/admin/customers/customer/{customer.pk}/delete/").status_code == 403


def test_branch_staff_have_no_admin(alice_client, supervisor_client):
    for c in (alice_client, supervisor_client):
        response = c.get("/admin/")
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_staff_create_rejects_branch_staff_without_branch(db, django_user_model):
    with pytest.raises(ValidationError, match="need a branch"):
        staff_create(username="x", password=None, role=Role.RM, employee_number="R1")
    assert not Staff.objects.exists()
    assert not django_user_model.objects.filter(username="x").exists()  # nothing half-saved
