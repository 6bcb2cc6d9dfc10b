"""crm.history: the one presenter of change histories (customers, interactions) and of edit
conflicts: who changed what, when, old → new, as staff read it."""

import datetime as dt

import pytest
from django.utils import timezone

from crm.concurrency import EditConflict, version_of
from crm.history import FieldChange, history_entries
from crm.names import person_name
from customers.models import NeedType
from interactions import services
from interactions.selectors import interaction_history
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def logged(actor, **kwargs):
    values = {
        "channel": "phone",
        "direction": "outbound",
        "occurred_at": timezone.now() - dt.timedelta(hours=2),
        "subject": "First call",
        "outcome": "interested",
    }
    values.update(kwargs)
    customer = CustomerFactory(relationship_manager=actor)
    return services.interaction_log(actor=actor, customer=customer, **values)


def local(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def test_an_edit_reads_field_by_field_in_words_and_the_banks_time(rm_alice):
    interaction = logged(rm_alice)
    before, after = interaction.occurred_at, interaction.occurred_at - dt.timedelta(hours=1)
    education = NeedType.objects.get_or_create(code="education", defaults={"name": "Education"})[0]
    services.interaction_update(
        actor=rm_alice,
        interaction=interaction,
        needs={education: 60},
        fields={"occurred_at": after, "outcome": "subscribed"},
    )
    edit, logging = interaction_history(interaction=interaction)
    assert (edit.kind, logging.kind) == ("~", "+")
    assert edit.by == logging.by == rm_alice.first_name
    assert logging.changes == []
    # In the order of the form, labels capitalised, choices in words, no value as a dash.
    assert edit.changes == [
        FieldChange("Occurred at", local(before), local(after)),
        FieldChange("Outcome", "Interested", "Subscribed"),
        FieldChange("Needs discussed", "—", str(education)),
    ]


def test_a_customers_history_says_why_in_words(rm_alice, rm_carol):
    customer = CustomerFactory(relationship_manager=rm_alice)
    customer.relationship_manager = rm_carol
    customer._change_reason = "reassigned"
    customer.save()
    newest, oldest = history_entries(
        customer.history.order_by("-history_id"),
        fields=["relationship_manager", "marketing_consent"],
        reasons={"reassigned": "handed over"},
    )
    assert newest.reason == "handed over" and oldest.reason == ""
    assert newest.by == ""  # saved outside a request and a service: nobody to name
    assert newest.changes == [
        FieldChange("Relationship manager", rm_alice.first_name, rm_carol.first_name)
    ]


def test_an_edit_conflict_tells_the_time_in_the_banks_time_zone(rm_alice):
    interaction = logged(rm_alice)
    version = version_of(interaction)
    shown, moved = interaction.occurred_at, interaction.occurred_at - dt.timedelta(minutes=30)
    services.interaction_update(
        actor=rm_alice, interaction=interaction, fields={"occurred_at": moved}
    )
    with pytest.raises(EditConflict) as raised:  # the other tab's form, filled before the move
        services.interaction_update(
            actor=rm_alice,
            interaction=interaction,
            expected_version=version,
            fields={"occurred_at": shown, "subject": "Mine"},
        )
    assert raised.value.changes == [FieldChange("Occurred at", local(shown), local(moved))]
    assert local(moved) in " ".join(raised.value.messages)


def test_a_row_written_without_history_gets_a_record_of_itself_before_its_first_change(
    rm_alice,
):
    """A customer loaded in bulk (no history record of its own version): its first change
    shows old → new, and a form filled before that change merges with it instead of
    reverting it or reporting every field."""
    from customers.models import Customer
    from customers.selectors import customer_history
    from customers.services import customer_update

    customer = CustomerFactory(relationship_manager=rm_alice, email="old@example.cn")
    customer.history.all().delete()  # as the demo's COPY or an import without history
    loaded = timezone.now() - dt.timedelta(days=3)
    Customer.objects.filter(pk=customer.pk).update(updated_at=loaded)
    customer.refresh_from_db()
    version = version_of(customer)  # both tabs' forms
    customer_update(actor=rm_alice, customer=customer, fields={"email": "tab1@example.cn"})
    latest, baseline = customer_history(customer=customer)
    assert (baseline.kind, baseline.at, baseline.by) == ("+", loaded, "")
    assert latest.changes == [FieldChange("E-mail", "old@example.cn", "tab1@example.cn")]
    customer_update(
        actor=rm_alice,
        customer=customer,
        expected_version=version,
        fields={"address": "上海市浦东新区 1 号"},
    )
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.email, stored.address) == ("tab1@example.cn", "上海市浦东新区 1 号")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_edit_conflict_gives_its_time_as_every_page_does(rm_alice, language):
    """ "saved this record at 2026-10-31 14:05", the pages' Y-m-d H:i, in both languages (it
    read "Oct. 31, 2026, 2:05 p.m." and "2026年10月31日 14:05")."""
    from django.utils import translation

    interaction = logged(rm_alice)
    version = version_of(interaction)
    services.interaction_update(actor=rm_alice, interaction=interaction, fields={"subject": "A"})
    interaction.refresh_from_db()
    with pytest.raises(EditConflict) as raised:
        services.interaction_update(
            actor=rm_alice,
            interaction=interaction,
            expected_version=version,
            fields={"subject": "B"},
        )
    with translation.override(language):
        message = " ".join(raised.value.messages)
    assert local(interaction.updated_at) in message


def test_changes_read_with_the_languages_own_punctuation():
    from django.utils import translation

    from crm.history import changes_text

    changes = [FieldChange("Occupation", "工程师", "教师"), FieldChange("E-mail", "…", "a@b.cn")]
    assert changes_text(changes) == "Occupation: 工程师 → 教师; E-mail: … → a@b.cn"
    with translation.override("zh-hans"):
        assert changes_text(changes) == "Occupation：工程师 → 教师；E-mail：… → a@b.cn"


def test_a_reassignment_of_customers_never_changed_in_the_app_shows_who_they_left(
    rm_alice, rm_carol, supervisor
):
    """The set-based hand-over gives the rows without history their record as loaded first
    (one query for all), so each customer's history says from whom to whom."""
    from customers.models import Customer
    from customers.selectors import customer_history
    from customers.services import customer_reassign

    loaded = timezone.now() - dt.timedelta(days=3)
    bulk = CustomerFactory.create_batch(3, relationship_manager=rm_alice)
    edited = CustomerFactory(relationship_manager=rm_alice)  # its version has its record
    for customer in bulk:
        customer.history.all().delete()
    Customer.objects.filter(pk__in=[c.pk for c in bulk]).update(updated_at=loaded)
    customer_reassign(actor=supervisor, customers=[*bulk, edited], relationship_manager=rm_carol)
    for customer in [*bulk, edited]:
        latest, first = customer_history(customer=customer)
        assert first.kind == "+" and latest.reason == "reassigned"
        (change,) = latest.changes
        assert (change.old, change.new) == (person_name(rm_alice), person_name(rm_carol))
    assert [e.at for e in customer_history(customer=bulk[0])][1] == loaded
