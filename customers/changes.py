"""Apps that react to changes in customers' data register a listener here; `customers` imports
none of them (like the timeline and panel registries).

    from customers import changes

    @changes.listener
    def rescan(*, customer_ids: list[int], what: str) -> None:
        outbox_enqueue("insights.tasks.alerts_scan_customers_task", customer_ids=customer_ids)

A service calls `customers_changed` inside its write's transaction, so a listener that queues
work through the outbox (crm.outbox) commits or rolls back with the write and never waits on
Redis. `what` says which data changed: "life_event", "risk_assessment", "balances", …
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Listener = Callable[..., None]

_listeners: list[Listener] = []


def listener(function: Listener) -> Listener:
    """Register `function(*, customer_ids, what)`; registering twice has no effect."""
    if function not in _listeners:
        _listeners.append(function)
    return function


def customers_changed(*, customer_ids: Iterable[int], what: str) -> None:
    """Tell every listener that these customers' `what` changed (inside the transaction)."""
    ids = sorted(set(customer_ids))
    if not ids:
        return
    for function in _listeners:
        function(customer_ids=ids, what=what)
