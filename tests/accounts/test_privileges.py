"""Head office manages staff without ever granting more than it has (issue 8 item 1)."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.models import Role
from accounts.privileges import grant_refusal, outranks
from accounts.services import role_groups_sync, staff_create
from tests.accounts.factories import UserFactory

PW = "a long password 1"


@pytest.fixture
def ho(db):
    return staff_create(
        username="ho1", password=PW, role=Role.HEAD_OFFICE, employee_number="HO1"
    ).user


@pytest.fixture
def ho_client(client, ho):
    client.force_login(ho)
    return client


@pytest.fixture
def root(db, django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", PW)


def _change_form(user, **overrides) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "09:00:00",
        "groups": [str(g.pk) for g in user.groups.all()],
        "staff-TOTAL_FORMS": "0",
        "staff-INITIAL_FORMS": "0",
        "staff-MIN_NUM_FORMS": "0",
        "staff-MAX_NUM_FORMS": "1",
    }
    data.update(overrides)
    return data


def test_head_office_cannot_tick_superuser_on_themselves(ho_client, ho):
    url = f"/admin/auth/user/{ho.pk}/change/"
    page = ho_client.get(url)
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()  # shown read-only
    ho_client.post(url, _change_form(ho, is_superuser="on"))
    ho.refresh_from_db()
    assert not ho.is_superuser


def test_head_office_cannot_set_a_superusers_password(ho_client, root):
    url = f"/admin/auth/user/{root.pk}/password/"
    assert ho_client.get(url).status_code == 403
    response = ho_client.post(
        url, {"password1": "hijacked pass 99", "password2": "hijacked pass 99"}
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.check_password(PW)
    # Nor change, nor delete, the superuser's account.
    assert (
        ho_client.post(f"/admin/auth/user/{root.pk}/change/", _change_form(root)).status_code == 403
    )
    assert ho_client.get(f"/admin/auth/user/{root.pk}/delete/").status_code == 403


def test_head_office_cannot_set_the_password_of_someone_with_more_rights(ho_client, db):
    auditor = UserFactory(username="auditor", is_staff=True)
    auditor.user_permissions.add(Permission.objects.get(codename="change_group"))
    url = f"/admin/auth/user/{auditor.pk}/password/"
    assert (
        ho_client.post(
            url, {"password1": "hijacked pass 99", "password2": "hijacked pass 99"}
        ).status_code
        == 403
    )
    auditor.refresh_from_db()
    assert auditor.check_password("correct horse battery")


def test_head_office_can_still_reset_a_colleagues_password(ho_client, rm_alice):
    url = f"/admin/auth/user/{rm_alice.pk}/password/"
    response = ho_client.post(
        url,
        {
            "password1": "a fresh pass 123",
            "password2": "a fresh pass 123",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    rm_alice.refresh_from_db()
    assert rm_alice.check_password("a fresh pass 123")


def test_head_office_cannot_join_a_group_with_more_rights(ho_client, ho):
    powerful = Group.objects.create(name="Auditors")
    powerful.permissions.add(Permission.objects.get(codename="delete_customer"))
    url = f"/admin/auth/user/{ho.pk}/change/"
    groups = [str(g.pk) for g in ho.groups.all()] + [str(powerful.pk)]
    response = ho_client.post(url, _change_form(ho, groups=groups))
    assert response.status_code == 200  # the form again, with an error
    assert not ho.groups.filter(pk=powerful.pk).exists()
    assert not ho.has_perm("customers.delete_customer")


def test_head_office_cannot_give_itself_a_permission(ho_client, ho):
    perm = Permission.objects.get(codename="delete_customer")
    url = f"/admin/auth/user/{ho.pk}/change/"
    ho_client.post(url, _change_form(ho, user_permissions=[str(perm.pk)]))
    assert not ho.user_permissions.exists()


def test_head_office_group_permission_rows(db):
    group = role_groups_sync()
    names = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }
    # It manages users and reference data …
    assert {"auth.view_user", "auth.change_user", "auth.add_user", "accounts.change_staff"} <= names
    # … but cannot edit groups or permission rows (its own group included), nor delete users
    # or records the bank must keep.
    forbidden = {
        "auth.add_group",
        "auth.change_group",
        "auth.delete_group",
        "auth.add_permission",
        "auth.change_permission",
        "auth.delete_permission",
        "auth.delete_user",
        "customers.delete_customer",
        "customers.delete_auditentry",
        "interactions.delete_interaction",
    }
    assert not names & forbidden


def test_group_edit_is_refused_to_head_office(ho_client):
    group = Group.objects.get(name="Head office")
    before = set(group.permissions.values_list("pk", flat=True))
    perm = Permission.objects.get(codename="delete_customer")
    response = ho_client.post(
        f"/admin/auth/group/{group.pk}/change/",
        {"name": group.name, "permissions": [str(p) for p in before | {perm.pk}]},
    )
    assert response.status_code == 403
    assert set(group.permissions.values_list("pk", flat=True)) == before


def test_grant_rules(ho, root, rm_alice):
    assert outranks(root, ho)
    assert not outranks(rm_alice, ho)
    assert not outranks(ho, root)
    assert grant_refusal(actor=ho, is_superuser=True, was_superuser=False)
    assert grant_refusal(actor=root, is_superuser=True, was_superuser=False) is None
    own = Group.objects.get(name="Head office")
    assert grant_refusal(actor=ho, groups=[own]) is None
