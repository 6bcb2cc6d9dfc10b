"""Hostile values in every list filter and request parameter never give a 5xx (issue 8 item 4).

Digits that pass `str.isdigit()` but are not ASCII (², ①), full-width and Arabic-Indic digits,
NUL, huge and negative numbers, impossible dates: each list, export and paged page answers with
a clear message, the first page, or a 404 for an id — never a 500 — for every role.
"""

import pytest
from django.test import Client
from django.urls import reverse

from crm.params import id_param, page_param, parse_id, parse_int
from customers.forms import CustomerFilterForm
from products.forms import ProductFilterForm
from tests.customers.factories import CustomerFactory

HOSTILE = [
    "²",
    "①",
    "１２",  # full-width
    "١٢",  # Arabic-Indic
    "\x00",
    "-1",
    "99999999999999999999999999",
    "NaN",
    "0001-01-01T00:00",
    "2026-13-45",
    "x" * 5000,
]
CUSTOMER_FILTERS = sorted({*CustomerFilterForm.base_fields, "page"})
# Each list, the role that sees every one of its filters, and every parameter it reads (the
# filter forms' fields, and what a view reads by hand).
LISTS = [
    ("customers:list", "head office", CUSTOMER_FILTERS),
    ("customers:list", "rm", ["view", "q", "page"]),
    ("customers:export", "head office", CUSTOMER_FILTERS),
    ("customers:export", "supervisor", ["rm", "branch", "need"]),
    ("customers:access_log", "supervisor", ["action", "before"]),
    ("customers:access_log", "head office", ["action", "before"]),
    ("interactions:to_contact", "supervisor", ["rm", "page"]),
    ("interactions:to_contact", "head office", ["rm", "page"]),
    ("interactions:team_tasks", "supervisor", ["page"]),
    ("interactions:task_list", "rm", ["page"]),
    ("products:list", "rm", sorted({*ProductFilterForm.base_fields, "page"})),
    ("products:campaigns", "supervisor", ["status", "page"]),
    ("products:overrides", "supervisor", ["page", "status"]),
]


def test_parse_id_takes_ascii_digits_only():
    assert parse_id("42") == 42
    for value in ["²", "①", "１２", "١٢", "-1", "0", "1e3", " 1", "", None, "9" * 30]:
        assert parse_id(value) is None, value
    assert parse_int("-5", minimum=-10, maximum=10) == -5
    assert parse_int("１", minimum=0, maximum=10) is None


def test_id_param_is_a_404_when_malformed(rf):
    from django.http import Http404

    assert id_param(rf.get("/", {"rm": "7"}), "rm") == 7
    assert id_param(rf.get("/"), "rm") is None
    with pytest.raises(Http404):
        id_param(rf.get("/", {"rm": "²"}), "rm")
    assert page_param(rf.get("/", {"page": "①"})) == 1


@pytest.fixture
def clients(alice_client, supervisor_client, head_office_client, rm_alice, settings):
    settings.EXPORT_LIMIT = 10_000  # every export request is a probe here, not exfiltration
    CustomerFactory.create_batch(3, relationship_manager=rm_alice)
    return {"rm": alice_client, "supervisor": supervisor_client, "head office": head_office_client}


@pytest.mark.parametrize(("url_name", "role", "params"), LISTS)
def test_every_list_filter_survives_hostile_values(clients, url_name, role, params):
    url = reverse(url_name)
    failures = []
    for name in params:
        for value in HOSTILE:
            response = clients[role].get(url, {name: value})
            if response.status_code >= 500:
                failures.append((name, value, response.status_code))
    assert failures == []


def test_the_customer_page_parameters_survive_hostile_values(clients, rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    url = reverse("customers:detail", args=[customer.pk])
    for name in ("before", "kind", "panel"):
        for value in HOSTILE:
            assert clients["rm"].get(url, {name: value}).status_code < 500, (name, value)


@pytest.mark.parametrize("value", HOSTILE)
def test_reassign_survives_hostile_values(supervisor_client, rm_alice, value):
    customer = CustomerFactory(relationship_manager=rm_alice)
    for data in (
        {"customers": [value], "relationship_manager": str(rm_alice.pk)},
        {"customers": [str(customer.pk)], "relationship_manager": value},
        {
            "customers": [str(customer.pk)],
            "relationship_manager": str(rm_alice.pk),
            "branch": value,
        },
    ):
        response = supervisor_client.post(reverse("customers:reassign"), data)
        assert response.status_code < 500, (data, response.status_code)


def test_a_malformed_id_in_a_filter_is_a_clear_404_or_message(
    head_office_client, supervisor_client
):
    assert supervisor_client.get(reverse("interactions:to_contact"), {"rm": "²"}).status_code == 404
    assert head_office_client.get(reverse("customers:export"), {"branch": "①"}).status_code == 404
    assert (
        supervisor_client.get(reverse("customers:access_log"), {"before": "²"}).status_code == 404
    )
    page = head_office_client.get(reverse("customers:list"), {"branch": "²"})
    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()


def test_anonymous_client_is_redirected_not_crashed(db):
    client = Client()
    for value in HOSTILE[:6]:
        assert client.get(reverse("customers:list"), {"branch": value}).status_code == 302
