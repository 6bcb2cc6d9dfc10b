"""The transactional outbox: work a write causes is queued in the write's own transaction.

A service never calls `.delay()`: with Redis stopped or hung that would fail or hang the
write, and a task published before the commit may run before its row exists. Instead:

    from crm.outbox import outbox_enqueue

    @transaction.atomic
    def scores_compute_request(*, actor, period_end):  # insights.services
        ...
        outbox_enqueue("insights.tasks.scores_compute_task", period_end=period_end.isoformat())

1. `outbox_enqueue` inserts an `OutboxMessage` row (one INSERT, no network) in the caller's
   transaction: it commits or rolls back with the write.
2. The beat job `crm.tasks.outbox_dispatch_task` (every OUTBOX_DISPATCH_SECONDS) runs
   `outbox_dispatch`: it claims pending rows with `SELECT … FOR UPDATE SKIP LOCKED` (so two
   dispatchers never take the same row), publishes each with the task id `outbox-<id>`, and
   stamps `dispatched_at` in the same transaction. A dispatched row is never published again.
   A failed publish (broker down or hung) leaves the row pending, counts the attempt and backs
   off; delivery resumes when the broker is back. Each run leaves a JobRun.
3. The one case a publish is ambiguous — the broker hung after receiving the message, the
   client timed out, and the message is published again later — is settled by the worker:
   `OutboxTask` (the project's Celery task class) stamps `delivered_at` before running an
   outbox message and skips a copy whose row is already stamped, unless the broker marks it
   as a redelivery (its first worker died mid-run, and acks_late gives it back). So each
   message runs once; tasks stay idempotent anyway (STYLE.md §8).

`/healthz` shows the backlog (`outbox_backlog`); `outbox_tidy` deletes dispatched rows after
OUTBOX_KEEP_DAYS, which is also how long a `dedupe_key` keeps a second message out.
"""

import json
import time
from datetime import timedelta

import redis
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone
from kombu.exceptions import KombuError, OperationalError

from crm.models import OutboxMessage

TASK_ID_PREFIX = "outbox-"
PUBLISH_ERRORS = (OperationalError, KombuError, redis.RedisError, OSError, TimeoutError)
# Back-off after a failed publish: 5 s, 10 s, 20 s … at most 5 minutes.
BACKOFF_FIRST_SECONDS = 5
BACKOFF_MAX_SECONDS = 300


class OutboxPublishError(RuntimeError):
    """The broker refused or timed out; the message stays pending for the next run."""


