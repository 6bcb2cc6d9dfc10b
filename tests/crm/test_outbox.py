"""The transactional outbox (crm/outbox.py): queued in the write's transaction, dispatched once."""

import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from crm.celery import app
from crm.jobs import job_runs_tidy
from crm.models import JobRun, OutboxMessage
from crm.outbox import (
    OutboxPublishError,
    outbox_backlog,
    outbox_claim_delivery,
    outbox_dispatch,
    outbox_enqueue,
    outbox_tidy,
)
from customers.services import customer_archive
from tests.crm import worker_tasks  # noqa: F401 - registers the probe task in this process
from tests.customers.factories import CustomerFactory

# No write of today's apps causes work yet (feedback and insights will): a write here is a
# real service (archive) plus the message it queues, in one transaction.
PROBE_TASK = "tests.crm.worker_tasks.outbox_probe_task"
FIGURES_TASK = "dashboards.tasks.branch_figures_refresh_task"


@transaction.atomic
def archive_and_queue(*, actor, customer) -> None:
    """A service write that causes work: the archive and its message commit together."""
    customer_archive(actor=actor, customer=customer, reason="Account closed")
    outbox_enqueue(PROBE_TASK, customer_id=customer.pk)


def probe_runs() -> list[int]:
    return list(JobRun.objects.filter(job="outbox_probe").values_list("rows", flat=True))


def test_a_message_is_written_in_the_callers_transaction(db):
    with transaction.atomic():
        outbox_enqueue(FIGURES_TASK)
        assert OutboxMessage.objects.filter(task_name=FIGURES_TASK).count() == 1
        transaction.set_rollback(True)
    assert not OutboxMessage.objects.exists()  # rolled back with the write


def test_unknown_task_and_non_json_arguments_are_refused(db):
    with pytest.raises(ValueError, match="no Celery task"):
        outbox_enqueue("customers.tasks.no_such_task")
    with pytest.raises(ValueError, match="not plain JSON"):
        outbox_enqueue(FIGURES_TASK, when=timezone.now())
    with pytest.raises(ValueError, match="not plain JSON"):
        outbox_enqueue(FIGURES_TASK, amount=float("nan"))
    assert not OutboxMessage.objects.exists()


def test_a_dedupe_key_queues_one_message(db):
    outbox_enqueue(FIGURES_TASK, dedupe_key="figures:1")
    outbox_enqueue(FIGURES_TASK, dedupe_key="figures:1")
    outbox_enqueue(FIGURES_TASK, dedupe_key="figures:2")
    outbox_enqueue(FIGURES_TASK)
    outbox_enqueue(FIGURES_TASK)  # no key: no de-duplication
    assert OutboxMessage.objects.count() == 4


def test_a_queued_message_runs_after_the_commit_once(db, rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    archive_and_queue(actor=rm_alice, customer=customer)
    message = OutboxMessage.objects.get()
    assert (message.task_name, message.kwargs) == (PROBE_TASK, {"customer_id": customer.pk})
    assert message.dispatched_at is None
    assert probe_runs() == []  # nothing ran before the dispatcher

    assert outbox_dispatch() == 1  # eager in unit tests: the task runs here
    message.refresh_from_db()
    assert message.dispatched_at is not None
    assert message.delivered_at is not None
    assert probe_runs() == [customer.pk]
    assert outbox_dispatch() == 0  # never sent twice
    assert probe_runs() == [customer.pk]


def test_a_failed_write_queues_nothing(db, rm_alice, rm_bob):
    customer = CustomerFactory(relationship_manager=rm_alice)
    with pytest.raises(PermissionDenied):  # Bob may not archive Alice's customer
        archive_and_queue(actor=rm_bob, customer=customer)
    assert not OutboxMessage.objects.exists()


@pytest.fixture
def broker_down():
    """The test process publishes to a port nobody listens on, for real (no eager mode)."""
    with publishing_to("redis://127.0.0.1:1/0"):
        yield


@contextmanager
def publishing_to(url: str):
    """Make this process publish for real (no eager mode) to the broker at `url`."""
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url", "broker_write_url")}

    def switch(values):
        app.conf.update(values)
        app.amqp._producer_pool = None
        app._pool = None

    switch({"task_always_eager": False, "broker_url": url, "broker_write_url": url})
    try:
        yield
    finally:
        switch(saved)


def test_broker_down_leaves_the_message_pending_with_a_back_off(db, broker_down):
    outbox_enqueue(FIGURES_TASK)
    with pytest.raises(OutboxPublishError):
        outbox_dispatch()
    message = OutboxMessage.objects.get()
    assert message.dispatched_at is None
    assert message.attempts == 1
    assert message.available_at > timezone.now()
    assert message.last_error
    assert outbox_dispatch() == 0  # backing off: the next run does not hammer the broker


@pytest.mark.django_db(transaction=True)
def test_a_message_locked_by_another_dispatcher_is_skipped_not_waited_for():
    outbox_enqueue(FIGURES_TASK)
    locked, release = threading.Event(), threading.Event()

    def other_dispatcher():
        try:
            with transaction.atomic():
                list(OutboxMessage.objects.select_for_update())
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_dispatcher)
    thread.start()
    try:
        assert locked.wait(10)
        assert outbox_dispatch(time_budget_seconds=5) == 0  # SKIP LOCKED: returns at once
    finally:
        release.set()
        thread.join()
    assert outbox_dispatch() == 1


