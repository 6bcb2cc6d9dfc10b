"""Project-wide scheduled jobs."""

from celery import shared_task
from celery.signals import worker_ready

from crm.csvimport import pending_uploads_purge
from crm.jobs import job_run, job_runs_tidy
from crm.outbox import outbox_dispatch, outbox_tidy
from crm.submit_once import submissions_purge


@shared_task(bind=True, ignore_result=True)
def heartbeat_task(self) -> None:
    """Prove a worker is alive and consuming: /healthz reads the age of the last run."""
    with job_run("heartbeat", task_id=self.request.id or ""):
        pass


@shared_task(bind=True, ignore_result=True)
def job_runs_tidy_task(self) -> None:
    with job_run("job_runs_tidy", task_id=self.request.id or "") as run:
        run.rows = job_runs_tidy() + submissions_purge()


@shared_task(bind=True, ignore_result=True)
def outbox_dispatch_task(self) -> None:
    """Publish what writes queued in the outbox (beat, every OUTBOX_DISPATCH_SECONDS)."""
    with job_run("outbox_dispatch", task_id=self.request.id or "") as run:
        run.rows = outbox_dispatch()


@shared_task(bind=True, ignore_result=True)
def outbox_tidy_task(self) -> None:
    with job_run("outbox_tidy", task_id=self.request.id or "") as run:
        run.rows = outbox_tidy()


@shared_task(bind=True, ignore_result=True)
def pending_uploads_purge_task(self) -> None:
    """Delete import files never committed (they hold personal data)."""
    with job_run("pending_uploads_purge", task_id=self.request.id or "") as run:
        run.rows = pending_uploads_purge()


@worker_ready.connect
def heartbeat_on_start(sender, **kwargs) -> None:
    """A worker that has just started says so at once, not at beat's next minute."""
    sender.app.send_task("crm.tasks.heartbeat_task")
