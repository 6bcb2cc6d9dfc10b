"""The demo's interactions, needs discussed and tasks (interactions/seed.py): made in SQL from
shared draws, so they must agree with each other and with the customers they belong to."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from accounts.models import Staff
from interactions.models import Interaction, Task
from interactions.seed import DURATION, HISTORY_DAYS, MEAN_BY_SEGMENT, SUBJECTS

pytestmark = pytest.mark.django_db


def seed(seed=5):
    call_command("seed_demo", customers=600, seed=seed, reset=True, stdout=None)


def fingerprint() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), sum(hashtext(concat_ws('/', customer_id, staff_id, channel, subject, "
            "outcome, occurred_at))) FROM interactions_interaction"
        )
        interactions = cursor.fetchone()
        cursor.execute(
            "SELECT count(*), sum(hashtext(concat_ws('/', interaction_id, needtype_id))) "
            "FROM interactions_interaction_needs"
        )
        needs = cursor.fetchone()
        cursor.execute(
            "SELECT count(*), sum(hashtext(concat_ws('/', title, due_date))) FROM interactions_task"
        )
        return interactions, needs, cursor.fetchone()


def test_same_seed_same_interactions_and_another_seed_others():
    seed(5)
    first = fingerprint()
    seed(5)
    assert fingerprint() == first
    seed(6)
    assert fingerprint() != first


def test_seeded_interactions_are_plausible_and_agree_with_their_needs_and_tasks():
    seed()
    today = timezone.localdate()
    interactions = Interaction.objects.select_related("customer")
    count = interactions.count()
    customers = interactions.values("customer").distinct().count()
    assert 5 * customers < count < 15 * customers  # about ten each (by segment: 8 to 24)
    staff_branch = dict(Staff.objects.values_list("user_id", "branch_id"))
    subjects = {code: set(names) for code, names in SUBJECTS.items()}
    for i in interactions.prefetch_related("needs")[:400]:
        day = timezone.localtime(i.occurred_at)
        assert today - dt.timedelta(days=HISTORY_DAYS) <= day.date() < today
        assert 9 <= day.hour <= 17
        # The customer's RM or a colleague of the branch served them.
        assert staff_branch[i.staff_id] == i.customer.branch_id
        span = DURATION[i.channel]
        assert (
            (i.duration_minutes is None)
            if span is None
            else span[0] <= i.duration_minutes <= span[1]
        )
        needs = [n.code for n in i.needs.all()]
        assert len(needs) <= 2
        assert i.subject in subjects[needs[0] if needs else ""] or (
            len(needs) == 2 and i.subject in subjects[needs[1]]
        )
        assert i.product_codes == sorted(set(i.product_codes))
    # Follow-ups: one task per "follow up" interaction, for whoever served, due 1–14 days later.
    follow_ups = interactions.filter(outcome="follow_up")
    tasks = Task.objects.filter(origin="interaction").select_related("interaction")
    assert tasks.count() == follow_ups.count() > 0
    for task in tasks[:300]:
        assert task.assignee_id == task.interaction.staff_id == task.created_by_id
        lag = (task.due_date - timezone.localtime(task.interaction.occurred_at).date()).days
        assert 1 <= lag <= 14
        if task.status == "done":
            assert task.completed_at is not None and task.cancelled_at is None
        elif task.status == "cancelled":
            assert task.cancelled_at is not None and task.completed_at is None
        else:
            assert task.status == "open" and task.completed_at is task.cancelled_at is None
    statuses = dict(tasks.values_list("status").annotate(n=Count("id")))
    assert statuses["done"] > statuses["cancelled"] > 0 and statuses["open"] > 0
    # RMs' hand-made tasks: open, for their own customers.
    manual = Task.objects.filter(origin="manual").select_related("customer")
    assert manual.exists()
    assert all(t.assignee_id == t.customer.relationship_manager_id for t in manual)
    assert set(MEAN_BY_SEGMENT) >= set(interactions.values_list("customer__segment", flat=True))
