"""Pages for a signed-in user are never stored by a browser or proxy (issue 8 item 6)."""

import pytest
from django.urls import reverse

from tests.customers.factories import CustomerFactory


@pytest.fixture
def pages(rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    return [
        "/",
        reverse("customers:list"),
        reverse("customers:detail", args=[customer.pk]),
        reverse("customers:edit", args=[customer.pk]),
        reverse("customers:export"),
        reverse("interactions:task_list"),
    ]


def test_every_signed_in_page_says_no_store(alice_client, pages):
    for url in pages:
        response = alice_client.get(url)
        assert response.status_code == 200, url
        cache_control = response["Cache-Control"]
        assert "no-store" in cache_control, url
        assert "private" in cache_control, url


def test_access_log_says_no_store(supervisor_client):
    response = supervisor_client.get(reverse("customers:access_log"))
    assert "no-store" in response["Cache-Control"]


def test_after_sign_out_the_page_is_not_served_again(alice_client, pages):
    alice_client.post("/accounts/logout/")
    response = alice_client.get(pages[1])
    assert response.status_code == 302  # to sign-in: nothing kept to show
