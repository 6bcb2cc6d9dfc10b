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
def alerts_scan_customer_task(customer_id: int) -> None:
    """The immediate run for one customer after a relevant write (queued through the outbox)."""
    from insights.engine import alerts_scan

    if not Customer.objects.filter(pk=customer_id).exists():
        return  # deleted after the task was queued
    alerts_scan(kind="customer", customer_id=customer_id)


@shared_task(bind=True, ignore_result=True)
def scores_compute_task(self) -> None:
    """The weekly snapshot: `manage.py scores_compute`, leaving a JobRun (rows = snapshots)."""
    from insights.management.commands.scores_compute import Command

    with job_run("scores_compute", task_id=self.request.id or "") as run:
        command = Command()
        call_command(command, stdout=io.StringIO())
        run.rows = command.written
