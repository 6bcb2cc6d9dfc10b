"""Abstract base models and the record of scheduled-job runs."""

from __future__ import annotations

import functools
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _


def choices_constraint(
    field: str, choices, *, name: str, blank: bool = False
) -> models.CheckConstraint:
    """A CheckConstraint that `field` holds one of `choices`' values ("" too when `blank`).

    `choices` is a TextChoices class or a list of (value, label) pairs; the values are read
    from it, so the database's list and the form's are typed once (STYLE.md §2).
    """
    values = choices.values if hasattr(choices, "values") else [v for v, _label in choices]
    allowed = ["", *values] if blank else list(values)
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": allowed}), name=name)


def model_field(model: type[models.Model] | models.Model, name: str) -> models.Field[Any, Any]:
    """The field `name` that `model` declares: `_meta.get_field` without reverse relations,
    which have no verbose name, choices or column of their own (FieldDoesNotExist for one)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise FieldDoesNotExist(f"{model._meta.label}.{name} is a reverse relation")
    return field


@functools.cache
def choice_labels(field: models.Field[Any, Any]) -> dict[Any, Any]:
    """{stored value: label (lazy, untranslated)} of a model field's choices, built once per
    field; a model field's choices do not change after start-up."""
    return {make_hashable(value): label for value, label in field.flatchoices}


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field[Any, Any]) -> str:
        """What Django's get_FOO_display() returns (the label of the stored value in the
        active language, else the value), without Django's cost: it rebuilds the field's
        choice list on every call and hashes each lazy label, which translates every label of
        the field (a customer page made about 250 translations this way). Here one lookup,
        one translation. tests/crm/test_models.py compares both on every field."""
        value = getattr(self, field.attname)
        return force_str(choice_labels(field).get(make_hashable(value), value), strings_only=True)


class JobOutcome(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCESS = "success", _("Succeeded")
    FAILED = "failed", _("Failed")
    ABANDONED = "abandoned", _("Abandoned (worker lost)")


class JobRun(models.Model):
    """One run of a scheduled job: when, how much it touched, and how it ended."""

    Outcome = JobOutcome

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
            choices_constraint("outcome", JobOutcome, name="jobrun_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.started_at:%Y-%m-%d %H:%M:%S} ({self.outcome})"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None


class OutboxMessage(models.Model):
    """A Celery task a write asked for, stored in the write's own transaction (crm.outbox).

    The beat job `outbox_dispatch` publishes pending rows to the broker and stamps
    `dispatched_at`; a worker stamps `delivered_at` when it first runs the message, so a copy
    published twice (a broker that hung mid-publish) runs once. Kwargs are plain JSON: ids,
    never personal data.
    """

    task_name = models.CharField(_("task"), max_length=200)
    kwargs = models.JSONField(_("arguments"), default=dict, blank=True)
    dedupe_key = models.CharField(_("de-duplication key"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    available_at = models.DateTimeField(_("due"), default=timezone.now)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("failed publish attempts"), default=0)
    last_error = models.CharField(_("last publish error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["id"]
        indexes = [
            # The dispatcher's claim and /healthz's backlog: pending rows only, so it stays small.
            models.Index(
                fields=["available_at", "id"],
                condition=models.Q(dispatched_at=None),
                name="outbox_pending_idx",
            ),
            # The tidy job: dispatched rows past their retention.
            models.Index(fields=["dispatched_at"], name="outbox_dispatched_idx"),
        ]
        constraints = [
            # At most one message per key (for as long as rows are kept): a double submit
            # or a rerun of the same write queues nothing new.
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="outbox_dedupe_key_unique",
            ),
        ]

    def __str__(self) -> str:
        state = "dispatched" if self.dispatched_at else "pending"
        return f"#{self.pk} {self.task_name} ({state})"


class SubmittedForm(models.Model):
    """A create form's one-time token, claimed by the service that saved it (crm/submit_once.py).

    A second submission of the same form (a second click, a replayed request) finds the claim
    and is shown the record the first one created instead of creating another.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    token = models.CharField(_("form token"), max_length=64)
    kind = models.CharField(_("kind"), max_length=60)
    result_url = models.CharField(_("result"), max_length=255, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        verbose_name = _("submitted form")
        verbose_name_plural = _("submitted forms")
        constraints = [
            # The claim itself: a second INSERT waits for the first transaction, then fails.
            models.UniqueConstraint(fields=["user", "token"], name="submitted_form_once"),
        ]
        indexes = [
            # The hourly purge of old tokens.
            models.Index(fields=["submitted_at"], name="submitted_form_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.token[:8]}…"


class PendingUpload(models.Model):
    """An uploaded import file between its dry run and its commit (crm.csvimport).

    Kept in the database, not on one web server's disk, so that the commit may reach any
    server behind the proxy; deleted on commit, or after PENDING_UPLOAD_HOURS.
    """

    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    kind = models.CharField(_("contents"), max_length=20)
    name = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("pending upload")
        verbose_name_plural = _("pending uploads")
        indexes = [
            # The purge of uploads that were never committed.
            models.Index(fields=["created_at"], name="pending_upload_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"
