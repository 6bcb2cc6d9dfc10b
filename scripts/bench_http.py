"""Latency of a few pages under 1 and N concurrent clients (stdlib only).

    python scripts/bench_http.py --base http://127.0.0.1:8114 --user rm001 \
        --clients 1 8 --requests 40 /tasks/ /to-contact/

Each client logs in once (its own session), warms up, then requests each path in turn;
the report gives the median and 95th percentile per path and concurrency.
"""

from __future__ import annotations

import argparse
import http.client
import re
import statistics
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Session:
    def __init__(self, base: str):
        url = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        return response.status, text

    def login(self, user: str, password: str) -> None:
        _, page = self.request("GET", "/accounts/login/")
        token = TOKEN_RE.search(page).group(1)
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": user, "password": password}
        )
        status, _ = self.request("POST", "/accounts/login/", body)
        if status != 302:
            raise SystemExit(f"login as {user} failed ({status})")


def run(args, clients: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {path: [] for path in args.paths}
    lock = threading.Lock()
    errors: list[str] = []

    def client() -> None:
        session = Session(args.base)
        session.login(args.user, args.password)
        for path in args.paths:  # warm-up
            session.request("GET", path)
        for _ in range(args.requests):
            for path in args.paths:
                started = time.perf_counter()
                status, _ = session.request("GET", path)
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if status != 200:
                        errors.append(f"{path}: {status}")
                    timings[path].append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"errors: {errors[:5]}")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8114")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", default="crm-demo")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--requests", type=int, default=40, help="per client and path")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    print(f"| page ({args.user}) | clients | requests | median ms | p95 ms |")
    print("|---|---:|---:|---:|---:|")
    for clients in args.clients:
        timings = run(args, clients)
        for path, values in timings.items():
            values.sort()
            p95 = values[max(0, round(0.95 * len(values)) - 1)]
            print(
                f"| `{path}` | {clients} | {len(values)} | "
                f"{statistics.median(values):.0f} | {p95:.0f} |"
            )


if __name__ == "__main__":
    main()
