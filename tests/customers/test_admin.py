"""Head office's admin: every customer model lists, searches and shows history; no deletes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers import services
from tests.customers.factories import CustomerFactory, need_type

MODELS = [
    "customer",
    "relationship",
    "lifeevent",
    "needtype",
    "customerneed",
    "needchange",
    "riskassessment",
    "balancesnapshot",
    "auditentry",
]


@pytest.fixture
def admin_client(django_user_model, client):
    user = django_user_model.objects.create_superuser("root", password="x" * 12)
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", MODELS)
def test_changelists_and_search(admin_client, rm_alice, model):
    customer = CustomerFactory(relationship_manager=rm_alice, name="王建国")
    services.customer_need_record(
        actor=rm_alice, customer=customer, need_type=need_type("education"), priority=50
    )
    url = reverse(f"admin:customers_{model}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": customer.customer_number}).status_code == 200


def test_customer_admin_has_history_and_no_delete(admin_client, rm_alice):
    customer = services.customer_create(
        actor=rm_alice,
        customer_number="620000000777",
        name="李娜",
        date_of_birth=CustomerFactory.date_of_birth,
        national_id=CustomerFactory.build().national_id,
        branch=rm_alice.staff.branch,
        relationship_manager=rm_alice,
    )
    history = reverse("admin:customers_customer_history", args=[customer.pk])
    assert admin_client.get(history).status_code == 200
    delete = reverse("admin:customers_customer_delete", args=[customer.pk])
    assert admin_client.get(delete).status_code == 403
    found = admin_client.get(reverse("admin:customers_customer_changelist"), {"q": "李"})
    assert list(found.context["cl"].result_list) == [customer]


def test_big_child_tables_search_by_customer_number_and_filter_without_distinct(
    admin_client, rm_alice
):
    mine = CustomerFactory(relationship_manager=rm_alice)
    other = CustomerFactory(relationship_manager=rm_alice)
    for customer in (mine, other):
        services.customer_need_record(
            actor=rm_alice, customer=customer, need_type=need_type("education"), priority=50
        )
    url = reverse("admin:customers_needchange_changelist")
    response = admin_client.get(url, {"q": mine.customer_number})
    assert [c.need.customer_id for c in response.context["cl"].result_list] == [mine.pk]
    response = admin_client.get(url, {"new_status": "lapsed"})
    assert list(response.context["cl"].result_list) == []
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(url)
    assert not any("DISTINCT" in q["sql"] for q in queries.captured_queries)
