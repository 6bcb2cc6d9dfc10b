"""The one module of access predicates (customers.access), and every service checking access
itself: these tests call the services directly, as a task, an admin action or a script would."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from customers import access, services
from customers.models import AuditEntry, Customer, Relationship
from interactions import services as interaction_services
from tests.accounts.factories import StaffFactory, UserFactory
from tests.customers.factories import CustomerFactory, need_type
from tests.interactions.factories import TaskFactory


@pytest.fixture
def nobody(db):
    """A login without a staff profile: sees and changes nothing."""
    return UserFactory(username="nobody")


@pytest.fixture
def people(rm_alice, rm_carol, rm_bob, supervisor, head_office, nobody):
    return {
        "alice": rm_alice,
        "carol": rm_carol,
        "bob": rm_bob,
        "supervisor": supervisor,
        "head_office": head_office,
        "nobody": nobody,
        "anonymous": AnonymousUser(),
    }


def test_serve_predicate_agrees_with_visible_to_for_every_role(people, rm_alice, rm_bob):
    customers = [
        CustomerFactory(relationship_manager=rm_alice),
        CustomerFactory(relationship_manager=rm_bob),
        CustomerFactory(relationship_manager=None, branch=rm_alice.staff.branch),
    ]
    for name, user in people.items():
        visible = set(Customer.objects.visible_to(user).values_list("pk", flat=True))
        served = {c.pk for c in customers if access.can_serve_customer(user, c)}
        assert served == visible & {c.pk for c in customers}, name


@pytest.mark.parametrize(
    ("who", "serve", "edit"),
    [
        ("alice", True, True),  # her own customer
        ("carol", True, False),  # a colleague of the branch: full service, read-only record
        ("supervisor", True, True),
        ("head_office", True, True),
        ("bob", False, False),  # another branch
        ("nobody", False, False),
        ("anonymous", False, False),
    ],
)
def test_who_may_serve_and_edit_alices_customer(people, rm_alice, who, serve, edit):
    customer = CustomerFactory(relationship_manager=rm_alice)
    user = people[who]
    assert access.can_serve_customer(user, customer) is serve
    assert access.can_edit_customer(user, customer) is edit
    assert access.can_record_need(user, customer) is serve


@pytest.mark.parametrize(
    ("who", "supervising"),
    [("alice", False), ("supervisor", True), ("head_office", True), ("nobody", False)],
)
def test_role_predicates(people, who, supervising):
    user = people[who]
    for predicate in (
        access.can_reassign,
        access.can_import,
        access.can_read_access_log,
        access.can_see_team,
    ):
        assert predicate(user) is supervising
    assert access.can_create_customer(user) is (who != "nobody")


def test_an_rm_who_left_the_branch_no_longer_edits_their_old_customers(rm_alice, branch_b):
    customer = CustomerFactory(relationship_manager=rm_alice)
    rm_alice.staff.branch = branch_b
    rm_alice.staff.save()
    assert not access.can_edit_customer(rm_alice, customer)


# -- Services check access themselves -------------------------------------------------------


def test_id_reveal_outside_scope_shows_and_logs_nothing(rm_alice, rm_bob):
    customer = CustomerFactory(relationship_manager=rm_alice)
    with pytest.raises(PermissionDenied):
        services.customer_id_reveal(actor=rm_bob, customer=customer)
    assert not AuditEntry.objects.filter(action="customer.id_revealed").exists()
    assert services.customer_id_reveal(actor=rm_alice, customer=customer) == customer.national_id
    assert AuditEntry.objects.get(action="customer.id_revealed").actor == rm_alice


def test_relationship_link_checks_both_customers(rm_alice, rm_carol, supervisor):
    mine = CustomerFactory(relationship_manager=rm_alice)
    carols = CustomerFactory(relationship_manager=rm_carol)
    for customer, related in [(mine, carols), (carols, mine)]:
        with pytest.raises(PermissionDenied):
            services.relationship_link(
                actor=rm_alice, customer=customer, related=related, kind="spouse"
            )
    assert not Relationship.objects.exists()
    assert not AuditEntry.objects.filter(action="relationship.linked").exists()
    # The branch's supervisor may change both.
    services.relationship_link(actor=supervisor, customer=mine, related=carols, kind="parent")
    ties = set(Relationship.objects.values_list("customer_id", "related_id", "kind"))
    assert ties == {(mine.pk, carols.pk, "parent"), (carols.pk, mine.pk, "child")}


def test_relationship_unlink_removes_both_directions_and_checks_both(rm_alice, rm_carol):
    a = CustomerFactory(relationship_manager=rm_alice)
    b = CustomerFactory(relationship_manager=rm_alice)
    services.relationship_link(actor=rm_alice, customer=a, related=b, kind="spouse")
    with pytest.raises(PermissionDenied):
        services.relationship_unlink(actor=rm_carol, customer=a, related=b)
    assert Relationship.objects.count() == 2
    assert services.relationship_unlink(actor=rm_alice, customer=b, related=a) == 2
    assert not Relationship.objects.exists()
    unlinked = AuditEntry.objects.filter(action="relationship.unlinked")
    assert sorted(unlinked.values_list("customer_id", flat=True)) == sorted([a.pk, b.pk])
    assert services.relationship_unlink(actor=rm_alice, customer=a, related=b) == 0


def test_task_reassign_checks_who_asks(rm_alice, rm_carol, rm_bob, supervisor, head_office):
    customer = CustomerFactory(relationship_manager=rm_alice)
    task = TaskFactory(customer=customer)
    for actor in (rm_alice, rm_carol, rm_bob):  # RMs do not hand out work
        with pytest.raises(PermissionDenied):
            interaction_services.task_reassign(actor=actor, task=task, assignee=rm_carol)
    task.refresh_from_db()
    assert task.assignee == rm_alice
    other_supervisor = StaffFactory(role="supervisor", branch=rm_bob.staff.branch).user
    with pytest.raises(PermissionDenied):  # a supervisor of another branch
        interaction_services.task_reassign(actor=other_supervisor, task=task, assignee=rm_carol)
    interaction_services.task_reassign(actor=supervisor, task=task, assignee=rm_carol)
    task.refresh_from_db()
    assert task.assignee == rm_carol
    assert AuditEntry.objects.filter(action="task.reassigned").count() == 1


def test_who_may_record_a_need_is_one_answer_for_page_and_service(rm_alice, rm_carol, rm_bob):
    customer = CustomerFactory(relationship_manager=rm_alice)
    education = need_type("education")
    for actor in (rm_carol, rm_bob):
        allowed = access.can_record_need(actor, customer)
        if allowed:
            services.customer_need_record(
                actor=actor, customer=customer, need_type=education, priority=40
            )
        else:
            with pytest.raises(PermissionDenied):
                services.customer_need_record(
                    actor=actor, customer=customer, need_type=education, priority=40
                )
    assert customer.needs.get().changes.get().changed_by == rm_carol


def test_life_event_and_risk_assessment_need_edit_rights(rm_alice, rm_carol):
    customer = CustomerFactory(relationship_manager=rm_alice)
    with pytest.raises(PermissionDenied):
        services.risk_assessment_record(
            actor=rm_carol,
            customer=customer,
            risk_class="C3",
            assessed_on=customer.created_at.date(),
            score=50,
        )
    customer.refresh_from_db()
    assert customer.risk_class == ""
