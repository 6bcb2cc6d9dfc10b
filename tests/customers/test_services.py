"""Writes: validation that helps, nothing half-saved, history and audit for every change."""

import datetime as dt
import functools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers import services
from customers.models import (
    AuditEntry,
    Customer,
    CustomerNeed,
    LifeEvent,
    Relationship,
)
from customers.selectors import customer_history
from tests.customers.factories import CustomerFactory, national_id_for, need_type

BORN = dt.date(1990, 3, 7)


def _fields(rm, **overrides):
    fields = {
        "customer_number": "620099990001",
        "name": "王建国",
        "date_of_birth": BORN,
        "national_id": national_id_for(BORN, 12),
        "phone": "13812345678",
        "branch": rm.staff.branch,
        "relationship_manager": rm,
        "segment": Customer.Segment.AFFLUENT,
    }
    return fields | overrides


def test_create_fills_search_keys_history_and_audit(rm_alice):
    customer = services.customer_create(actor=rm_alice, **_fields(rm_alice))
    assert customer.id_last4 == customer.national_id[-4:]
    assert "建国" in customer.search_bigrams
    record = customer.history.get()
    assert record.history_type == "+"
    assert record.history_user == rm_alice
    assert AuditEntry.objects.filter(action="customer.created", customer=customer).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"national_id": "110105199003071234"}, "national_id", "check digit is wrong"),
        ({"national_id": "11010519900307123"}, "national_id", "17 digits followed"),
        ({"date_of_birth": dt.date(1991, 3, 7)}, "date_of_birth", "does not match"),
        ({"phone": "12345"}, "phone", "11-digit mainland mobile"),
        ({"date_of_birth": dt.date(1850, 1, 1)}, "date_of_birth", "between 1900 and today"),
        ({"name": ""}, "name", "cannot be blank"),
    ],
)
def test_create_rejects_bad_input_next_to_the_field(rm_alice, overrides, field, message):
    with pytest.raises(ValidationError) as exc:
        services.customer_create(actor=rm_alice, **_fields(rm_alice, **overrides))
    assert field in exc.value.message_dict
    assert message in " ".join(exc.value.message_dict[field])
    assert not Customer.objects.exists()  # nothing half-saved
    assert not AuditEntry.objects.exists()


def test_rm_of_another_branch_cannot_be_assigned(rm_alice, rm_bob, head_office):
    with pytest.raises(ValidationError, match="relationship manager of the customer's branch"):
        services.customer_create(
            actor=head_office, **_fields(rm_alice, relationship_manager=rm_bob)
        )
    assert not Customer.objects.exists()


def test_update_keeps_who_when_old_and_new(rm_alice):
    customer = services.customer_create(actor=rm_alice, **_fields(rm_alice))
    services.customer_update(actor=rm_alice, customer=customer, fields={"phone": "13900000000"})
    # The same value again: a no-op.
    services.customer_update(actor=rm_alice, customer=customer, fields={"phone": "13900000000"})
    history = customer_history(customer=customer)
    assert len(history) == 2
    latest = history[0]
    assert rm_alice.first_name  # the factory names every member of staff
    assert latest.by == rm_alice.first_name  # (was `== a or b`, which always passed)
    # Mobile numbers are masked in the history like everywhere else (issue 8 item 13).
    assert [(c.old, c.new) for c in latest.changes] == [("138****5678", "139****0000")]


def test_history_masks_the_national_id(rm_alice):
    customer = services.customer_create(actor=rm_alice, **_fields(rm_alice))
    services.customer_update(
        actor=rm_alice, customer=customer, fields={"national_id": national_id_for(BORN, 345)}
    )
    change = customer_history(customer=customer)[0].changes[0]
    assert "*" in change.old and "*" in change.new
    assert customer.national_id not in change.old


