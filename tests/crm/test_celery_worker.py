"""A real Celery worker against the real broker and database (no eager mode)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from crm.celery import app
from crm.models import JobRun
from crm.tasks import heartbeat_task
from tests.crm import test_database_url
from tests.crm.worker_tasks import slow_job_task

BASE_DIR = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm.settings",
        "DATABASE_URL": test_database_url(),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "crm",
            "worker",
            "--include",
            "tests.crm.worker_tasks",
            "--queues",
            queue,
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
            "--without-mingle",
            "--without-gossip",
            "--hostname",
            f"{queue}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield process, queue
    finally:
        app.conf.task_always_eager = eager
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail("timed out waiting for the worker")


def test_worker_runs_a_task_published_to_redis(worker):
    _, queue = worker
    heartbeat_task.apply_async(queue=queue)
    wait_for(lambda: JobRun.objects.filter(job="heartbeat", outcome="success").exists())


def test_a_task_whose_worker_process_is_killed_is_delivered_again(worker):
    """acks_late + reject_on_worker_lost: a kill -9 mid-run loses no work."""
    process, queue = worker
    slow_job_task.apply_async(args=[3.0], queue=queue)
    wait_for(lambda: JobRun.objects.filter(job="slow_job").exists())
    children = psutil.Process(process.pid).children()
    assert children, "no pool process"
    for child in children:
        child.send_signal(signal.SIGKILL)
    wait_for(lambda: JobRun.objects.filter(job="slow_job", outcome="success").exists())
    outcomes = sorted(JobRun.objects.filter(job="slow_job").values_list("outcome", flat=True))
    assert outcomes == ["running", "success"]  # the killed attempt, then the redelivery
