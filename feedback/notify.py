"""E-mail for in-app notifications: a sweep beat runs, so no request ever waits on SMTP/Redis."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from feedback.models import Notification

logger = logging.getLogger(__name__)
BATCH = 200


def notification_text(notification: Notification) -> tuple[str, str]:
    """(subject, body) of a notification's e-mail: case number and link, no personal data."""
    case_no = notification.case_id
    clock = notification.get_clock_display() if notification.clock else ""
    subjects = {
        Notification.Kind.SLA_WARNING: gettext("Case #%(case)s: %(clock)s deadline approaching"),
        Notification.Kind.SLA_BREACH: gettext("Case #%(case)s: %(clock)s deadline missed"),
        Notification.Kind.ESCALATION: gettext("Case #%(case)s escalated to you"),
        Notification.Kind.ASSIGNED: gettext("Case #%(case)s assigned to you"),
    }
    subject = subjects[notification.kind] % {"case": case_no, "clock": clock}
    url = settings.CRM_BASE_URL.rstrip("/") + reverse("feedback:case_detail", args=[case_no])
    return subject, f"{subject}\n\n{url}\n"


def notifications_email(*, limit: int = BATCH) -> int:
    """E-mail up to `limit` notifications not yet e-mailed; returns how many were sent.

    Each row is locked (SKIP LOCKED, so two workers share the work) and marked in the same
    transaction as its send: a worker killed before the commit leaves it for the next sweep.
    Recipients without an address are marked too (nothing to send).
    """
    sent = 0
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(emailed_at__isnull=True)
            .select_related("recipient")
            .order_by("id")[:limit]
        )
        for notification in rows:
            address = notification.recipient.email
            if address:
                with translation.override(settings.LANGUAGE_CODE):
                    subject, body = notification_text(notification)
                send_mail(subject, body, None, [address])
                sent += 1
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=timezone.now())
    return sent
