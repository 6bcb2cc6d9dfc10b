"""The customer list says what a filter hid and how many match (issue 7.11), and hands a
whole book over in one confirmed action (issue 7.10)."""

import pytest
from django.urls import reverse

from customers.models import AuditEntry, Customer
from customers.selectors import PAGE_SIZE
from customers.services import customer_search_keys_fill
from tests.customers.factories import CustomerFactory

LIST = "/customers/"


def _searchable(**kwargs) -> Customer:
    customer = CustomerFactory.build(**kwargs)
    customer_search_keys_fill(customer)
    customer.save()
    return customer


@pytest.fixture
def carols_customer(rm_carol):
    return _searchable(relationship_manager=rm_carol, branch=rm_carol.staff.branch, name="邵倩华")


def test_rm_searching_a_colleagues_customer_is_told_and_offered_the_branch(
    alice_client, carols_customer
):
    response = alice_client.get(LIST, {"q": "邵倩华"})
    assert response.context["page"].rows == []
    html = response.content.decode()
    assert 'data-testid="hint-branch"' in html
    assert "1 customer of your branch, served by a colleague, matches." in html
    ((_hint, url),) = response.context["hints"]
    assert "view=branch" in url and "q=" in url
    assert alice_client.get(LIST + url).context["page"].rows == [carols_customer]


def test_no_hint_for_a_customer_of_another_branch(bob_client, carols_customer):
    response = bob_client.get(LIST, {"q": "邵倩华"})
    assert response.context["hints"] == []
    assert response.context["page"].rows == []


def test_archived_matches_are_hinted(supervisor_client, rm_alice):
    _searchable(
        relationship_manager=rm_alice,
        branch=rm_alice.staff.branch,
        name="王建国",
        status=Customer.Status.ARCHIVED,
    )
    response = supervisor_client.get(LIST, {"q": "王建国"})
    ((hint, url),) = response.context["hints"]
    assert hint.reason == "archived" and "archived=1" in url


def test_list_past_one_page_shows_the_total(supervisor_client, rm_alice):
    CustomerFactory.create_batch(PAGE_SIZE + 3, relationship_manager=rm_alice)
    html = supervisor_client.get(LIST).content.decode()
    assert f"Page 1 of {PAGE_SIZE + 3} customers" in html
    html = supervisor_client.get(LIST, {"page": 2}).content.decode()
    assert f"Page 2 of {PAGE_SIZE + 3} customers" in html


# -- Book hand-over ----------------------------------------------------------------------


def test_nothing_ticked_says_what_to_do(supervisor_client, rm_carol):
    response = supervisor_client.post(
        reverse("customers:reassign"),
        {"scope": "selected", "relationship_manager": rm_carol.pk},
        follow=True,
    )
    html = response.content.decode()
    assert "This field is required." not in html
    assert "No customer is ticked" in html


def test_whole_book_moves_in_one_confirmed_action(
    supervisor_client, rm_alice, rm_carol, django_assert_max_num_queries
):
    book = CustomerFactory.create_batch(60, relationship_manager=rm_alice)
    CustomerFactory(relationship_manager=rm_carol)  # not in the filter
    filters = f"view=branch&rm={rm_alice.pk}"
    url = reverse("customers:reassign")
    data = {"scope": "matching", "filters": filters, "relationship_manager": rm_carol.pk}

    confirm = supervisor_client.post(url, data)
    assert confirm.status_code == 200  # first, how many: nothing moved yet
    assert "60 customers matching the filters will move to" in confirm.content.decode()
    assert Customer.objects.filter(relationship_manager=rm_alice).count() == 60

    # Set-based: the query count does not grow with the book.
    # session, user with staff, RM choices ×2, count, lock, RM branch, UPDATE, history INSERT,
    # audit INSERT, session save (its message): the same whatever the book's size (60 here,
    # 200 in a real one).
    with django_assert_max_num_queries(16):
        moved = supervisor_client.post(url, data | {"confirm_count": 60})
    assert moved.status_code == 302
    assert "60 customers reassigned" in supervisor_client.get(moved.url).content.decode()
    assert set(Customer.objects.filter(relationship_manager=rm_carol)) >= set(book)
    assert AuditEntry.objects.filter(action="customer.reassigned").count() == 60


def test_a_changed_count_moves_nothing(supervisor_client, rm_alice, rm_carol):
    CustomerFactory.create_batch(3, relationship_manager=rm_alice)
    data = {
        "scope": "matching",
        "filters": f"view=branch&rm={rm_alice.pk}",
        "relationship_manager": rm_carol.pk,
        "confirm_count": 2,  # confirmed before a third customer arrived
    }
    response = supervisor_client.post(reverse("customers:reassign"), data, follow=True)
    assert "not the 2 you confirmed" in response.content.decode()
    assert Customer.objects.filter(relationship_manager=rm_alice).count() == 3


def test_matching_never_reaches_outside_the_supervisors_branch(supervisor_client, rm_bob, rm_carol):
    CustomerFactory.create_batch(2, relationship_manager=rm_bob)
    data = {
        "scope": "matching",
        "filters": f"rm={rm_bob.pk}",
        "relationship_manager": rm_carol.pk,
        "confirm_count": 2,
    }
    response = supervisor_client.post(reverse("customers:reassign"), data, follow=True)
    assert Customer.objects.filter(relationship_manager=rm_bob).count() == 2
    assert "nothing to move" in response.content.decode()


def test_rm_cannot_hand_over(alice_client, rm_alice, rm_carol):
    CustomerFactory(relationship_manager=rm_alice)
    data = {"scope": "matching", "filters": "", "relationship_manager": rm_carol.pk}
    assert alice_client.post(reverse("customers:reassign"), data).status_code == 403
