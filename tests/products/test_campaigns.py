"""Campaigns: preview, set-based launch, exclusions, the target status flow, the funnel."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from customers.models import Customer
from products import campaigns
from products.models import Campaign, CampaignTarget, Holding
from products.suitability import Purpose, check_suitability
from tests.customers.factories import CustomerFactory, need_type
from tests.products.conftest import give_need
from tests.products.factories import assessed, product_on_shelf

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _campaign(actor, products, **kw):
    fields = {
        "name": "养老规划季",
        "products": products,
        "starts_on": TODAY(),
        "ends_on": TODAY() + dt.timedelta(days=30),
        "target_needs": [need_type("retirement")],
        "min_need_priority": 50,
    }
    fields.update(kw)
    return campaigns.campaign_create(actor=actor, **fields)


@pytest.fixture
def population(rm_alice, rm_carol):
    """Customers of branch A with a retirement need, each failing at most one exclusion."""
    people = {}

    def make(key, klass="C3", *, rm=rm_alice, priority=70, **fields):
        fields.setdefault("marketing_consent", True)
        customer = CustomerFactory(relationship_manager=rm, **fields)
        if klass:
            assessed(customer, klass)
        give_need(customer, "retirement", priority)
        people[key] = customer
        return customer

    make("ok")
    make("ok_carol", rm=rm_carol)
    make("ok_c5", "C5")
    make("low_class", "C1")
    make("no_assessment", None)
    make("expired", "C4")
    people["expired"].risk_assessed_on = TODAY() - dt.timedelta(days=400)
    people["expired"].save(update_fields=["risk_assessed_on"])
    make("dnc", do_not_contact=True)
    make("no_consent", marketing_consent=False)
    make("low_priority", priority=10)
    make("archived", status=Customer.Status.ARCHIVED)
    return people


def test_launch_targets_exactly_the_suitable_contactable_customers(
    supervisor, population, rm_alice, rm_carol
):
    products = [product_on_shelf("R2"), product_on_shelf("R3")]
    campaign = _campaign(supervisor, products)
    preview = campaigns.campaign_preview(actor=supervisor, campaign=campaign)
    assert preview.targeted == 3
    assert preview.matched == 8  # all but the low-priority need and the archived customer
    assert preview.no_consent == 1 and preview.do_not_contact == 1
    assert preview.unsuitable == 3  # C1 (R2, R3 above it), never assessed, expired
    count = campaigns.campaign_launch(actor=supervisor, campaign=campaign)
    assert count == 3
    targets = {t.customer_id: t for t in CampaignTarget.objects.filter(campaign=campaign)}
    assert set(targets) == {population[k].pk for k in ("ok", "ok_carol", "ok_c5")}
    assert targets[population["ok_carol"].pk].assigned_to == rm_carol
    assert targets[population["ok"].pk].assigned_to == rm_alice
    # The same function decides: every target passes check_suitability for every product.
    for customer in Customer.objects.filter(pk__in=targets):
        for product in products:
            assert check_suitability(customer, product, purpose=Purpose.CAMPAIGN).suitable
    # And every customer it refused fails it for some product.
    for key in ("low_class", "no_assessment", "expired", "dnc", "no_consent"):
        assert not all(
            check_suitability(population[key], p, purpose=Purpose.CAMPAIGN).suitable
            for p in products
        )


def test_holders_are_excluded(supervisor, population):
    product = product_on_shelf("R2")
    Holding.objects.create(
        customer=population["ok"],
        product=product,
        principal=1000,
        currency="CNY",
        start_date=TODAY(),
    )
    campaign = _campaign(supervisor, [product])
    assert campaigns.campaign_launch(actor=supervisor, campaign=campaign) == 2


def test_a_rule_that_matches_nobody_saves_nothing(supervisor, population):
    campaign = _campaign(supervisor, [product_on_shelf("R2")], target_segments=["private"])
    assert campaigns.campaign_preview(actor=supervisor, campaign=campaign).targeted == 0
    with pytest.raises(ValidationError, match="matches nobody"):
        campaigns.campaign_launch(actor=supervisor, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    assert not CampaignTarget.objects.exists()


def test_a_product_not_on_sale_targets_nobody(supervisor, population):
    campaign = _campaign(supervisor, [product_on_shelf("R1", status="closed")])
    with pytest.raises(ValidationError, match="matches nobody"):
        campaigns.campaign_launch(actor=supervisor, campaign=campaign)


def test_launch_twice_is_refused(supervisor, population):
    campaign = _campaign(supervisor, [product_on_shelf("R2")])
    campaigns.campaign_launch(actor=supervisor, campaign=campaign)
    with pytest.raises(ValidationError, match="already been launched"):
        campaigns.campaign_launch(actor=supervisor, campaign=campaign)
    assert CampaignTarget.objects.count() == 3


def test_rms_do_not_define_campaigns(rm_alice):
    with pytest.raises(PermissionDenied):
        _campaign(rm_alice, [product_on_shelf("R2")])


def test_supervisors_campaign_stays_in_the_branch(supervisor, population, rm_bob):
    outsider = CustomerFactory(relationship_manager=rm_bob, marketing_consent=True)
    assessed(outsider, "C3")
    give_need(outsider, "retirement", 90)
    campaign = _campaign(supervisor, [product_on_shelf("R2")])
    campaigns.campaign_launch(actor=supervisor, campaign=campaign)
    assert not CampaignTarget.objects.filter(customer=outsider).exists()


def test_target_status_flow(supervisor, population, rm_alice, rm_bob):
    campaign = _campaign(supervisor, [product_on_shelf("R2")])
    campaigns.campaign_launch(actor=supervisor, campaign=campaign)
    target = CampaignTarget.objects.get(customer=population["ok"])
    campaigns.campaign_target_move(actor=rm_alice, target=target, status="interested")
    with pytest.raises(ValidationError, match="moves forward only"):
        campaigns.campaign_target_move(actor=rm_alice, target=target, status="contacted")
    campaigns.campaign_target_move(actor=rm_alice, target=target, status="subscribed")
    with pytest.raises(ValidationError, match="already closed"):
        campaigns.campaign_target_move(actor=rm_alice, target=target, status="declined")
    other = CampaignTarget.objects.get(customer=population["ok_c5"])
    with pytest.raises(PermissionDenied):
        campaigns.campaign_target_move(actor=rm_bob, target=other, status="contacted")


def test_an_interaction_moves_the_customers_targets_on(supervisor, population):
    campaign = _campaign(supervisor, [product_on_shelf("R2")])
    campaigns.campaign_launch(actor=supervisor, campaign=campaign)
    customer = population["ok"]
    assert (
        campaigns.campaign_targets_on_interaction(customer_id=customer.pk, outcome="follow_up") == 1
    )
    assert CampaignTarget.objects.get(customer=customer).status == "contacted"
    campaigns.campaign_targets_on_interaction(customer_id=customer.pk, outcome="interested")
    assert CampaignTarget.objects.get(customer=customer).status == "interested"
    # A later, weaker outcome never moves it back.
    assert (
        campaigns.campaign_targets_on_interaction(customer_id=customer.pk, outcome="follow_up") == 0
    )
    campaigns.campaign_targets_on_interaction(customer_id=customer.pk, outcome="subscribed")
    assert CampaignTarget.objects.get(customer=customer).status == "subscribed"
    assert (
        campaigns.campaign_targets_on_interaction(customer_id=customer.pk, outcome="no_interest")
        == 0
    )


def test_funnel_per_branch_and_rm(supervisor, head_office, population, rm_alice, rm_bob):
    campaign = _campaign(head_office, [product_on_shelf("R2")], target_needs=[])
    outsider = CustomerFactory(relationship_manager=rm_bob, marketing_consent=True)
    assessed(outsider, "C3")
    campaigns.campaign_launch(actor=head_office, campaign=campaign)
    target = CampaignTarget.objects.get(customer=population["ok"])
    campaigns.campaign_target_move(actor=rm_alice, target=target, status="subscribed")
    by_branch = campaigns.campaign_funnel(user=head_office, campaign=campaign, by="branch")
    assert sorted(r.total for r in by_branch) == [1, 4]  # low-priority need counts: no need rule
    own = campaigns.campaign_funnel(user=supervisor, campaign=campaign, by="rm")
    assert sum(r.total for r in own) == 4  # the supervisor sees their branch only
    alice = next(r for r in own if r.key == rm_alice.pk)
    assert (alice.total, alice.subscribed) == (3, 1)
    whole = campaigns.funnel_total(by_branch, "Whole campaign")
    assert (whole.total, whole.subscribed, whole.conversion) == (5, 1, 20.0)
    assert campaigns.funnel_total([], "Whole campaign") is None


def test_a_campaign_dated_year_1_is_refused_and_not_saved(supervisor):
    product = product_on_shelf("R2")
    with pytest.raises(ValidationError, match="Enter a date between"):
        _campaign(supervisor, [product], starts_on=dt.date(1, 1, 1))
    assert not Campaign.objects.exists()
