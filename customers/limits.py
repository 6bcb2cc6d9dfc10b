"""Per-user limits on bulk-exfiltration paths: ID/phone reveals and exports (issue 8 item 8).

60 reveals in 3 seconds, or 12 exports in a row, went through unchecked. Each kind now has a
limit per user over a sliding window (settings REVEAL_LIMIT / REVEAL_WINDOW_MINUTES and
EXPORT_LIMIT / EXPORT_WINDOW_MINUTES), counted from the audit log itself, so every app server
agrees and a Redis outage changes nothing. A refusal tells the user, is logged, and is written
to the audit log as `customer.reveal_limited` / `customer.export_limited`, which the access log
shows to the branch's supervisor; a refused reveal names the customer whose number was asked
for (the entry's `customer`, so the log names it without a query of its own).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import branch_id_of
from customers.models import AuditEntry

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from customers.models import Customer

logger = logging.getLogger(__name__)

LIMIT_REACHED = _(
    "You have reached the limit of %(limit)s %(what)s in %(minutes)s minutes. It is there to "
    "protect customers' data; try again later, or ask your supervisor if your work needs more."
)


@dataclass(frozen=True)
class Limit:
    kind: str
    counted_actions: tuple[str, ...]
    limited_action: str
    what: StrOrPromise

    @property
    def limit(self) -> int:
        return getattr(settings, f"{self.kind.upper()}_LIMIT")

    @property
    def window_minutes(self) -> int:
        return getattr(settings, f"{self.kind.upper()}_WINDOW_MINUTES")


REVEALS = Limit(
    "reveal",
    ("customer.id_revealed", "customer.phone_revealed"),
    "customer.reveal_limited",
    _("reveals"),
)
EXPORTS = Limit("export", ("customer.exported",), "customer.export_limited", _("exports"))


class RateLimited(PermissionDenied):
    """A user used up a limit; str() is the message to show them."""


def limit_check(*, actor, limit: Limit, customer: Customer | None = None) -> None:
    """Raise RateLimited if `actor` already did `limit.limit` counted actions in the window.

    The refusal is audited (and logged without personal data) before raising, naming
    `customer` when the refused action concerned one (a reveal). Concurrent
    requests of one user are serialised by an advisory lock, so a burst cannot slip past.
    Call it before the action's own audit entry is written.
    """
    if actor is None or not actor.is_authenticated:
        return
    refused = False
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7341, actor.pk])
        since = timezone.now() - dt.timedelta(minutes=limit.window_minutes)
        used = AuditEntry.objects.filter(
            actor=actor, action__in=limit.counted_actions, at__gte=since
        ).count()
        if used >= limit.limit:
            refused = True
            AuditEntry.objects.create(
                actor=actor,
                action=limit.limited_action,
                target_type=customer._meta.label_lower if customer is not None else "",
                target_id=customer.pk if customer is not None else None,
                customer=customer,
                branch_id=branch_id_of(actor),  # the supervisor of the user's branch sees it
                detail={"limit": limit.limit, "window_minutes": limit.window_minutes},
            )
    if refused:
        logger.warning(
            "user %s reached the %s limit (%s in %s min)",
            actor.pk,
            limit.kind,
            limit.limit,
            limit.window_minutes,
        )
        raise RateLimited(
            LIMIT_REACHED
            % {"limit": limit.limit, "what": limit.what, "minutes": limit.window_minutes}
        )
