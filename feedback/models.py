"""Feedback (CSAT/NPS), survey links, cases on an SLA clock, and in-app notifications.

Scope: feedback and cases carry the branch that serves them (the customer's branch when they
were recorded); `visible_to` on each QuerySet is the only definition of who sees them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from accounts.models import ALL_BRANCHES, Branch, branch_scope
from crm.models import TimeStampedModel
from customers.models import Customer
from interactions.models import Interaction

if TYPE_CHECKING:
    from django_fsm import Transition

COMMENT_MAX_LENGTH = 2000
DESCRIPTION_MAX_LENGTH = 5000
RESOLUTION_MAX_LENGTH = 5000


def _values(choices) -> list[str]:
    return [value for value, _label in choices.choices]


_QuerySet = TypeVar("_QuerySet", bound=models.QuerySet[Any])


def _branch_scope(queryset: _QuerySet, user) -> _QuerySet:
    """Rows of the branches the user's work covers (accounts.models.branch_scope)."""
    scope = branch_scope(user)
    if scope is ALL_BRANCHES:
        return queryset
    if scope is None:
        return queryset.none()
    return queryset.filter(branch_id=scope)


# -- Feedback --------------------------------------------------------------------------------


class FeedbackQuerySet(models.QuerySet):
    def visible_to(self, user) -> FeedbackQuerySet:
        """Feedback this user may see: head office all, branch staff their branch's."""
        return _branch_scope(self, user)


class FeedbackChannel(models.TextChoices):
    BRANCH_SURVEY = "branch_survey", _("Branch survey")
    PHONE_SURVEY = "phone_survey", _("Phone survey")
    ONLINE_SURVEY = "online_survey", _("Online survey")
    APP = "app", _("Mobile app")
    HOTLINE = "hotline", _("Hotline")


class FeedbackCategory(models.TextChoices):
    ATTITUDE = "attitude", _("Service attitude")
    WAITING = "waiting", _("Waiting time")
    PRODUCT = "product", _("Product")
    FEES = "fees", _("Fees")
    PROCESS = "process", _("Process efficiency")
    DIGITAL = "digital", _("Digital channel")
    OTHER = "other", _("Other")


