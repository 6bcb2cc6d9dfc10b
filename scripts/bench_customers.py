# ruff: noqa: S310, S311  (fixed local URLs checked in main(); random picks of pages, not secrets)
"""Time the customer pages against a running server: median and p95 per page.

    python scripts/bench_customers.py --base http://127.0.0.1:8113 --user admin \
        --password crm-demo --clients 8 --requests 40

Each client logs in once (its own session), then requests the pages in turn: the list, a
name search, a customer-number search and a customer page (random ids in --max-id). Only
the standard library; traffic goes to --base only, and every loop is bounded.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import random
import re
import statistics
import threading
import time
import urllib.parse
import urllib.request

SEARCHES = ["王", "建国", "李", "欧阳", "明", "华", "张伟", "陈"]


def login(base: str, user: str, password: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"username": user, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
    )
    response = opener.open(request, timeout=30)
    if "/accounts/login/" in response.geturl():
        raise SystemExit(f"login as {user} failed")
    return opener


def timed(opener, url: str) -> float:
    started = time.perf_counter()
    with opener.open(url, timeout=60) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status}")
    return (time.perf_counter() - started) * 1000


def client(args, seed: int, results: dict[str, list[float]], lock: threading.Lock) -> None:
    rng = random.Random(seed)
    opener = login(args.base, args.user, args.password)
    deadline = time.monotonic() + args.max_seconds
    for i in range(args.requests):
        if time.monotonic() > deadline:
            break
        pages = {
            "list": f"{args.base}/customers/?page={rng.randint(1, 20)}",
            "name search": f"{args.base}/customers/?"
            + urllib.parse.urlencode({"q": SEARCHES[(seed + i) % len(SEARCHES)]}),
            "number search": f"{args.base}/customers/?q=62{rng.randint(1, args.max_id):010d}",
            "customer page": f"{args.base}/customers/{rng.randint(1, args.max_id)}/",
        }
        for name, url in pages.items():
            ms = timed(opener, url)
            with lock:
                results[name].append(ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8113")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="crm-demo")
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--requests", type=int, default=40, help="rounds per client")
    parser.add_argument("--max-id", type=int, default=1_000_000)
    parser.add_argument("--max-seconds", type=float, default=300)
    args = parser.parse_args()
    if urllib.parse.urlparse(args.base).hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit("--base must be a server on this machine")

    # Warm up: one round, not counted.
    warm = login(args.base, args.user, args.password)
    for url in ["/customers/", "/customers/?q=%E7%8E%8B", "/customers/1/"]:
        timed(warm, args.base + url)

    results: dict[str, list[float]] = {
        k: [] for k in ["list", "name search", "number search", "customer page"]
    }
    lock = threading.Lock()
    threads = [
        threading.Thread(target=client, args=(args, n, results, lock)) for n in range(args.clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    total = sum(len(v) for v in results.values())
    print(
        f"{args.clients} client(s), {total} requests in {elapsed:.1f} s "
        f"({total / elapsed:.0f} req/s)"
    )
    print(f"{'page':<15} {'n':>5} {'median ms':>10} {'p95 ms':>8}")
    for name, times in results.items():
        times.sort()
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        print(f"{name:<15} {len(times):>5} {statistics.median(times):>10.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()
