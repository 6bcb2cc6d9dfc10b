"""Sign-in throttling beyond django-axes' per-(user name, address) lock (issue 8 item 7).

Axes pauses one user name from one address, so that nobody can lock a colleague out from
elsewhere. Password spraying (one password tried against many user names from one address)
never trips that lock; the address-level limit below does. It holds the *address*, never a
user name, so a colleague elsewhere still signs in; and it is set well above the per-user
limit, because a branch's staff often share one address behind NAT.
"""

from __future__ import annotations

import logging

from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str | None:
    """The client's address as axes resolves it (REMOTE_ADDR, or the proxy's X-Forwarded-For
    entry when PROXY_COUNT says a trusted proxy sets it: see settings)."""
    return get_client_ip_address(request)


def address_failures(address: str | None) -> int:
    """Failed sign-ins from `address` across every user name within the cool-off period."""
    if not address:
        return 0
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return total or 0


def address_paused(address: str | None) -> bool:
    """True once LOGIN_ADDRESS_FAILURE_LIMIT failures came from `address` (logged)."""
    paused = address_failures(address) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT
    if paused:
        logger.warning("sign-in paused for an address: too many failures across user names")
    return paused
