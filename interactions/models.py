"""Contacts with customers (interactions) and the follow-up work they create (tasks)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import role_of
from crm.dates import plausible_date_check
from crm.models import TimeStampedModel, choices_constraint
from customers.models import Channel, Customer, NeedType

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NOTES_MAX_LENGTH = 5000
EDIT_WINDOW = dt.timedelta(hours=24)
PRODUCT_CODES_MAX = 10


_QuerySet = TypeVar("_QuerySet", bound=models.QuerySet[Any])


def _customer_scope(queryset: _QuerySet, user) -> _QuerySet:
    """Rows whose customer the user may see (Customer.objects.visible_to decides)."""
    if role_of(user) is None:
        return queryset.none()
    return queryset.filter(customer__in=Customer.objects.visible_to(user))


class InteractionQuerySet(models.QuerySet):
    def visible_to(self, user) -> InteractionQuerySet:
        """Interactions of the customers this user may see; the only interaction scope."""
        return _customer_scope(self, user)


class Direction(models.TextChoices):
    OUTBOUND = "outbound", _("Outbound")
    INBOUND = "inbound", _("Inbound")


class Outcome(models.TextChoices):
    NO_INTEREST = "no_interest", _("No interest")
    INTERESTED = "interested", _("Interested")
    FOLLOW_UP = "follow_up", _("Follow-up needed")
    SUBSCRIBED = "subscribed", _("Subscribed")
    COMPLAINT = "complaint", _("Complaint raised")


class Interaction(TimeStampedModel):
    """A contact with a customer, attributed to the member of staff who logged it."""

    Channel = Channel
    Direction = Direction
    Outcome = Outcome

    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="interactions",
        verbose_name=_("customer"),
        db_index=False,  # covered by interaction_customer_time_idx
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="interactions",
        verbose_name=_("staff member"),
        db_index=False,  # covered by interaction_staff_time_idx
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction, default=Direction.OUTBOUND
    )
    occurred_at = models.DateTimeField(
        _("occurred at"), default=timezone.now, validators=[plausible_date_check]
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), null=True, blank=True, validators=[MaxValueValidator(24 * 60)]
    )
    subject = models.CharField(_("subject"), max_length=200)
    notes = models.TextField(
        _("notes"),
        max_length=NOTES_MAX_LENGTH,
        blank=True,
        validators=[MaxLengthValidator(NOTES_MAX_LENGTH)],
    )
    needs = models.ManyToManyField(
        NeedType, blank=True, related_name="interactions", verbose_name=_("needs discussed")
    )
    # Codes of the products discussed (Product.code, checked against the catalogue by
    # interactions.services.product_codes_normalise), stored as text: a code is the bank's
    # stable product identifier.
    product_codes = ArrayField(
        models.CharField(max_length=30),
        size=PRODUCT_CODES_MAX,
        default=list,
        blank=True,
        verbose_name=_("products discussed"),
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome)

    objects = InteractionQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[needs], excluded_fields=["updated_at"])
    # Set by the services around a save: who made the change (the history records it), and
    # whether this save writes no history record (the row and its needs make one together).
    _history_user: User | None
    skip_history_when_saving: bool

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        constraints = [
            choices_constraint("channel", Channel, name="interaction_channel_valid"),
            choices_constraint("direction", Direction, name="interaction_direction_valid"),
            choices_constraint("outcome", Outcome, name="interaction_outcome_valid"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("notes"), NOTES_MAX_LENGTH),
                name="interaction_notes_length",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__lte=24 * 60),
                name="interaction_duration_range",
            ),
        ]
        indexes = [
            # The customer timeline (keyset on occurred_at) and the last contact per customer
            # (the "customers to contact" list): one index probe per customer.
            models.Index(
                "customer", models.F("occurred_at").desc(), name="interaction_customer_time_idx"
            ),
            # A staff member's interactions (service-quality scores, activity reports).
            models.Index(
                "staff", models.F("occurred_at").desc(), name="interaction_staff_time_idx"
            ),
            # Date-range reports and the admin list's default order.
            models.Index(fields=["occurred_at"], name="interaction_time_idx"),
            # "Who discussed product X": product_codes @> ARRAY['X'].
            GinIndex(fields=["product_codes"], name="interaction_products_gin"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({timezone.localtime(self.occurred_at):%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("interactions:detail", args=[self.pk])

    @property
    def editable_until(self) -> dt.datetime:
        return self.created_at + EDIT_WINDOW


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user) -> TaskQuerySet:
        """Tasks about the customers this user may see; the only task scope."""
        return _customer_scope(self, user)

    def open(self) -> TaskQuerySet:
        return self.filter(status=Task.Status.OPEN)


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class TaskOrigin(models.TextChoices):
    INTERACTION = "interaction", _("Interaction")
    ALERT = "alert", _("Alert")
    CASE = "case", _("Case")
    MANUAL = "manual", _("Created by hand")


class Task(TimeStampedModel):
    """A follow-up: something a member of staff must do for a customer by a date."""

    Status = TaskStatus
    Origin = TaskOrigin

    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("customer"),
        db_index=False,  # covered by task_customer_created_idx
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("assignee"),
        db_index=False,  # covered by task_assignee_status_due_idx
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"), validators=[plausible_date_check])
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # db_default: bulk writers (seed_demo's COPY, imports) that leave the column out get "".
    cancel_reason = models.CharField(
        _("reason for cancelling"), max_length=255, blank=True, db_default=""
    )
    origin = models.CharField(
        _("origin"), max_length=12, choices=Origin.choices, default=Origin.MANUAL
    )
    interaction = models.ForeignKey(
        Interaction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("from interaction"),
    )

    objects = TaskQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])
    # Set by the services before a save: who made the change and why (the history records it).
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            choices_constraint("status", TaskStatus, name="task_status_valid"),
            choices_constraint("origin", TaskOrigin, name="task_origin_valid"),
            models.CheckConstraint(
                # completed_at is set exactly when the task is done, cancelled_at when cancelled.
                condition=(
                    models.Q(status="done", completed_at__isnull=False, cancelled_at__isnull=True)
                    | models.Q(
                        status="cancelled", completed_at__isnull=True, cancelled_at__isnull=False
                    )
                    | models.Q(status="open", completed_at__isnull=True, cancelled_at__isnull=True)
                ),
                name="task_closing_time_matches_status",
            ),
            models.CheckConstraint(
                condition=~models.Q(origin="interaction") | models.Q(interaction__isnull=False),
                name="task_interaction_origin_has_interaction",
                violation_error_message=_("A follow-up task needs its interaction."),
            ),
        ]
        indexes = [
            # /tasks/ (an assignee's open tasks by due date) and the supervisors' counts.
            models.Index(
                fields=["assignee", "status", "due_date"], name="task_assignee_status_due_idx"
            ),
            # The customer timeline (keyset on created_at).
            models.Index(
                "customer", models.F("created_at").desc(), name="task_customer_created_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.due_date:%Y-%m-%d})"

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == self.Status.OPEN and self.due_date < today


class TaskReschedule(models.Model):
    """A change of a task's due date, with the reason given (kept, never edited)."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="reschedules", verbose_name=_("task")
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    old_due_date = models.DateField(_("old due date"))
    new_due_date = models.DateField(_("new due date"), validators=[plausible_date_check])
    reason = models.CharField(_("reason"), max_length=255)

    class Meta:
        verbose_name = _("task reschedule")
        verbose_name_plural = _("task reschedules")
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""),
                name="task_reschedule_reason_required",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.old_due_date} → {self.new_due_date}"
