"""Where a page's time goes, in-process (pyinstrument), with its median and query count.

    .venv/bin/python -m crm.devenv exec -- .venv/bin/python scripts/profile_page.py \
        --user rm001 --requests 50 /customers/1/

Runs the whole Django stack (middleware, view, templates) through the test client against
the database in DATABASE_URL (e.g. a seeded 1,000,000-customer demo), signed in as --user,
after a warm-up. Prints the median and 95th percentile of the in-process time, the median
CPU time of this process (Python's share, steady when other jobs load the machine), the
number of queries of one request, and pyinstrument's call tree of all timed requests (or,
with --cpu, cProfile's cumulative CPU times). Read-only apart from the audit entries and
session the pages themselves write.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--user", default="rm001")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--no-profile", action="store_true", help="timings only")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="cProfile on CPU time (time.process_time): stable on a machine others load",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(get_user_model().objects.get(username=args.user))
    for _ in range(args.warmup):
        if client.get(args.path).status_code != 200:
            raise SystemExit(f"{args.path} does not answer 200 for {args.user}")
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(args.path)
    times, cpu_times = [], []
    profiler = cprofiler = None
    if args.cpu:
        import cProfile

        cprofiler = cProfile.Profile(time.process_time)
    elif not args.no_profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
    for _ in range(args.requests):
        if profiler:
            profiler.start()
        if cprofiler:
            cprofiler.enable()
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(args.path)
        times.append((time.perf_counter() - started) * 1000)
        cpu_times.append((time.process_time() - cpu_started) * 1000)
        if profiler:
            profiler.stop()
        if cprofiler:
            cprofiler.disable()
        if response.status_code != 200:
            raise SystemExit(f"{args.path} answered {response.status_code}")
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(
        f"{args.path} as {args.user}: median {statistics.median(times):.1f} ms, "
        f"p95 {p95:.1f} ms, CPU of this process median {statistics.median(cpu_times):.1f} ms, "
        f"{len(executed)} queries, {args.requests} requests"
    )
    if profiler:
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    if cprofiler:
        import pstats

        pstats.Stats(cprofiler).sort_stats("cumulative").print_stats(60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
