"""A task only the real-worker tests load (celery worker --include tests.crm.worker_tasks)."""

import time

from celery import shared_task

from crm.jobs import job_run


@shared_task(bind=True, ignore_result=True)
def slow_job_task(self, seconds: float) -> None:
    """Leaves a JobRun per attempt, so a test can see a killed attempt and its redelivery."""
    with job_run("slow_job", task_id=self.request.id or ""):
        time.sleep(seconds)


@shared_task(bind=True, ignore_result=True)
def outbox_probe_task(self, customer_id: int) -> None:
    """Work a write queued through the outbox: one JobRun per run, `rows` = the customer id."""
    with job_run("outbox_probe", task_id=self.request.id or "") as run:
        run.rows = customer_id
