"""Need-change alerts (rules, their versions, runs and alerts) and staff service-quality scores."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, Role, branch_id_of, role_of
from customers.models import Customer


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


SEVERITY_RANK = {"high": 3, "medium": 2, "low": 1}


class AlertRule(models.Model):
    """The admin-editable configuration of one alert rule (its thresholds live in `params`).

    Every change goes through `insights.services.alert_rule_update`, which bumps `version` and
    keeps the previous settings as an AlertRuleVersion, so an alert names the exact settings
    that fired it.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity, default=Severity.MEDIUM
    )
    params = models.JSONField(_("thresholds"), default=dict, blank=True)
    ack_working_days = models.PositiveSmallIntegerField(
        _("acknowledge within (working days)"), default=2
    )
    expire_after_days = models.PositiveSmallIntegerField(
        _("expire open alerts after (days)"), default=60
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(severity__in=["low", "medium", "high"]),
                name="alert_rule_severity_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(expire_after_days__gte=1), name="alert_rule_expiry_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class AlertRuleVersion(models.Model):
    """The settings of a rule as they were at one version (append-only)."""

    rule = models.ForeignKey(
        AlertRule, on_delete=models.PROTECT, related_name="versions", verbose_name=_("rule")
    )
    version = models.PositiveIntegerField(_("version"))
    enabled = models.BooleanField(_("enabled"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity)
    params = models.JSONField(_("thresholds"), default=dict)
    ack_working_days = models.PositiveSmallIntegerField(_("acknowledge within (working days)"))
    expire_after_days = models.PositiveSmallIntegerField(_("expire open alerts after (days)"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("alert rule version")
        verbose_name_plural = _("alert rule versions")
        ordering = ["rule", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "version"], name="alert_rule_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.version}"


class AlertRun(models.Model):
    """One execution of the rules: over the whole book, the rows changed since the last run,
    or one customer. `as_of` is the date the rules evaluated ("today" for that run)."""

    class Kind(models.TextChoices):
        FULL = "full", _("Full scan")
        INCREMENTAL = "incremental", _("Incremental scan")
        CUSTOMER = "customer", _("One customer")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCESS = "success", _("Succeeded")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    as_of = models.DateField(_("as of"))
    since = models.DateTimeField(_("changes since"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    # The highest id of each source table when the run started: the next incremental scan
    # looks only at rows above them (ids are the change feed; see insights.engine).
    watermarks = models.JSONField(_("watermarks"), default=dict, blank=True)
    counts = models.JSONField(_("new alerts per rule"), default=dict, blank=True)
    total = models.PositiveIntegerField(_("new alerts"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("alert run")
        verbose_name_plural = _("alert runs")
        ordering = ["-started_at"]
        indexes = [
            # The incremental scan's watermark: the latest successful run.
            models.Index(fields=["status", "-started_at"], name="alert_run_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["full", "incremental", "customer"]),
                name="alert_run_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["running", "success", "failed"]),
                name="alert_run_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.as_of} ({self.status})"


# AlertQuerySet.visible_to as a condition on an alert row `e`, for the customer page's
# one-statement timeline (customers.timeline, whose parameters these are). Tests hold the two
# equal for every role (tests/insights/test_customer_page.py).
ALERT_SCOPE_SQL = (
    "(%(viewer_role)s = 'head_office'"
    " OR (%(viewer_role)s = 'supervisor' AND e.branch_id = %(viewer_branch)s)"
    " OR (%(viewer_role)s = 'rm' AND e.branch_id = %(viewer_branch)s"
    " AND e.assignee_id = %(viewer)s))"
)


class AlertQuerySet(models.QuerySet):
    def visible_to(self, user) -> AlertQuerySet:
        """Alerts this user may see; the only definition of alert scope (ALERT_SCOPE_SQL says
        the same in SQL for the customer timeline).

        An RM sees the alerts assigned to them; a supervisor every alert of the branch's
        customers; head office all. Everyone else none.
        """
        role = role_of(user)
        if role == Role.HEAD_OFFICE:
            return self
        if role == Role.SUPERVISOR:
            return self.filter(branch_id=branch_id_of(user))
        if role == Role.RM:
            return self.filter(assignee=user, branch_id=branch_id_of(user))
        return self.none()

    def open(self) -> AlertQuerySet:
        """Waiting for the assignee: open or acknowledged, not yet actioned or dismissed."""
        return self.filter(status__in=[Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED])


class Alert(models.Model):
    """A need-change alert: a rule fired for a customer, with the numbers that fired it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ACTIONED = "actioned", _("Actioned")
        DISMISSED = "dismissed", _("Dismissed")
        EXPIRED = "expired", _("Expired")

    class Outcome(models.TextChoices):
        CONTACTED = "contacted", _("Customer contacted")
        RECOMMENDATION = "recommendation", _("Recommendation made")
        NEED_UPDATED = "need_updated", _("Need updated")
        NO_CHANGE = "no_change", _("No change needed")

    class DismissReason(models.TextChoices):
        NOT_RELEVANT = "not_relevant", _("Not relevant for this customer")
        ALREADY_HANDLED = "already_handled", _("Already handled")
        DATA_WRONG = "data_wrong", _("The data behind it is wrong")
        CUSTOMER_DECLINED = "customer_declined", _("Customer does not want to be contacted")
        OTHER = "other", _("Other")

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="alerts",
        verbose_name=_("customer"),
        db_index=False,  # covered by alert_customer_created_idx
    )
    # The customer's branch, always: the engine writes it with the alert and a trigger on
    # customers_customer (migration 0008) moves the customer's alerts when the customer moves
    # branch, by whichever path (form, import, admin). Scope and the branch's list read it
    # without joining the customers.
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("branch"),
        db_index=False,  # covered by alert_branch_open_idx
    )
    rule = models.ForeignKey(
        AlertRule, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("rule")
    )
    rule_version = models.PositiveIntegerField(_("rule version"))
    run = models.ForeignKey(
        AlertRun, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("run")
    )
    # What makes two firings "the same": e.g. the life event's id, the month of the balance.
    trigger_key = models.CharField(_("trigger key"), max_length=60)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity)
    # high 3, medium 2, low 1: the lists' "most severe first", kept by PostgreSQL so that an
    # index can serve that order (alert_open_order_idx).
    severity_rank = models.GeneratedField(
        expression=models.Case(
            models.When(severity="high", then=models.Value(3)),
            models.When(severity="medium", then=models.Value(2)),
            default=models.Value(1),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
        verbose_name=_("severity rank"),
    )
    evidence = models.JSONField(_("evidence"), default=dict)
    need_codes = ArrayField(
        models.CharField(max_length=30), default=list, blank=True, verbose_name=_("needs")
    )
    product_codes = ArrayField(
        models.CharField(max_length=30),
        default=list,
        blank=True,
        verbose_name=_("suitable products"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("assignee"),
        db_index=False,  # covered by alert_assignee_status_idx
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    dismiss_reason = models.CharField(
        _("reason for dismissing"), max_length=20, choices=DismissReason.choices, blank=True
    )
    note = models.TextField(_("note"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    ack_due_at = models.DateTimeField(_("acknowledge by"))
    expires_at = models.DateTimeField(_("expires"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    task = models.ForeignKey(
        "interactions.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("follow-up task"),
    )

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            # Firing the same rule for the same customer and trigger twice creates one alert.
            models.UniqueConstraint(
                fields=["rule", "customer", "trigger_key"], name="alert_rule_customer_key_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["open", "acknowledged", "actioned", "dismissed", "expired"]
                ),
                name="alert_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(severity__in=["low", "medium", "high"]),
                name="alert_severity_valid",
            ),
            models.CheckConstraint(
                # An actioned alert says what came of it; a dismissed one says why.
                condition=(
                    models.Q(status="actioned", dismiss_reason="") & ~models.Q(outcome="")
                    | models.Q(status="dismissed", outcome="") & ~models.Q(dismiss_reason="")
                    | models.Q(
                        status__in=["open", "acknowledged", "expired"],
                        outcome="",
                        dismiss_reason="",
                    )
                ),
                name="alert_outcome_matches_status",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "acknowledged"], closed_at__isnull=True)
                | models.Q(
                    status__in=["actioned", "dismissed", "expired"], closed_at__isnull=False
                ),
                name="alert_closed_at_matches_status",
            ),
        ]
        indexes = [
            # /alerts/ for an RM: my open alerts; the score's responsiveness per assignee.
            models.Index(
                fields=["assignee", "status", "created_at"], name="alert_assignee_status_idx"
            ),
            # The customer's timeline and panel.
            models.Index(
                "customer", models.F("created_at").desc(), name="alert_customer_created_idx"
            ),
            # Open alerts past their acknowledgement time / expiry (SLA, expiry job).
            models.Index(
                fields=["status", "ack_due_at"],
                name="alert_open_due_idx",
                condition=models.Q(status__in=["open", "acknowledged"]),
            ),
            # /alerts/ for head office: open alerts, most severe and then oldest first.
            models.Index(
                models.F("severity_rank").desc(),
                "created_at",
                "id",
                name="alert_open_order_idx",
                condition=models.Q(status__in=["open", "acknowledged"]),
            ),
            # /alerts/ for a supervisor: the branch's open alerts in the same order.
            models.Index(
                "branch",
                models.F("severity_rank").desc(),
                "created_at",
                "id",
                name="alert_branch_open_idx",
                condition=models.Q(status__in=["open", "acknowledged"]),
            ),
            # Head office's list, newest first, and per-rule precision.
            models.Index(fields=["rule", "status"], name="alert_rule_status_idx"),
            models.Index(fields=["run"], name="alert_run_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.customer_id} {self.trigger_key}"

    def get_absolute_url(self) -> str:
        return reverse("insights:alert_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.ACKNOWLEDGED)

    def is_overdue(self, now=None) -> bool:
        """Not yet acknowledged and past its acknowledgement time (the alert SLA)."""
        return self.status == self.Status.OPEN and self.ack_due_at < (now or timezone.now())


# -- Service-quality scores ------------------------------------------------------------------


class ScorePolicy(models.Model):
    """The admin-editable scoring policy: weights, minimum samples and mappings to 0–100.

    One current row; `insights.services.score_policy_update` bumps `version` and keeps the
    settings as a ScorePolicyVersion that every snapshot names.
    """

    weights = models.JSONField(_("weights"), default=dict)
    min_samples = models.JSONField(_("minimum samples"), default=dict)
    mappings = models.JSONField(_("mappings to 0–100"), default=dict)
    period_days = models.PositiveSmallIntegerField(_("period (days)"), default=90)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("score policy")
        verbose_name_plural = _("score policy")

    def __str__(self) -> str:
        return f"score policy v{self.version}"


class ScorePolicyVersion(models.Model):
    """The scoring policy as it was at one version (append-only)."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    weights = models.JSONField(_("weights"))
    min_samples = models.JSONField(_("minimum samples"))
    mappings = models.JSONField(_("mappings to 0–100"))
    period_days = models.PositiveSmallIntegerField(_("period (days)"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("score policy version")
        verbose_name_plural = _("score policy versions")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}"


class ScoreSnapshotQuerySet(models.QuerySet):
    def visible_to(self, user) -> ScoreSnapshotQuerySet:
        """Scores this user may see: an RM their own, a supervisor the branch's staff,
        head office everyone's."""
        role = role_of(user)
        if role == Role.HEAD_OFFICE:
            return self
        if role == Role.SUPERVISOR:
            return self.filter(branch_id=branch_id_of(user))
        if role == Role.RM:
            return self.filter(staff=user)
        return self.none()


class ScoreSnapshot(models.Model):
    """One staff member's service-quality score for one period (rolling, ending `period_end`).

    `components` maps a component code to its figures:
    {"score": 0–100 or null, "numerator", "denominator", "sample", "insufficient": bool, ...}.
    """

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="score_snapshots",
        verbose_name=_("staff member"),
        db_index=False,  # covered by score_snapshot_unique
    )
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("branch"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    policy_version = models.PositiveIntegerField(_("policy version"))
    composite = models.DecimalField(
        _("score"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    components = models.JSONField(_("components"), default=dict)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    objects = ScoreSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("score snapshot")
        verbose_name_plural = _("score snapshots")
        constraints = [
            models.UniqueConstraint(fields=["staff", "period_end"], name="score_snapshot_unique"),
        ]
        indexes = [
            # The rank in the branch for a period.
            models.Index(fields=["branch", "period_end"], name="score_snapshot_branch_idx"),
            # The latest period of all (score list and dashboards for head office).
            models.Index(fields=["period_end"], name="score_snapshot_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.period_end}: {self.composite}"
