"""The personal-data access log answers a compliance officer's questions (issue 7.12, 7.7):
who, which customer, which period, page after page, as CSV (itself logged), in words."""

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers.models import AuditEntry
from customers.selectors import ACCESS_PAGE_SIZE
from tests.customers.factories import CustomerFactory

URL = "/customers/access-log/"


@pytest.fixture
def accesses(rm_alice, rm_carol):
    """Alice viewed three customers, Carol one; one of Alice's views is 40 days old."""
    customers = CustomerFactory.create_batch(3, relationship_manager=rm_alice)
    for user in (rm_alice, rm_carol):
        client = Client()
        client.force_login(user)
        for customer in customers[:2] if user == rm_alice else customers[:1]:
            client.get(customer.get_absolute_url())
    # The audit log is append-only (no UPDATE), so the old view is written as it was then.
    old = AuditEntry.objects.filter(actor=rm_alice, customer=customers[1]).get()
    old.pk = None
    old.customer = customers[2]
    old.at = timezone.now() - dt.timedelta(days=40)
    old.save(force_insert=True)
    return customers


def _rows(response):
    return [entry for entry, _text in response.context["rows"]]


def test_filter_by_user(supervisor_client, accesses, rm_carol):
    rows = _rows(supervisor_client.get(URL, {"user": "carol"}))
    assert [e.actor for e in rows] == [rm_carol]


def test_filter_by_customer_number_as_typed(supervisor_client, accesses):
    number = accesses[0].customer_number
    typed = f" {number[:4]} {number[4:].lower()} "
    rows = _rows(supervisor_client.get(URL, {"customer": typed}))
    assert {e.customer for e in rows} == {accesses[0]} and len(rows) == 2


def test_filter_by_period_in_the_banks_days(supervisor_client, accesses):
    today = timezone.localdate()
    recent = _rows(supervisor_client.get(URL, {"date_from": today.isoformat()}))
    assert accesses[2] not in {e.customer for e in recent} and len(recent) == 3
    old_day = today - dt.timedelta(days=40)
    old = _rows(supervisor_client.get(URL, {"date_from": old_day.isoformat(), "date_to": old_day}))
    assert [e.customer for e in old] == [accesses[2]]


