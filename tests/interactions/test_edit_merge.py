"""An edit conflict merges three ways (crm.concurrency.merge_edits): when a colleague saved
the record while the user was editing it, the re-armed form takes the colleague's value for
every field the user left alone, so the user's informed second save keeps both changes;
only fields both changed are left to the user's choice."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.concurrency import merge_edits, version_of
from crm.names import person_name
from customers import services as customer_services
from customers.models import Customer
from interactions import services
from tests.customers.factories import CustomerFactory, customer_form_data
from tests.interactions.factories import interaction_logged

pytestmark = pytest.mark.django_db


def shown(response) -> dict:
    """What the re-rendered form holds: what the browser posts when the user saves again."""
    return dict(response.context["form"].data.lists())


def banner(response) -> list[str]:
    return list(response.context["form"].non_field_errors())


# -- merge_edits, field by field ---------------------------------------------------------


def test_merge_takes_theirs_where_the_user_left_a_field_alone(rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice, occupation="工程师", address="旧址")
    base = customer.history.latest()
    customer_services.customer_update(
        actor=rm_alice,
        customer=customer,
        fields={"occupation": "教师", "address": "新址", "email": "a@example.cn"},
    )
    customer.refresh_from_db()
    merge = merge_edits(
        base=base,
        current=customer,
        submitted={
            "occupation": "工程师",  # left alone: takes theirs
            "address": "我的地址",  # both changed: a conflict
            "email": "a@example.cn",  # both made the same change: nothing to decide
            "name": "我的名字",  # only the user changed it: nothing to decide
        },
        fields=["occupation", "address", "email", "name"],
    )
    assert (merge.taken, merge.conflicts) == (["occupation"], ["address"])


def test_merge_without_a_base_takes_nothing_and_reports_every_difference(rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice, occupation="教师", address="旧址")
    merge = merge_edits(
        base=None,
        current=customer,
        submitted={"occupation": "工程师", "address": "旧址", "email": "b@example.cn"},
        fields=["occupation", "address", "email"],
    )
    assert (merge.taken, merge.conflicts) == ([], ["occupation", "email"])


def test_merge_compares_related_rows_by_key(rm_alice, rm_carol, supervisor):
    customer = CustomerFactory(relationship_manager=rm_alice)
    base = customer.history.latest()
    customer_services.customer_update(
        actor=supervisor, customer=customer, fields={"relationship_manager": rm_carol}
    )
    customer.refresh_from_db()
    kept = merge_edits(
        base=base,
        current=customer,
        submitted={"relationship_manager": rm_alice},
        fields=["relationship_manager"],
    )
    assert kept.taken == ["relationship_manager"]


# -- The interaction edit form: the same author in two tabs ------------------------------


def interaction_form(interaction, **overrides):
    return {
        "channel": interaction.channel,
        "direction": interaction.direction,
        "occurred_at": timezone.localtime(interaction.occurred_at).strftime("%Y-%m-%dT%H:%M"),
        "subject": interaction.subject,
        "outcome": interaction.outcome,
        "version": version_of(interaction),
    } | overrides


def test_interaction_outcome_from_one_tab_survives_the_subject_from_the_other(
    alice_client, rm_alice, alices_customer
):
    interaction = interaction_logged(rm_alice, alices_customer)
    url = reverse("interactions:edit", args=[interaction.pk])
    tab_a, tab_b = interaction_form(interaction), interaction_form(interaction)
    earlier = timezone.localtime(interaction.occurred_at) - dt.timedelta(minutes=30)
    moved = {"outcome": "subscribed", "occurred_at": earlier.strftime("%Y-%m-%dT%H:%M")}
    assert alice_client.post(url, tab_a | moved).status_code == 302

    conflict = alice_client.post(url, tab_b | {"subject": "Call about the fund"})
    assert conflict.status_code == 200
    form = shown(conflict)
    assert form["outcome"] == ["subscribed"]  # theirs, in the fields the user left alone
    assert form["occurred_at"] == [moved["occurred_at"]]
    assert form["subject"] == ["Call about the fund"]  # the user's entry
    text = " ".join(banner(conflict))
    assert "kept" in text and "Outcome: Interested → Subscribed" in text
    assert "You both changed" not in text

    assert alice_client.post(url, form).status_code == 302  # the informed second save
    interaction.refresh_from_db()
    assert (interaction.outcome, interaction.subject) == ("subscribed", "Call about the fund")
    assert interaction.occurred_at == earlier


def test_interaction_products_left_alone_as_the_form_shows_them_take_theirs(
    alice_client, rm_alice, alices_customer
):
    from tests.products.factories import ProductFactory

    for code in ("FUND01", "FUND02", "FUND03"):
        ProductFactory(code=code)
    interaction = interaction_logged(rm_alice, alices_customer)
    url = reverse("interactions:edit", args=[interaction.pk])
    listed = interaction_form(interaction, product_codes="fund01,fund02")
    assert alice_client.post(url, listed).status_code == 302
    interaction.refresh_from_db()
    # Both tabs show the codes as the form writes them, "FUND01, FUND02", not as stored.
    tab_a = interaction_form(interaction, product_codes="FUND01, FUND02")
    tab_b = dict(tab_a)
    assert (
        alice_client.post(url, tab_a | {"product_codes": "FUND01, FUND02, FUND03"}).status_code
        == 302
    )

    conflict = alice_client.post(url, tab_b | {"subject": "About the funds"})
    assert conflict.status_code == 200
    assert shown(conflict)["product_codes"] == ["FUND01, FUND02, FUND03"]
    assert "You both changed" not in " ".join(banner(conflict))
    assert alice_client.post(url, shown(conflict)).status_code == 302
    interaction.refresh_from_db()
    assert interaction.product_codes == ["FUND01", "FUND02", "FUND03"]
    assert interaction.subject == "About the funds"


# -- Needs discussed take part like the other fields ----------------------------------------


def with_needs(form: dict, *needs, priorities: dict | None = None) -> dict:
    """The form with these need types ticked (and priorities typed, by need type)."""
    return (
        form
        | {"needs": [str(n.pk) for n in needs]}
        | {f"priority_{n.pk}": str(p) for n, p in (priorities or {}).items()}
    )


def needs_of(interaction) -> set[str]:
    return set(interaction.needs.values_list("code", flat=True))


def test_needs_from_one_tab_survive_the_subject_from_the_other(
    alice_client, rm_alice, alices_customer
):
    from tests.customers.factories import need_type

    retirement = need_type("retirement")
    interaction = interaction_logged(rm_alice, alices_customer)
    url = reverse("interactions:edit", args=[interaction.pk])
    tab_a, tab_b = interaction_form(interaction), interaction_form(interaction)
    assert alice_client.post(url, with_needs(tab_a, retirement)).status_code == 302

    conflict = alice_client.post(url, tab_b | {"subject": "Call about the pension"})
    assert conflict.status_code == 200  # not a silent overwrite of the needs
    form = shown(conflict)
    assert form["needs"] == [str(retirement.pk)]  # theirs, in the field the user left alone
    assert form["subject"] == ["Call about the pension"]
    text = " ".join(banner(conflict))
    assert "kept" in text and "Needs discussed: — → Retirement" in text
    assert "You both changed" not in text
    assert needs_of(interaction) == {"retirement"}

    assert alice_client.post(url, form).status_code == 302  # the informed second save
    interaction.refresh_from_db()
    assert interaction.subject == "Call about the pension"
    assert needs_of(interaction) == {"retirement"}


def test_needs_changed_in_both_tabs_are_shown_and_the_second_save_keeps_the_users(
    alice_client, rm_alice, alices_customer
):
    from tests.customers.factories import need_type

    retirement, education = need_type("retirement"), need_type("education")
    interaction = interaction_logged(rm_alice, alices_customer)
    url = reverse("interactions:edit", args=[interaction.pk])
    tab_a, tab_b = interaction_form(interaction), interaction_form(interaction)
    assert alice_client.post(url, with_needs(tab_a, retirement)).status_code == 302

    conflict = alice_client.post(url, with_needs(tab_b, education))
    assert conflict.status_code == 200
    form = shown(conflict)
    assert form["needs"] == [str(education.pk)]  # the user's own choice stays in the form
    text = " ".join(banner(conflict))
    assert "You both changed" in text and "Needs discussed: — → Retirement" in text
    assert needs_of(interaction) == {"retirement"}

    assert alice_client.post(url, form).status_code == 302
    assert needs_of(interaction) == {"education"}


def test_the_same_needs_ticked_in_both_tabs_is_no_conflict(alice_client, rm_alice, alices_customer):
    from tests.customers.factories import need_type

    retirement = need_type("retirement")
    interaction = interaction_logged(rm_alice, alices_customer)
    url = reverse("interactions:edit", args=[interaction.pk])
    tab_a, tab_b = interaction_form(interaction), interaction_form(interaction)
    assert alice_client.post(url, with_needs(tab_a, retirement)).status_code == 302
    both = with_needs(tab_b, retirement) | {"subject": "Pension"}
    assert alice_client.post(url, both).status_code == 302
    interaction.refresh_from_db()
    assert (interaction.subject, needs_of(interaction)) == ("Pension", {"retirement"})


def test_merge_compares_needs_as_sets_of_need_types(rm_alice, alices_customer):
    from tests.customers.factories import need_type

    retirement, education = need_type("retirement"), need_type("education")
    interaction = interaction_logged(rm_alice, alices_customer)
    base = interaction.history.latest()
    services.interaction_update(
        actor=rm_alice, interaction=interaction, fields={}, needs={retirement: None}
    )
    interaction.refresh_from_db()

    def merged(submitted):
        merge = merge_edits(
            base=base, current=interaction, submitted={"needs": submitted}, fields=["needs"]
        )
        return merge.taken, merge.conflicts

    assert merged([]) == (["needs"], [])  # left alone: takes theirs
    assert merged([education]) == ([], ["needs"])  # both changed it
    assert merged([retirement]) == ([], [])  # the same change
    assert merged({retirement.pk}) == ([], [])  # keys do as well as rows


def shows_priorities(form: dict, priorities: dict) -> dict:
    """The form as the browser posts it with these priorities shown (each priority input
    travels with the value it was shown with, Django's show_hidden_initial)."""
    shown = {f"priority_{n.pk}": str(p) for n, p in priorities.items()}
    return form | shown | {f"initial-{k}": v for k, v in shown.items()}


@pytest.fixture
def retirement_at_50(rm_alice, alices_customer):
    from tests.customers.factories import need_type

    retirement = need_type("retirement")
    customer_services.customer_need_record(
        actor=rm_alice, customer=alices_customer, need_type=retirement, priority=50
    )
    return retirement


def priority_of(customer, need_type) -> int:
    return customer.needs.get(need_type=need_type).priority


def test_a_priority_typed_in_one_tab_survives_the_other_tabs_informed_save(
    alice_client, rm_alice, alices_customer, retirement_at_50
):
    retirement = retirement_at_50
    interaction = interaction_logged(rm_alice, alices_customer)
    url = reverse("interactions:edit", args=[interaction.pk])
    tab_a = shows_priorities(interaction_form(interaction), {retirement: 50})
    tab_b = dict(tab_a)
    typed = with_needs(tab_a, retirement) | {f"priority_{retirement.pk}": "80"}
    assert alice_client.post(url, typed).status_code == 302
    assert priority_of(alices_customer, retirement) == 80

    conflict = alice_client.post(url, tab_b | {"subject": "Call about the pension"})
    assert conflict.status_code == 200
    form = shown(conflict)
    assert form["needs"] == [str(retirement.pk)]
    # The priority the user left alone shows the customer's priority now, still as left alone.
    assert form[f"priority_{retirement.pk}"] == form[f"initial-priority_{retirement.pk}"] == ["80"]
    assert alice_client.post(url, form).status_code == 302
    assert priority_of(alices_customer, retirement) == 80  # not put back to the 50 shown first
    interaction.refresh_from_db()
    assert (interaction.subject, needs_of(interaction)) == (
        "Call about the pension",
        {"retirement"},
    )


def test_a_priority_left_as_shown_does_not_undo_a_colleagues_change(
    alice_client, rm_alice, rm_carol, alices_customer, retirement_at_50
):
    retirement = retirement_at_50
    interaction = interaction_logged(rm_alice, alices_customer)
    services.interaction_update(
        actor=rm_alice, interaction=interaction, fields={}, needs={retirement: None}
    )
    interaction.refresh_from_db()
    url = reverse("interactions:edit", args=[interaction.pk])
    stale = with_needs(
        shows_priorities(interaction_form(interaction), {retirement: 50}), retirement
    )
    # A colleague raises the priority on the customer page while Alice's form is open.
    customer_services.customer_need_record(
        actor=rm_carol, customer=alices_customer, need_type=retirement, priority=90
    )
    assert alice_client.post(url, stale | {"subject": "Pension follow-up"}).status_code == 302
    assert priority_of(alices_customer, retirement) == 90
    # A priority Alice types is saved as before.
    interaction.refresh_from_db()
    typed = with_needs(
        shows_priorities(interaction_form(interaction), {retirement: 90}), retirement
    ) | {f"priority_{retirement.pk}": "30"}
    assert alice_client.post(url, typed).status_code == 302
    assert priority_of(alices_customer, retirement) == 30


def discussed(rm, customer, need_type):
    """An interaction of `rm`'s that already discusses `need_type`, as the edit form opens it."""
    interaction = interaction_logged(rm, customer)
    services.interaction_update(
        actor=rm, interaction=interaction, fields={}, needs={need_type: None}
    )
    interaction.refresh_from_db()
    return interaction


def test_priorities_typed_in_both_tabs_clash_like_other_fields(
    alice_client, rm_alice, alices_customer, retirement_at_50
):
    retirement = retirement_at_50
    interaction = discussed(rm_alice, alices_customer, retirement)
    url = reverse("interactions:edit", args=[interaction.pk])
    tab_a = with_needs(
        shows_priorities(interaction_form(interaction), {retirement: 50}), retirement
    )
    tab_b = dict(tab_a)
    typed_a = with_needs(tab_a, retirement, priorities={retirement: 70})
    assert alice_client.post(url, typed_a).status_code == 302
    assert priority_of(alices_customer, retirement) == 70

    conflict = alice_client.post(url, with_needs(tab_b, retirement, priorities={retirement: 80}))
    assert conflict.status_code == 200
    text = " ".join(banner(conflict))
    assert "You both changed" in text and "Priority of Retirement: 50 → 70" in text
    assert priority_of(alices_customer, retirement) == 70  # nothing saved yet
    form = shown(conflict)
    assert form[f"priority_{retirement.pk}"] == ["80"]  # the user's entry stays in the form

    assert alice_client.post(url, form).status_code == 302  # the informed second save
    assert priority_of(alices_customer, retirement) == 80


def test_a_priority_clash_joins_the_fields_clash_in_one_banner(
    alice_client, rm_alice, alices_customer, retirement_at_50
):
    retirement = retirement_at_50
    interaction = discussed(rm_alice, alices_customer, retirement)
    url = reverse("interactions:edit", args=[interaction.pk])
    tab = with_needs(shows_priorities(interaction_form(interaction), {retirement: 50}), retirement)
    typed_a = with_needs(tab, retirement, priorities={retirement: 70}) | {"subject": "Pension"}
    assert alice_client.post(url, typed_a).status_code == 302

    typed_b = with_needs(tab, retirement, priorities={retirement: 80}) | {"subject": "Fund"}
    text = " ".join(banner(conflict := alice_client.post(url, typed_b)))
    assert "Subject: " in text and "Priority of Retirement: 50 → 70" in text
    assert alice_client.post(url, shown(conflict)).status_code == 302
    interaction.refresh_from_db()
    assert (interaction.subject, priority_of(alices_customer, retirement)) == ("Fund", 80)


def test_a_priority_typed_over_a_colleagues_change_on_the_customer_page_clashes(
    alice_client, rm_alice, rm_carol, alices_customer, retirement_at_50
):
    retirement = retirement_at_50
    interaction = discussed(rm_alice, alices_customer, retirement)
    url = reverse("interactions:edit", args=[interaction.pk])
    form = with_needs(
        shows_priorities(interaction_form(interaction), {retirement: 50}),
        retirement,
        priorities={retirement: 30},
    )
    customer_services.customer_need_record(
        actor=rm_carol, customer=alices_customer, need_type=retirement, priority=90
    )
    conflict = alice_client.post(url, form)
    assert conflict.status_code == 200
    text = " ".join(banner(conflict))
    assert person_name(rm_carol) in text and "Priority of Retirement: 50 → 90" in text
    assert priority_of(alices_customer, retirement) == 90


def test_the_service_reports_a_priority_changed_since_it_was_shown(
    rm_alice, alices_customer, retirement_at_50
):
    from crm.concurrency import EditConflict

    retirement = retirement_at_50
    interaction = discussed(rm_alice, alices_customer, retirement)
    customer_services.customer_need_record(
        actor=rm_alice, customer=alices_customer, need_type=retirement, priority=70
    )
    with pytest.raises(EditConflict) as raised:
        services.interaction_update(
            actor=rm_alice,
            interaction=interaction,
            fields={},
            needs={retirement: 80},
            expected_version=version_of(interaction),
            priorities_shown={retirement.pk: 50},
        )
    assert raised.value.merge.conflicts == [f"priority_{retirement.pk}"]
    assert priority_of(alices_customer, retirement) == 70
    # The priority the form showed is the one now: no clash.
    services.interaction_update(
        actor=rm_alice,
        interaction=interaction,
        fields={},
        needs={retirement: 80},
        expected_version=version_of(interaction),
        priorities_shown={retirement.pk: 70},
    )
    assert priority_of(alices_customer, retirement) == 80


# -- The customer edit form: two colleagues -------------------------------------------------


def test_customer_address_from_one_colleague_survives_the_occupation_from_another(
    alice_client, supervisor_client, alices_customer
):
    url = reverse("customers:edit", args=[alices_customer.pk])
    form_a, form_b = customer_form_data(alices_customer), customer_form_data(alices_customer)
    assert alice_client.post(url, form_a | {"address": "上海市浦东新区1号"}).status_code == 302

    conflict = supervisor_client.post(url, form_b | {"occupation": "教师"})
    assert conflict.status_code == 200
    form = shown(conflict)
    assert form["address"] == ["上海市浦东新区1号"] and form["occupation"] == ["教师"]
    assert form["national_id"] == [alices_customer.masked_national_id]  # still masked
    assert "上海市浦东新区1号" in " ".join(banner(conflict))
    assert Customer.objects.get(pk=alices_customer.pk).occupation == ""  # nothing saved yet

    assert supervisor_client.post(url, form).status_code == 302
    stored = Customer.objects.get(pk=alices_customer.pk)
    assert (stored.address, stored.occupation) == ("上海市浦东新区1号", "教师")
    assert stored.national_id == alices_customer.national_id


def test_both_changed_the_same_field_the_informed_second_save_keeps_theirs_over_mine(
    alice_client, supervisor_client, alices_customer
):
    url = reverse("customers:edit", args=[alices_customer.pk])
    form_a, form_b = customer_form_data(alices_customer), customer_form_data(alices_customer)
    assert alice_client.post(url, form_a | {"occupation": "教师"}).status_code == 302

    conflict = supervisor_client.post(url, form_b | {"occupation": "医生"})
    assert conflict.status_code == 200
    form = shown(conflict)
    assert form["occupation"] == ["医生"]  # the second user's entry stays in the form
    text = " ".join(banner(conflict))
    assert "You both changed" in text and "教师" in text  # the first user's value, shown
    assert Customer.objects.get(pk=alices_customer.pk).occupation == "教师"

    assert supervisor_client.post(url, form).status_code == 302
    assert Customer.objects.get(pk=alices_customer.pk).occupation == "医生"


def test_both_made_the_same_change_and_nothing_else_clashes_is_no_conflict(
    alice_client, supervisor_client, alices_customer
):
    url = reverse("customers:edit", args=[alices_customer.pk])
    form_a, form_b = customer_form_data(alices_customer), customer_form_data(alices_customer)
    assert alice_client.post(url, form_a | {"occupation": "教师"}).status_code == 302
    response = supervisor_client.post(url, form_b | {"occupation": "教师", "address": "北京路2号"})
    assert response.status_code == 302
    stored = Customer.objects.get(pk=alices_customer.pk)
    assert (stored.occupation, stored.address) == ("教师", "北京路2号")


def test_a_mobile_number_taken_into_the_form_is_masked_in_the_banner(
    alice_client, supervisor_client, alices_customer
):
    url = reverse("customers:edit", args=[alices_customer.pk])
    form_a = customer_form_data(alices_customer)
    # The supervisor's tab had revealed the number to correct it, and left it as it was.
    form_b = customer_form_data(alices_customer, phone=alices_customer.phone)
    assert alice_client.post(url, form_a | {"phone": "13912345678"}).status_code == 302
    conflict = supervisor_client.post(url, form_b | {"occupation": "教师"})
    text = " ".join(banner(conflict))
    assert "139****5678" in text and "13912345678" not in text
    assert supervisor_client.post(url, shown(conflict)).status_code == 302
    assert Customer.objects.get(pk=alices_customer.pk).phone == "13912345678"


def _loaded_without_history(customer):
    """The customer as the demo's COPY or a set-based import leaves it: no history record."""
    customer.history.all().delete()
    Customer.objects.filter(pk=customer.pk).update(updated_at=timezone.now() - dt.timedelta(days=3))
    customer.refresh_from_db()
    return customer


def test_a_customer_loaded_without_history_merges_like_any_other(
    alice_client, supervisor_client, rm_alice
):
    """The first save writes a record of the customer as loaded (crm.history.history_baseline),
    so the other tab's form, filled from that version, keeps what only the first changed."""
    customer = _loaded_without_history(
        CustomerFactory(relationship_manager=rm_alice, email="old@example.cn", segment="hnw")
    )
    url = reverse("customers:edit", args=[customer.pk])
    form_a, form_b = customer_form_data(customer), customer_form_data(customer)
    changes_a = {"email": "a@example.cn", "segment": "mass", "marketing_consent": ""}
    assert alice_client.post(url, form_a | changes_a).status_code == 302
    check = supervisor_client.post(url, form_b | {"address": "北京路2号"})
    text = " ".join(banner(check))
    assert "E-mail: old@example.cn → a@example.cn" in text and "None of your changes" in text
    assert supervisor_client.post(url, shown(check)).status_code == 302
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.email, stored.segment, stored.address) == ("a@example.cn", "mass", "北京路2号")
    assert stored.marketing_consent is False


