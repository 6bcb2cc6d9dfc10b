"""Bookkeeping for scheduled jobs: every run leaves a JobRun row."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from crm.models import JobRun


@contextmanager
def job_run(job: str, *, task_id: str = "") -> Iterator[JobRun]:
    """Record one run of `job`; the body sets `run.rows`. A failure is recorded, then re-raised."""
    run = JobRun.objects.create(job=job, task_id=task_id or "")
    try:
        yield run
    except BaseException as exc:
        run.outcome = JobRun.Outcome.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:5000]
        run.finished_at = timezone.now()
        run.save(update_fields=["outcome", "error", "finished_at", "rows"])
        raise
    run.outcome = JobRun.Outcome.SUCCESS
    run.finished_at = timezone.now()
    run.save(update_fields=["outcome", "finished_at", "rows"])


def last_runs() -> dict[str, JobRun]:
    """The latest run of each job, in one query (DISTINCT ON over the job/started index)."""
    runs = JobRun.objects.order_by("job", "-started_at").distinct("job")
    return {run.job: run for run in runs}


# Jobs that run every few seconds: their runs that found nothing to do are kept for a day.
FREQUENT_JOBS = ("outbox_dispatch",)


def job_runs_tidy(*, keep_days: int = 30) -> int:
    """Mark runs whose worker died as abandoned and delete runs older than `keep_days` (idle
    runs of FREQUENT_JOBS after one day); returns rows touched."""
    now = timezone.now()
    limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    abandoned = JobRun.objects.filter(
        outcome=JobRun.Outcome.RUNNING, started_at__lt=now - limit
    ).update(outcome=JobRun.Outcome.ABANDONED, finished_at=now)
    deleted, _ = JobRun.objects.filter(started_at__lt=now - timedelta(days=keep_days)).delete()
    idle, _ = JobRun.objects.filter(
        job__in=FREQUENT_JOBS,
        outcome=JobRun.Outcome.SUCCESS,
        rows=0,
        started_at__lt=now - timedelta(days=1),
    ).delete()
    return abandoned + deleted + idle
