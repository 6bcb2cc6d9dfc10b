"""Print every timeline page of some customers, one line per entry, to compare two commits.

    python -m crm.devenv exec -- python scripts/dump_timeline.py 1,2,1465 zh-hans > after.txt

Walks each customer's timeline as head office sees it (every entry) at page sizes 20 and 3
(ties at page boundaries included), printing each entry's time in UTC, kind, title, detail,
link, actor, badge and whether it is dated, and each page's cursor. Run it on two checkouts
against the same database and `diff` the outputs: a change to how the timeline is built must
not change a word of it.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")


def main(customer_ids: list[int], language: str) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.utils import translation

    from customers.models import Customer
    from customers.timeline import timeline_page

    translation.activate(language)
    head_office = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    for customer in Customer.objects.filter(pk__in=customer_ids).order_by("pk"):
        for size in (20, 3):
            before, pages = None, 0
            while pages < 30:
                page = timeline_page(
                    customer=customer, viewer=head_office, before=before, size=size
                )
                for e in page.entries:
                    at = e.occurred_at.astimezone(dt.UTC).isoformat()
                    fields = [e.kind, e.title, e.detail, e.url, e.actor, str(e.badge)]
                    print(customer.pk, size, at, *map(repr, fields), e.date_only)
                cursor = page.next_before and page.next_before.astimezone(dt.UTC).isoformat()
                print(customer.pk, size, "next", cursor)
                pages += 1
                if page.next_before is None:
                    break
                before = page.next_before


if __name__ == "__main__":
    main([int(x) for x in sys.argv[1].split(",")], sys.argv[2] if len(sys.argv) > 2 else "en")
