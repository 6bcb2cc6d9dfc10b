"""`make run`: one process that migrates, seeds an empty database, serves, and stops it all."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
from django.db import connection

from accounts.models import Branch
from crm.devenv import database_is_empty, url_as_role
from tests.crm import test_database_url

BASE_DIR = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def test_url_as_role():
    assert url_as_role("postgresql://postgres:@/crm?host=/x/pg", "crm_app") == (
        "postgresql://crm_app@/crm?host=/x/pg"
    )
    assert url_as_role("postgres://owner:pw@db:5432/crm", "crm_app") == (
        "postgres://crm_app@db:5432/crm"
    )


def test_database_is_empty_until_demo_data_exists():
    env = {**os.environ, "DATABASE_URL": test_database_url()}
    assert database_is_empty(env)
    Branch.objects.create(code="X1", name="测试", city="上海")
    assert not database_is_empty(env)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_run_serves_with_worker_and_beat_and_ctrl_c_stops_everything():
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "DEMO_CUSTOMERS": "300",
        "RUN_ADDR": f"127.0.0.1:{port}",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # Its own embedded Redis, as on a fresh machine: stopping must end the worker before it.
    env.pop("CELERY_BROKER_URL", None)
    env.pop("REDIS_URL", None)
    # This test session's own connections (e.g. a browser test's live server thread, which
    # stays up for the session) are not the run's.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ours = [row[0] for row in cursor.fetchall()]
    run = subprocess.Popen(
        [sys.executable, "-m", "crm.devenv", "run"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        health = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    health = json.load(r)
                if health["worker"]["status"] == "ok":
                    break
            except OSError:
                pass
            time.sleep(1)
        assert health is not None, "the web server never answered"
        assert health["database"] == "ok"
        assert health["worker"]["status"] == "ok", health  # the worker is consuming
        assert Branch.objects.count() == 3  # the empty database got demo data
        # Web and worker connect as the least-privilege role, not as a superuser.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT usename FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> ALL(%s)",
                [ours],
            )
            users = {row[0] for row in cursor.fetchall()}
        assert users == {"crm_app"}, users
        children = psutil.Process(run.pid).children(recursive=True)
        assert len(children) >= 3  # web, worker, beat (and their own children)
    finally:
        run.send_signal(signal.SIGINT)  # what Ctrl-C sends
        # ... and a second stop while it stops (a stop sent to make's whole process group
        # reaches this process too; an impatient second Ctrl-C) does not cut the stopping short.
        time.sleep(0.5)
        if run.poll() is None:
            run.send_signal(signal.SIGTERM)
        run.wait(60)
    _, alive = psutil.wait_procs(children, timeout=20)
    assert alive == [], f"still running after Ctrl-C and a second stop: {alive}"