def test_colleague_cannot_update(rm_alice, rm_carol):
    customer = CustomerFactory(relationship_manager=rm_alice)
    with pytest.raises(PermissionDenied):
        services.customer_update(actor=rm_carol, customer=customer, fields={"phone": "13900000000"})


def test_archive_and_restore_to_the_previous_status(rm_alice):
    customer = services.customer_create(
        actor=rm_alice, **_fields(rm_alice, status=Customer.Status.DORMANT)
    )
    services.customer_archive(actor=rm_alice, customer=customer, reason="Account closed")
    customer.refresh_from_db()
    assert customer.status == Customer.Status.ARCHIVED
    assert Customer.objects.filter(pk=customer.pk).exists()  # never deleted
    with pytest.raises(ValidationError, match="already archived"):
        services.customer_archive(actor=rm_alice, customer=customer, reason="Account closed")
    services.customer_restore(actor=rm_alice, customer=customer)
    customer.refresh_from_db()
    assert customer.status == Customer.Status.DORMANT
    assert [e.reason for e in customer_history(customer=customer)[:2]] == [
        "restored",
        "Account closed",
    ]


def test_supervisor_reassigns_many_within_the_branch(supervisor, rm_alice, rm_carol):
    customers = CustomerFactory.create_batch(3, relationship_manager=rm_alice)
    moved = services.customer_reassign(
        actor=supervisor, customers=customers, relationship_manager=rm_carol
    )
    assert moved == 3
    assert set(Customer.objects.values_list("relationship_manager", flat=True)) == {rm_carol.pk}
    assert AuditEntry.objects.filter(action="customer.reassigned").count() == 3
    change = customer_history(customer=customers[0])[0]
    assert change.reason == "reassigned"
    assert change.changes[0].new == (rm_carol.get_full_name() or rm_carol.username)


def test_reassigning_a_portfolio_costs_the_same_queries_as_one_customer(
    supervisor, rm_alice, rm_carol
):
    few = CustomerFactory.create_batch(2, relationship_manager=rm_alice)
    many = CustomerFactory.create_batch(40, relationship_manager=rm_alice)
    with CaptureQueriesContext(connection) as for_few:
        services.customer_reassign(actor=supervisor, customers=few, relationship_manager=rm_carol)
    with CaptureQueriesContext(connection) as for_many:
        moved = services.customer_reassign(
            actor=supervisor, customers=many, relationship_manager=rm_carol
        )
    assert moved == 40
    assert len(for_many.captured_queries) == len(for_few.captured_queries)
    assert AuditEntry.objects.filter(action="customer.reassigned").count() == 42
    assert all(
        e.detail == {"from": rm_alice.pk, "to": rm_carol.pk}
        for e in AuditEntry.objects.filter(action="customer.reassigned")
    )


def test_reassign_to_another_branch_moves_nobody(supervisor, rm_alice, rm_bob):
    customers = CustomerFactory.create_batch(2, relationship_manager=rm_alice)
    with pytest.raises(ValidationError):
        services.customer_reassign(
            actor=supervisor, customers=customers, relationship_manager=rm_bob
        )
    assert set(Customer.objects.values_list("relationship_manager", flat=True)) == {rm_alice.pk}


def test_rm_cannot_reassign(rm_alice, rm_carol):
    customer = CustomerFactory(relationship_manager=rm_alice)
    with pytest.raises(PermissionDenied):
        services.customer_reassign(
            actor=rm_alice, customers=[customer], relationship_manager=rm_carol
        )


