"""Customer pages: scope (404), read-only (403), anonymous, CSRF, queries, audit."""

import csv
import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers import services
from customers.models import AuditEntry, BalanceSnapshot, Customer
from tests.customers.factories import CustomerFactory, national_id_for, need_type
from tests.customers.test_services import five_years_from


@pytest.fixture
def alices_customer(rm_alice):
    return CustomerFactory(relationship_manager=rm_alice, name="王建国")


# -- Access ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("customers:detail", "get"),
        ("customers:edit", "get"),
        ("customers:edit", "post"),
        ("customers:reveal_id", "post"),
        ("customers:archive", "post"),
        ("customers:need_record", "post"),
        ("customers:life_event_record", "post"),
    ],
)
def test_rm_of_another_branch_gets_404(bob_client, alices_customer, name, method):
    response = getattr(bob_client, method)(reverse(name, args=[alices_customer.pk]))
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(customer=alices_customer).exists()


def test_export_of_another_branch_is_404_and_never_contains_its_customers(
    bob_client, alices_customer
):
    url = reverse("customers:export")
    assert bob_client.get(url, {"branch": alices_customer.branch_id}).status_code == 404
    body = b"".join(bob_client.get(url, {"view": "branch"}).streaming_content).decode()
    assert alices_customer.customer_number not in body


@pytest.mark.parametrize(
    "name",
    [
        "customers:edit",
        "customers:archive",
        "customers:life_event_record",
        "customers:household_link",
    ],
)
def test_colleague_may_read_but_not_change(carol_client, alices_customer, name):
    assert carol_client.get(alices_customer.get_absolute_url()).status_code == 200
    assert carol_client.post(reverse(name, args=[alices_customer.pk])).status_code == 403
    alices_customer.refresh_from_db()
    assert alices_customer.status == Customer.Status.ACTIVE


def test_colleague_may_record_a_need_as_the_service_allows(carol_client, rm_carol, alices_customer):
    """One answer for "who may record a need" (customers.access.can_record_need): whoever
    serves the customer, as when a colleague's interaction records the needs discussed."""
    education = need_type("education")
    page = carol_client.get(alices_customer.get_absolute_url()).content.decode()
    assert "/panels/customer-need/" in page
    response = carol_client.post(
        reverse("customers:need_record", args=[alices_customer.pk]),
        {"need_type": education.pk, "priority": 60, "status": "active", "source": "recorded"},
    )
    assert response.status_code == 302
    need = alices_customer.needs.get()
    assert (need.priority, need.changes.get().changed_by) == (60, rm_carol)