def test_a_second_published_copy_is_skipped_unless_the_broker_redelivers(db):
    outbox_enqueue(FIGURES_TASK)
    task_id = f"outbox-{OutboxMessage.objects.get().pk}"
    assert outbox_claim_delivery(task_id=task_id, redelivered=False) is True
    assert outbox_claim_delivery(task_id=task_id, redelivered=False) is False
    # acks_late gives a message back when its worker died mid-run: that copy must run.
    assert outbox_claim_delivery(task_id=task_id, redelivered=True) is True
    assert outbox_claim_delivery(task_id="0b8f-celery-uuid", redelivered=False) is True


def test_tidy_deletes_dispatched_messages_after_their_retention(db):
    old, recent, pending = (OutboxMessage.objects.create(task_name=FIGURES_TASK) for _ in "abc")
    now = timezone.now()
    OutboxMessage.objects.filter(pk=old.pk).update(dispatched_at=now - timedelta(days=31))
    OutboxMessage.objects.filter(pk=recent.pk).update(dispatched_at=now - timedelta(days=1))
    assert outbox_tidy(keep_days=30) == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}


def test_idle_dispatcher_runs_are_tidied_after_a_day(db):
    old = timezone.now() - timedelta(days=2)
    idle = JobRun.objects.create(job="outbox_dispatch", outcome="success", rows=0, started_at=old)
    busy = JobRun.objects.create(job="outbox_dispatch", outcome="success", rows=3, started_at=old)
    job_runs_tidy()
    assert not JobRun.objects.filter(pk=idle.pk).exists()
    assert JobRun.objects.filter(pk=busy.pk).exists()


def test_the_dispatch_task_records_a_job_run(db):
    from crm.tasks import outbox_dispatch_task

    outbox_enqueue(FIGURES_TASK)
    outbox_dispatch_task.delay()
    run = JobRun.objects.get(job="outbox_dispatch")
    assert (run.outcome, run.rows) == ("success", 1)


def test_healthz_shows_the_backlog_and_degrades_when_it_is_stale(client, db):
    JobRun.objects.create(job="heartbeat", outcome="success", finished_at=timezone.now())
    assert outbox_backlog() == {"pending": 0, "oldest_pending_age_seconds": None}
    outbox_enqueue(FIGURES_TASK)
    body = client.get("/healthz").json()
    assert body["outbox"]["pending"] == 1
    assert body["status"] == "ok"
    OutboxMessage.objects.update(created_at=timezone.now() - timedelta(hours=1))
    response = client.get("/healthz")
    assert response.status_code == 200  # serving, but an operator should look
    assert response.json()["status"] == "degraded"
    assert response.json()["outbox"]["oldest_pending_age_seconds"] >= 3600
