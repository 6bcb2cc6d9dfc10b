"""Figures the dashboards show, computed set-based by workers rather than by page requests.

A dashboard never scans the big tables while a person waits (issue 13 item 6): beat runs
`dashboards.services.figures_refresh`, which rewrites these small tables from GROUP BY
queries, and the pages read and add up their rows. Every figure is defined once, in
dashboards/figures.py, next to the list that shows the records behind it (its drill-down).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch
from crm.models import choices_constraint


class BranchFigures(models.Model):
    """A branch's headline counts, recomputed set-based by a worker (branch_figures_refresh):
    counting a million customers is no job for a page request."""

    branch = models.OneToOneField(
        Branch,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="figures",
        verbose_name=_("branch"),
    )
    customers = models.PositiveIntegerField(_("customers (not archived)"))
    staff = models.PositiveIntegerField(_("active staff"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("branch figures")
        verbose_name_plural = _("branch figures")

    def __str__(self) -> str:
        return f"{self.branch_id}: {self.customers} customers, {self.staff} staff"


class DailyFigureKind(models.TextChoices):
    """What a DailyFigure counts (its `key` and `total` are said per kind)."""

    # key "all" | "csat" (total: points) | "nps" | "promoter" | "detractor"
    FEEDBACK = "feedback", _("Feedback received")
    # The same for a whole month (day: its first), so that comparing 200 branches over
    # 12 months adds up 12 rows per branch and key rather than 365.
    FEEDBACK_MONTH = "feedback_month", _("Feedback received in the month")
    # key: need type code
    NEED_CHANGES = "need_changes", _("Need changes")
    # key: case type
    CASES_OPENED = "cases_opened", _("Cases opened")
    # key: status; n: cases opened that day that passed through it; total: seconds in it
    CASE_STATUS_TIME = "case_status_time", _("Time per case status")
    # key: status of the above-class purchase, by the day it was requested
    OVERRIDES = "overrides", _("Above-class purchases")


class DailyFigure(models.Model):
    """One branch's additive figure for one day (in the bank's time zone): a count `n` and,
    where the figure has one, a `total` (CSAT points, seconds in a status). A period's figure
    is the sum over its days, so any period — custom ones too — is a cheap sum of small rows.
    Rows without a branch are the bank's totals (the sum of the branches' rows), so that head
    office's view of every branch reads one row per day and key, not one per branch.
    """

    Figure = DailyFigureKind

    branch = models.ForeignKey(
        Branch,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("branch"),
        help_text=_("Empty: every branch."),
    )
    figure = models.CharField(_("figure"), max_length=20, choices=Figure.choices)
    day = models.DateField(_("day"))
    key = models.CharField(_("key"), max_length=40)
    n = models.PositiveIntegerField(_("count"))
    total = models.BigIntegerField(_("total"), default=0)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("daily figure")
        verbose_name_plural = _("daily figures")
        constraints = [
            # Also the index of every read: one branch (or all), one figure, a range of days.
            choices_constraint("figure", DailyFigureKind, name="daily_figure_kind_valid"),
            models.UniqueConstraint(
                fields=["branch", "figure", "day", "key"],
                name="daily_figure_unique",
                nulls_distinct=False,  # one bank-wide row per figure, day and key
            ),
        ]
        indexes = [
            # The branch comparison: one figure over a range of days, every branch.
            models.Index(fields=["figure", "day"], name="daily_figure_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.figure} {self.day} {self.key}: {self.n}"


class StandingFigureKind(models.TextChoices):
    """What a StandingFigure counts (its `key` and `subject` are said per kind)."""

    # key: rule code
    ALERTS_BY_RULE = "alerts_by_rule", _("Open alerts by rule")
    # key "all" | "7" | "30" (older than N days) | "overdue" (not acknowledged in time)
    ALERTS_BY_AGE = "alerts_by_age", _("Open alerts by age")
    # key "open" | "breached" | "due_soon"
    CASES = "cases", _("Open cases")
    # key "30": assessments that expire within 30 days; "expired": customers without a
    # current assessment
    ASSESSMENTS = "assessments", _("Risk assessments")
    # key "pending"
    OVERRIDES = "overrides", _("Above-class purchases")
    # subject: campaign; key: target status
    CAMPAIGN_TARGETS = "campaign_targets", _("Campaign targets")
    # subject: staff member; key "alerts_open" | "tasks_overdue" | "cases_breached"
    STAFF = "staff", _("Staff workload")


class StandingFigure(models.Model):
    """One branch's count of records in a state now (open alerts, breached cases, …), as of
    `computed_at`; `subject_id` narrows it to one staff member (a user id) or one campaign
    (a campaign id), 0 when the figure is the branch's."""

    Figure = StandingFigureKind

    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="+", verbose_name=_("branch")
    )
    figure = models.CharField(_("figure"), max_length=20, choices=Figure.choices)
    subject_id = models.PositiveIntegerField(_("staff member or campaign"), default=0)
    key = models.CharField(_("key"), max_length=40)
    n = models.PositiveIntegerField(_("count"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("standing figure")
        verbose_name_plural = _("standing figures")
        constraints = [
            choices_constraint("figure", StandingFigureKind, name="standing_figure_kind_valid"),
            models.UniqueConstraint(
                fields=["branch", "figure", "subject_id", "key"], name="standing_figure_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.figure} {self.subject_id} {self.key}: {self.n}"
