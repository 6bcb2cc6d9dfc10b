from datetime import timedelta

import pytest
from django.utils import timezone

from crm.jobs import job_run, job_runs_tidy, last_runs
from crm.models import JobRun
from crm.tasks import heartbeat_task


def test_a_successful_run_is_recorded_with_its_rows(db):
    with job_run("nightly") as run:
        run.rows = 42
    run.refresh_from_db()
    assert run.outcome == JobRun.Outcome.SUCCESS
    assert run.rows == 42
    assert run.finished_at >= run.started_at


def test_a_failed_run_is_recorded_and_the_error_re_raised(db):
    with pytest.raises(ValueError, match="bad row"), job_run("nightly"):
        raise ValueError("bad row 7")
    run = JobRun.objects.get()
    assert run.outcome == JobRun.Outcome.FAILED
    assert "bad row 7" in run.error


def test_last_runs_gives_the_newest_run_of_each_job(db, django_assert_num_queries):
    now = timezone.now()
    for minutes in (30, 20, 10):
        JobRun.objects.create(job="heartbeat", started_at=now - timedelta(minutes=minutes))
    JobRun.objects.create(job="scores", started_at=now - timedelta(days=1))
    with django_assert_num_queries(1):
        runs = last_runs()
    assert set(runs) == {"heartbeat", "scores"}
    assert runs["heartbeat"].started_at == now - timedelta(minutes=10)


def test_tidy_marks_runs_of_dead_workers_abandoned_and_drops_old_history(db):
    now = timezone.now()
    stuck = JobRun.objects.create(job="scores", started_at=now - timedelta(hours=3))
    running = JobRun.objects.create(job="scores", started_at=now - timedelta(seconds=5))
    JobRun.objects.create(
        job="heartbeat", started_at=now - timedelta(days=40), outcome=JobRun.Outcome.SUCCESS
    )
    assert job_runs_tidy() == 2
    stuck.refresh_from_db()
    running.refresh_from_db()
    assert stuck.outcome == JobRun.Outcome.ABANDONED
    assert running.outcome == JobRun.Outcome.RUNNING
    assert JobRun.objects.count() == 2


def test_heartbeat_task_leaves_a_run(db):
    heartbeat_task.delay()
    assert JobRun.objects.get(job="heartbeat").outcome == JobRun.Outcome.SUCCESS