class Feedback(TimeStampedModel):
    """What a customer said about the service: CSAT 1–5 and/or NPS 0–10, with a comment."""

    Channel = FeedbackChannel

    Category = FeedbackCategory

    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="feedback",
        verbose_name=_("customer"),
        db_index=False,  # covered by feedback_customer_time_idx
    )
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("branch"),
        db_index=False,  # covered by feedback_branch_time_idx
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback_received",
        verbose_name=_("staff member who served"),
        db_index=False,  # covered by feedback_staff_time_idx
    )
    interaction = models.ForeignKey(
        Interaction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
        verbose_name=_("related interaction"),
    )
    csat = models.PositiveSmallIntegerField(
        _("CSAT (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    nps = models.PositiveSmallIntegerField(
        _("NPS score (0–10)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    comment = models.TextField(
        _("comment"),
        max_length=COMMENT_MAX_LENGTH,
        blank=True,
        validators=[MaxLengthValidator(COMMENT_MAX_LENGTH)],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
        help_text=_("Empty when the customer answered a survey link."),
    )

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__in=_values(FeedbackChannel)),
                name="feedback_channel_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(category__in=_values(FeedbackCategory)),
                name="feedback_category_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(csat__isnull=True) | models.Q(csat__gte=1, csat__lte=5),
                name="feedback_csat_range",
            ),
            models.CheckConstraint(
                condition=models.Q(nps__isnull=True) | models.Q(nps__gte=0, nps__lte=10),
                name="feedback_nps_range",
            ),
            models.CheckConstraint(
                condition=models.Q(csat__isnull=False) | models.Q(nps__isnull=False),
                name="feedback_score_required",
                violation_error_message=_("Give a CSAT or an NPS score (or both)."),
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("comment"), COMMENT_MAX_LENGTH),
                name="feedback_comment_length",
            ),
        ]
        indexes = [
            # /feedback/ for a branch over a period, newest first, and its averages.
            models.Index("branch", models.F("received_at").desc(), name="feedback_branch_time_idx"),
            # The customer timeline (keyset on received_at).
            models.Index(
                "customer", models.F("received_at").desc(), name="feedback_customer_time_idx"
            ),
            # Feedback on one member of staff (filter, service-quality scores).
            models.Index("staff", models.F("received_at").desc(), name="feedback_staff_time_idx"),
            # Head office's list over all branches, newest first; carrying the scores, it also
            # answers the list's CSAT/NPS figures for a period from the index alone.
            models.Index(
                fields=["-received_at"], include=["id", "csat", "nps"], name="feedback_time_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {timezone.localtime(self.received_at):%Y-%m-%d}"

    @property
    def is_detractor(self) -> bool:
        return self.nps is not None and self.nps <= 6


class SurveyLink(TimeStampedModel):
    """A survey handed to a customer for one interaction: signed token, expiry, single use.

    The token's signature carries the link's id; the row says whether it was used. Feedback
    from the link is stored with `survey_link` set, and a unique constraint on that column
    makes a second submission of the same link fail in the database, however simultaneous.
    """

    interaction = models.ForeignKey(
        Interaction,
        on_delete=models.PROTECT,
        related_name="survey_links",
        verbose_name=_("interaction"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    feedback = models.OneToOneField(
        Feedback,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_link",
        verbose_name=_("feedback given"),
    )

    class Meta:
        verbose_name = _("survey link")
        verbose_name_plural = _("survey links")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(used_at__isnull=True, feedback__isnull=True)
                | models.Q(used_at__isnull=False, feedback__isnull=False),
                name="surveylink_used_has_feedback",
            ),
        ]

    def __str__(self) -> str:
        return f"survey #{self.pk} for interaction {self.interaction_id}"


class SurveySubmissionCount(models.Model):  # noqa: DJ008 (a counter, never displayed)
    """Survey submissions per client address per window: the rate limit lives in PostgreSQL,
    so a survey still answers (and still limits) while Redis is down."""

    client = models.GenericIPAddressField(_("client address"))
    window_start = models.DateTimeField(_("window start"))
    hits = models.PositiveIntegerField(_("submissions"), default=0)

    class Meta:
        verbose_name = _("survey submission count")
        verbose_name_plural = _("survey submission counts")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "window_start"], name="surveysubmissioncount_unique"
            ),
        ]


# -- SLA policy and calendar -----------------------------------------------------------------


