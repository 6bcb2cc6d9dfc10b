"""Immediate alert runs after relevant writes (issue 12 item 4).

customers' services call `customers.changes.customers_changed` inside their transaction (a life
event or a risk assessment recorded, balances imported); this listener queues an alert run for
those customers through the outbox, so the run starts after the commit, the write never waits
on Redis, and a lost message is made good by the next scheduled incremental scan.
"""

from __future__ import annotations

from crm.outbox import outbox_enqueue
from customers import changes

TASK = "insights.tasks.alerts_scan_customers_task"
CHUNK = 1000  # customers per message: a million-line import queues a thousand messages


@changes.listener
def alerts_rescan(*, customer_ids: list[int], what: str) -> None:
    for start in range(0, len(customer_ids), CHUNK):
        outbox_enqueue(TASK, customer_ids=customer_ids[start : start + CHUNK])