def test_anonymous_is_sent_to_login(client, alices_customer):
    for url in [
        reverse("customers:list"),
        alices_customer.get_absolute_url(),
        reverse("customers:export"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_csrf_is_enforced_on_writes(csrf_client, rm_alice, alices_customer):
    csrf_client.force_login(rm_alice)
    response = csrf_client.post(reverse("customers:archive", args=[alices_customer.pk]))
    assert response.status_code == 403
    alices_customer.refresh_from_db()
    assert alices_customer.status == Customer.Status.ACTIVE


def test_rm_cannot_read_the_access_log_or_import(alice_client):
    assert alice_client.get(reverse("customers:access_log")).status_code == 403
    assert alice_client.get(reverse("customers:import")).status_code == 403


# -- The list ----------------------------------------------------------------------------


def test_rm_sees_own_customers_by_default_and_may_switch_to_the_branch(
    alice_client, rm_alice, rm_carol
):
    mine = CustomerFactory(relationship_manager=rm_alice)
    colleagues = CustomerFactory(relationship_manager=rm_carol)
    url = reverse("customers:list")
    default = alice_client.get(url).context["page"].rows
    assert default == [mine]
    branch = alice_client.get(url, {"view": "branch"}).context["page"].rows
    assert set(branch) == {mine, colleagues}


def test_archived_customers_are_hidden_unless_asked_for(alice_client, rm_alice):
    active = CustomerFactory(relationship_manager=rm_alice)
    archived = CustomerFactory(relationship_manager=rm_alice, status=Customer.Status.ARCHIVED)
    url = reverse("customers:list")
    assert alice_client.get(url).context["page"].rows == [active]
    rows = alice_client.get(url, {"archived": "on"}).context["page"].rows
    assert set(rows) == {active, archived}


def test_filters_and_need(alice_client, rm_alice):
    affluent = CustomerFactory(relationship_manager=rm_alice, segment="affluent")
    CustomerFactory(relationship_manager=rm_alice, segment="mass")
    education = need_type("education")
    services.customer_need_record(
        actor=rm_alice, customer=affluent, need_type=education, priority=60
    )
    url = reverse("customers:list")
    assert alice_client.get(url, {"segment": "affluent"}).context["page"].rows == [affluent]
    assert alice_client.get(url, {"need": education.pk}).context["page"].rows == [affluent]


def test_need_history_on_the_customer_page_names_statuses_in_words(
    alice_client, rm_alice, alices_customer
):
    education = need_type("education")
    for status in ["active", "fulfilled"]:
        services.customer_need_record(
            actor=rm_alice,
            customer=alices_customer,
            need_type=education,
            priority=60,
            status=status,
        )
    page = alice_client.get(alices_customer.get_absolute_url()).content.decode()
    assert "Active → Fulfilled" in page
    assert "active → fulfilled" not in page


def test_list_query_count_is_constant(alice_client, rm_alice, django_assert_num_queries):
    CustomerFactory.create_batch(30, relationship_manager=rm_alice)
    # session, user with staff, page of customers (+ branch, RM joined), need types, RM choices,
    # and past one page the
    # bounded total (COUNT over at most COUNT_CAP + 1 rows)
    with django_assert_num_queries(6):
        response = alice_client.get(reverse("customers:list"), {"view": "branch"})
    assert len(response.context["page"].rows) == 25
    assert response.context["page"].has_next


def test_list_pages_without_counting(alice_client, rm_alice):
    CustomerFactory.create_batch(30, relationship_manager=rm_alice)
    second = alice_client.get(reverse("customers:list"), {"page": 2}).context["page"]
    assert len(second.rows) == 5 and second.has_previous and not second.has_next


def test_export_is_exactly_the_filtered_list_and_neutralises_formulas(alice_client, rm_alice):
    CustomerFactory(relationship_manager=rm_alice, name="=HYPERLINK(1)", segment="hnw")
    CustomerFactory(relationship_manager=rm_alice, name="+王", segment="hnw")
    CustomerFactory(relationship_manager=rm_alice, name="李娜", segment="mass")
    response = alice_client.get(reverse("customers:export"), {"segment": "hnw"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    names = sorted(row[1] for row in rows[1:])
    assert names == ["'+王", "'=HYPERLINK(1)"]
    entry = AuditEntry.objects.get(action="customer.exported")
    assert entry.detail["segment"] == "hnw"
    assert entry.branch == rm_alice.staff.branch


# -- The customer page's panels -----------------------------------------------------------

# The risk class is recorded through the products app's questionnaire panel.
EDIT_PANELS = [
    "customer-need",
    "customer-life-event",
    "products-questionnaire",
    "customer-household",
]
HX = {"HTTP_HX_REQUEST": "true"}


def test_customer_page_shows_panels_folded_without_their_forms(alice_client, alices_customer):
    page = alice_client.get(alices_customer.get_absolute_url()).content.decode()
    for key in ["log-interaction", *EDIT_PANELS]:
        assert f'hx-get="/customers/{alices_customer.pk}/panels/{key}/"' in page
    assert "Record a need" in page
    assert 'data-testid="need-form"' not in page
    assert 'name="need_type"' not in page
    assert 'name="follow_up_title"' not in page


def test_unfolding_a_panel_fetches_its_form(
    alice_client, alices_customer, django_assert_num_queries
):
    url = reverse("customers:panel", args=[alices_customer.pk, "customer-need"])
    # session, user with staff, customer, need types (the form's choices), the customer's
    # needs as the form is opened with them
    with django_assert_num_queries(5):
        response = alice_client.get(url, **HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="need-form"' in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert f'action="/customers/{alices_customer.pk}/needs/"' in body
    assert "<details" not in body  # the shell stays on the page


def test_panel_outside_scope_is_404(bob_client, alices_customer):
    for key in ["log-interaction", *EDIT_PANELS]:
        url = reverse("customers:panel", args=[alices_customer.pk, key])
        assert bob_client.get(url, **HX).status_code == 404


def test_read_only_colleague_gets_no_edit_panel(carol_client, alices_customer):
    page = carol_client.get(alices_customer.get_absolute_url()).content.decode()
    assert "/panels/log-interaction/" in page  # anyone who sees the customer may log
    assert "/panels/customer-need/" in page  # and record the needs they hear of
    for key in EDIT_PANELS[1:]:
        assert f"/panels/{key}/" not in page
        url = reverse("customers:panel", args=[alices_customer.pk, key])
        assert carol_client.get(url, **HX).status_code == 404


def test_unknown_panel_is_404(alice_client, alices_customer):
    url = reverse("customers:panel", args=[alices_customer.pk, "no-such-panel"])
    assert alice_client.get(url, **HX).status_code == 404


def test_without_javascript_a_panel_opens_on_the_page(alice_client, alices_customer):
    url = reverse("customers:panel", args=[alices_customer.pk, "products-questionnaire"])
    response = alice_client.get(url)
    target = (
        f"{alices_customer.get_absolute_url()}"
        "?panel=products-questionnaire#panel-products-questionnaire"
    )
    assert response.status_code == 302
    assert response["Location"] == target
    page = alice_client.get(target).content.decode()
    assert f'action="/products/customers/{alices_customer.pk}/risk-questionnaire/"' in page
    assert 'name="need_type"' not in page  # only that panel is unfolded


# -- The customer page -------------------------------------------------------------------


def _full_customer(rm):
    customer = CustomerFactory(relationship_manager=rm, risk_class="C3")
    customer.risk_assessed_on = timezone.localdate() - dt.timedelta(days=30)
    customer.save()
    for code in ["education", "retirement", "protection"]:
        services.customer_need_record(
            actor=rm, customer=customer, need_type=need_type(code), priority=50
        )
    for months in range(12):
        BalanceSnapshot.objects.create(
            customer=customer,
            as_of=timezone.localdate() - dt.timedelta(days=30 * months + 1),
            deposits=1000 * months,
            investments=500,
            loans=0,
        )
    spouses = CustomerFactory.create_batch(3, relationship_manager=rm)
    for spouse in spouses:
        services.relationship_link(actor=rm, customer=customer, related=spouse, kind="partner")
    for _ in range(3):
        services.life_event_record(
            actor=rm, customer=customer, kind="job_change", event_date=dt.date(2020, 1, 1)
        )
    return customer


def test_customer_page_shows_the_360_view_in_constant_queries(
    alice_client, rm_alice, django_assert_num_queries
):
    customer = _full_customer(rm_alice)
    # session, user with staff, customer, audit insert, the timeline (one statement for all
    # its kinds, whatever the history's length), needs, need changes, life events, household,
    # balances, history (panels are folded: their forms cost nothing until unfolded)
    with django_assert_num_queries(11):
        response = alice_client.get(customer.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert customer.national_id not in page
    assert customer.masked_national_id in page
    assert len(response.context["needs"]) == 3
    assert len(response.context["household"]) == 3
    assert response.context["chart"] is not None
    assert 'data-testid="balance-chart"' in page
    assert "style=" not in page  # the CSP allows no inline styles
    assert "<script>" not in page
    assert AuditEntry.objects.filter(action="customer.viewed", customer=customer).count() == 1


def test_household_links_only_customers_in_scope(alice_client, rm_alice, rm_bob):
    customer = CustomerFactory(relationship_manager=rm_alice)
    elsewhere = CustomerFactory(relationship_manager=rm_bob)
    services.relationship_link(actor=None, customer=customer, related=elsewhere, kind="spouse")
    response = alice_client.get(customer.get_absolute_url())
    assert response.context["household"] == []
    assert elsewhere.name not in response.content.decode()


def test_reveal_shows_the_id_and_is_logged(carol_client, rm_carol, alices_customer):
    url = reverse("customers:reveal_id", args=[alices_customer.pk])
    response = carol_client.post(url, headers={"HX-Request": "true"})
    assert alices_customer.national_id in response.content.decode()
    plain = carol_client.post(url)
    assert alices_customer.national_id in plain.content.decode()
    assert (
        AuditEntry.objects.filter(
            action="customer.id_revealed", actor=rm_carol, customer=alices_customer
        ).count()
        == 2
    )


def test_timeline_filters_by_kind_and_pages_older(alice_client, rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    for year in range(2000, 2025):
        services.life_event_record(
            actor=rm_alice, customer=customer, kind="relocation", event_date=dt.date(year, 6, 1)
        )
    services.customer_need_record(
        actor=rm_alice,
        customer=customer,
        need_type=need_type("education"),
        priority=70,
    )
    url = customer.get_absolute_url()
    first = alice_client.get(url, {"kind": "life_event"})
    entries = first.context["timeline"].entries
    assert len(entries) == 20 and {e.kind for e in entries} == {"life_event"}
    older = first.context["timeline_older_url"]
    assert "before=" in older
    second = alice_client.get(older)
    assert len(second.context["timeline"].entries) == 5


# -- Create, edit, archive ---------------------------------------------------------------


def test_create_shows_errors_next_to_fields_and_saves_nothing(alice_client):
    response = alice_client.post(
        reverse("customers:create"),
        {
            "customer_number": "620000009999",
            "name": "李娜",
            "date_of_birth": "1990-03-08",
            "national_id": national_id_for(dt.date(1990, 3, 7), 5),
            "phone": "1381234",
            "segment": "mass",
            "status": "active",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "does not match" in errors["date_of_birth"][0]
    assert "mobile" in errors["phone"][0]
    assert not Customer.objects.exists()


def test_rm_creates_a_customer_in_own_branch(alice_client, rm_alice):
    response = alice_client.post(
        reverse("customers:create"),
        {
            "customer_number": "620000009999",
            "name": "李娜",
            "date_of_birth": "1990-03-07",
            "national_id": national_id_for(dt.date(1990, 3, 7), 5),
            "phone": "13812345678",
            "segment": "mass",
            "status": "prospect",
        },
    )
    customer = Customer.objects.get()
    assert response.status_code == 302
    assert customer.relationship_manager == rm_alice
    assert customer.branch == rm_alice.staff.branch


def test_edit_is_recorded_in_the_history_shown_on_the_page(supervisor_client, alices_customer):
    data = {
        "customer_number": alices_customer.customer_number,
        "name": alices_customer.name,
        "date_of_birth": alices_customer.date_of_birth.isoformat(),
        "national_id": alices_customer.national_id,
        "phone": "13999999999",
        "segment": "affluent",
        "status": "active",
        "relationship_manager": alices_customer.relationship_manager_id,
    }
    response = supervisor_client.post(reverse("customers:edit", args=[alices_customer.pk]), data)
    assert response.status_code == 302
    page = supervisor_client.get(alices_customer.get_absolute_url()).content.decode()
    # The history shows the change, masked like the number itself (issue 8 item 13).
    assert "139****9999" in page and "138****8000" in page
    assert "13999999999" not in page


def test_archive_hides_then_restore_brings_back(alice_client, alices_customer):
    alice_client.post(
        reverse("customers:archive", args=[alices_customer.pk]), {"reason": "Moved abroad"}
    )
    assert alice_client.get(reverse("customers:list")).context["page"].rows == []
    alice_client.post(reverse("customers:restore", args=[alices_customer.pk]))
    assert alice_client.get(reverse("customers:list")).context["page"].rows == [alices_customer]


def test_record_need_from_the_page(alice_client, alices_customer):
    education = need_type("education")
    url = reverse("customers:need_record", args=[alices_customer.pk])
    alice_client.post(
        url, {"need_type": education.pk, "priority": 40, "status": "active", "source": "stated"}
    )
    alice_client.post(
        url,
        {
            "need_type": education.pk,
            "priority": 90,
            "status": "active",
            "source": "stated",
            "reason": "孩子升学",
        },
    )
    page = alice_client.get(alices_customer.get_absolute_url()).content.decode()
    assert "40 → 90" in page and "孩子升学" in page


def test_supervisor_bulk_reassigns_from_the_list(supervisor_client, rm_alice, rm_carol):
    customers = CustomerFactory.create_batch(3, relationship_manager=rm_alice)
    response = supervisor_client.post(
        reverse("customers:reassign"),
        {"customers": [c.pk for c in customers[:2]], "relationship_manager": rm_carol.pk},
    )
    assert response.status_code == 302
    owners = dict(Customer.objects.values_list("pk", "relationship_manager"))
    assert [owners[c.pk] for c in customers] == [rm_carol.pk, rm_carol.pk, rm_alice.pk]


@pytest.mark.parametrize(
    "next_url, expected",
    [
        ("/customers/?segment=hnw", "/customers/?segment=hnw"),
        ("//evil.example/phish", "/customers/"),  # starts with "/" but leaves the site
        ("https://evil.example/", "/customers/"),
    ],
)
def test_reassign_goes_back_only_within_the_site(
    supervisor_client, rm_alice, rm_carol, next_url, expected
):
    customer = CustomerFactory(relationship_manager=rm_alice)
    response = supervisor_client.post(
        reverse("customers:reassign"),
        {"customers": [customer.pk], "relationship_manager": rm_carol.pk, "next": next_url},
    )
    assert response["Location"] == expected


def test_rm_cannot_bulk_reassign(alice_client, rm_alice, rm_carol):
    customer = CustomerFactory(relationship_manager=rm_alice)
    response = alice_client.post(
        reverse("customers:reassign"),
        {"customers": [customer.pk], "relationship_manager": rm_carol.pk},
    )
    assert response.status_code == 403


# -- Access log --------------------------------------------------------------------------


def test_access_log_scope_and_constant_queries(
    supervisor_client,
    head_office_client,
    alice_client,
    rm_alice,
    rm_bob,
    django_assert_num_queries,
):
    ours = CustomerFactory.create_batch(5, relationship_manager=rm_alice)
    theirs = CustomerFactory(relationship_manager=rm_bob)
    for customer in ours:
        alice_client.get(customer.get_absolute_url())
    bob = Client()
    bob.force_login(rm_bob)
    bob.get(theirs.get_absolute_url())
    url = reverse("customers:access_log")
    # session, user with staff, entries (actor, customer, branch joined)
    with django_assert_num_queries(3):
        response = supervisor_client.get(url)
    assert {e.customer for e, _text in response.context["rows"]} == set(ours)
    everything = head_office_client.get(url).context["rows"]
    assert theirs in {e.customer for e, _text in everything}


def test_timeline_ignores_a_malformed_cursor(alice_client, alices_customer):
    url = alices_customer.get_absolute_url()
    for before in ["nonsense", "2024-13-45T10:00:00", "2024-01-01T10:00:00"]:
        assert alice_client.get(url, {"before": before}).status_code == 200


# -- Household links from the customer page --------------------------------------------------


def test_rm_links_a_household_member_both_ways(alice_client, rm_alice, alices_customer):
    spouse = CustomerFactory(relationship_manager=rm_alice, name="李芳")
    url = reverse("customers:household_link", args=[alices_customer.pk])
    response = alice_client.post(
        url, {"customer_number": spouse.customer_number, "kind": "spouse"}, follow=True
    )
    assert "Household member linked." in response.content.decode()
    assert [r.related for r in response.context["household"]] == [spouse]
    assert spouse.relationships.get().related == alices_customer  # and the other way round
    linked = AuditEntry.objects.filter(action="relationship.linked")
    assert sorted(linked.values_list("customer_id", flat=True)) == sorted(
        [alices_customer.pk, spouse.pk]
    )  # a write on two customers shows in both customers' logs


def test_a_household_lists_each_member_by_what_they_are_to_this_customer(
    alice_client, rm_alice, alices_customer
):
    """Linked as "Child of" the member, the customer's page lists the member as their parent,
    in both languages (the Chinese once read the other way round), and the member's page
    lists the customer as their child."""
    mother = CustomerFactory(relationship_manager=rm_alice, name="万兰秀")
    alices_customer.name = "丁晶超"
    alices_customer.save(update_fields=["name"])
    alice_client.post(
        reverse("customers:household_link", args=[alices_customer.pk]),
        {"customer_number": mother.customer_number, "kind": "child"},
    )
    for language, parent, child in (("en", "Parent", "Child"), ("zh-hans", "父母", "子女")):
        alice_client.cookies["django_language"] = language
        childs_page = alice_client.get(reverse("customers:detail", args=[alices_customer.pk]))
        mothers_page = alice_client.get(reverse("customers:detail", args=[mother.pk]))
        assert [r.member_role for r in childs_page.context["household"]] == [parent]
        assert [r.member_role for r in mothers_page.context["household"]] == [child]
        colon = "：" if language == "zh-hans" else ":"  # Chinese punctuation in Chinese
        assert re.search(rf"{parent}{colon}\s*<a [^>]*>万兰秀</a>", childs_page.content.decode())
        assert re.search(rf"{child}{colon}\s*<a [^>]*>丁晶超</a>", mothers_page.content.decode())


def test_rm_cannot_link_a_colleagues_customer_into_a_household(
    alice_client, alices_customer, rm_carol
):
    """Issue 8.9: the link writes a row on the other customer too, so both are checked."""
    carols = CustomerFactory(relationship_manager=rm_carol, name="李芳")
    url = reverse("customers:household_link", args=[alices_customer.pk])
    response = alice_client.post(
        url, {"customer_number": carols.customer_number, "kind": "spouse"}, follow=True
    )
    # The message names the member, so that it does not read as the page's customer.
    assert [str(m) for m in response.context["messages"]] == [
        "You may not change 李芳's record (another relationship manager's customer), so you "
        "cannot link them."
    ]
    assert not alices_customer.relationships.exists()
    assert not carols.relationships.exists()
    assert not AuditEntry.objects.filter(action="relationship.linked").exists()


def test_the_refused_household_member_is_named_in_chinese(alice_client, alices_customer, rm_carol):
    carols = CustomerFactory(relationship_manager=rm_carol, name="李芳")
    alice_client.cookies["django_language"] = "zh-hans"
    url = reverse("customers:household_link", args=[alices_customer.pk])
    response = alice_client.post(
        url, {"customer_number": carols.customer_number, "kind": "spouse"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "您无权修改李芳的资料（其他客户经理的客户），因此无法关联该客户。"
    ]
    assert not alices_customer.relationships.exists()


def test_household_member_outside_scope_is_not_found_and_nothing_is_linked(
    alice_client, alices_customer, rm_bob
):
    elsewhere = CustomerFactory(relationship_manager=rm_bob)
    url = reverse("customers:household_link", args=[alices_customer.pk])
    response = alice_client.post(
        url, {"customer_number": elsewhere.customer_number, "kind": "spouse"}, follow=True
    )
    assert "No customer with that number in your branch" in response.content.decode()
    assert not alices_customer.relationships.exists()
    assert not elsewhere.relationships.exists()


def test_household_link_to_self_is_refused(alice_client, alices_customer):
    url = reverse("customers:household_link", args=[alices_customer.pk])
    response = alice_client.post(
        url, {"customer_number": alices_customer.customer_number, "kind": "spouse"}, follow=True
    )
    assert "cannot be related to themselves" in response.content.decode()
    assert not alices_customer.relationships.exists()


def test_household_link_scope(bob_client, carol_client, alices_customer):
    url = reverse("customers:household_link", args=[alices_customer.pk])
    data = {"customer_number": "620000000001", "kind": "spouse"}
    assert bob_client.post(url, data).status_code == 404
    assert carol_client.post(url, data).status_code == 403


def test_an_export_larger_than_the_limit_is_refused_with_a_message(
    alice_client, rm_alice, settings
):
    settings.CUSTOMER_EXPORT_MAX_ROWS = 2
    CustomerFactory.create_batch(3, relationship_manager=rm_alice, segment="hnw")
    response = alice_client.get(reverse("customers:export"), {"segment": "hnw"}, follow=True)
    assert "An export holds at most 2 customers" in response.content.decode()
    assert not AuditEntry.objects.filter(action="customer.exported").exists()
    response = alice_client.get(reverse("customers:export"), {"segment": "mass"})
    assert response.status_code == 200  # within the limit: streamed as usual


def test_a_life_event_out_of_range_gets_one_message_naming_the_customers_dates(
    alice_client, alices_customer
):
    """A date far in the future and one before the customer's birth are refused with the
    same rule and words (the field's general 1900–2126 range once answered the first)."""
    url = reverse("customers:life_event_record", args=[alices_customer.pk])
    latest = five_years_from(timezone.localdate()).isoformat()
    expected = (
        f"Enter a date between {alices_customer.date_of_birth.isoformat()} (the customer's"
        f" date of birth) and {latest} (five years from today)."
    )
    for day in ("2999-01-01", "1900-01-01"):
        response = alice_client.post(
            url, {"kind": "childbirth", "event_date": day, "source": "rm"}, follow=True
        )
        said = [str(m) for m in response.context["messages"]]
        assert len(said) == 1 and said[0].endswith(expected), (day, said)
    assert not alices_customer.life_events.exists()


# -- Household: unlink from the customer page, and what a relink says -------------------------


def _unlink_url(customer, related):
    return reverse("customers:household_unlink", args=[customer.pk, related.pk])


@pytest.fixture
def alices_couple(rm_alice, alices_customer):
    spouse = CustomerFactory(relationship_manager=rm_alice, name="李芳")
    services.relationship_link(
        actor=rm_alice, customer=alices_customer, related=spouse, kind="spouse"
    )
    return alices_customer, spouse


def test_rm_unlinks_a_household_member_from_the_customer_page(alice_client, alices_couple):
    customer, spouse = alices_couple
    page = alice_client.get(customer.get_absolute_url()).content.decode()
    assert f'action="{_unlink_url(customer, spouse)}"' in page
    assert 'data-testid="household-unlink"' in page

    response = alice_client.post(_unlink_url(customer, spouse), follow=True)
    assert response.redirect_chain[-1][0].endswith(f"/customers/{customer.pk}/#household-heading")
    assert "Household member unlinked: 李芳." in response.content.decode()
    assert response.context["household"] == []
    assert not customer.relationships.exists()
    assert not spouse.relationships.exists()  # both directions
    unlinked = AuditEntry.objects.filter(action="relationship.unlinked")
    assert sorted(unlinked.values_list("customer_id", flat=True)) == sorted(
        [customer.pk, spouse.pk]
    )

    again = alice_client.post(_unlink_url(customer, spouse), follow=True)
    assert "李芳 was not linked to this customer." in again.content.decode()
    assert unlinked.count() == 2


def test_unlink_speaks_chinese(alice_client, alices_couple):
    customer, spouse = alices_couple
    alice_client.cookies["django_language"] = "zh-hans"
    page = alice_client.get(customer.get_absolute_url()).content.decode()
    assert "解除关联" in page
    response = alice_client.post(_unlink_url(customer, spouse), follow=True)
    assert "已解除家庭成员关联：李芳。" in response.content.decode()


def test_unlink_is_post_only_and_needs_the_csrf_token(
    alice_client, csrf_client, rm_alice, alices_couple
):
    customer, spouse = alices_couple
    assert alice_client.get(_unlink_url(customer, spouse)).status_code == 405
    csrf_client.force_login(rm_alice)
    assert csrf_client.post(_unlink_url(customer, spouse)).status_code == 403
    assert customer.relationships.count() == 1
    assert not AuditEntry.objects.filter(action="relationship.unlinked").exists()


def test_unlink_of_a_customer_outside_scope_is_404(alice_client, bob_client, rm_bob, alices_couple):
    customer, spouse = alices_couple
    assert bob_client.post(_unlink_url(customer, spouse)).status_code == 404
    elsewhere = CustomerFactory(relationship_manager=rm_bob)
    services.relationship_link(actor=None, customer=customer, related=elsewhere, kind="parent")
    # The related customer is in another branch: 404 too, whichever side the URL names first.
    assert alice_client.post(_unlink_url(customer, elsewhere)).status_code == 404
    assert bob_client.post(_unlink_url(elsewhere, customer)).status_code == 404
    assert customer.relationships.count() == 2
    assert not AuditEntry.objects.filter(action="relationship.unlinked").exists()


def test_unlink_needs_the_right_to_change_both_customers(
    alice_client, carol_client, supervisor_client, rm_alice, rm_carol, alices_couple
):
    customer, spouse = alices_couple
    # A colleague of the branch sees the household but may not change it: no button, 403.
    page = carol_client.get(customer.get_absolute_url()).content.decode()
    assert "李芳" in page
    assert 'data-testid="household-unlink"' not in page
    assert carol_client.post(_unlink_url(customer, spouse)).status_code == 403
    # Alice may change her customer but not Carol's: no button next to Carol's customer, 403.
    carols = CustomerFactory(relationship_manager=rm_carol, name="赵敏")
    services.relationship_link(actor=None, customer=customer, related=carols, kind="partner")
    page = alice_client.get(customer.get_absolute_url()).content.decode()
    assert f'action="{_unlink_url(customer, spouse)}"' in page
    assert _unlink_url(customer, carols) not in page
    refused = alice_client.post(_unlink_url(customer, carols))
    assert refused.status_code == 403
    assert (
        "You may not change 赵敏&#x27;s record (another relationship manager&#x27;s customer), "
        "so you cannot unlink them." in refused.content.decode()
    )
    assert customer.relationships.count() == 2
    # The branch's supervisor may change both.
    page = supervisor_client.get(customer.get_absolute_url()).content.decode()
    assert _unlink_url(customer, carols) in page
    assert supervisor_client.post(_unlink_url(customer, carols)).status_code == 302
    assert [r.related for r in customer.relationships.all()] == [spouse]


def test_relinking_says_already_linked_or_changed(alice_client, rm_alice, alices_couple):
    customer, spouse = alices_couple
    url = reverse("customers:household_link", args=[customer.pk])
    response = alice_client.post(
        url, {"customer_number": spouse.customer_number, "kind": "spouse"}, follow=True
    )
    page = response.content.decode()
    assert "李芳 is already linked as “Spouse”; nothing was changed." in page
    assert "Household member linked." not in page

    response = alice_client.post(
        url, {"customer_number": spouse.customer_number, "kind": "partner"}, follow=True
    )
    page = response.content.decode()
    assert "Household link changed: 李芳 is now listed as “Business partner”." in page
    assert "Household member linked." not in page
    assert [r.kind for r in response.context["household"]] == ["partner"]

    alice_client.cookies["django_language"] = "zh-hans"
    response = alice_client.post(
        url, {"customer_number": spouse.customer_number, "kind": "partner"}, follow=True
    )
    assert "李芳 已关联为“商业伙伴”，未作更改。" in response.content.decode()


def test_a_second_spouse_is_refused_on_the_page_naming_the_first(
    alice_client, rm_alice, alices_couple
):
    customer, _spouse = alices_couple
    other = CustomerFactory(relationship_manager=rm_alice, name="赵敏")
    response = alice_client.post(
        reverse("customers:household_link", args=[customer.pk]),
        {"customer_number": other.customer_number, "kind": "spouse"},
        follow=True,
    )
    assert "王建国 already has a spouse: 李芳." in response.content.decode()
    assert not other.relationships.exists()


def test_a_refused_panel_comes_back_open_with_what_was_typed(alice_client, alices_customer):
    """A life event refused for its date: the page comes back with the panel open and the
    kind, date and note as typed (nothing to type again), the reason at the top."""
    url = reverse("customers:life_event_record", args=[alices_customer.pk])
    response = alice_client.post(
        url,
        {"kind": "childbirth", "event_date": "2999-01-01", "source": "rm", "note": "预产期待确认"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "预产期待确认" in page and 'value="2999-01-01"' in page
    assert "(the customer&#x27;s date of birth)" in page  # the reason, once
    [life_event_panel] = [p for p in response.context["panels"] if p.body]
    assert life_event_panel.key == "customer-life-event"
    assert not alices_customer.life_events.exists()
    # An invalid form the same way, its error by its field.
    bad = alice_client.post(url, {"kind": "childbirth", "event_date": "not a date", "note": "x"})
    assert (
        bad.status_code == 200
        and bad.context["panels"]
        and 'value="not a date"' in (bad.content.decode())
    )


@pytest.mark.parametrize(
    ("name", "panel"),
    [
        ("customers:need_record", "customer-need"),
        ("customers:life_event_record", "customer-life-event"),
        ("customers:household_link", "customer-household"),
    ],
)
def test_a_panel_actions_address_opened_with_get_goes_to_the_panel(
    alice_client, bob_client, alices_customer, name, panel
):
    """A refused form comes back at its action's address; reloading it, switching language
    or signing in again after the idle timeout GETs that address: the customer page with the
    panel open, not a blank 405 (404 outside scope, as for a POST)."""
    url = reverse(name, args=[alices_customer.pk])
    response = alice_client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{alices_customer.pk}/?panel={panel}#panel-{panel}"
    assert bob_client.get(url).status_code == 404


def test_the_panels_forms_share_no_element_id(alice_client, alices_customer):
    """Unfolded together, the need, life-event and household forms repeat no id (both had
    `id_source`, two had `id_kind`): a label focuses its own form's field."""
    ids: list[str] = []
    for key in ("customer-need", "customer-life-event", "customer-household"):
        url = reverse("customers:panel", args=[alices_customer.pk, key])
        body = alice_client.get(url, HTTP_HX_REQUEST="true").content.decode()
        ids += re.findall(r'\sid="([^"]+)"', body)
    assert ids and len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
