"""Each rule fires exactly at its threshold and not just below it; reruns add nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from customers.models import Customer, LifeEvent
from insights.engine import alert_evidence_recompute, alerts_scan
from insights.models import Alert, AlertRule
from insights.presenters import alert_evidence_words
from tests.customers.factories import CustomerFactory
from tests.insights.factories import balances, today
from tests.interactions.factories import InteractionFactory

pytestmark = pytest.mark.django_db


def fired(code: str) -> set[int]:
    return set(Alert.objects.filter(rule__code=code).values_list("customer_id", flat=True))


def scan(code: str):
    return alerts_scan(kind="full", rules=[code])


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# -- 1. life events ------------------------------------------------------------------------


def test_life_event_fires_within_90_days_either_way_and_not_one_day_beyond(rm_alice):
    t = today()
    cases = {}
    for offset in (90, 91, -90, -91):
        customer = CustomerFactory(relationship_manager=rm_alice)
        LifeEvent.objects.create(
            customer=customer, kind="childbirth", event_date=t + dt.timedelta(offset)
        )
        cases[offset] = customer.pk
    scan("life_event")
    assert fired("life_event") == {cases[90], cases[-90]}
    alert = Alert.objects.get(customer_id=cases[90])
    assert alert.need_codes == ["education", "protection"]
    assert alert.assignee == rm_alice
    assert alert.evidence["days_from_today"] == 90
    assert alert.rule_version == 1 and alert.run.kind == "full"


def test_life_event_of_an_archived_customer_does_not_fire(rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice, status=Customer.Status.ARCHIVED)
    LifeEvent.objects.create(customer=customer, kind="retirement", event_date=today())
    assert scan("life_event").counts == {"life_event": 0}


# -- 2. large inflow ------------------------------------------------------------------------


def test_large_inflow_fires_exactly_at_50_percent_and_100000(rm_alice):
    t = today()
    at = CustomerFactory(relationship_manager=rm_alice)
    below = CustomerFactory(relationship_manager=rm_alice)
    balances(at, as_of=t, history=[200000, 200000, 200000], latest="300000.00")
    balances(below, as_of=t, history=[200000, 200000, 200000], latest="299999.99")
    result = scan("large_inflow")
    assert result.counts == {"large_inflow": 1}
    alert = Alert.objects.get(rule__code="large_inflow")
    assert alert.customer == at
    assert alert.evidence["deposits"] == 300000
    assert alert.evidence["baseline"] == 200000
    assert alert.evidence["increase"] == 100000
    assert alert.evidence["increase_pct"] == 50.0
    assert alert.evidence["baseline_snapshots"] == 3
    assert alert.need_codes == ["wealth_growth"]
    assert alert.trigger_key == f"month:{t:%Y-%m}"


def test_large_inflow_needs_both_the_percentage_and_the_amount(rm_alice):
    t = today()
    small = CustomerFactory(relationship_manager=rm_alice)  # +200 % but only +20,000
    big = CustomerFactory(relationship_manager=rm_alice)  # +150,000 but only +15 %
    balances(small, as_of=t, history=[10000, 10000, 10000], latest=30000)
    balances(big, as_of=t, history=[1000000, 1000000, 1000000], latest=1150000)
    assert scan("large_inflow").counts == {"large_inflow": 0}


def test_large_inflow_evidence_reads_in_words(rm_alice):
    t = today()
    customer = CustomerFactory(relationship_manager=rm_alice)
    balances(customer, as_of=t, history=[198500, 198500, 198500], latest=412000)
    scan("large_inflow")
    alert = Alert.objects.get()
    words = " ".join(alert_evidence_words("large_inflow", alert.evidence))
    assert "412,000.00" in words and "198,500.00" in words and "+107.6 %" in words
    assert "90-day average" in words


# -- 3. AUM outflow ----------------------------------------------------------------------------


def test_aum_outflow_fires_exactly_at_30_percent_down(rm_alice):
    t = today()
    at = CustomerFactory(relationship_manager=rm_alice)
    below = CustomerFactory(relationship_manager=rm_alice)
    balances(at, as_of=t, history=[100000] * 3, latest="70000.00", column="investments")
    balances(below, as_of=t, history=[100000] * 3, latest="70000.01", column="investments")
    scan("aum_outflow")
    assert fired("aum_outflow") == {at.pk}
    alert = Alert.objects.get()
    assert alert.evidence["decrease_pct"] == 30.0
    assert alert.evidence["aum"] == 70000


def test_aum_outflow_ignores_stale_balances(rm_alice):
    """A latest snapshot older than max_age_days (45) says nothing about today."""
    customer = CustomerFactory(relationship_manager=rm_alice)
    old = today() - dt.timedelta(days=46)
    balances(customer, as_of=old, history=[100000] * 3, latest=1000, column="investments")
    assert scan("aum_outflow").counts == {"aum_outflow": 0}


# -- 5. risk assessment expiry -----------------------------------------------------------------


def test_risk_expiry_fires_30_days_before_expiry_and_not_31(rm_alice):
    t = today()
    at = CustomerFactory(
        relationship_manager=rm_alice,
        risk_class="C3",
        risk_assessed_on=years_before(t + dt.timedelta(days=30), 1),
    )
    CustomerFactory(
        relationship_manager=rm_alice,
        risk_class="C3",
        risk_assessed_on=years_before(t + dt.timedelta(days=31), 1),
    )
    expired = CustomerFactory(
        relationship_manager=rm_alice, risk_class="C2", risk_assessed_on=years_before(t, 2)
    )
    CustomerFactory(relationship_manager=rm_alice)  # never assessed: nothing to renew
    scan("risk_expiry")
    assert fired("risk_expiry") == {at.pk, expired.pk}
    assert Alert.objects.get(customer=at).evidence["days_to_expiry"] == 30


# -- 8. contact gap -------------------------------------------------------------------------------


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def test_contact_gap_fires_after_90_days_for_affluent_customers_only(rm_alice):
    t = today()
    at = CustomerFactory(relationship_manager=rm_alice, segment="affluent")
    below = CustomerFactory(relationship_manager=rm_alice, segment="hnw")
    mass = CustomerFactory(relationship_manager=rm_alice, segment="mass")
    dnc = CustomerFactory(relationship_manager=rm_alice, segment="private", do_not_contact=True)
    for customer, days in ((at, 90), (below, 89), (mass, 200), (dnc, 200)):
        InteractionFactory(
            customer=customer, staff=rm_alice, occurred_at=_noon(t - dt.timedelta(days))
        )
    scan("contact_gap")
    assert fired("contact_gap") == {at.pk}
    alert = Alert.objects.get()
    assert alert.evidence["days_without_contact"] == 90
    assert alert.trigger_key == f"since:{t - dt.timedelta(90)}"


def test_contact_gap_alert_is_new_for_a_new_gap(rm_alice):
    """After a contact and another 90 days of silence, a second alert (a new trigger key)."""
    t = today()
    customer = CustomerFactory(relationship_manager=rm_alice, segment="affluent")
    InteractionFactory(customer=customer, staff=rm_alice, occurred_at=_noon(t - dt.timedelta(300)))
    alerts_scan(kind="full", rules=["contact_gap"], as_of=t - dt.timedelta(150))
    InteractionFactory(customer=customer, staff=rm_alice, occurred_at=_noon(t - dt.timedelta(100)))
    scan("contact_gap")
    assert Alert.objects.filter(customer=customer).count() == 2


# -- 10. age milestones ---------------------------------------------------------------------------


def test_age_milestone_fires_90_days_before_the_55th_birthday_not_91(rm_alice):
    t = today()
    at = CustomerFactory(
        relationship_manager=rm_alice, date_of_birth=years_before(t + dt.timedelta(90), 55)
    )
    CustomerFactory(
        relationship_manager=rm_alice, date_of_birth=years_before(t + dt.timedelta(91), 55)
    )
    scan("age_milestone")
    assert fired("age_milestone") == {at.pk}
    alert = Alert.objects.get()
    assert alert.need_codes == ["retirement"]
    assert alert.evidence["age"] == 55 and alert.evidence["days_to_birthday"] == 90


# -- every rule --------------------------------------------------------------------------------


def _book(rm):
    t = today()
    a = CustomerFactory(
        relationship_manager=rm,
        segment="affluent",
        risk_class="C3",
        risk_assessed_on=years_before(t, 1),
    )
    LifeEvent.objects.create(customer=a, kind="marriage", event_date=t)
    balances(a, as_of=t, history=[100000] * 3, latest=500000)
    b = CustomerFactory(relationship_manager=rm, date_of_birth=years_before(t, 55))
    balances(b, as_of=t, history=[100000] * 3, latest=1000, column="investments")
    InteractionFactory(customer=a, staff=rm, occurred_at=_noon(t - dt.timedelta(120)))
    return a, b


def test_a_full_scan_twice_creates_each_alert_once(rm_alice):
    _book(rm_alice)
    first = alerts_scan(kind="full")
    assert first.counts == {
        "life_event": 1,
        "large_inflow": 1,
        "aum_outflow": 1,
        "maturity": 0,
        "risk_expiry": 1,
        "suitability_review": 0,
        "retention_risk": 0,
        "contact_gap": 1,
        "unmet_need": 0,
        "age_milestone": 1,
    }
    second = alerts_scan(kind="full")
    assert second.total == 0
    assert Alert.objects.count() == 6


def test_incremental_scan_looks_only_at_what_changed(rm_alice):
    a, _b = _book(rm_alice)
    alerts_scan(kind="full")
    assert alerts_scan(kind="incremental").total == 0
    LifeEvent.objects.create(customer=a, kind="home_purchase", event_date=today())
    result = alerts_scan(kind="incremental")
    assert result.counts["life_event"] == 1 and result.total == 1
    assert result.run.since is not None


def test_customer_run_looks_at_that_customer_only(rm_alice):
    _a, b = _book(rm_alice)
    result = alerts_scan(kind="customer", customer_id=b.pk)
    assert set(Alert.objects.values_list("customer_id", flat=True)) == {b.pk}
    assert result.total == 2


def test_a_disabled_rule_does_not_run(rm_alice):
    _book(rm_alice)
    AlertRule.objects.filter(code="life_event").update(enabled=False)
    assert "life_event" not in alerts_scan(kind="full").counts


def test_evidence_recomputes_identically_for_its_run(rm_alice):
    _book(rm_alice)
    alerts_scan(kind="full")
    for alert in Alert.objects.select_related("rule", "run"):
        assert alert_evidence_recompute(alert) == alert.evidence, alert.rule.code


def test_open_alerts_follow_the_customer_to_a_new_rm(rm_alice, rm_carol):
    a, _b = _book(rm_alice)
    alerts_scan(kind="full")
    Customer.objects.filter(pk=a.pk).update(
        relationship_manager=rm_carol, updated_at=timezone.now()
    )
    alerts_scan(kind="incremental")
    assert set(Alert.objects.filter(customer=a).values_list("assignee", flat=True)) == {rm_carol.pk}