class CaseType(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    INQUIRY = "inquiry", _("Inquiry")
    SERVICE_REQUEST = "service_request", _("Service request")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")


class ClockUnit(models.TextChoices):
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    WORKING_DAYS = "working_days", _("working days")
    WORKING_HOURS = "working_hours", _("working hours")


class SlaPolicy(TimeStampedModel):
    """How long a case of one type and severity may take (admin-editable).

    Extensions (complaints): up to `extension_with_reason` more units with a recorded reason,
    then up to `extension_with_approval` more only with a supervisor's recorded approval — the
    regulatory preset is 15 days, extendable to 30, then by a further 30.
    """

    case_type = models.CharField(_("case type"), max_length=16, choices=CaseType)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity)
    acknowledge_within = models.PositiveIntegerField(
        _("acknowledge within"), validators=[MinValueValidator(1)]
    )
    acknowledge_unit = models.CharField(
        _("acknowledgement counted in"), max_length=16, choices=ClockUnit
    )
    resolve_within = models.PositiveIntegerField(
        _("resolve within"), validators=[MinValueValidator(1)]
    )
    resolve_unit = models.CharField(_("resolution counted in"), max_length=16, choices=ClockUnit)
    pause_when_awaiting_customer = models.BooleanField(
        _("pause the resolution clock while awaiting the customer"), default=True
    )
    extension_with_reason = models.PositiveIntegerField(
        _("extension with a reason (units)"), default=0
    )
    extension_with_approval = models.PositiveIntegerField(
        _("further extension with a supervisor's approval (units)"), default=0
    )
    warn_at_percent = models.PositiveSmallIntegerField(
        # xgettext:no-python-format  (a literal percent sign: msgfmt rejected the catalogue)
        _("warn the assignee at (% of the time)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["case_type", "severity"]
        constraints = [
            models.UniqueConstraint(fields=["case_type", "severity"], name="slapolicy_unique"),
            models.CheckConstraint(
                condition=models.Q(case_type__in=_values(CaseType)),
                name="slapolicy_case_type_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(severity__in=_values(Severity)),
                name="slapolicy_severity_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(acknowledge_unit__in=_values(ClockUnit))
                & models.Q(resolve_unit__in=_values(ClockUnit)),
                name="slapolicy_units_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(acknowledge_within__gte=1, resolve_within__gte=1),
                name="slapolicy_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(warn_at_percent__gte=1, warn_at_percent__lte=99),
                name="slapolicy_warn_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_case_type_display()} · {self.get_severity_display()}"


class BranchHours(models.Model):
    """A branch's opening hours, which working-hour clocks count (default 09:00–17:00)."""

    branch = models.OneToOneField(
        Branch, on_delete=models.CASCADE, related_name="hours", verbose_name=_("branch")
    )
    opens_at = models.TimeField(_("opens at"), default=dt.time(9))
    closes_at = models.TimeField(_("closes at"), default=dt.time(17))

    class Meta:
        verbose_name = _("branch hours")
        verbose_name_plural = _("branch hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("closes_at")),
                name="branchhours_opens_before_closing",
                violation_error_message=_("A branch must open before it closes."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class HolidayOverride(models.Model):
    """A date whose working status the bank sets itself: for years the holiday library does
    not yet cover, or a local exception. It wins over the library."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"),
        help_text=_("Ticked: an adjusted working day (调休). Unticked: a public holiday."),
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("holiday override")
        verbose_name_plural = _("holiday overrides")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


# -- Cases -----------------------------------------------------------------------------------


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> CaseQuerySet:
        """Cases this user may see: head office all, branch staff their branch's."""
        return _branch_scope(self, user)

    def open(self) -> CaseQuerySet:
        return self.exclude(status__in=[Case.Status.RESOLVED, Case.Status.CLOSED])


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_CUSTOMER = "awaiting_customer", _("Awaiting customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class CaseChannel(models.TextChoices):
    BRANCH = "branch", _("Branch visit")
    PHONE = "phone", _("Phone")
    HOTLINE = "hotline", _("Hotline")
    EMAIL = "email", _("E-mail")
    APP = "app", _("Mobile app")
    LETTER = "letter", _("Letter")
    REGULATOR = "regulator", _("Forwarded by the regulator")


class CaseCategory(models.TextChoices):
    ATTITUDE = "attitude", _("Service attitude")
    WAITING = "waiting", _("Waiting time")
    PRODUCT = "product", _("Product")
    FEES = "fees", _("Fees")
    PROCESS = "process", _("Process efficiency")
    DIGITAL = "digital", _("Digital channel")
    MIS_SELLING = "mis_selling", _("Mis-selling")
    ACCOUNT = "account", _("Account and card")
    OTHER = "other", _("Other")


class RootCause(models.TextChoices):
    STAFF_CONDUCT = "staff_conduct", _("Staff conduct")
    PROCESS = "process", _("Process or policy")
    SYSTEM = "system", _("System or technical fault")
    PRODUCT = "product", _("Product design")
    COMMUNICATION = "communication", _("Communication or disclosure")
    THIRD_PARTY = "third_party", _("Third party")
    CUSTOMER = "customer", _("Customer misunderstanding")
    NONE = "none", _("No fault found")


class Case(TimeStampedModel):
    """A complaint, inquiry or service request, worked through a status workflow on SLA clocks.

    The allowed transitions are the `@transition` methods below — the only place they are
    defined; services (feedback.services) call them and record the change.
    """

    Status = CaseStatus

    Channel = CaseChannel

    Category = CaseCategory

    RootCause = RootCause

    case_type = models.CharField(_("type"), max_length=16, choices=CaseType)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("customer"),
        db_index=False,  # covered by case_customer_opened_idx
    )
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("branch"),
        db_index=False,  # covered by case_branch_status_idx
    )
    interaction = models.ForeignKey(
        Interaction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("raised in interaction"),
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity, default=Severity.NORMAL
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(
        _("description"),
        max_length=DESCRIPTION_MAX_LENGTH,
        validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)],
    )
    about_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("about member of staff"),
        help_text=_("A complaint about a member of staff is never assigned to them."),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("assignee"),
        db_index=False,  # covered by case_assignee_status_idx
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    # Added by django-fsm (FSMField.contribute_to_class): the transitions allowed now.
    get_available_status_transitions: Callable[[], Iterator[Transition]]
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Clocks (feedback.sla.case_due_times); resolve_due_at is empty while the clock is paused.
    acknowledge_due_at = models.DateTimeField(_("acknowledge by"))
    resolve_due_at = models.DateTimeField(_("resolve by"), null=True, blank=True)
    acknowledge_warn_at = models.DateTimeField(_("acknowledgement warning at"))
    resolve_warn_at = models.DateTimeField(_("resolution warning at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("clock paused since"), null=True, blank=True)
    extension_units = models.PositiveIntegerField(_("extended by (units)"), default=0)
    acknowledge_breached = models.BooleanField(_("acknowledgement breached"), default=False)
    resolve_breached = models.BooleanField(_("resolution breached"), default=False)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("escalated to"),
    )
    resolution_summary = models.TextField(
        _("resolution summary"),
        max_length=RESOLUTION_MAX_LENGTH,
        blank=True,
        validators=[MaxLengthValidator(RESOLUTION_MAX_LENGTH)],
    )
    root_cause = models.CharField(_("root cause"), max_length=16, choices=RootCause, blank=True)
    customer_confirmed_satisfied = models.BooleanField(
        _("customer confirmed satisfied"), null=True, blank=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [("approve_case_extension", _("Can approve a case's further extension"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case_type__in=_values(CaseType)), name="case_type_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=_values(CaseStatus)), name="case_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(severity__in=_values(Severity)), name="case_severity_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=_values(CaseChannel)), name="case_channel_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(category__in=_values(CaseCategory)), name="case_category_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(root_cause="") | models.Q(root_cause__in=_values(RootCause)),
                name="case_root_cause_valid",
            ),
            models.CheckConstraint(
                # Recusal: a complaint is never handled by the person it is about.
                condition=models.Q(about_staff__isnull=True)
                | ~models.Q(about_staff=models.F("assignee")),
                name="case_recusal",
                violation_error_message=_(
                    "A case cannot be assigned to the member of staff it is about."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed")
                | ~models.Q(case_type="complaint")
                | (
                    ~models.Q(resolution_summary="")
                    & ~models.Q(root_cause="")
                    & models.Q(customer_confirmed_satisfied__isnull=False)
                ),
                name="case_closed_complaint_complete",
            ),
            models.CheckConstraint(
                condition=models.Q(status="closed", closed_at__isnull=False)
                | (~models.Q(status="closed") & models.Q(closed_at__isnull=True)),
                name="case_closed_at_matches_status",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("description"), DESCRIPTION_MAX_LENGTH),
                name="case_description_length",
            ),
        ]
        indexes = [
            # /cases/ "mine": an assignee's cases by status and due time.
            models.Index(
                fields=["assignee", "status", "resolve_due_at"], name="case_assignee_status_idx"
            ),
            # /cases/ for a branch (supervisors) and the branch analytics.
            models.Index(fields=["branch", "status", "opened_at"], name="case_branch_status_idx"),
            # The customer timeline (keyset on opened_at).
            models.Index("customer", models.F("opened_at").desc(), name="case_customer_opened_idx"),
            # The SLA watch: open cases whose warning or due time has passed.
            models.Index(
                fields=["acknowledge_warn_at"],
                name="case_ack_watch_idx",
                condition=models.Q(status="new"),
            ),
            models.Index(
                fields=["resolve_warn_at"],
                name="case_resolve_watch_idx",
                condition=models.Q(
                    status__in=["new", "acknowledged", "in_progress", "awaiting_customer"]
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("feedback:case_detail", args=[self.pk])

    # The workflow: the only definition of which status may follow which.
    @transition(field=status, source=Status.NEW, target=Status.ACKNOWLEDGED)
    def acknowledge(self) -> None:
        """The customer has been told the case was received."""

    @transition(field=status, source=[Status.NEW, Status.ACKNOWLEDGED], target=Status.IN_PROGRESS)
    def start(self) -> None:
        """Work on the case begins (starting a new case acknowledges it too)."""

    @transition(field=status, source=Status.IN_PROGRESS, target=Status.AWAITING_CUSTOMER)
    def await_customer(self) -> None:
        """Waiting for the customer (documents, a decision); may pause the resolution clock."""

    @transition(field=status, source=Status.AWAITING_CUSTOMER, target=Status.IN_PROGRESS)
    def resume(self) -> None:
        """The customer answered; the resolution clock runs again."""

    @transition(
        field=status, source=[Status.IN_PROGRESS, Status.AWAITING_CUSTOMER], target=Status.RESOLVED
    )
    def resolve(self) -> None:
        """A resolution has been given to the customer."""

    @transition(field=status, source=Status.RESOLVED, target=Status.CLOSED)
    def close(self) -> None:
        """The case is finished (complaints: summary, root cause and confirmation recorded)."""

    @transition(field=status, source=[Status.RESOLVED, Status.CLOSED], target=Status.IN_PROGRESS)
    def reopen(self) -> None:
        """The customer is not satisfied after all: work resumes."""


class CaseStatusChange(models.Model):
    """One status change of a case: from, to, when and by whom (kept, never edited).

    The first row of each case has an empty `from_status` (the case opened). Time in each
    status is the gap to the next row (feedback.selectors.time_in_status and
    case_time_in_status).
    """

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("case")
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=Case.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=Case.Status.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("case status change")
        verbose_name_plural = _("case status changes")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["case", "at"], name="casestatuschange_case_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_status__in=_values(Case.Status))
                & (models.Q(from_status="") | models.Q(from_status__in=_values(Case.Status))),
                name="casestatuschange_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.case_id}: {self.from_status or '—'} → {self.to_status}"


class CaseEventKind(models.TextChoices):
    EXTENDED = "extended", _("Extended")
    SEVERITY = "severity", _("Severity changed")
    ASSIGNED = "assigned", _("Reassigned")
    WARNED = "warned", _("SLA warning")
    BREACHED = "breached", _("SLA breached and escalated")


class Clock(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("acknowledgement")
    RESOLVE = "resolve", _("resolution")


class CaseEvent(models.Model):
    """Other things that happened to a case: extensions, severity changes, reassignments,
    SLA warnings, breaches and escalations. The watch's rows are unique per case, clock and
    threshold, so however often it runs, each warning and escalation happens once."""

    Kind = CaseEventKind

    Clock = Clock

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    clock = models.CharField(_("clock"), max_length=12, choices=Clock, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    units = models.PositiveIntegerField(_("units"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="caseevent_case_at_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=_values(CaseEventKind)), name="caseevent_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["case", "kind", "clock"],
                condition=models.Q(kind__in=["warned", "breached"]),
                name="caseevent_sla_once",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="extended")
                | (~models.Q(reason="") & models.Q(units__gt=0)),
                name="caseevent_extension_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.case_id} {self.kind} {self.clock}"


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> NotificationQuerySet:
        """A user's own notifications; nobody reads anyone else's."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class NotificationKind(models.TextChoices):
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACH = "sla_breach", _("SLA breach")
    ESCALATION = "escalation", _("Escalation")
    ASSIGNED = "assigned", _("Case assigned")


class Notification(models.Model):
    """An in-app message to one member of staff (also e-mailed, through the outbox)."""

    Kind = NotificationKind

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
        db_index=False,  # covered by notification_recipient_idx
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("case"),
    )
    event = models.ForeignKey(
        CaseEvent,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("event"),
    )
    clock = models.CharField(_("clock"), max_length=12, choices=CaseEvent.Clock.choices, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The navigation's unread count and the notification list.
            models.Index(
                "recipient", models.F("created_at").desc(), name="notification_recipient_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=_values(NotificationKind)),
                name="notification_kind_valid",
            ),
            models.UniqueConstraint(
                fields=["recipient", "event"],
                condition=models.Q(event__isnull=False),
                name="notification_once_per_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"
