"""Scheduled jobs of the dashboards."""

from celery import shared_task

from crm.jobs import job_run


@shared_task(bind=True, ignore_result=True)
def branch_figures_refresh_task(self) -> None:
    from dashboards.services import branch_figures_refresh

    with job_run("branch_figures_refresh", task_id=self.request.id or "") as run:
        run.rows = branch_figures_refresh()
