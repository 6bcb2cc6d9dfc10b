""" "Record a need" in two tabs: the form carries the customer's needs as it was opened with
them (customers.selectors.need_states), and a need changed since is not overwritten silently:
the user is told what changed and what the need holds now, nothing is saved, and recording
the need again from the reopened form is a deliberate overwrite."""

import html
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from crm.names import person_name
from crm.submit_once import ALREADY_SUBMITTED
from customers.models import NeedChange
from customers.selectors import NeedState, evidence_digest, need_states
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


def evidence(customer, need) -> str:
    return customer.needs.get(need_type=need).evidence


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
    assert loaded == {home.pk: NeedState(33, "active", evidence_digest(""))}
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


# -- The evidence: not in the need's history, so a lost one would be lost for good ----------


@pytest.fixture
def liquidity(rm_alice, alices_customer):
    """The customer already has "Liquidity", active at priority 40, with evidence."""
    liquidity = need_type("liquidity")
    customer_need_record(
        actor=rm_alice,
        customer=alices_customer,
        need_type=liquidity,
        priority=40,
        evidence="Keeps a large current-account balance.",
    )
    return liquidity


def test_evidence_saved_in_one_tab_is_not_overwritten_by_the_other_tab(
    alice_client, alices_customer, liquidity
):
    """The tester's case: tab A changes only the evidence, tab B the priority and evidence."""
    tab_a, tab_b = opened(alice_client, alices_customer), opened(alice_client, alices_customer)
    saved = record(
        alice_client,
        alices_customer,
        tab_a,
        liquidity,
        priority=40,
        status="active",
        evidence="EVIDENCE FROM TAB A v2",
    )
    assert saved == ["Need recorded."]

    refused = " ".join(
        record(
            alice_client,
            alices_customer,
            tab_b,
            liquidity,
            priority=80,
            status="active",
            evidence="EVIDENCE FROM TAB B",
        )
    )
    assert "The evidence for the need “Liquidity” was changed after you opened" in refused
    assert "It now reads: “EVIDENCE FROM TAB A v2”." in refused
    assert "Nothing was saved" in refused and "priority 80, Active and your evidence" in refused
    assert "Need recorded." not in refused
    assert evidence(alices_customer, liquidity) == "EVIDENCE FROM TAB A v2"
    assert state(alices_customer, liquidity) == (40, "active")

    # The reopened form knows the evidence as it is now: recording again overwrites it.
    again = opened(alice_client, alices_customer)
    saved = record(
        alice_client,
        alices_customer,
        again,
        liquidity,
        priority=80,
        status="active",
        evidence="EVIDENCE FROM TAB B",
    )
    assert saved == ["Need recorded."]
    assert evidence(alices_customer, liquidity) == "EVIDENCE FROM TAB B"
    assert state(alices_customer, liquidity) == (80, "active")


def test_the_refusal_names_both_a_status_and_an_evidence_change(
    alice_client, carol_client, rm_carol, alices_customer, liquidity
):
    tab_a, tab_b = opened(carol_client, alices_customer), opened(alice_client, alices_customer)
    record(
        carol_client,
        alices_customer,
        tab_a,
        liquidity,
        priority=40,
        status="fulfilled",
        evidence="Carol: the deposit matured.",
    )
    refused = " ".join(
        record(
            alice_client,
            alices_customer,
            tab_b,
            liquidity,
            priority=60,
            status="active",
            evidence="Alice: wants cash at hand.",
        )
    )
    assert "Active → Fulfilled" in refused
    assert f"last recorded by {person_name(rm_carol)}" in refused
    assert "“Carol: the deposit matured.”" in refused
    assert evidence(alices_customer, liquidity) == "Carol: the deposit matured."
    assert state(alices_customer, liquidity) == (40, "fulfilled")


def test_no_evidence_conflict_when_the_other_tab_leaves_the_evidence_or_repeats_it(
    alice_client, alices_customer, liquidity
):
    tab_a, tab_b = opened(alice_client, alices_customer), opened(alice_client, alices_customer)
    tab_c = opened(alice_client, alices_customer)
    record(
        alice_client,
        alices_customer,
        tab_a,
        liquidity,
        priority=40,
        status="active",
        evidence="EVIDENCE FROM TAB A v2",
    )
    # An empty evidence field leaves the evidence as it is: nothing of tab A's is lost.
    kept = record(
        alice_client, alices_customer, tab_b, liquidity, priority=55, status="active", evidence=""
    )
    assert kept == ["Need recorded."]
    assert evidence(alices_customer, liquidity) == "EVIDENCE FROM TAB A v2"
    assert state(alices_customer, liquidity) == (55, "active")
    # The same evidence as is stored now (and the priority and status as they are now).
    same = record(
        alice_client,
        alices_customer,
        tab_c,
        liquidity,
        priority=55,
        status="active",
        evidence="EVIDENCE FROM TAB A v2",
    )
    assert same == ["Need recorded."]


