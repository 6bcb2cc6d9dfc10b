"""The client's real address behind a reverse proxy, through a real server (issue 7 item 6).

gunicorn serves the app against the test database; a small reverse proxy in this process
forwards to it and appends the address it saw to X-Forwarded-For, as nginx's
`$proxy_add_x_forwarded_for` does. Clients connect from different loopback addresses
(127.0.0.2 the attacker, 127.0.0.3 the real user).
"""

import http.client
import http.server
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db import connection

from tests.conftest import PASSWORD

BASE_DIR = Path(__file__).resolve().parents[2]
ATTACKER, USER = "127.0.0.2", "127.0.0.3"
pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    """This process's DATABASE_URL, naming the test database instead."""
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture
def app_server(request):
    """gunicorn on the test database; `request.param` is the PROXY_COUNT it runs with."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm.settings_test",
        "DATABASE_URL": _database_url(),
        "PROXY_COUNT": str(request.param),
        "CLIENT_IP_HEADERS": "HTTP_X_FORWARDED_FOR,REMOTE_ADDR",
        "CONN_MAX_AGE": "0",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "crm.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers=1",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("gunicorn did not start")
            time.sleep(0.2)
    yield port
    server.terminate()
    server.wait(10)
    connection.close()  # gunicorn's connections are gone; the flush may proceed


class _Proxy(http.server.BaseHTTPRequestHandler):
    upstream_port = 0

    def _forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() != "x-forwarded-for"}
        seen = self.headers.get("X-Forwarded-For")
        headers["X-Forwarded-For"] = (
            f"{seen}, {self.client_address[0]}" if seen else self.client_address[0]
        )
        upstream = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=30)
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        data = response.read()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        upstream.close()

    do_GET = do_POST = _forward

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy(app_server):
    handler = type("Proxy", (_Proxy,), {"upstream_port": app_server})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def sign_in(port: int, source: str, username: str, password: str, xff: str = "") -> int:
    """GET the form and POST it from `source`, like a browser; the response status."""

    def request(method, path, body=None, cookies="", extra=None):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
        headers = {"Cookie": cookies, **(extra or {})}
        if xff:
            headers["X-Forwarded-For"] = xff
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read().decode()
        conn.close()
        return response, data

    response, page = request("GET", "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie")).group(1)
    body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    response, _ = request(
        "POST",
        "/accounts/login/",
        body,
        cookies=f"csrftoken={cookie}",
        extra={"Referer": f"http://127.0.0.1:{port}/accounts/login/"},
    )
    return response.status


@pytest.mark.parametrize("app_server", [1], indirect=True)
def test_behind_the_proxy_only_the_attackers_address_is_locked(rm_alice, proxy):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(proxy, ATTACKER, "alice", "bad guess")
    assert sign_in(proxy, ATTACKER, "alice", PASSWORD) == 429
    # The same user from elsewhere, through the same proxy, is not locked out.
    assert sign_in(proxy, USER, "alice", PASSWORD) == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


@pytest.mark.parametrize("app_server", [1], indirect=True)
def test_behind_the_proxy_a_forged_header_does_not_move_the_lock(rm_alice, proxy):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(proxy, ATTACKER, "alice", "bad guess", xff=USER)  # claims to be the user
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert sign_in(proxy, USER, "alice", PASSWORD) == 302


@pytest.mark.parametrize("app_server", [0], indirect=True)
def test_without_a_proxy_the_header_is_ignored(rm_alice, app_server):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(app_server, ATTACKER, "alice", "bad guess", xff="198.51.100.1")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    # Forging another address does not escape the lock either.
    assert sign_in(app_server, ATTACKER, "alice", PASSWORD, xff="198.51.100.2") == 429
    assert sign_in(app_server, USER, "alice", PASSWORD) == 302
