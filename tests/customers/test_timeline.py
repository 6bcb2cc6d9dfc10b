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
        page = timeline_page(
            customer=customer,
            viewer=customer.relationship_manager,
            selected=["need"],
            before=before,
            size=size,
        )
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


def test_a_page_is_one_query_whatever_kinds_it_holds(rm_alice, django_assert_num_queries):
    customer = CustomerFactory(relationship_manager=rm_alice)
    with django_assert_num_queries(1):
        assert timeline_page(customer=customer, viewer=customer.relationship_manager).entries == []
    for code in CODES:
        customer_need_record(
            actor=rm_alice, customer=customer, need_type=need_type(code), priority=50
        )
    from customers.services import life_event_record

    life_event_record(
        actor=rm_alice, customer=customer, kind="job_change", event_date=timezone.localdate()
    )
    with django_assert_num_queries(1):
        page = timeline_page(customer=customer, viewer=customer.relationship_manager, size=2)
    assert len(page.entries) == 2
    assert page.next_before is not None
    with django_assert_num_queries(1):
        rest = timeline_page(
            customer=customer, viewer=customer.relationship_manager, before=page.next_before
        ).entries
    assert sorted(e.kind for e in rest) == ["life_event"] + ["need"] * 3


def test_a_page_that_is_all_one_instant_holds_the_whole_instant(
    rm_alice, django_assert_num_queries
):
    """More entries share the newest instant than a page holds: the page holds them all (it
    asks again with more room until it has), and the next page starts past that instant."""
    customer = CustomerFactory(relationship_manager=rm_alice)
    for code in CODES:
        customer_need_record(
            actor=rm_alice, customer=customer, need_type=need_type(code), priority=50
        )
    instant = timezone.now() - dt.timedelta(days=1)
    NeedChange.objects.filter(need__customer=customer).update(changed_at=instant)
    older = NeedChange.objects.filter(need__customer=customer).order_by("pk").first()
    NeedChange.objects.filter(pk=older.pk).update(changed_at=instant - dt.timedelta(hours=1))
    # Room for 2 rows: both tied; for 4: all tied; for 8: the 4 tied and the older one.
    with django_assert_num_queries(3):
        page = timeline_page(customer=customer, viewer=customer.relationship_manager, size=1)
    assert len(page.entries) == 4
    assert {e.occurred_at for e in page.entries} == {instant}
    assert page.next_before == instant - dt.timedelta(microseconds=1)
    last = timeline_page(
        customer=customer, viewer=customer.relationship_manager, size=1, before=page.next_before
    )
    assert len(last.entries) == 1 and last.next_before is None


def test_the_probe_finds_dated_entries_of_today_and_of_the_cursors_day(rm_alice):
    """Life events and holdings are dated, not timed: the probe compares dates generously, so
    an event of today (first page) or of the cursor's local day is never left out."""
    from customers.services import life_event_record

    customer = CustomerFactory(relationship_manager=rm_alice)
    today = timezone.localdate()
    life_event_record(actor=rm_alice, customer=customer, kind="job_change", event_date=today)
    (entry,) = timeline_page(
        customer=customer, viewer=customer.relationship_manager, selected=["life_event"]
    ).entries
    assert entry.kind == "life_event"
    # A cursor early on that day in the bank's zone (the evening before, in UTC).
    cursor = timezone.make_aware(dt.datetime.combine(today, dt.time(0, 30)))
    assert timeline_page(
        customer=customer,
        viewer=customer.relationship_manager,
        selected=["life_event"],
        before=cursor,
    ).entries


def test_an_older_page_links_back_to_the_newest(alice_client, rm_alice):
    """Keyset pages have no "previous" cursor: page 2 offers "Newest" (page 1), keeping the
    kinds chosen; the first page does not."""
    customer = CustomerFactory(relationship_manager=rm_alice)
    for priority in range(25):  # 25 need changes: more than a page of 20
        customer_need_record(
            actor=rm_alice, customer=customer, need_type=need_type("retirement"), priority=priority
        )
    first = alice_client.get(customer.get_absolute_url(), {"kind": "need"})
    assert first.context["timeline_newest_url"] == ""
    assert 'data-testid="timeline-newest"' not in first.content.decode()
    older = first.context["timeline_older_url"]
    second = alice_client.get(older)
    assert second.status_code == 200
    newest = second.context["timeline_newest_url"]
    assert newest == f"{customer.get_absolute_url()}?kind=need#timeline"
    assert f'href="{newest}" data-testid="timeline-newest"' in second.content.decode()