def outbox_enqueue(task_name: str, *, dedupe_key: str = "", **kwargs) -> None:
    """Queue the Celery task `task_name` (its registered name) with `kwargs`, in the caller's
    transaction.

    kwargs must be plain JSON (ids, numbers, short codes; never personal data: they sit in
    the broker as text). With a non-empty `dedupe_key` (≤ 200 characters) a second message
    with the same key is silently dropped for as long as the first is kept (OUTBOX_KEEP_DAYS).
    Raises ValueError for an unknown task name, a key too long or arguments that are not JSON.
    """
    from crm.celery import app

    if task_name not in app.tasks:
        app.loader.import_default_modules()  # the web process discovers <app>/tasks.py lazily
    if task_name not in app.tasks:
        raise ValueError(f"outbox_enqueue: no Celery task is registered as {task_name!r}")
    if len(dedupe_key) > 200:
        raise ValueError("outbox_enqueue: dedupe_key is longer than 200 characters")
    try:
        payload = json.loads(json.dumps(kwargs, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"outbox_enqueue: arguments of {task_name} are not plain JSON") from exc
    # ON CONFLICT DO NOTHING: the partial unique index on dedupe_key drops a duplicate.
    OutboxMessage.objects.bulk_create(
        [OutboxMessage(task_name=task_name, kwargs=payload, dedupe_key=dedupe_key)],
        ignore_conflicts=True,
    )


def _backoff(attempts: int) -> timedelta:
    return timedelta(
        seconds=min(BACKOFF_FIRST_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)
    )


def _publish(message: OutboxMessage) -> None:
    """Hand one message to the broker (or, with CELERY_TASK_ALWAYS_EAGER in tests, run it)."""
    from crm.celery import app

    task_id = f"{TASK_ID_PREFIX}{message.pk}"
    task = app.tasks.get(message.task_name)
    if task is not None:
        task.apply_async(kwargs=message.kwargs, task_id=task_id)
    else:  # registered only on the workers that run it
        app.send_task(message.task_name, kwargs=message.kwargs, task_id=task_id)


def outbox_dispatch(*, limit: int = 5000, time_budget_seconds: float = 50.0) -> int:
    """Publish pending messages, oldest first; returns how many were dispatched.

    Each message is claimed (`FOR UPDATE SKIP LOCKED`), published and stamped in one short
    transaction, so a crash re-publishes at most the message in flight (and the worker's
    delivered_at check runs that one once). Stops at `limit` messages or after
    `time_budget_seconds`. Raises OutboxPublishError when the broker fails: the message is
    left pending with its attempt counted and a back-off, and the rest wait for the next run.
    """
    sent = 0
    deadline = time.monotonic() + time_budget_seconds
    while sent < limit and time.monotonic() < deadline:
        failure: BaseException | None = None
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(dispatched_at=None, available_at__lte=timezone.now())
                .order_by("available_at", "id")
                .first()
            )
            if message is None:
                break
            try:
                _publish(message)
            except PUBLISH_ERRORS as exc:
                failure = exc
                message.attempts += 1
                message.available_at = timezone.now() + _backoff(message.attempts)
                # The exception's class and text name the broker, never the arguments.
                message.last_error = f"{type(exc).__name__}: {exc}"[:300]
                message.save(update_fields=["attempts", "available_at", "last_error"])
            else:
                message.dispatched_at = timezone.now()
                message.save(update_fields=["dispatched_at"])
                sent += 1
        if failure is not None:
            raise OutboxPublishError(
                f"broker unavailable after {sent} message(s): {type(failure).__name__}"
            ) from failure
    return sent


def outbox_claim_delivery(*, task_id: str | None, redelivered: bool) -> bool:
    """Whether a worker should run the task `task_id` now (called by crm.celery.OutboxTask).

    True for tasks not from the outbox, for the first copy of an outbox message (its row is
    stamped delivered_at), and for a broker redelivery after a lost worker; False for a second
    published copy of a message that already ran or is running.
    """
    if not task_id or not task_id.startswith(TASK_ID_PREFIX):
        return True
    try:
        pk = int(task_id.removeprefix(TASK_ID_PREFIX))
    except ValueError:
        return True
    claimed = OutboxMessage.objects.filter(pk=pk, delivered_at=None).update(
        delivered_at=timezone.now()
    )
    if claimed:
        return True
    # Gone (tidied) or already delivered: run it only if the broker says the first run died.
    return redelivered


def outbox_backlog() -> dict:
    """The pending messages for /healthz: {"pending": n, "oldest_pending_age_seconds": s|None}."""
    agg = OutboxMessage.objects.filter(dispatched_at=None).aggregate(
        n=Count("pk"), oldest=Min("created_at")
    )
    oldest = agg["oldest"]
    return {
        "pending": agg["n"],
        "oldest_pending_age_seconds": (
            int((timezone.now() - oldest).total_seconds()) if oldest else None
        ),
    }


def outbox_tidy(*, keep_days: int | None = None) -> int:
    """Delete messages dispatched more than `keep_days` (OUTBOX_KEEP_DAYS) ago; returns rows."""
    days = settings.OUTBOX_KEEP_DAYS if keep_days is None else keep_days
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = OutboxMessage.objects.filter(dispatched_at__lt=cutoff).delete()
    return deleted
