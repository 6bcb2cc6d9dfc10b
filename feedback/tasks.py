"""Scheduled jobs of the feedback app (thin: each calls one function and leaves a JobRun)."""

from smtplib import SMTPException

from celery import shared_task

from crm.jobs import job_run


@shared_task(bind=True, ignore_result=True)
def sla_watch_task(self) -> None:
    from feedback.watch import sla_watch

    with job_run("sla_watch", task_id=self.request.id or "") as run:
        run.rows = sla_watch().rows


@shared_task(
    bind=True,
    ignore_result=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    max_retries=5,
)
def notifications_email_task(self, notification_ids: list[int]) -> None:
    """E-mail notifications (queued through the outbox by the watch and case services)."""
    from feedback.notify import notifications_email

    notifications_email(notification_ids=notification_ids)
