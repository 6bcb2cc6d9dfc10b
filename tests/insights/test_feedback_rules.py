"""Rule 7 (retention risk) and the score components that read feedback and cases."""

import datetime as dt

import pytest
from django.utils import timezone

from crm.models import OutboxMessage
from feedback.services import case_open, feedback_record
from insights.engine import alerts_scan
from insights.listeners import TASK
from insights.models import Alert, ScoreSnapshot
from insights.scoring import scores_compute
from tests.customers.factories import CustomerFactory
from tests.interactions.factories import InteractionFactory

pytestmark = pytest.mark.django_db


def rate(rm, customer, *, nps=None, csat=None, days_ago=1):
    return feedback_record(
        actor=rm,
        customer=customer,
        channel="phone_survey",
        category="attitude",
        nps=nps,
        csat=csat,
        staff=rm,
        received_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def test_retention_risk_fires_at_nps_6_and_csat_2_not_7_and_3(rm_alice):
    nps6, nps7, csat2, csat3 = (CustomerFactory(relationship_manager=rm_alice) for _ in range(4))
    rate(rm_alice, nps6, nps=6)
    rate(rm_alice, nps7, nps=7)
    rate(rm_alice, csat2, csat=2)
    rate(rm_alice, csat3, csat=3)
    alerts_scan(kind="full", rules=["retention_risk"])
    assert set(Alert.objects.values_list("customer_id", flat=True)) == {nps6.pk, csat2.pk}


def test_a_complaint_fires_retention_risk_and_queues_a_run(rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    case_open(
        actor=rm_alice,
        customer=customer,
        case_type="complaint",
        category="fees",
        channel="branch",
        subject="Fee charged twice",
        description="The annual fee was charged twice.",
    )
    assert OutboxMessage.objects.filter(task_name=TASK).exists()
    alerts_scan(kind="customer", customer_id=customer.pk)
    alert = Alert.objects.get(rule__code="retention_risk")
    assert alert.evidence["source"] == "complaint"


def test_csat_nps_and_complaints_components(rm_alice, supervisor):
    end = timezone.localdate()
    customers = [CustomerFactory(relationship_manager=rm_alice) for _ in range(5)]
    for customer, (csat, nps) in zip(
        customers, [(5, 10), (5, 9), (4, 8), (3, 6), (3, 0)], strict=True
    ):
        rate(rm_alice, customer, csat=csat, nps=nps)
    for customer in customers * 4:  # 20 interactions
        InteractionFactory(customer=customer, staff=rm_alice)
    case_open(
        actor=rm_alice,
        customer=customers[0],
        case_type="complaint",
        category="attitude",
        channel="branch",
        subject="Rude",
        description="Rude on the phone.",
        about_staff=rm_alice,
    )
    scores_compute(period_end=end)
    components = ScoreSnapshot.objects.get(staff=rm_alice).components
    assert components["csat"]["score"] == "75.0"  # average 4.0 → (4 − 1) × 25
    assert (components["nps"]["promoters"], components["nps"]["detractors"]) == (2, 2)
    assert components["nps"]["score"] == "50.0"  # NPS 0 → 50
    assert components["complaints"]["numerator"] == 1
    assert components["complaints"]["denominator"] == 20
    assert components["complaints"]["score"] == "0.0"  # 5 per 100 × 20 points, floored at 0
    assert components["case_sla"]["insufficient"] is True  # no decided case yet
