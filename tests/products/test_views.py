"""Product pages, customer-page panels and actions: scope (404), messages, query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import RiskAssessment
from products import campaigns, services
from products.models import CampaignTarget, Holding, Recommendation, RiskQuestionnaire
from tests.customers.factories import CustomerFactory, need_type
from tests.products.conftest import give_need
from tests.products.factories import assessed, product_on_shelf

pytestmark = pytest.mark.django_db


def _hold(customer, product, principal="50000"):
    return Holding.objects.create(
        customer=customer,
        product=product,
        principal=Decimal(principal),
        currency="CNY",
        start_date=timezone.localdate(),
        maturity_date=timezone.localdate() + dt.timedelta(days=90),
    )


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("products:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_product_list_filters_and_query_count(alice_client, django_assert_num_queries):
    for level in ["R1", "R2", "R3", "R4", "R5"]:
        product_on_shelf(level, needs=[need_type("retirement")])
    product_on_shelf("R1", status="closed", code="TD-OLD")
    # session, user with staff, count, need types (filter form), page
    with django_assert_num_queries(5):
        response = alice_client.get(reverse("products:list"))
    assert response.status_code == 200
    assert response.content.count(b'data-testid="product-') >= 6
    on_sale = alice_client.get(reverse("products:list"), {"on_sale": "on"})
    assert b"TD-OLD" not in on_sale.content
    r4 = alice_client.get(reverse("products:list"), {"risk_level": "R4"})
    assert r4.context["page"].paginator.count == 1
    found = alice_client.get(reverse("products:list"), {"q": "td-o"})
    assert [p.code for p in found.context["page"]] == ["TD-OLD"]


def test_holdings_import_is_linked_for_those_who_may_import(alice_client, supervisor_client):
    import_url = reverse("products:holding_import").encode()
    assert import_url in supervisor_client.get(reverse("products:list")).content
    assert import_url not in alice_client.get(reverse("products:list")).content
    assert alice_client.get(reverse("products:holding_import")).status_code == 403


def test_product_page_counts_holders_in_the_viewers_scope(
    alice_client, head_office_client, alices_customer, bobs_customer
):
    product = product_on_shelf("R2")
    _hold(alices_customer, product)
    _hold(alices_customer, product)
    _hold(bobs_customer, product)
    response = alice_client.get(reverse("products:detail", args=[product.pk]))
    assert (response.context["holders"], response.context["holdings"]) == (1, 2)
    response = head_office_client.get(reverse("products:detail", args=[product.pk]))
    assert (response.context["holders"], response.context["holdings"]) == (2, 3)


def test_shelf_lookup_answers_for_a_past_date(alice_client):
    product = product_on_shelf("R3", since=timezone.localdate() - dt.timedelta(days=30))
    day = (timezone.localdate() - dt.timedelta(days=40)).isoformat()
    response = alice_client.get(reverse("products:shelf", args=[product.pk]), {"on": day})
    assert b"not on the shelf yet" in response.content
    day = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    response = alice_client.get(reverse("products:shelf", args=[product.pk]), {"on": day})
    assert response.context["state"].on_sale and response.context["state"].risk_level == "R3"


def test_customer_page_flags_holdings_above_the_class(alice_client, alices_customer):
    assessed(alices_customer, "C2")
    _hold(alices_customer, product_on_shelf("R4", code="FUND-GP03"))
    _hold(alices_customer, product_on_shelf("R1", code="TD-1Y"))
    url = reverse("customers:panel", args=[alices_customer.pk, "products-holdings"])
    html = alice_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert html.count('data-testid="holding-above-class"') == 1
    assert "1 holding above the class" in html


def test_suitable_products_for_active_needs(alice_client, alices_customer):
    assessed(alices_customer, "C3")
    give_need(alices_customer, "retirement", 80)
    give_need(alices_customer, "liquidity", 40)
    fits = product_on_shelf("R2", code="INS-YL10", needs=[need_type("retirement")])
    cash = product_on_shelf("R1", code="TD-1Y", needs=[need_type("liquidity")])
    product_on_shelf("R5", code="FUND-GP03", needs=[need_type("retirement")])  # above C3
    product_on_shelf("R1", code="TD-OLD", status="closed", needs=[need_type("liquidity")])
    held = product_on_shelf("R1", code="TD-3Y", needs=[need_type("liquidity")])
    _hold(alices_customer, held)
    product_on_shelf("R1", code="LOAN-1", needs=[need_type("credit")])  # no such need
    url = reverse("customers:panel", args=[alices_customer.pk, "products-suitable"])
    response = alice_client.get(url, HTTP_HX_REQUEST="true")
    suitable = response.context["panel"]["suitable"]
    assert [s.product.pk for s in suitable] == [fits.pk, cash.pk]
    assert 'data-testid="recommend-INS-YL10"' in response.content.decode()


def test_customer_page_query_count_does_not_grow_with_holdings(alice_client, alices_customer):
    assessed(alices_customer, "C5")
    give_need(alices_customer, "wealth_growth")
    url = reverse("customers:detail", args=[alices_customer.pk])

    def add(i):
        growth = [need_type("wealth_growth")]
        _hold(alices_customer, product_on_shelf("R3", code=f"H{i}", needs=growth))
        product_on_shelf("R2", code=f"S{i}", needs=growth)  # suitable, not held
        services.recommendation_record(
            actor=alices_customer.relationship_manager,
            customer=alices_customer,
            product=product_on_shelf("R1", code=f"R{i}"),
            needs=growth,
            rationale="x",
        )

    add(0)
    alice_client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        alice_client.get(url)
    for i in range(1, 9):
        add(i)
    with CaptureQueriesContext(connection) as many:
        alice_client.get(url)
    assert len(many) == len(few)


def test_recording_an_unsuitable_recommendation_shows_the_reason(alice_client, alices_customer):
    assessed(alices_customer, "C2")
    product = product_on_shelf("R4")
    response = alice_client.post(
        reverse("products:recommendation_create", args=[alices_customer.pk]),
        {"product": product.pk, "needs": [need_type("wealth_growth").pk], "rationale": "高收益"},
        follow=True,
    )
    assert "risk level R4 is above the customer&#x27;s risk tolerance class C2" in (
        response.content.decode()
    )
    assert not Recommendation.objects.exists()


def test_questionnaire_with_an_unanswered_question(alice_client, alices_customer):
    questionnaire = RiskQuestionnaire.objects.get(is_active=True)
    data = {"in_person": "on"}
    for q in list(questionnaire.questions.order_by("position"))[:-1]:
        data[f"q{q.pk}"] = q.options.order_by("position").first().pk
    response = alice_client.post(
        reverse("products:questionnaire_record", args=[alices_customer.pk]), data, follow=True
    )
    assert "1 left unanswered (10)" in response.content.decode()
    assert not RiskAssessment.objects.exists()


def test_questionnaire_from_the_customer_page(alice_client, alices_customer):
    questionnaire = RiskQuestionnaire.objects.get(is_active=True)
    data = {"in_person": "on"}
    for q in questionnaire.questions.all():
        data[f"q{q.pk}"] = q.options.order_by("-score").first().pk
    response = alice_client.post(
        reverse("products:questionnaire_record", args=[alices_customer.pk]), data, follow=True
    )
    assert "score 100, risk tolerance class C5" in response.content.decode()
    alices_customer.refresh_from_db()
    assert alices_customer.risk_class == "C5"


# -- Scope: 404 outside it ---------------------------------------------------------------------


def test_questionnaire_sent_twice_records_one_assessment(alice_client, alices_customer):
    questionnaire = RiskQuestionnaire.objects.get(is_active=True)
    data = {"in_person": "on", "submission_token": "0123456789abcdef0123456789abcdef"}
    for q in questionnaire.questions.all():
        data[f"q{q.pk}"] = q.options.order_by("score").first().pk
    url = reverse("products:questionnaire_record", args=[alices_customer.pk])
    alice_client.post(url, data)
    second = alice_client.post(url, data, follow=True)
    assert RiskAssessment.objects.filter(customer=alices_customer).count() == 1
    assert "already been sent" in second.content.decode()


def test_holding_sent_twice_records_one_holding(alice_client, alices_customer):
    product = product_on_shelf("R1")
    assessed(alices_customer, "C3")
    data = {
        "product": product.pk,
        "principal": "50000",
        "submission_token": "fedcba9876543210fedcba9876543210",
    }
    url = reverse("products:holding_create", args=[alices_customer.pk])
    alice_client.post(url, data)
    alice_client.post(url, data)
    assert Holding.objects.filter(customer=alices_customer).count() == 1


def test_holdings_recommendations_and_targets_outside_scope_are_404(
    bob_client, alices_customer, rm_alice, supervisor
):
    assessed(alices_customer, "C3")
    product = product_on_shelf("R1")
    rec = services.recommendation_record(
        actor=rm_alice,
        customer=alices_customer,
        product=product,
        needs=[need_type("liquidity")],
        rationale="x",
    )
    give_need(alices_customer, "liquidity")
    campaign = campaigns.campaign_create(
        actor=supervisor,
        name="c",
        products=[product],
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    campaigns.campaign_launch(actor=supervisor, campaign=campaign)
    target = CampaignTarget.objects.get()
    posts = [
        reverse("products:holding_create", args=[alices_customer.pk]),
        reverse("products:override_request", args=[alices_customer.pk]),
        reverse("products:recommendation_create", args=[alices_customer.pk]),
        reverse("products:questionnaire_record", args=[alices_customer.pk]),
        reverse("products:recommendation_outcome", args=[rec.pk]),
        reverse("products:target_move", args=[target.pk]),
    ]
    for url in posts:
        assert bob_client.post(url, {"status": "contacted"}).status_code == 404, url
    assert bob_client.get(reverse("products:recommendation", args=[rec.pk])).status_code == 404
    assert bob_client.get(campaign.get_absolute_url()).status_code == 404
    rec.refresh_from_db()
    assert rec.outcome == "pending" and CampaignTarget.objects.get().status == "to_contact"


def test_rm_sees_own_targets_and_moves_them(alice_client, rm_alice, supervisor, rm_carol):
    product = product_on_shelf("R1")
    mine = CustomerFactory(relationship_manager=rm_alice, marketing_consent=True)
    carols = CustomerFactory(relationship_manager=rm_carol, marketing_consent=True)
    for c in (mine, carols):
        assessed(c, "C2")
    campaign = campaigns.campaign_create(
        actor=supervisor,
        name="c",
        products=[product],
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    campaigns.campaign_launch(actor=supervisor, campaign=campaign)
    response = alice_client.get(campaign.get_absolute_url())
    assert [t.customer_id for t in response.context["page"]] == [mine.pk]
    target = CampaignTarget.objects.get(customer=mine)
    alice_client.post(reverse("products:target_move", args=[target.pk]), {"status": "interested"})
    target.refresh_from_db()
    assert target.status == "interested"


def test_campaign_pages_query_counts(supervisor_client, supervisor, django_assert_num_queries):
    product = product_on_shelf("R1")
    for _ in range(5):
        assessed(CustomerFactory(relationship_manager=supervisor, marketing_consent=True), "C2")
    campaign = campaigns.campaign_create(
        actor=supervisor,
        name="c",
        products=[product],
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    with django_assert_num_queries(12):
        # session, user with staff, campaign, its products/needs/branches (page, then the rule's
        # ids), preview counts, sample ids, sample customers
        assert supervisor_client.get(campaign.get_absolute_url()).status_code == 200
    campaigns.campaign_launch(actor=supervisor, campaign=campaign)
    # … then two funnels, the target page and its count instead of the preview
    with django_assert_num_queries(10):
        assert supervisor_client.get(campaign.get_absolute_url()).status_code == 200
    # session, user with staff, campaigns with their counts
    with django_assert_num_queries(3):
        assert supervisor_client.get(reverse("products:campaigns")).status_code == 200


def test_a_one_day_term_reads_as_one_day(alice_client):
    """A count in a sentence takes its plural from the number: "1 day", never "1 days"."""
    from django.utils import translation

    product = product_on_shelf(term_days=1, code="DD-1D")
    product_on_shelf(term_days=7, code="DD-7D")
    body = alice_client.get(reverse("products:list")).content.decode()
    assert "1 day<" in body and "1 days" not in body and "7 days" in body
    assert (
        "1 day" in alice_client.get(reverse("products:detail", args=[product.pk])).content.decode()
    )
    alice_client.cookies["django_language"] = "zh-hans"
    with translation.override("zh-hans"):
        body = alice_client.get(reverse("products:list")).content.decode()
    assert "1 天" in body and "1 day" not in body
