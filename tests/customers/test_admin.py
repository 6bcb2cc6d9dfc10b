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
    assert (
        '<td class="field-new_status_label">Active</td>' in admin_client.get(url).content.decode()
    )
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(url)
    assert not any("DISTINCT" in q["sql"] for q in queries.captured_queries)


# -- Admin writes go through the services (or are read-only) ---------------------------------


def _change_form_data(customer, **overrides):
    data = {
        "customer_number": customer.customer_number,
        "name": customer.name,
        "date_of_birth": customer.date_of_birth.isoformat(),
        "national_id": customer.national_id,
        "phone": customer.phone,
        "email": customer.email,
        "address": customer.address,
        "occupation": customer.occupation,
        "income_band": customer.income_band,
        "segment": customer.segment,
        "status": customer.status,
        "branch": customer.branch_id,
        "relationship_manager": customer.relationship_manager_id or "",
        "preferred_channel": customer.preferred_channel,
    }
    return data | overrides


def test_admin_change_goes_through_the_service_with_history_and_audit(
    admin_client, rm_alice, rm_carol
):
    from customers.models import AuditEntry, Customer

    customer = CustomerFactory(relationship_manager=rm_alice)
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    response = admin_client.post(
        url, _change_form_data(customer, relationship_manager=rm_carol.pk, phone="13900000000")
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.relationship_manager, customer.phone) == (rm_carol, "13900000000")
    entry = AuditEntry.objects.get(action="customer.updated")
    assert sorted(entry.detail["fields"]) == ["phone", "relationship_manager"]
    assert entry.actor.username == "root"
    assert customer.history.first().history_user.username == "root"
    assert Customer.objects.get(pk=customer.pk).search_bigrams  # search keys kept


def test_admin_edit_over_a_colleagues_save_is_a_conflict_not_a_silent_revert(
    admin_client, rm_alice
):
    from customers import services

    customer = CustomerFactory(relationship_manager=rm_alice, occupation="Teacher")
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    form = admin_client.get(url).context["adminform"].form
    version = form["version"].value()
    assert version
    services.customer_update(actor=rm_alice, customer=customer, fields={"occupation": "Engineer"})
    stale = _change_form_data(customer, occupation="Doctor", version=version)
    response = admin_client.post(url, stale, follow=True)
    page = response.content.decode()
    assert "Nothing was saved" in page and "while you were editing" in page
    customer.refresh_from_db()
    assert customer.occupation == "Engineer"