def test_a_change_made_outside_the_app_since_the_form_was_filled_is_never_taken_silently(
    supervisor_client, rm_alice
):
    """A set-based import changed the customer after the form was filled: what the form was
    filled from is unknown, so no field counts as left alone."""
    customer = _loaded_without_history(
        CustomerFactory(relationship_manager=rm_alice, email="old@example.cn")
    )
    url = reverse("customers:edit", args=[customer.pk])
    form_b = customer_form_data(customer)
    Customer.objects.filter(pk=customer.pk).update(email="a@example.cn", updated_at=timezone.now())

    conflict = supervisor_client.post(url, form_b | {"address": "北京路2号"})
    assert conflict.status_code == 200
    form = shown(conflict)
    assert form["email"] == ["old@example.cn"] and form["address"] == ["北京路2号"]
    text = " ".join(banner(conflict))
    assert "E-mail: … → a@example.cn" in text and "Address: … → —" in text
    assert "kept" not in text
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.email, stored.address) == ("a@example.cn", customer.address)


def test_a_save_between_the_page_load_and_the_check_is_caught_on_the_second_save(
    rm_alice, supervisor, alices_customer
):
    """The re-armed form carries the values and version of the row as its request loaded
    it: a third save landing after that load is not silently reverted by the second save."""
    from crm.concurrency import EditConflict, conflict_to_form
    from customers.forms import CustomerForm

    stale = customer_form_data(alices_customer, occupation="教师")  # the supervisor's tab
    customer_services.customer_update(
        actor=rm_alice, customer=alices_customer, fields={"address": "北京路2号"}
    )
    loaded = Customer.objects.get(pk=alices_customer.pk)  # the supervisor's request loads it
    form = CustomerForm(stale, instance=loaded, user=supervisor)
    assert form.is_valid(), form.errors
    customer_services.customer_update(  # a colleague, just after that load
        actor=rm_alice, customer=alices_customer, fields={"email": "new@example.cn"}
    )
    with pytest.raises(EditConflict) as raised:
        customer_services.customer_update(
            actor=supervisor,
            customer=loaded,
            fields=form.service_fields(),
            expected_version=form.cleaned_data["version"],
        )
    conflict_to_form(form, raised.value)
    again = form.data.dict()
    assert again["address"] == "北京路2号"

    retry = CustomerForm(again, instance=Customer.objects.get(pk=loaded.pk), user=supervisor)
    assert retry.is_valid(), retry.errors
    with pytest.raises(EditConflict) as second:
        customer_services.customer_update(
            actor=supervisor,
            customer=loaded,
            fields=retry.service_fields(),
            expected_version=retry.cleaned_data["version"],
        )
    assert second.value.merge.taken == ["email"]
    assert Customer.objects.get(pk=loaded.pk).email == "new@example.cn"
