"""Rules 4, 6 and 9 (holdings, suitability, recommendations) and suitable products on alerts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.models import CustomerNeed, LifeEvent
from insights.engine import alert_evidence_recompute, alerts_scan
from insights.models import Alert
from products.models import Holding, Recommendation
from tests.customers.factories import CustomerFactory, need_type
from tests.insights.factories import today
from tests.interactions.factories import InteractionFactory
from tests.products.factories import assessed, product_on_shelf

pytestmark = pytest.mark.django_db


def holding(customer, product, *, maturity=None, start=None, override=False):
    return Holding.objects.create(
        customer=customer,
        product=product,
        principal=Decimal("200000.00"),
        currency="CNY",
        start_date=start or today() - dt.timedelta(days=200),
        maturity_date=maturity,
        above_class_override=override,
    )


def fired(code):
    return set(Alert.objects.filter(rule__code=code).values_list("customer_id", flat=True))


def test_maturity_fires_30_days_ahead_not_31(rm_alice):
    product = product_on_shelf("R2")
    at, beyond = (CustomerFactory(relationship_manager=rm_alice) for _ in range(2))
    holding(at, product, maturity=today() + dt.timedelta(days=30))
    holding(beyond, product, maturity=today() + dt.timedelta(days=31))
    alerts_scan(kind="full", rules=["maturity"])
    assert fired("maturity") == {at.pk}
    alert = Alert.objects.get()
    assert alert.evidence["days_to_maturity"] == 30 and alert.evidence["principal"] == 200000


def test_suitability_review_fires_for_a_holding_one_level_above_the_class(rm_alice):
    r3 = product_on_shelf("R3")
    above = assessed(CustomerFactory(relationship_manager=rm_alice), "C2")
    equal = assessed(CustomerFactory(relationship_manager=rm_alice), "C3")
    signed_off = assessed(CustomerFactory(relationship_manager=rm_alice), "C2")
    holding(above, r3)
    holding(equal, r3)
    holding(signed_off, r3, override=True)
    alerts_scan(kind="full", rules=["suitability_review"])
    assert fired("suitability_review") == {above.pk}
    evidence = Alert.objects.get().evidence
    assert evidence["highest_level"] == "R3" and evidence["holdings"] == 1


def _noon(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def test_unmet_need_fires_14_days_after_discussion_without_recommendation(rm_alice):
    growth = need_type("wealth_growth")
    at, recent, served, fulfilled = (
        CustomerFactory(relationship_manager=rm_alice) for _ in range(4)
    )
    for customer in (at, recent, served, fulfilled):
        CustomerNeed.objects.create(
            customer=customer,
            need_type=growth,
            priority=50,
            status="fulfilled" if customer == fulfilled else "active",
            first_identified=today(),
            last_confirmed=today(),
        )
    for customer, days in ((at, 14), (recent, 13), (served, 20), (fulfilled, 20)):
        interaction = InteractionFactory(
            customer=customer, staff=rm_alice, occurred_at=_noon(today() - dt.timedelta(days))
        )
        interaction.needs.set([growth])
    product = product_on_shelf("R1", needs=[growth])
    rec = Recommendation.objects.create(
        customer=served,
        product=product,
        recommended_by=rm_alice,
        recommended_at=_noon(today() - dt.timedelta(days=15)),
        rationale="growth",
        snapshot={},
    )
    rec.needs.set([growth])
    alerts_scan(kind="full", rules=["unmet_need"])
    assert fired("unmet_need") == {at.pk}
    assert Alert.objects.get().need_codes == ["wealth_growth"]


def test_suitable_products_respect_suitability(rm_alice):
    education = need_type("education")
    low = product_on_shelf("R2", needs=[education], code="EDU-LOW")
    product_on_shelf("R4", needs=[education], code="EDU-HIGH")  # above a C3 customer
    product_on_shelf("R1", needs=[education], code="EDU-CLOSED", status="closed")
    product_on_shelf("R1", needs=[need_type("credit")], code="LOAN")  # another need
    customer = assessed(CustomerFactory(relationship_manager=rm_alice), "C3")
    LifeEvent.objects.create(customer=customer, kind="school", event_date=today())
    unassessed = CustomerFactory(relationship_manager=rm_alice)
    LifeEvent.objects.create(customer=unassessed, kind="school", event_date=today())
    alerts_scan(kind="full", rules=["life_event"])
    assert Alert.objects.get(customer=customer).product_codes == [low.code]
    assert Alert.objects.get(customer=unassessed).product_codes == []  # nothing is suitable


def test_product_rules_recompute_and_stay_idempotent(rm_alice):
    r3 = product_on_shelf("R3")
    customer = assessed(CustomerFactory(relationship_manager=rm_alice), "C1")
    holding(customer, r3, maturity=today() + dt.timedelta(days=5))
    first = alerts_scan(kind="full", rules=["maturity", "suitability_review"])
    assert first.total == 2
    assert alerts_scan(kind="full", rules=["maturity", "suitability_review"]).total == 0
    for alert in Alert.objects.select_related("rule", "run"):
        assert alert_evidence_recompute(alert) == alert.evidence