def five_years_from(day: dt.date) -> dt.date:
    """The same day of the year five years on; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + 5)
    except ValueError:
        return dt.date(day.year + 5, 2, 28)


def test_a_life_event_may_be_expected_up_to_five_years_from_today_to_the_day(rm_alice):
    """ "Five years from today" is that date, not 5 × 366 days (which let four days more
    through than the message said)."""
    customer = CustomerFactory(relationship_manager=rm_alice)
    latest = five_years_from(timezone.localdate())
    assert services.life_event_date_range(customer) == (customer.date_of_birth, latest)
    record = functools.partial(
        services.life_event_record, actor=rm_alice, customer=customer, kind="retirement"
    )
    with pytest.raises(ValidationError, match=latest.isoformat()):
        record(event_date=latest + dt.timedelta(days=1))
    assert record(event_date=latest).event_date == latest


def test_life_event_dates_must_be_plausible(rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    with pytest.raises(ValidationError, match=r"\(the customer's date of birth\)"):
        services.life_event_record(
            actor=rm_alice,
            customer=customer,
            kind=LifeEvent.Kind.CHILDBIRTH,
            event_date=dt.date(1950, 1, 1),
        )
    event = services.life_event_record(
        actor=rm_alice,
        customer=customer,
        kind=LifeEvent.Kind.CHILDBIRTH,
        event_date=timezone.localdate() + dt.timedelta(days=60),
        note="预产期",
    )
    assert event.recorded_by == rm_alice


def test_latest_risk_assessment_sets_the_class(rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    today = timezone.localdate()
    services.risk_assessment_record(
        actor=rm_alice, customer=customer, risk_class="C4", assessed_on=today, score=70
    )
    services.risk_assessment_record(
        actor=rm_alice,
        customer=customer,
        risk_class="C2",
        assessed_on=today - dt.timedelta(days=400),
        score=30,
    )
    customer.refresh_from_db()
    assert (customer.risk_class, customer.risk_assessed_on) == ("C4", today)
    assert customer.risk_assessment_current


def test_need_changes_are_dated_records(rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    education = need_type("education")
    services.customer_need_record(
        actor=rm_alice, customer=customer, need_type=education, priority=40
    )
    need = services.customer_need_record(
        actor=rm_alice, customer=customer, need_type=education, priority=80, reason="二胎"
    )
    assert [(c.old_priority, c.new_priority) for c in need.changes.order_by("changed_at")] == [
        (None, 40),
        (40, 80),
    ]
    assert CustomerNeed.objects.get().priority == 80


def test_household_links_both_ways(rm_alice):
    parent, child = CustomerFactory.create_batch(2, relationship_manager=rm_alice)
    services.relationship_link(
        actor=rm_alice, customer=parent, related=child, kind=Relationship.Kind.PARENT
    )
    assert Relationship.objects.get(customer=child).kind == Relationship.Kind.CHILD


def test_a_need_cannot_be_recorded_for_a_customer_out_of_scope(rm_alice, rm_bob):
    customer = CustomerFactory(relationship_manager=rm_alice)
    with pytest.raises(PermissionDenied):
        services.customer_need_record(
            actor=rm_bob, customer=customer, need_type=need_type("education"), priority=50
        )
    assert not customer.needs.exists()


# -- Household: one spouse, and what relinking did ------------------------------------------


def test_a_customer_has_at_most_one_spouse_named_in_the_refusal(rm_alice):
    husband = CustomerFactory(relationship_manager=rm_alice, name="王建国")
    wife = CustomerFactory(relationship_manager=rm_alice, name="李芳")
    other = CustomerFactory(relationship_manager=rm_alice, name="赵敏")
    services.relationship_link(actor=rm_alice, customer=husband, related=wife, kind="spouse")
    # Either side of the new tie may be the one already married.
    for customer, related in [(husband, other), (other, husband), (other, wife)]:
        with pytest.raises(ValidationError, match="already has a spouse") as refused:
            services.relationship_link(
                actor=rm_alice, customer=customer, related=related, kind="spouse"
            )
        text = " ".join(refused.value.messages)
        assert "李芳" in text or "王建国" in text
    assert not Relationship.objects.filter(customer=other).exists()
    assert not Relationship.objects.filter(related=other).exists()
    # The message names the existing spouse of the customer who has one.
    with pytest.raises(ValidationError) as refused:
        services.relationship_link(actor=rm_alice, customer=husband, related=other, kind="spouse")
    assert refused.value.messages == [
        "王建国 already has a spouse: 李芳. A customer has at most one spouse; unlink that spouse "
        "first if the record is wrong."
    ]
    # Another kind of tie is still allowed, and so is relinking the same two as spouses.
    services.relationship_link(actor=rm_alice, customer=husband, related=other, kind="partner")
    result = services.relationship_link(
        actor=rm_alice, customer=wife, related=husband, kind="spouse"
    )
    assert result.outcome == services.LinkOutcome.UNCHANGED
    # A partner cannot become a second spouse by a change of kind either.
    with pytest.raises(ValidationError, match="already has a spouse"):
        services.relationship_link(actor=rm_alice, customer=other, related=husband, kind="spouse")
    assert Relationship.objects.get(customer=other).kind == "partner"
    # After an unlink, a new spouse may be recorded.
    services.relationship_unlink(actor=rm_alice, customer=husband, related=wife)
    services.relationship_link(actor=rm_alice, customer=other, related=husband, kind="spouse")
    assert Relationship.objects.get(customer=husband, kind="spouse").related == other


def test_a_spouse_outside_the_users_scope_is_not_named(rm_alice, rm_bob, supervisor):
    mine = CustomerFactory(relationship_manager=rm_alice, name="王建国")
    elsewhere = CustomerFactory(relationship_manager=rm_bob, name="远方的人")
    services.relationship_link(actor=None, customer=mine, related=elsewhere, kind="spouse")
    other = CustomerFactory(relationship_manager=rm_alice)
    with pytest.raises(ValidationError, match="outside your branch") as refused:
        services.relationship_link(actor=supervisor, customer=mine, related=other, kind="spouse")
    assert "远方的人" not in " ".join(refused.value.messages)


def test_a_spouse_link_is_refused_in_chinese_too(rm_alice):
    from django.utils import translation

    husband, wife, other = CustomerFactory.create_batch(3, relationship_manager=rm_alice)
    services.relationship_link(actor=rm_alice, customer=husband, related=wife, kind="spouse")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.relationship_link(actor=rm_alice, customer=other, related=wife, kind="spouse")
    with translation.override("zh-hans"):
        text = " ".join(refused.value.messages)
    assert f"{wife.name} 已有配偶：{husband.name}" in text


def test_relinking_says_whether_it_created_changed_or_did_nothing(rm_alice):
    parent, child = CustomerFactory.create_batch(2, relationship_manager=rm_alice)
    link, outcome = services.relationship_link(
        actor=rm_alice, customer=parent, related=child, kind="parent"
    )
    assert outcome == services.LinkOutcome.CREATED
    assert (link.customer, link.related, link.kind) == (parent, child, "parent")
    assert AuditEntry.objects.filter(action="relationship.linked").count() == 2

    # The same tie again, from either side: nothing changes, nothing is audited.
    for customer, related, kind in [(parent, child, "parent"), (child, parent, "child")]:
        result = services.relationship_link(
            actor=rm_alice, customer=customer, related=related, kind=kind
        )
        assert result.outcome == services.LinkOutcome.UNCHANGED
        assert result.link.customer == customer
    assert AuditEntry.objects.filter(action="relationship.linked").count() == 2

    result = services.relationship_link(
        actor=rm_alice, customer=child, related=parent, kind="partner"
    )
    assert result.outcome == services.LinkOutcome.CHANGED
    assert result.link.kind == "partner"
    ties = set(Relationship.objects.values_list("customer_id", "related_id", "kind"))
    assert ties == {(parent.pk, child.pk, "partner"), (child.pk, parent.pk, "partner")}
    changed = AuditEntry.objects.filter(action="relationship.linked").order_by("pk")[2:]
    assert [(e.customer_id, e.detail["previous_kind"]) for e in changed] == [
        (child.pk, "child"),
        (parent.pk, "parent"),
    ]
