"""Scheduled jobs of the customer database."""

from celery import shared_task

from crm.jobs import job_run


@shared_task(bind=True, ignore_result=True)
def pending_imports_purge_task(self) -> None:
    from customers.importing import pending_imports_purge

    with job_run("pending_imports_purge", task_id=self.request.id or "") as run:
        run.rows = pending_imports_purge()
