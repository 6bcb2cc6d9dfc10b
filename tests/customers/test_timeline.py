"""The timeline registry's paging: keyset cursors, no entry skipped or repeated."""

import datetime as dt

from django.utils import timezone

from customers.models import NeedChange
from customers.services import customer_need_record
from customers.timeline import timeline_page
from tests.customers.factories import CustomerFactory, need_type

CODES = ["liquidity", "retirement", "education", "credit", "protection"]


def _all_pages(customer, size):
    seen, before, pages = [], None, 0
    while True:
        page = timeline_page(customer=customer, selected=["need"], before=before, size=size)
        seen.extend(e.title for e in page.entries)
        pages += 1
        if page.next_before is None or pages > 10:
            return seen, pages
        before = page.next_before


def test_entries_sharing_a_time_at_a_page_boundary_are_neither_skipped_nor_repeated(rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    for code in CODES:
        customer_need_record(
            actor=rm_alice, customer=customer, need_type=need_type(code), priority=50
        )
    instant = timezone.now() - dt.timedelta(days=1)
    # Three changes at one instant, two older ones: a page of 2 ends inside the tie.
    changes = list(NeedChange.objects.order_by("pk"))
    for change in changes[:3]:
        change.changed_at = instant
    for offset, change in enumerate(changes[3:], start=1):
        change.changed_at = instant - dt.timedelta(hours=offset)
    NeedChange.objects.bulk_update(changes, ["changed_at"])

    for size in (1, 2, 3, 4, 10):
        seen, _ = _all_pages(customer, size)
        assert sorted(seen) == sorted(str(need_type(c)) for c in CODES), size
        assert len(seen) == len(set(seen)) == 5, size


def test_one_query_per_provider_per_page(rm_alice, django_assert_num_queries):
    customer = CustomerFactory(relationship_manager=rm_alice)
    for code in CODES:
        customer_need_record(
            actor=rm_alice, customer=customer, need_type=need_type(code), priority=50
        )
    with django_assert_num_queries(1):
        page = timeline_page(customer=customer, selected=["need"], size=2)
    assert len(page.entries) == 2
    assert page.next_before is not None
