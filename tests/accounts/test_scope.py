"""One place decides what each role sees; these tests read like DOMAIN.md's role table."""

from accounts.models import Branch, Role, Staff, role_of
from customers.models import AuditEntry, Customer
from customers.services import audit_record
from tests.customers.factories import CustomerFactory


def test_roles_come_from_the_staff_profile(rm_alice, supervisor, head_office, django_user_model):
    assert role_of(rm_alice) == Role.RM
    assert role_of(supervisor) == Role.SUPERVISOR
    assert role_of(head_office) == Role.HEAD_OFFICE
    assert role_of(django_user_model.objects.create_user("nobody")) is None


def test_inactive_staff_have_no_role(rm_alice):
    rm_alice.staff.is_active = False
    rm_alice.staff.save(update_fields=["is_active"])
    assert role_of(rm_alice) is None
    assert not Customer.objects.visible_to(rm_alice).exists()


def test_superuser_acts_as_head_office(django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x" * 12)
    assert role_of(admin) == Role.HEAD_OFFICE


def test_branch_staff_see_only_their_branch(rm_alice, rm_bob, supervisor, head_office):
    assert list(Branch.objects.visible_to(rm_alice)) == [rm_alice.staff.branch]
    assert set(Staff.objects.visible_to(supervisor).values_list("user__username", flat=True)) == {
        "alice",
        "sam",
    }
    assert Branch.objects.visible_to(head_office).count() == 2


def test_customers_visible_by_branch(rm_alice, rm_carol, rm_bob, supervisor, head_office):
    own = CustomerFactory(relationship_manager=rm_alice)
    colleague = CustomerFactory(relationship_manager=rm_carol)
    other_branch = CustomerFactory(relationship_manager=rm_bob)
    # Full service: an RM sees every customer of the branch, not only own ones.
    assert set(Customer.objects.visible_to(rm_alice)) == {own, colleague}
    assert set(Customer.objects.visible_to(supervisor)) == {own, colleague}
    assert set(Customer.objects.visible_to(rm_bob)) == {other_branch}
    assert set(Customer.objects.visible_to(head_office)) == {own, colleague, other_branch}
    assert set(Customer.objects.visible_to(rm_alice).assigned_to(rm_alice)) == {own}


def test_audit_entries_visible_to_supervisors_of_the_branch_and_head_office(
    rm_alice, rm_bob, supervisor, head_office
):
    here = audit_record(
        actor=rm_alice,
        action="customer.viewed",
        target=CustomerFactory(relationship_manager=rm_alice),
    )
    there = audit_record(
        actor=rm_bob, action="customer.viewed", target=CustomerFactory(relationship_manager=rm_bob)
    )
    assert list(AuditEntry.objects.visible_to(supervisor)) == [here]
    assert set(AuditEntry.objects.visible_to(head_office)) == {here, there}
    assert not AuditEntry.objects.visible_to(rm_alice).exists()  # RMs audit nobody
