"""Abstract base models and the record of scheduled-job runs."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class JobRun(models.Model):
    """One run of a scheduled job: when, how much it touched, and how it ended."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCESS = "success", _("Succeeded")
        FAILED = "failed", _("Failed")
        ABANDONED = "abandoned", _("Abandoned (worker lost)")

    job = models.CharField(_("job"), max_length=100)
    task_id = models.CharField(_("task id"), max_length=100, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    rows = models.PositiveBigIntegerField(_("rows touched"), default=0)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.RUNNING
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at"]
        indexes = [
            # /healthz and the admin list: the latest run of each job.
            models.Index(fields=["job", "-started_at"], name="jobrun_job_started_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=["running", "success", "failed", "abandoned"]),
                name="jobrun_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.started_at:%Y-%m-%d %H:%M:%S} ({self.outcome})"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None