def test_a_long_evidence_is_quoted_by_its_beginning_and_the_form_carries_a_hash(
    alice_client, alices_customer, liquidity
):
    tab_a, tab_b = opened(alice_client, alices_customer), opened(alice_client, alices_customer)
    # The hidden field carries a short hash of the evidence, not its text.
    loaded = json.loads(tab_b["needs_loaded"])
    assert loaded[str(liquidity.pk)] == [
        40,
        "active",
        evidence_digest(evidence(alices_customer, liquidity)),
    ]
    assert "current-account" not in tab_b["needs_loaded"]
    long_text = "Salary of 35,000 a month; " + "x" * 300 + " END"
    record(
        alice_client,
        alices_customer,
        tab_a,
        liquidity,
        priority=40,
        status="active",
        evidence=long_text,
    )
    refused = " ".join(
        record(
            alice_client,
            alices_customer,
            tab_b,
            liquidity,
            priority=40,
            status="active",
            evidence="Something else.",
        )
    )
    assert "It now reads: “Salary of 35,000 a month; xxx" in refused
    assert " END" not in refused and "x" * 80 not in refused
    assert evidence(alices_customer, liquidity) == long_text


def test_the_service_refuses_to_overwrite_evidence_changed_since_the_needs_loaded(
    rm_alice, rm_carol, alices_customer, liquidity
):
    loaded = need_states(customer=alices_customer)
    customer_need_record(
        actor=rm_carol,
        customer=alices_customer,
        need_type=liquidity,
        priority=40,
        evidence="Carol's evidence",
    )
    with pytest.raises(ValidationError, match="Carol's evidence"):
        customer_need_record(
            actor=rm_alice,
            customer=alices_customer,
            need_type=liquidity,
            priority=40,
            evidence="Alice's evidence",
            needs_loaded=loaded,
        )
    assert evidence(alices_customer, liquidity) == "Carol's evidence"
    # Without what the form was opened with (interactions, imports), recording is as before.
    customer_need_record(
        actor=rm_alice,
        customer=alices_customer,
        need_type=liquidity,
        priority=40,
        evidence="Alice's evidence",
    )
    assert evidence(alices_customer, liquidity) == "Alice's evidence"


def test_the_evidence_refusal_is_in_chinese_for_a_chinese_reader(
    rm_alice, rm_carol, alices_customer, liquidity
):
    loaded = need_states(customer=alices_customer)
    customer_need_record(
        actor=rm_carol,
        customer=alices_customer,
        need_type=liquidity,
        priority=40,
        evidence="新依据",
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        customer_need_record(
            actor=rm_alice,
            customer=alices_customer,
            need_type=liquidity,
            priority=50,
            evidence="另一依据",
            needs_loaded=loaded,
        )
    with translation.override("zh-hans"):
        text = " ".join(raised.value.messages)
    assert "需求“流动性”的依据在您打开此表单之后被修改" in text and "“新依据”" in text
    assert "本次未保存任何内容" in text and "优先级 50、活跃 及您填写的依据" in text


def test_the_refused_form_comes_back_with_the_entries_and_sends_as_a_deliberate_overwrite(
    alice_client, rm_alice, alices_customer, home
):
    """Refused, the page comes back with the panel open and the entries as typed; its hidden
    state is the need as it is now, so sending it again records the entries over it."""
    form = opened(alice_client, alices_customer)
    customer_need_record(
        actor=rm_alice, customer=alices_customer, need_type=home, priority=33, status="fulfilled"
    )
    url = reverse("customers:need_record", args=[alices_customer.pk])
    entries = {"need_type": home.pk, "source": "recorded", "priority": "70", "status": "active"}
    refused = alice_client.post(url, form | entries | {"evidence": "客户来电确认"})
    assert refused.status_code == 200 and state(alices_customer, home) == (33, "fulfilled")
    page = refused.content.decode()
    assert "客户来电确认" in page and 'value="70"' in page
    again = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    again = {name: html.unescape(value) for name, value in again.items()}
    assert again["needs_loaded"] != form["needs_loaded"]  # the need as it is now
    assert alice_client.post(url, again | entries).status_code == 302
    assert state(alices_customer, home) == (70, "active")
