"""E-mail for in-app notifications, sent by a worker through the outbox: no request ever
waits on SMTP or Redis."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from crm.outbox import outbox_enqueue
from feedback.models import Notification

logger = logging.getLogger(__name__)
BATCH = 200


def notification_text(notification: Notification) -> tuple[str, str]:
    """(subject, body) of a notification's e-mail: case number and link, no personal data."""
    case_no = notification.case_id
    clock = notification.get_clock_display() if notification.clock else ""
    subjects: dict[str, str] = {
        Notification.Kind.SLA_WARNING: gettext("Case #%(case)s: %(clock)s deadline approaching"),
        Notification.Kind.SLA_BREACH: gettext("Case #%(case)s: %(clock)s deadline missed"),
        Notification.Kind.ESCALATION: gettext("Case #%(case)s escalated to you"),
        Notification.Kind.ASSIGNED: gettext("Case #%(case)s assigned to you"),
    }
    subject = subjects[notification.kind] % {"case": case_no, "clock": clock}
    url = settings.CRM_BASE_URL.rstrip("/") + reverse("feedback:case_detail", args=[case_no])
    return subject, f"{subject}\n\n{url}\n"


def notifications_email(*, notification_ids: list[int]) -> int:
    """E-mail the given notifications that are not e-mailed yet; returns how many were sent.

    Each row is locked (SKIP LOCKED: a copy of the task running at the same time skips it)
    and stamped `emailed_at` in the same transaction as its send, so a retry or a second run
    sends nothing twice; a worker killed before the commit leaves the row for the retry.
    Recipients without an address are stamped too (nothing to send).
    """
    sent = 0
    for notification_id in notification_ids:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient")
                .filter(pk=notification_id, emailed_at__isnull=True)
                .first()
            )
            if notification is None:  # gone, already e-mailed, or being e-mailed
                continue
            address = notification.recipient.email
            if address:
                with translation.override(settings.LANGUAGE_CODE):
                    subject, body = notification_text(notification)
                send_mail(subject, body, None, [address])
                sent += 1
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
    return sent


def notifications_email_enqueue(notification_ids: list[int]) -> None:
    """Queue the e-mails of new notifications through the outbox (in the caller's
    transaction: they go out only if the notifications commit)."""
    for start in range(0, len(notification_ids), BATCH):
        outbox_enqueue(
            "feedback.tasks.notifications_email_task",
            notification_ids=notification_ids[start : start + BATCH],
        )
