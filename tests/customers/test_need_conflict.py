""" "Record a need" in two tabs: the form carries the customer's needs as it was opened with
them (customers.selectors.need_states), and a need changed since is not overwritten silently:
the user is told what changed and what the need holds now, nothing is saved, and recording
the need again from the reopened form is a deliberate overwrite."""

import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from crm.names import person_name
from crm.submit_once import ALREADY_SUBMITTED
from customers.models import NeedChange
from customers.selectors import NeedState, need_states
from customers.services import customer_need_record
from tests.customers.factories import CustomerFactory, need_type

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def alices_customer(rm_alice):
    return CustomerFactory(relationship_manager=rm_alice)


@pytest.fixture
def home(rm_alice, alices_customer):
    """The customer already has "Home purchase", active at priority 33."""
    home = need_type("home_purchase")
    customer_need_record(actor=rm_alice, customer=alices_customer, need_type=home, priority=33)
    return home


def opened(client, customer) -> dict:
    """The need form as a tab unfolds it: its hidden fields, as the browser posts them."""
    url = reverse("customers:panel", args=[customer.pk, "customer-need"])
    body = client.get(url, **HX).content.decode()
    hidden = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', body)
    return {name: html.unescape(value) for name, value in hidden}


def record(client, customer, form: dict, need, **values) -> list[str]:
    """Post the form with these entries; the messages the customer page then shows."""
    data = form | {"need_type": need.pk, "source": "recorded"} | values
    url = reverse("customers:need_record", args=[customer.pk])
    response = client.post(url, data, follow=True)
    return [str(m) for m in response.context["messages"]]


def state(customer, need) -> tuple[int, str]:
    stored = customer.needs.get(need_type=need)
    return stored.priority, stored.status


def test_a_status_set_in_one_tab_is_not_reverted_by_the_other_tab(
    alice_client, alices_customer, home
):
    tab_a, tab_b = opened(alice_client, alices_customer), opened(alice_client, alices_customer)
    assert "needs_loaded" in tab_a
    saved = record(alice_client, alices_customer, tab_a, home, priority=33, status="fulfilled")
    assert saved == ["Need recorded."]

    # Tab B only changes the priority, leaving the status at the form's default, "Active".
    refused = " ".join(
        record(alice_client, alices_customer, tab_b, home, priority=70, status="active")
    )
    assert "changed the need “Home purchase”" in refused
    assert "Active → Fulfilled" in refused  # what the first tab changed
    assert "It is now: priority 33, Fulfilled" in refused
    assert "Nothing was saved" in refused and "priority 70, Active" in refused
    assert "Need recorded." not in refused
    assert state(alices_customer, home) == (33, "fulfilled")
    assert NeedChange.objects.filter(need__need_type=home).count() == 2

    # The reopened form shows the need as it is now: recording again is a deliberate choice.
    again = opened(alice_client, alices_customer)
    saved = record(alice_client, alices_customer, again, home, priority=70, status="active")
    assert saved == ["Need recorded."]
    assert state(alices_customer, home) == (70, "active")


def test_a_priority_from_one_tab_is_not_overwritten_by_the_other_tabs(
    alice_client, carol_client, rm_carol, alices_customer, home
):
    tab_a, tab_b = opened(carol_client, alices_customer), opened(alice_client, alices_customer)
    record(carol_client, alices_customer, tab_a, home, priority=66, status="active")
    refused = " ".join(
        record(alice_client, alices_customer, tab_b, home, priority=67, status="active")
    )
    assert "priority 33 → 66" in refused
    assert person_name(rm_carol) in refused  # who changed it
    assert state(alices_customer, home) == (66, "active")


def test_a_need_first_recorded_after_the_form_was_opened_is_a_conflict(
    alice_client, carol_client, alices_customer
):
    education = need_type("education")
    tab_a, tab_b = opened(carol_client, alices_customer), opened(alice_client, alices_customer)
    record(carol_client, alices_customer, tab_a, education, priority=60, status="active")
    refused = " ".join(
        record(alice_client, alices_customer, tab_b, education, priority=40, status="active")
    )
    assert "new need, priority 60" in refused and "Nothing was saved" in refused
    assert state(alices_customer, education) == (60, "active")


def test_no_conflict_when_nothing_of_the_others_would_be_lost(alice_client, alices_customer, home):
    tab_a, tab_b = opened(alice_client, alices_customer), opened(alice_client, alices_customer)
    tab_c = opened(alice_client, alices_customer)
    record(alice_client, alices_customer, tab_a, home, priority=50, status="active")
    # The same values: a confirmation, nothing to lose.
    same = record(alice_client, alices_customer, tab_b, home, priority=50, status="active")
    assert same == ["Need recorded."]
    # Another need than the one changed meanwhile.
    other = record(
        alice_client, alices_customer, tab_c, need_type("education"), priority=40, status="active"
    )
    assert other == ["Need recorded."]
    assert state(alices_customer, home) == (50, "active")


def test_the_same_form_sent_twice_records_once(alice_client, alices_customer, home):
    form = opened(alice_client, alices_customer)
    assert record(alice_client, alices_customer, form, home, priority=70, status="active") == [
        "Need recorded."
    ]
    assert record(alice_client, alices_customer, form, home, priority=70, status="active") == [
        str(ALREADY_SUBMITTED)
    ]
    assert state(alices_customer, home) == (70, "active")
    assert NeedChange.objects.filter(need__need_type=home).count() == 2


def test_the_service_refuses_to_overwrite_a_change_made_since_the_needs_loaded(
    rm_alice, rm_carol, alices_customer, home
):
    loaded = need_states(customer=alices_customer)
    assert loaded == {home.pk: NeedState(33, "active")}
    customer_need_record(
        actor=rm_carol, customer=alices_customer, need_type=home, priority=33, status="fulfilled"
    )
    with pytest.raises(ValidationError, match="Active → Fulfilled"):
        customer_need_record(
            actor=rm_alice,
            customer=alices_customer,
            need_type=home,
            priority=70,
            needs_loaded=loaded,
        )
    assert state(alices_customer, home) == (33, "fulfilled")
    # Without what the form was opened with (interactions, imports), recording is as before.
    customer_need_record(actor=rm_alice, customer=alices_customer, need_type=home, priority=70)
    assert state(alices_customer, home) == (70, "active")


def test_the_refusal_is_in_chinese_for_a_chinese_reader(rm_alice, rm_carol, alices_customer, home):
    loaded = need_states(customer=alices_customer)
    customer_need_record(actor=rm_carol, customer=alices_customer, need_type=home, priority=66)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        customer_need_record(
            actor=rm_alice,
            customer=alices_customer,
            need_type=home,
            priority=67,
            needs_loaded=loaded,
        )
    with translation.override("zh-hans"):
        text = " ".join(raised.value.messages)
    assert "修改了需求“购房”" in text and "优先级 33 → 66" in text
    assert "本次未保存任何内容" in text and "优先级 67、活跃" in text
