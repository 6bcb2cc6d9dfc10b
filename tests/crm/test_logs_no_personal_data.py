"""No personal data in the web server's access log or PostgreSQL's log (issue 8 item 5).

Canary values (a name, a mobile number, an ID number) are seeded, searched for through a real
gunicorn (configured by the project's gunicorn.conf.py) and pushed into a failing statement;
then the logs of the run are grepped for them.
"""

import contextlib
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction

from crm.logfilters import StripQueryString
from tests.crm import test_database_url
from tests.customers.factories import CustomerFactory, national_id_for

BASE_DIR = Path(__file__).resolve().parents[2]
CANARY_NAME = "金丝雀测"
CANARY_PHONE = "13712340987"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_access_and_database_logs_hold_no_canary(tmp_path, rm_alice):
    import datetime as dt

    canary_id = national_id_for(dt.date(1977, 7, 7), 321)
    customer = CustomerFactory(
        relationship_manager=rm_alice, name=CANARY_NAME, phone=CANARY_PHONE, national_id=canary_id
    )
    canaries = [CANARY_NAME, CANARY_PHONE, canary_id, canary_id[-4:] + "&"]

    # 1. Search through gunicorn, as a browser would (signed in or not, the request line is
    #    logged): the name, the mobile number, the last four of the ID.
    access_log = tmp_path / "access.log"
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": test_database_url(), "CONN_MAX_AGE": "0"}
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
            "--access-logfile",
            str(access_log),
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while not access_log.exists() or "/healthz" not in access_log.read_text():
            assert time.monotonic() < deadline, "gunicorn did not answer"
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
            time.sleep(0.3)
        for term in (CANARY_NAME, CANARY_PHONE, canary_id[-4:]):
            query = urllib.parse.urlencode({"q": term, "x": "1"})
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/customers/?{query}", timeout=30)
        time.sleep(0.5)
    finally:
        server.terminate()
        try:
            server.wait(60)  # a graceful stop can be slow on a loaded machine
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
    logged = access_log.read_text()
    assert "GET /customers/ " in logged  # the requests are there …
    for value in [*canaries, urllib.parse.quote(CANARY_NAME), "q="]:
        assert value not in logged, f"{value!r} in the access log"  # … their terms are not

    # 2. A statement that fails with the canary values (a duplicate ID number).
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerFactory(name=CANARY_NAME, phone=CANARY_PHONE, national_id=customer.national_id)

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('data_directory')")
        log_file = Path(cursor.fetchone()[0]) / "log"
    if not log_file.exists():
        pytest.skip("PostgreSQL's log is not readable here (an external server)")
    time.sleep(0.5)
    text = log_file.read_text(errors="replace")
    assert "duplicate key value" in text  # the error is logged …
    for value in canaries:
        assert value not in text, f"{value!r} in PostgreSQL's log"  # … without the row


def test_the_development_servers_request_lines_lose_their_query():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /customers/?q={CANARY_NAME} HTTP/1.1", "200", "512"),
        None,
    )
    StripQueryString().filter(record)
    assert record.getMessage() == '"GET /customers/ HTTP/1.1" 200 512'
