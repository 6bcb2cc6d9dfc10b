"""Every entry path stores a field the same way, and search finds every written form of it
(issue 7, items 4 and 5): the form, the services, the CSV importer, the admin and search."""

import datetime as dt
import importlib
import io

import pytest
from django.apps import apps
from django.urls import reverse

from customers.importing import import_customers
from customers.models import AuditEntry, Customer
from customers.search import search_filter
from customers.services import customer_search_keys_fill, customer_update
from tests.customers.factories import CustomerFactory, national_id_for

HEADER = "customer_number,name,date_of_birth,national_id,branch_code,phone,address"
BORN = dt.date(1980, 1, 2)


def _import(actor, branch, **over):
    values = {
        "customer_number": "630000000001",
        "name": "买买提•艾力",
        "date_of_birth": BORN.isoformat(),
        "national_id": national_id_for(BORN, 1),
        "branch_code": branch.code,
        "phone": "138-1234-5678",
        "address": '"上海市浦东新区\n世纪大道 1 号"',
    } | over
    lines = io.StringIO(HEADER + "\n" + ",".join(values.values()) + "\n")
    return import_customers(actor=actor, lines=lines, commit=True)


def _customer(**kwargs) -> Customer:
    customer = CustomerFactory.build(**kwargs)
    customer_search_keys_fill(customer)
    customer.branch.save()
    customer.save()
    return customer


def test_import_accepts_the_phone_the_form_accepts(head_office, branch_a):
    report = _import(head_office, branch_a)
    assert report.errors == []
    customer = Customer.objects.get()
    assert customer.phone == "13812345678"
    assert customer.name == "买买提·艾力"
    assert customer.address == "上海市浦东新区 世纪大道 1 号"


def test_import_and_form_reject_the_same_bad_phone(head_office, branch_a, supervisor_client):
    report = _import(head_office, branch_a, phone="138-1234-567")
    assert report.errors and "11-digit" in str(report.errors[0].message)
    response = supervisor_client.post(
        reverse("customers:create"),
        {
            "customer_number": "630000000002",
            "name": "张三",
            "date_of_birth": BORN.isoformat(),
            "national_id": national_id_for(BORN, 2),
            "phone": "138-1234-567",
            "segment": "mass",
            "status": "active",
        },
    )
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors


def _edit_data(customer: Customer) -> dict:
    """What the browser sends back when the edit form is saved untouched."""
    data = {
        "customer_number": customer.customer_number,
        "name": customer.name,
        "date_of_birth": customer.date_of_birth.isoformat(),
        "national_id": customer.national_id,
        "phone": customer.phone,
        "email": customer.email,
        "address": customer.address.replace("\n", ""),  # <input> drops line breaks
        "occupation": customer.occupation,
        "segment": customer.segment,
        "status": customer.status,
        "relationship_manager": customer.relationship_manager_id or "",
    }
    return data


def test_saving_an_unchanged_imported_customer_writes_no_history(
    head_office, branch_a, rm_alice, supervisor, supervisor_client
):
    _import(head_office, branch_a)
    customer = Customer.objects.get()
    versions = customer.history.count()
    response = supervisor_client.post(
        reverse("customers:edit", args=[customer.pk]), _edit_data(customer)
    )
    assert response.status_code == 302
    assert customer.history.count() == versions
    assert not AuditEntry.objects.filter(action="customer.updated").exists()


def test_service_treats_a_differently_written_value_as_unchanged(supervisor, branch_a):
    customer = _customer(branch=branch_a, phone="13521971213", name="买买提·艾力")
    versions = customer.history.count()
    customer_update(
        actor=supervisor,
        customer=customer,
        fields={"phone": "(+86) 135 2197 1213", "name": "买买提•艾力"},
    )
    assert customer.history.count() == versions
    assert not AuditEntry.objects.filter(action="customer.updated").exists()


def test_admin_saves_normalised_values_and_no_history_when_unchanged(admin_client_for, branch_a):
    customer = _customer(branch=branch_a, address="上海市 世纪大道 1 号")
    versions = customer.history.count()
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    data = _edit_data(customer) | {
        "branch": branch_a.pk,
        "risk_class": "",
        "income_band": "",
        "preferred_channel": "",
        "address": "上海市\n世纪大道  1 号",
    }
    response = admin_client_for.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert customer.history.count() == versions
    data["phone"] = "0086 139 9999 9999"
    admin_client_for.post(url, data)
    customer.refresh_from_db()
    assert customer.phone == "13999999999"


@pytest.fixture
def admin_client_for(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "+86 135 2197 1213",
        "0086 135 2197 1213",
        "(+86) 135 2197 1213",
        "135.2197.1213",
        "(135) 2197-1213",
        "１３５２１９７１２１３",
        "１３５ ２１９７ １２１３",
    ],
)
def test_search_finds_every_written_form_of_a_phone_number(query):
    customer = _customer(phone="13521971213")
    _customer(phone="13521971214")
    assert list(Customer.objects.filter(search_filter(query))) == [customer]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stored", "query"),
    [
        ("邵倩华", "邵 倩华"),
        ("邵倩华", "邵倩华"),
        ("买买提·艾力", "买买提艾力"),
        ("买买提·艾力", "买买提•艾力"),
        ("买买提·艾力", "买买提・艾力"),
        ("买买提·艾力", "提艾"),
        ("买买提·艾力", "提·艾力"),
        ("Li Na", "lina"),
    ],
)
def test_search_finds_names_written_with_other_separators(stored, query):
    customer = _customer(name=stored)
    _customer(name="王建国")
    assert list(Customer.objects.filter(search_filter(query))) == [customer]


@pytest.mark.django_db
def test_name_recheck_still_rejects_scattered_bigrams():
    _customer(name="建国国建")
    target = _customer(name="国建华")
    assert list(Customer.objects.filter(search_filter("国建华"))) == [target]


@pytest.mark.django_db
def test_backfill_migration_normalises_rows_written_before(branch_a):
    customer = _customer(branch=branch_a)
    Customer.objects.filter(pk=customer.pk).update(
        name="买买提•艾力",
        phone="0086 135 2197 1213",
        address="上海市\n世纪大道",
        search_bigrams=["买", "买买"],
    )
    migration = importlib.import_module("customers.migrations.0011_normalise_identifiers")
    migration.normalise(apps, None)
    customer.refresh_from_db()
    assert (customer.name, customer.phone, customer.address) == (
        "买买提·艾力",
        "13521971213",
        "上海市 世纪大道",
    )
    assert list(Customer.objects.filter(search_filter("买买提艾力"))) == [customer]