def test_admin_cannot_type_a_risk_class_or_its_date(admin_client, rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    form = admin_client.get(url).context["adminform"].form
    assert "risk_class" not in form.fields
    assert "risk_assessed_on" not in form.fields
    admin_client.post(
        url, _change_form_data(customer, risk_class="C5", risk_assessed_on="2026-01-01")
    )
    customer.refresh_from_db()
    assert (customer.risk_class, customer.risk_assessed_on) == ("", None)


def test_admin_cannot_set_archived_directly_but_archives_by_action(admin_client, rm_alice):
    from customers.models import AuditEntry, Customer

    customer = CustomerFactory(relationship_manager=rm_alice)
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    response = admin_client.post(url, _change_form_data(customer, status="archived"))
    assert response.status_code == 200  # the form again, with the error on the field
    assert "status" in response.context["adminform"].form.errors
    customer.refresh_from_db()
    assert customer.status == Customer.Status.ACTIVE

    changelist = reverse("admin:customers_customer_changelist")
    archive = {"action": "archive", "_selected_action": [customer.pk]}
    # First an intermediate page asking why; nothing is archived yet.
    asked = admin_client.post(changelist, archive)
    assert asked.status_code == 200 and "archive_reason" in asked.content.decode()
    customer.refresh_from_db()
    assert customer.status == Customer.Status.ACTIVE
    confirmed = archive | {"archive_confirmed": "1", "archive_reason": "Duplicate record"}
    admin_client.post(changelist, confirmed)
    customer.refresh_from_db()
    assert customer.status == Customer.Status.ARCHIVED
    assert AuditEntry.objects.filter(action="customer.archived", customer=customer).exists()
    response = admin_client.post(changelist, confirmed, follow=True)
    assert "already archived" in response.content.decode()  # the service's rule, as a message
    admin_client.post(changelist, {"action": "restore", "_selected_action": [customer.pk]})
    customer.refresh_from_db()
    assert customer.status == Customer.Status.ACTIVE
    assert [h.history_change_reason for h in customer.history.all()[:2]] == [
        "restored",
        "Duplicate record",
    ]


def test_admin_may_pick_an_rm_of_the_customers_branch_only(admin_client, rm_alice, rm_bob):
    from customers.models import AuditEntry

    customer = CustomerFactory(relationship_manager=rm_alice)
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    response = admin_client.post(url, _change_form_data(customer, relationship_manager=rm_bob.pk))
    assert response.status_code == 200
    assert "relationship_manager" in response.context["adminform"].form.errors
    customer.refresh_from_db()
    assert customer.relationship_manager == rm_alice
    assert not AuditEntry.objects.filter(action="customer.updated").exists()


def test_admin_creates_a_customer_through_the_service(admin_client, rm_alice):
    from customers.models import AuditEntry, Customer

    template = CustomerFactory.build(relationship_manager=rm_alice, name="赵敏")
    data = _change_form_data(template, customer_number="620000009999")
    response = admin_client.post(reverse("admin:customers_customer_add"), data)
    assert response.status_code == 302
    created = Customer.objects.get(customer_number="620000009999")
    assert "敏" in created.search_bigrams
    assert AuditEntry.objects.filter(action="customer.created", customer=created).exists()


def test_admin_household_links_go_both_ways_through_the_service(admin_client, rm_alice):
    from customers.models import AuditEntry, Relationship

    parent = CustomerFactory(relationship_manager=rm_alice)
    child = CustomerFactory(relationship_manager=rm_alice)
    response = admin_client.post(
        reverse("admin:customers_relationship_add"),
        {"customer": parent.pk, "related": child.pk, "kind": "parent"},
    )
    assert response.status_code == 302
    ties = set(Relationship.objects.values_list("customer_id", "related_id", "kind"))
    assert ties == {(parent.pk, child.pk, "parent"), (child.pk, parent.pk, "child")}
    assert AuditEntry.objects.filter(action="relationship.linked").count() == 2

    one = Relationship.objects.get(customer=child)
    change = reverse("admin:customers_relationship_change", args=[one.pk])
    admin_client.post(change, {"customer": child.pk, "related": parent.pk, "kind": "spouse"})
    assert Relationship.objects.get(pk=one.pk).kind == "child"  # no one-sided edit

    delete = reverse("admin:customers_relationship_delete", args=[one.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Relationship.objects.exists()  # both directions
    assert AuditEntry.objects.filter(action="relationship.unlinked").count() == 2


@pytest.mark.parametrize("model", ["lifeevent", "balancesnapshot", "riskassessment"])
def test_records_written_by_services_are_read_only_in_admin(admin_client, model):
    assert admin_client.get(reverse(f"admin:customers_{model}_add")).status_code == 403


def test_need_type_changes_are_audited(admin_client):
    from customers.models import AuditEntry

    education = need_type("education")
    url = reverse("admin:customers_needtype_change", args=[education.pk])
    data = {"code": "education", "name": "Education funding", "is_active": "", "sort_order": 77}
    assert admin_client.post(url, data).status_code == 302
    education.refresh_from_db()
    assert (education.is_active, education.sort_order) == (False, 77)
    entry = AuditEntry.objects.get(action="need_type.updated")
    assert sorted(entry.detail["fields"]) == ["is_active", "sort_order"]
