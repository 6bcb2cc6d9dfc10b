"""Celery tasks of insights: thin, idempotent, taking ids only (STYLE.md §8)."""

from __future__ import annotations

import io

from celery import shared_task
from django.core.management import call_command

from crm.jobs import job_run
from customers.models import Customer


@shared_task(bind=True, ignore_result=True)
def alerts_scan_task(self, full: bool = False) -> None:
    """The beat jobs: `manage.py alerts_scan [--full]`, leaving a JobRun (rows = new alerts).

    Safe to run twice or to be redelivered after a killed worker: alerts are inserted with
    ON CONFLICT on their unique key.
    """
    from insights.management.commands.alerts_scan import Command

    job = "alerts_scan_full" if full else "alerts_scan"
    with job_run(job, task_id=self.request.id or "") as run:
        command = Command()
        call_command(command, full=full, stdout=io.StringIO())
        run.rows = command.result.total if command.result else 0


@shared_task(ignore_result=True)
def alerts_scan_customers_task(customer_ids: list[int]) -> None:
    """The immediate run for the customers a write concerned (queued through the outbox by
    insights.listeners). Idempotent like every scan."""
    from insights.engine import alerts_scan

    ids = list(Customer.objects.filter(pk__in=customer_ids).values_list("pk", flat=True))
    if not ids:
        return  # deleted after the task was queued
    alerts_scan(kind="customer", customer_ids=ids)


@shared_task(bind=True, ignore_result=True)
def scores_compute_task(self, period_end: str = "") -> None:
    """The weekly snapshot (and head office's "compute now", with `period_end` YYYY-MM-DD):
    `manage.py scores_compute`, leaving a JobRun (rows = snapshots written)."""
    from insights.management.commands.scores_compute import Command

    with job_run("scores_compute", task_id=self.request.id or "") as run:
        command = Command()
        args = ["--period-end", period_end] if period_end else []
        call_command(command, *args, stdout=io.StringIO())
        run.rows = command.written
