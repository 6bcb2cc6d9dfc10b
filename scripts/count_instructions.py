"""Run a page N times in-process, for counting its CPU instructions with valgrind.

    U=rm001 P=/customers/1/ N=0  valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        .venv/bin/python scripts/count_instructions.py
    U=rm001 P=/customers/1/ N=10 valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        .venv/bin/python scripts/count_instructions.py

Signs in as U, requests P three times to warm up, then N more times. The page's cost is the
difference of valgrind's "Collected" totals divided by N: an instruction count that stays the
same from run to run whatever else the machine is doing, unlike its time (docs/benchmarks.md,
the customer page). Against the database in DATABASE_URL, with DEBUG=False.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(get_user_model().objects.get(username=os.environ.get("U", "rm001")))
    path = os.environ.get("P", "/customers/1/")
    for _ in range(3):
        if client.get(path).status_code != 200:
            raise SystemExit(f"{path} does not answer 200")
    for _ in range(int(os.environ.get("N", "10"))):
        client.get(path)


if __name__ == "__main__":
    main()