def test_a_reversed_period_is_reported_not_ignored(supervisor_client, accesses):
    response = supervisor_client.get(URL, {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert "date_to" in response.context["form"].errors
    assert "before its start" in response.content.decode()


def test_pages_keep_the_filters(supervisor_client, rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=rm_alice,
            action="customer.viewed",
            customer=customer,
            branch_id=customer.branch_id,
            target_type="customers.customer",
        )
        for _i in range(ACCESS_PAGE_SIZE + 5)
    )
    first = supervisor_client.get(URL, {"user": "alice"})
    assert len(_rows(first)) == ACCESS_PAGE_SIZE
    older = first.context["older_url"]
    assert "user=alice" in older
    second = supervisor_client.get(URL + older)
    assert len(_rows(second)) == 5


def test_csv_export_is_filtered_and_itself_logged(supervisor_client, supervisor, accesses):
    response = supervisor_client.get(reverse("customers:access_log_export"), {"user": "carol"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(body)))
    assert len(lines) == 2  # header + Carol's one view
    assert lines[1][1] == "carol" and lines[1][3] == "viewed the customer page"
    logged = AuditEntry.objects.get(action="access_log.exported")
    assert (logged.actor, logged.detail) == (supervisor, {"username": "carol"})
    # The export shows in the log, in words.
    html = supervisor_client.get(URL).content.decode()
    assert "exported the access log" in html and "user: carol" in html


def test_rm_may_neither_read_nor_export(alice_client):
    assert alice_client.get(URL).status_code == 403
    assert alice_client.get(reverse("customers:access_log_export")).status_code == 403
    assert not AuditEntry.objects.filter(action="access_log.exported").exists()


def test_bob_filtering_on_a_customer_of_another_branch_sees_nothing(rm_bob, branch_b, accesses):
    from tests.conftest import _staff

    sup_b = _staff("sup_b", "supervisor", branch_b)
    client = Client()
    client.force_login(sup_b)
    assert _rows(client.get(URL, {"customer": accesses[0].customer_number})) == []


def test_the_log_speaks_chinese_and_shows_no_internal_codes(
    supervisor_client, alice_client, rm_alice, accesses
):
    alice_client.get(reverse("customers:export"), {"view": "mine", "sort": "name"})
    html = supervisor_client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for code in [">customer.viewed", ">customer.exported", "mine=True", "sort=name", "mine:"]:
        assert code not in html
    assert "查看了客户页面" in html
    assert "导出了客户列表" in html


def test_query_count_is_constant(supervisor_client, accesses, django_assert_num_queries):
    supervisor_client.get(URL)  # warm the session
    # session, user with staff, entries — descriptions need no query here
    with django_assert_num_queries(3):
        supervisor_client.get(URL)


# -- Refused reveals name their customer; the introduction names every access -------------


def _refused_reveals(actor, customers, field="phone"):
    """`actor` asks for each customer's number past the reveal limit: each one is refused."""
    from customers.limits import RateLimited
    from customers.services import customer_identifier_reveal

    for customer in customers:
        with pytest.raises(RateLimited):
            customer_identifier_reveal(actor=actor, customer=customer, field=field)


def test_a_refused_reveal_names_the_customer_whose_number_was_asked_for(
    supervisor_client, alice_client, rm_alice, settings
):
    settings.REVEAL_LIMIT = 1
    first, second = CustomerFactory.create_batch(2, relationship_manager=rm_alice)
    assert (
        alice_client.post(
            reverse("customers:reveal_id", args=[first.pk]), HTTP_HX_REQUEST="true"
        ).status_code
        == 200
    )
    refused = alice_client.post(
        reverse("customers:reveal_phone", args=[second.pk]), HTTP_HX_REQUEST="true"
    )
    assert refused.status_code == 429
    entry = AuditEntry.objects.get(action="customer.reveal_limited")
    assert (entry.customer, entry.actor, entry.branch_id) == (second, rm_alice, first.branch_id)

    page = supervisor_client.get(URL, {"action": "customer.reveal_limited"})
    assert [e.customer for e in _rows(page)] == [second]
    minutes = settings.REVEAL_WINDOW_MINUTES
    assert [text for _e, text in page.context["rows"]] == [f"more than 1 in {minutes} minutes"]
    # The compliance officer's question "who was refused what about this customer" finds it.
    by_customer = _rows(supervisor_client.get(URL, {"customer": second.customer_number}))
    assert [e.action for e in by_customer] == ["customer.reveal_limited"]
    csv_body = b"".join(
        supervisor_client.get(
            reverse("customers:access_log_export"), {"action": "customer.reveal_limited"}
        ).streaming_content
    ).decode("utf-8-sig")
    line = list(csv.reader(io.StringIO(csv_body)))[1]
    assert line[3] == "hit the reveal limit" and line[4:6] == [second.customer_number, second.name]


def test_the_log_with_refused_reveals_of_many_customers_keeps_its_query_count(
    supervisor_client, rm_alice, settings, django_assert_num_queries
):
    settings.REVEAL_LIMIT = 0  # every reveal refused
    customers = CustomerFactory.create_batch(6, relationship_manager=rm_alice)
    _refused_reveals(rm_alice, customers[:1])
    supervisor_client.get(URL)  # warm the session
    # session, user with staff, entries (their customers joined)
    with django_assert_num_queries(3):
        supervisor_client.get(URL)
    _refused_reveals(rm_alice, customers[1:], field="national_id")
    with django_assert_num_queries(3):
        response = supervisor_client.get(URL)
    html = response.content.decode()
    assert all(c.name in html and c.customer_number in html for c in customers)
    assert [e.customer for e in _rows(response)] == customers[::-1]


@pytest.mark.parametrize(
    "language, words",
    [("en", ["a mobile number", "reveal or export limit"]), ("zh-hans", ["手机号", "上限"])],
)
def test_the_introduction_names_mobile_reveals_and_the_limits(supervisor_client, language, words):
    html = supervisor_client.get(URL, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    intro = html.split('class="text-body-secondary small">', 1)[1].split("</p>", 1)[0]
    for word in words:
        assert word in intro
