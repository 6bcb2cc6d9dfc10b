"""Scheduled jobs of the dashboards."""

from celery import shared_task

from crm.jobs import job_run


@shared_task(bind=True, ignore_result=True)
def figures_refresh_task(self, days: int | None = None) -> None:
    """Beat: recompute the dashboards' figures (dashboards.services.figures_refresh).
    Idempotent and transactional: a duplicate delivery or a killed worker's redelivery
    rewrites the same rows."""
    from dashboards.services import figures_refresh

    with job_run("dashboard_figures", task_id=self.request.id or "") as run:
        run.rows = figures_refresh(days=days)


@shared_task(bind=True, ignore_result=True)
def branch_figures_refresh_task(self) -> None:
    """Kept for messages queued before figures_refresh_task replaced it in the schedule."""
    from dashboards.services import branch_figures_refresh

    with job_run("branch_figures_refresh", task_id=self.request.id or "") as run:
        run.rows = branch_figures_refresh()
