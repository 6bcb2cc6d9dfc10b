"""A need's history says what changed: the priority part only when the priority changed (or the
need is new), the status part only when the status changed — on the timeline, in the needs
panel, on the dashboards' need changes and in admin; admin names needs by customer and type."""

import pytest
from django.urls import reverse
from django.utils import translation

from customers.models import CustomerNeed, NeedChange, need_change_words
from customers.services import customer_need_record
from customers.timeline import timeline_page
from tests.customers.factories import CustomerFactory, need_type


def _history(rm):
    """A new need (80), a status-only change, then a priority-only change."""
    customer = CustomerFactory(relationship_manager=rm)
    retirement = need_type("retirement")
    customer_need_record(actor=rm, customer=customer, need_type=retirement, priority=80)
    customer_need_record(
        actor=rm, customer=customer, need_type=retirement, priority=80, status="fulfilled"
    )
    customer_need_record(
        actor=rm, customer=customer, need_type=retirement, priority=60, status="fulfilled"
    )
    return customer, list(NeedChange.objects.order_by("pk"))


def test_each_part_shows_only_when_it_changed(rm_alice):
    _customer, (new, status_only, priority_only) = _history(rm_alice)
    assert need_change_words(new) == "new need, priority 80"
    assert need_change_words(status_only) == "Active → Fulfilled"
    assert need_change_words(priority_only) == "priority 80 → 60"
    with translation.override("zh-hans"):
        assert "80 → 80" not in need_change_words(status_only)
        assert need_change_words(status_only) == "活跃 → 已满足"
        both = NeedChange(
            old_priority=85, new_priority=60, old_status="lapsed", new_status="active"
        )
        assert need_change_words(both) == "优先级 85 → 60；已失效 → 活跃"  # Chinese punctuation


def test_the_timeline_and_the_needs_panel_say_a_status_change_without_the_priority(
    alice_client, rm_alice
):
    customer, _changes = _history(rm_alice)
    details = [
        e.detail
        for e in timeline_page(
            customer=customer, viewer=customer.relationship_manager, selected=["need"]
        ).entries
    ]
    assert details == ["priority 80 → 60", "Active → Fulfilled", "new need, priority 80"]
    body = alice_client.get(customer.get_absolute_url()).content.decode()
    history = body[body.index('data-testid="need-history"') :].split("</details>", 1)[0]
    assert "80 → 80" not in history and "Active → Fulfilled" in history
    assert "priority 80 → 60" in history


def test_the_dashboards_need_changes_show_only_what_changed(supervisor_client, rm_alice):
    _history(rm_alice)
    body = supervisor_client.get(reverse("dashboards:need_changes")).content.decode()
    assert "80 → 80" not in body and "80 → 60" in body
    assert "Fulfilled → Fulfilled" not in body and "Active → Fulfilled" in body


@pytest.fixture
def admin_client(django_user_model, client):
    client.force_login(django_user_model.objects.create_superuser("root", password="x" * 12))
    return client


def test_admin_names_needs_by_customer_and_type_and_shows_statuses_in_words(
    admin_client, rm_alice, django_assert_max_num_queries
):
    customer, (_new, status_only, _priority) = _history(rm_alice)
    need = CustomerNeed.objects.get()
    assert str(need) == f"{customer.customer_number} · Retirement"
    changelist = admin_client.get(reverse("admin:customers_needchange_changelist"))
    body = changelist.content.decode()
    assert f"{customer.customer_number} · Retirement" in body
    assert "CustomerNeed object" not in body
    detail = admin_client.get(
        reverse("admin:customers_needchange_change", args=[status_only.pk])
    ).content.decode()
    assert "Active" in detail and "Fulfilled" in detail
    assert ">active<" not in detail and ">fulfilled<" not in detail  # not the stored codes
    # The list names each need without a query per row.
    for _ in range(3):
        _history(rm_alice)
    with django_assert_max_num_queries(12):
        admin_client.get(reverse("admin:customers_needchange_changelist"))
