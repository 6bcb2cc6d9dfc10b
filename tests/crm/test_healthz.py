"""/healthz: what a load balancer and an operator look at."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from crm.models import JobRun

BASE_DIR = Path(__file__).resolve().parents[2]


def test_healthy_when_stores_are_up_and_the_worker_beats(client, db):
    JobRun.objects.create(job="heartbeat", outcome="success", finished_at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert body["worker"]["status"] == "ok"
    assert body["jobs"]["heartbeat"]["outcome"] == "success"


def test_degraded_but_serving_when_the_worker_is_silent(client, db):
    JobRun.objects.create(
        job="heartbeat", outcome="success", finished_at=timezone.now() - timedelta(hours=1)
    )
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["worker"]["status"] == "stale"


def test_needs_no_login(client, db):
    assert client.get("/healthz").status_code in (200, 503)


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_503_when_the_broker_is_down(client, db):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["status"] == "down"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_app_started_with_the_database_down_answers_503(tmp_path):
    """gunicorn, as in production, with a DATABASE_URL nobody listens on."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm.settings",
        "DATABASE_URL": f"postgres://crm@127.0.0.1:{_free_port()}/crm",
        "SECURE_SSL_REDIRECT": "False",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "crm.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10)
                pytest.fail("healthz answered 200 with the database down")
            except urllib.error.HTTPError as error:
                assert error.code == 503
                assert b'"database": "down"' in error.read()
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert server.poll() is None, "the server crashed"
    finally:
        server.terminate()
        server.wait(10)
