"""The demo seed runs the engine over the data (no invented alerts) and builds score history."""

import datetime as dt

import pytest

from customers.models import LifeEvent
from insights.models import Alert, AlertRun, ScoreSnapshot
from insights.seed import SCAN_DAYS_AGO, SCORE_WEEKS, seed_insights
from tests.customers.factories import CustomerFactory
from tests.insights.factories import balances, today

pytestmark = pytest.mark.django_db


def test_seed_runs_the_engine_and_computes_the_weeks(rm_alice, rm_carol):
    t = today()
    for days in (70, 35, 0):
        customer = CustomerFactory(relationship_manager=rm_alice)
        LifeEvent.objects.create(
            customer=customer, kind="childbirth", event_date=t - dt.timedelta(days)
        )
    balances(
        CustomerFactory(relationship_manager=rm_carol), as_of=t, history=[100000] * 3, latest=400000
    )
    facts = seed_insights(today=t)
    assert AlertRun.objects.filter(kind="full").count() == len(SCAN_DAYS_AGO)
    # Every alert comes from a rule run: the events 70 and 35 days ago fire in the older scan.
    assert facts["alerts"] == Alert.objects.count() == 4
    assert set(Alert.objects.values_list("status", flat=True)) <= {
        "open",
        "acknowledged",
        "actioned",
        "dismissed",
        "expired",
    }
    assert ScoreSnapshot.objects.count() == SCORE_WEEKS * 2
    assert facts["snapshots"] == SCORE_WEEKS * 2
