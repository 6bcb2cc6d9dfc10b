"""Service-quality scores: components, insufficient data, re-normalised weights, reproducible."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from insights.models import ScorePolicyVersion, ScoreSnapshot
from insights.scoring import Period, score_compose, score_recompute, scores_compute
from interactions.models import Task
from tests.customers.factories import CustomerFactory
from tests.interactions.factories import InteractionFactory, TaskFactory

pytestmark = pytest.mark.django_db

END = dt.date(2026, 11, 22)


def policy(**overrides):
    base = {
        "version": 99,
        "weights": {"follow_up_on_time": 35, "contact_coverage": 35, "alert_responsiveness": 30},
        "min_samples": {"follow_up_on_time": 5, "contact_coverage": 5, "alert_responsiveness": 3},
        "mappings": {"alert_responsiveness": {"best_hours": 24, "worst_hours": 240}},
        "period_days": 90,
    }
    base.update(overrides)
    return ScorePolicyVersion(**base)


def test_insufficient_component_is_left_out_and_weights_renormalised():
    figures = {
        "follow_up_on_time": {"numerator": 8, "denominator": 10, "sample": 10},  # 80
        "contact_coverage": {"numerator": "6", "denominator": "10", "sample": 10},  # 60
        "alert_responsiveness": {
            "numerator": 1,
            "denominator": 2,
            "sample": 2,
            "median_hours": "5",
        },
    }
    composite, components = score_compose(figures, policy())
    assert components["alert_responsiveness"]["insufficient"] is True
    assert components["alert_responsiveness"]["score"] is None  # not zero
    # (35 × 80 + 35 × 60) / 70 = 70.0 — the 30 of the missing component is re-distributed.
    assert composite == Decimal("70.0")
    assert components["follow_up_on_time"]["effective_weight_pct"] == "50.0"


def test_composite_is_the_weighted_mean_and_responsiveness_maps_hours_linearly():
    figures = {
        "follow_up_on_time": {"numerator": 10, "denominator": 10, "sample": 10},  # 100
        "contact_coverage": {"numerator": "5", "denominator": "10", "sample": 10},  # 50
        "alert_responsiveness": {
            "numerator": 3,
            "denominator": 3,
            "sample": 3,
            "median_hours": "132",
        },
    }
    composite, components = score_compose(figures, policy())
    assert components["alert_responsiveness"]["score"] == "50.0"  # halfway from 24 h to 240 h
    assert composite == Decimal("67.5")  # (35×100 + 35×50 + 30×50) / 100


def test_all_insufficient_gives_no_composite():
    figures = {"follow_up_on_time": {"numerator": 1, "denominator": 1, "sample": 1}}
    assert score_compose(figures, policy())[0] is None


def _noon(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def test_scores_compute_counts_tasks_on_time_and_weighted_coverage(rm_alice, rm_carol):
    due = END - dt.timedelta(days=10)
    for i in range(6):
        task = TaskFactory(
            customer=CustomerFactory(relationship_manager=rm_alice), assignee=rm_alice, due_date=due
        )
        if i < 4:  # 4 done on time, 1 done late, 1 still open
            Task.objects.filter(pk=task.pk).update(status="done", completed_at=_noon(due))
        elif i == 4:
            Task.objects.filter(pk=task.pk).update(
                status="done", completed_at=_noon(due + dt.timedelta(days=1))
            )
    contacted = CustomerFactory(relationship_manager=rm_alice, segment="private")  # weight 4
    InteractionFactory(customer=contacted, staff=rm_alice, occurred_at=_noon(END))
    written = scores_compute(period_end=END)
    assert written == 2  # alice and carol
    snap = ScoreSnapshot.objects.get(staff=rm_alice, period_end=END)
    follow = snap.components["follow_up_on_time"]
    assert (follow["numerator"], follow["denominator"], follow["score"]) == (4, 6, "66.7")
    coverage = snap.components["contact_coverage"]
    # 6 mass customers (weight 1) uncontacted + 1 private (weight 4) contacted: 4 / 10.
    assert Decimal(coverage["numerator"]) == 4 and Decimal(coverage["denominator"]) == 10
    assert coverage["score"] == "40.0" and coverage["sample"] == 7
    assert snap.components["alert_responsiveness"]["insufficient"] is True
    assert snap.period_start == END - dt.timedelta(days=89)
    carol = ScoreSnapshot.objects.get(staff=rm_carol)
    assert carol.composite is None  # nothing to score yet: not a zero


def test_rerun_overwrites_and_recompute_is_identical(rm_alice):
    for _ in range(6):
        TaskFactory(customer=CustomerFactory(relationship_manager=rm_alice), due_date=END)
    scores_compute(period_end=END)
    scores_compute(period_end=END)
    assert ScoreSnapshot.objects.filter(staff=rm_alice).count() == 1
    snap = ScoreSnapshot.objects.get(staff=rm_alice)
    result = score_recompute(snap)
    assert result.identical
    assert result.from_data == result.from_stored


def test_recompute_score_command_shows_the_comparison(rm_alice):
    for _ in range(6):
        TaskFactory(customer=CustomerFactory(relationship_manager=rm_alice), due_date=END)
    out = StringIO()
    call_command("scores_compute", "--period-end", END.isoformat(), stdout=out)
    assert "2 written" not in out.getvalue() and "1 written" in out.getvalue()
    out = StringIO()
    call_command("recompute_score", "--staff", "alice", "--period", END.isoformat(), stdout=out)
    assert "identical" in out.getvalue()
    with pytest.raises(CommandError, match="No snapshot"):
        call_command("recompute_score", "--staff", "alice", "--period", "2020-01-05")


def test_recompute_detects_a_tampered_snapshot(rm_alice):
    for _ in range(6):
        TaskFactory(customer=CustomerFactory(relationship_manager=rm_alice), due_date=END)
    scores_compute(period_end=END)
    ScoreSnapshot.objects.filter(staff=rm_alice).update(composite=Decimal("99.9"))
    with pytest.raises(CommandError, match="do NOT reproduce"):
        call_command(
            "recompute_score", "--staff", "alice", "--period", END.isoformat(), stdout=StringIO()
        )


def test_period_bounds_are_bank_days():
    start, end = Period.ending(END, 90).bounds()
    assert timezone.localtime(start).date() == END - dt.timedelta(days=89)
    assert (end - start) == dt.timedelta(days=90)
