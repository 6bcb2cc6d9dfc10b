"""Reads of the dashboards: each page's figures from the small precomputed tables
(dashboards.models), never from the big ones — a constant number of queries per page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Avg,
    Count,
    DurationField,
    F,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models import Case as Cond
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Branch, Role, Staff, role_of
from crm.dates import local_day_start
from customers.models import Customer, CustomerQuerySet, NeedChange, NeedType
from dashboards import figures
from dashboards.models import DailyFigure, StandingFigure
from dashboards.periods import Period, month_start, months
from feedback.models import Case, CaseType
from feedback.selectors import case_counts, case_list, nps_score
from insights.models import Alert, ScoreSnapshot
from insights.presenters import rule_name
from insights.records import COMPONENT_LABELS
from insights.scoring import COMPONENTS
from insights.selectors import alert_list_for_user, score_history
from products.models import Campaign, CampaignTarget, Holding, SaleOverride

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

Daily = DailyFigure.Figure
Standing = StandingFigure.Figure
TREND_PERIODS = 12  # score snapshots in a staff member's sparkline
# The staff table's column headings (the full names, insights.records.COMPONENT_LABELS, show
# on hover and in the CSV).
COMPONENT_SHORT_LABELS = {
    "csat": gettext_lazy("CSAT"),
    "nps": gettext_lazy("NPS"),
    "complaints": gettext_lazy("Complaints"),
    "case_sla": gettext_lazy("Case SLA"),
    "alert_responsiveness": gettext_lazy("Alert response"),
    "follow_up_on_time": gettext_lazy("Follow-ups"),
    "contact_coverage": gettext_lazy("Coverage"),
}


@dataclass(frozen=True)
class Figure:
    """A number on a dashboard and the list of the records it counts."""

    label: StrOrPromise
    n: int
    link: str = ""


@dataclass
class StaffRow:
    staff: Staff
    composite: object = None  # Decimal 0–100 or None (insufficient data / not computed)
    rank: int | None = None
    # [(short label, label, score or None)] in COMPONENTS order
    components: list = field(default_factory=list)
    trend: list = field(default_factory=list)  # composites of the last TREND_PERIODS snapshots
    alerts_open: Figure | None = None
    tasks_overdue: Figure | None = None
    cases_breached: Figure | None = None


@dataclass
class NeedRow:
    code: str
    name: str
    now: Figure
    before: Figure

    @property
    def change(self) -> int:
        return self.now.n - self.before.n


@dataclass
class StatusRow:
    status: str
    label: StrOrPromise
    cases: Figure
    average: dt.timedelta


@dataclass
class FeedbackSummary:
    n: Figure
    csat_n: int
    csat_avg: float | None
    nps_n: int
    nps: float | None
    detractors: Figure


@dataclass
class Funnel:
    campaign: Campaign
    # Per current status: to contact, contacted, interested, subscribed, declined.
    stages: list[Figure]
    link: str = ""  # every target of the campaign in scope


@dataclass
class Dashboard:
    """Everything /dashboard/ shows for one branch, or (`branch` None) for every branch."""

    branch: Branch | None
    period: Period
    previous: Period
    as_of: dt.datetime | None
    alerts_by_age: list[Figure]
    alerts_by_rule: list[Figure]
    cases: dict[str, Figure]
    cases_opened: list[Figure]
    assessments_expiring: Figure
    overrides_pending: Figure
    overrides: list[Figure]
    feedback: FeedbackSummary
    feedback_months: list[dict]
    needs: list[NeedRow]
    status_times: list[StatusRow]
    funnels: list[Funnel]
    staff: list[StaffRow] = field(default_factory=list)
    branches: list[dict] = field(default_factory=list)
    scores_period_end: dt.date | None = None


def dashboard_branches(*, user: User) -> QuerySet[Branch]:
    """Branches whose dashboard the user may open: a supervisor their own, head office all."""
    if role_of(user) not in (Role.SUPERVISOR, Role.HEAD_OFFICE):
        return Branch.objects.none()
    return Branch.objects.visible_to(user).order_by("code")


def _scoped(qs: QuerySet, branch: Branch | None) -> QuerySet:
    return qs if branch is None else qs.filter(branch=branch)


def _daily_scoped(branch: Branch | None) -> QuerySet[DailyFigure]:
    """One branch's daily rows, or (None) the bank's totals (the rows without a branch)."""
    if branch is None:
        return DailyFigure.objects.filter(branch__isnull=True)
    return DailyFigure.objects.filter(branch=branch)


def _standing(branch: Branch | None) -> tuple[dict, dt.datetime | None]:
    """{(figure, subject, key): n} summed over the branch (or all), and the oldest as-of."""
    scoped = _scoped(StandingFigure.objects.all(), branch)
    rows = (
        scoped.exclude(figure=Standing.STAFF if branch is None else "")
        .values_list("figure", "subject_id", "key")
        .annotate(sum_n=Sum("n"))
        .order_by()
    )
    values = {(figure, subject, key): n for figure, subject, key, n in rows}
    return values, scoped.aggregate(at=Min("computed_at"))["at"]


def _daily(branch: Branch | None, period: Period, previous: Period) -> dict:
    """{(figure, key): {"n", "total", "prev_n"}} over the period and the one before."""
    now, before = Q(day__gte=period.start), Q(day__lte=previous.end)
    rows = (
        _daily_scoped(branch)
        .filter(day__gte=previous.start, day__lte=period.end)
        .values("figure", "key")
        .annotate(
            sum_n=Sum("n", filter=now, default=0),
            sum_total=Sum("total", filter=now, default=0),
            prev_n=Sum("n", filter=before, default=0),
        )
        .order_by()
    )
    return {
        (r["figure"], r["key"]): {"n": r["sum_n"], "total": r["sum_total"], "prev_n": r["prev_n"]}
        for r in rows
    }


def _feedback_months(branch: Branch | None, today: dt.date) -> list[dict]:
    """CSAT average and NPS of each of the last 12 months, oldest first (one query)."""
    spans = months(today)
    rows = (
        _daily_scoped(branch)
        .filter(figure=Daily.FEEDBACK)
        .filter(day__gte=spans[0].start, day__lte=today)
        .annotate(month=TruncMonth("day"))
        .values("month", "key")
        .annotate(sum_n=Sum("n"), sum_total=Sum("total"))
        .order_by()
    )
    by_month: dict = {}
    for row in rows:
        by_month.setdefault(row["month"], {})[row["key"]] = {
            "n": row["sum_n"],
            "total": row["sum_total"],
        }
    branch_id = branch.pk if branch else None
    result = []
    for span in spans:
        cells = by_month.get(span.start, {})
        csat = cells.get("csat", {"n": 0, "total": 0})
        nps_n = cells.get("nps", {}).get("n", 0)
        result.append(
            {
                "period": span,
                "n": cells.get("all", {}).get("n", 0),
                "csat_avg": round(csat["total"] / csat["n"], 2) if csat["n"] else None,
                "nps": nps_score(
                    promoters=cells.get("promoter", {}).get("n", 0),
                    detractors=cells.get("detractor", {}).get("n", 0),
                    n=nps_n,
                ),
                "link": figures.feedback_link(branch_id=branch_id, period=span),
            }
        )
    return result


def _staff_rows(branch: Branch, standing: dict) -> tuple[list[StaffRow], dt.date | None]:
    """The branch's active RMs and supervisors with their latest score, its components, rank
    and trend, and their open alerts, overdue tasks and breached cases (four queries)."""
    staff = list(
        Staff.objects.active()
        .filter(branch=branch, role__in=[Role.RM, Role.SUPERVISOR])
        .select_related("user")
        .order_by("role", "employee_number")
    )
    ends = list(
        ScoreSnapshot.objects.filter(branch=branch)
        .values_list("period_end", flat=True)
        .distinct()
        .order_by("-period_end")[:TREND_PERIODS]
    )
    # Plain tuples, not model instances: 12 periods of a branch's staff are hundreds of rows.
    composites: dict[int, dict] = {}
    latest_components: dict[int, dict] = {}
    latest = ends[0] if ends else None
    if ends:
        snapshots = ScoreSnapshot.objects.filter(branch=branch, period_end__in=ends)
        for staff_id, period_end, composite in snapshots.values_list(
            "staff_id", "period_end", "composite"
        ):
            composites.setdefault(staff_id, {})[period_end] = composite
        latest_components = dict(
            snapshots.filter(period_end=ends[0]).values_list("staff_id", "components")
        )
    ranked = sorted((c[latest], uid) for uid, c in composites.items() if c.get(latest) is not None)
    ranks = {uid: i + 1 for i, (_, uid) in enumerate(reversed(ranked))}
    rows = []
    for member in staff:
        uid = member.user_id
        mine = composites.get(uid, {})
        components = latest_components.get(uid) or {}
        rows.append(
            StaffRow(
                staff=member,
                composite=mine.get(latest),
                rank=ranks.get(uid),
                components=[
                    (
                        COMPONENT_SHORT_LABELS.get(code, code),
                        COMPONENT_LABELS.get(code, code),
                        (components.get(code) or {}).get("score"),
                    )
                    for code in COMPONENTS
                ],
                trend=[mine.get(end) for end in reversed(ends)],
                alerts_open=Figure(
                    "",
                    standing.get((Standing.STAFF, uid, "alerts_open"), 0),
                    figures.alerts_link(branch_id=branch.pk, assignee=uid),
                )
                if member.role == Role.RM
                else None,
                tasks_overdue=Figure(
                    "",
                    standing.get((Standing.STAFF, uid, "tasks_overdue"), 0),
                    figures.tasks_link(user_id=uid),
                ),
                cases_breached=Figure(
                    "",
                    standing.get((Standing.STAFF, uid, "cases_breached"), 0),
                    figures.cases_link(branch_id=branch.pk, key="breached", assignee=uid),
                ),
            )
        )
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.staff.employee_number))
    return rows, latest


def _feedback_rows_of(period: Period) -> Q:
    """The feedback rows that add up to the period: whole months from their monthly rows,
    the days of a month the period covers only in part from their daily rows."""
    covering = months(period.end, 1 + (period.end - period.start).days // 28)
    whole = [m for m in covering if m.start >= period.start and _month_end(m.start) <= period.end]
    days = Q(figure=Daily.FEEDBACK, day__gte=period.start, day__lte=period.end)
    if not whole:
        return days
    starts = [m.start for m in whole]
    return Q(figure=Daily.FEEDBACK_MONTH, day__in=starts) | (
        days & ~Q(day__gte=starts[0], day__lte=_month_end(starts[-1]))
    )


def _month_end(start: dt.date) -> dt.date:
    return month_start(start + dt.timedelta(days=32)) - dt.timedelta(days=1)


def _branch_rows(period: Period, standing_by_branch: dict) -> list[dict]:
    """Head office's branch comparison: one row per branch (three queries)."""
    feedback = {
        (r["branch_id"], r["key"]): {"n": r["sum_n"], "total": r["sum_total"]}
        for r in DailyFigure.objects.filter(_feedback_rows_of(period), branch__isnull=False)
        .values("branch_id", "key")
        .annotate(sum_n=Sum("n"), sum_total=Sum("total"))
        .order_by()
    }
    latest = ScoreSnapshot.objects.order_by("-period_end").values_list("period_end", flat=True)
    latest_end = latest.first()
    scores: dict[int, Any] = dict(
        # None (no snapshot yet) is a valid lookup, IS NULL: no rows. django-stubs rejects
        # None for a non-null field.
        ScoreSnapshot.objects.filter(period_end=latest_end)  # type: ignore[misc]
        .values_list("branch_id")
        .annotate(avg=Avg("composite"))
        .order_by()
    )
    rows = []
    for branch in Branch.objects.select_related("figures").order_by("code"):
        fig = getattr(branch, "figures", None)
        csat = feedback.get((branch.pk, "csat"), {"n": 0, "total": 0})
        nps_n = feedback.get((branch.pk, "nps"), {}).get("n", 0)
        s = standing_by_branch.get(branch.pk, {})
        rows.append(
            {
                "branch": branch,
                "customers": fig.customers if fig else None,
                "staff": fig.staff if fig else None,
                "score": round(scores[branch.pk], 1) if scores.get(branch.pk) is not None else None,
                "alerts_open": Figure(
                    "",
                    s.get((Standing.ALERTS_BY_AGE, "all"), 0),
                    figures.alerts_link(branch_id=branch.pk),
                ),
                "alerts_overdue": Figure(
                    "",
                    s.get((Standing.ALERTS_BY_AGE, "overdue"), 0),
                    figures.alerts_link(branch_id=branch.pk, age="overdue"),
                ),
                "cases_breached": Figure(
                    "",
                    s.get((Standing.CASES, "breached"), 0),
                    figures.cases_link(branch_id=branch.pk, key="breached"),
                ),
                "feedback": Figure(
                    "",
                    feedback.get((branch.pk, "all"), {}).get("n", 0),
                    figures.feedback_link(branch_id=branch.pk, period=period),
                ),
                "csat_avg": round(csat["total"] / csat["n"], 2) if csat["n"] else None,
                "nps": nps_score(
                    promoters=feedback.get((branch.pk, "promoter"), {}).get("n", 0),
                    detractors=feedback.get((branch.pk, "detractor"), {}).get("n", 0),
                    n=nps_n,
                ),
                "link": f"?branch={branch.pk}",
            }
        )
    return rows


BRANCHES_PER_PAGE = 50
# Head office's comparison, worst first where there is a worst (?sort=…): the branch code
# otherwise. Branches without a figure sort last.
BRANCH_SORTS = {
    "code": lambda r: r["branch"].code,
    "score": lambda r: (r["score"] is None, r["score"] or 0),
    "overdue": lambda r: -r["alerts_overdue"].n,
    "breached": lambda r: -r["cases_breached"].n,
    "csat": lambda r: (r["csat_avg"] is None, r["csat_avg"] or 0),
    "nps": lambda r: (r["nps"] is None, r["nps"] or 0),
}


def branch_comparison_page(
    rows: list[dict[str, Any]], *, sort: str, page: int
) -> Page[dict[str, Any]]:
    """One page (BRANCHES_PER_PAGE) of the comparison rows in the order `sort` names
    (BRANCH_SORTS; anything else: by code)."""
    ordered = sorted(rows, key=BRANCH_SORTS.get(sort, BRANCH_SORTS["code"]))
    return Paginator(ordered, BRANCHES_PER_PAGE).get_page(page)


def _standing_by_branch() -> dict:
    """{branch id: {(figure, key): n}} of the branch-level standing figures (one query)."""
    result: dict = {}
    for branch_id, figure, key, n in StandingFigure.objects.filter(
        figure__in=[Standing.ALERTS_BY_AGE, Standing.CASES], subject_id=0
    ).values_list("branch_id", "figure", "key", "n"):
        result.setdefault(branch_id, {})[(figure, key)] = n
    return result


def branch_dashboard(*, branch: Branch | None, period: Period, today: dt.date) -> Dashboard:
    """/dashboard/ of one branch, or of every branch (`branch` None, head office).

    The caller has checked that the viewer may see `branch` (dashboard_branches). Every
    figure comes from StandingFigure / DailyFigure (as of their `computed_at`) and carries
    the link of the list that shows its records. A constant number of queries.
    """
    branch_id = branch.pk if branch else None
    previous = period.previous()
    standing, as_of = _standing(branch)
    daily = _daily(branch, period, previous)

    def s(figure: str, key: str, subject: int = 0) -> int:
        return standing.get((figure, subject, key), 0)

    def d(figure: str, key: str) -> dict[str, Any]:
        return daily.get((figure, key), {"n": 0, "total": 0, "prev_n": 0})

    age_labels = {
        "all": _("All open"),
        "7": _("Older than 7 days"),
        "30": _("Older than 30 days"),
        "overdue": _("Not acknowledged in time"),
    }
    alerts_by_age = [
        Figure(
            label, s(Standing.ALERTS_BY_AGE, key), figures.alerts_link(branch_id=branch_id, age=key)
        )
        for key, label in age_labels.items()
    ]
    rules = sorted(
        (key for (fig, _subject, key) in standing if fig == Standing.ALERTS_BY_RULE),
        key=lambda code: -s(Standing.ALERTS_BY_RULE, code),
    )
    alerts_by_rule = [
        Figure(
            rule_name(code),
            s(Standing.ALERTS_BY_RULE, code),
            figures.alerts_link(branch_id=branch_id, rule=code),
        )
        for code in rules
    ]
    case_labels = {
        "open": _("Open"),
        "breached": _("SLA breached"),
        "due_soon": _("Due within 24 hours"),
    }
    cases = {
        key: Figure(label, s(Standing.CASES, key), figures.cases_link(branch_id=branch_id, key=key))
        for key, label in case_labels.items()
    }
    cases_opened = [
        Figure(
            label,
            d(Daily.CASES_OPENED, value)["n"],
            figures.cases_opened_link(branch_id=branch_id, period=period, case_type=value),
        )
        for value, label in CaseType.choices
    ]
    fb_all, csat, nps_n = (
        d(Daily.FEEDBACK, "all"),
        d(Daily.FEEDBACK, "csat"),
        d(Daily.FEEDBACK, "nps")["n"],
    )
    detractors = d(Daily.FEEDBACK, "detractor")["n"]
    feedback = FeedbackSummary(
        n=Figure(
            _("Feedback received"),
            fb_all["n"],
            figures.feedback_link(branch_id=branch_id, period=period),
        ),
        csat_n=csat["n"],
        csat_avg=round(csat["total"] / csat["n"], 2) if csat["n"] else None,
        nps_n=nps_n,
        nps=nps_score(promoters=d(Daily.FEEDBACK, "promoter")["n"], detractors=detractors, n=nps_n),
        detractors=Figure(
            _("Detractors"),
            detractors,
            figures.feedback_link(branch_id=branch_id, period=period, detractors=True),
        ),
    )
    needs = []
    for code, name in NeedType.objects.order_by("sort_order", "name").values_list("code", "name"):
        row = d(Daily.NEED_CHANGES, code)
        if row["n"] or row["prev_n"]:
            needs.append(
                NeedRow(
                    code=code,
                    name=_(name),
                    now=Figure(
                        "",
                        row["n"],
                        figures.need_changes_link(branch_id=branch_id, period=period, need=code),
                    ),
                    before=Figure(
                        "",
                        row["prev_n"],
                        figures.need_changes_link(branch_id=branch_id, period=previous, need=code),
                    ),
                )
            )
    needs.sort(key=lambda r: -r.change)
    status_times = []
    for value, label in Case.Status.choices:
        row = d(Daily.CASE_STATUS_TIME, value)
        if value == Case.Status.CLOSED:
            continue
        status_times.append(
            StatusRow(
                status=value,
                label=label,
                cases=Figure(
                    "",
                    row["n"],
                    figures.case_status_link(branch_id=branch_id, period=period, status=value),
                ),
                average=dt.timedelta(seconds=row["total"] / row["n"])
                if row["n"]
                else dt.timedelta(0),
            )
        )
    campaign_ids = {
        subject for (fig, subject, _key) in standing if fig == Standing.CAMPAIGN_TARGETS
    }
    funnels = [
        Funnel(
            campaign=campaign,
            stages=[
                Figure(
                    label,
                    s(Standing.CAMPAIGN_TARGETS, value, campaign.pk),
                    figures.campaign_link(
                        campaign_id=campaign.pk, branch_id=branch_id, status=value
                    ),
                )
                for value, label in CampaignTarget.Status.choices
            ],
            link=figures.campaign_link(campaign_id=campaign.pk, branch_id=branch_id),
        )
        for campaign in Campaign.objects.filter(pk__in=campaign_ids).order_by("-starts_on", "-pk")
    ]
    overrides = [
        Figure(
            label,
            d(Daily.OVERRIDES, value)["n"],
            figures.overrides_link(branch_id=branch_id, period=period, status=value),
        )
        for value, label in SaleOverride.Status.choices
    ]
    dashboard = Dashboard(
        branch=branch,
        period=period,
        previous=previous,
        as_of=as_of,
        alerts_by_age=alerts_by_age,
        alerts_by_rule=alerts_by_rule,
        cases=cases,
        cases_opened=cases_opened,
        assessments_expiring=Figure(
            _("Risk assessments expiring within 30 days"),
            s(Standing.ASSESSMENTS, str(figures.ASSESSMENT_EXPIRY_DAYS)),
            figures.assessments_link(branch_id=branch_id),
        ),
        overrides_pending=Figure(
            _("Awaiting sign-off"),
            s(Standing.OVERRIDES, "pending"),
            figures.overrides_link(branch_id=branch_id, status="pending"),
        ),
        overrides=overrides,
        feedback=feedback,
        feedback_months=_feedback_months(branch, today),
        needs=needs,
        status_times=status_times,
        funnels=funnels,
    )
    if branch is not None:
        dashboard.staff, dashboard.scores_period_end = _staff_rows(branch, standing)
    else:
        dashboard.branches = _branch_rows(period, _standing_by_branch())
    return dashboard


def need_changes(
    *, user: User, branch: Branch | None, need: str, period: Period
) -> QuerySet[NeedChange]:
    """The need changes behind a "needs rising or falling" figure: of customers in the user's
    scope (and `branch`), of need type `need`, changed within the period; newest first."""
    qs = NeedChange.objects.filter(
        need__customer__in=_customers_in_scope(user),
        changed_at__gte=local_day_start(period.start),
        changed_at__lt=local_day_start(period.end + dt.timedelta(days=1)),
    )
    if need:
        qs = qs.filter(need__need_type__code=need)
    if branch is not None:
        qs = qs.filter(need__customer__branch=branch)
    return qs.select_related("need__customer", "need__need_type", "changed_by").order_by(
        "-changed_at", "-pk"
    )


def assessments_expiring(
    *, user: User, branch: Branch | None, today: dt.date
) -> QuerySet[Customer]:
    """The customers behind "risk assessments expiring within 30 days", soonest first."""
    qs = figures.assessments_expiring(_customers_in_scope(user).active(), today)
    if branch is not None:
        qs = qs.filter(branch=branch)
    return qs.select_related("relationship_manager").order_by("risk_assessed_on", "pk")


def _customers_in_scope(user: User) -> CustomerQuerySet:
    return Customer.objects.visible_to(user)


def branch_summary(*, user: User) -> QuerySet[Branch]:
    """Branches the user sees with their worker-computed figures (`figures` may be None)."""
    return Branch.objects.visible_to(user).select_related("figures").order_by("code")


def need_name(code: str) -> str:
    """The need type's name in the active language ("" for none or an unknown code)."""
    name = (
        NeedType.objects.filter(code=code).values_list("name", flat=True).first() if code else None
    )
    return _(name) if name else ""


# -- An RM's day ------------------------------------------------------------------------------

MATURING_DAYS = 30  # "holdings maturing in the next 30 days"


def rm_day(*, user: User, size: int) -> dict:
    """What an RM's home shows besides tasks and customers to contact: open alerts (most
    severe, then oldest first) with counts by severity, assigned cases with their running
    clock, campaign targets to contact, holdings maturing within MATURING_DAYS days, and the
    RM's score history. Up to `size` rows each; a constant number of queries (about 11)."""
    now = timezone.now()
    today = timezone.localdate(now)
    severities = (
        Alert.objects.visible_to(user)
        .open()
        .aggregate(
            high=Count("pk", filter=Q(severity="high")),
            medium=Count("pk", filter=Q(severity="medium")),
            low=Count("pk", filter=Q(severity="low")),
            overdue=Count("pk", filter=Q(status=Alert.Status.OPEN, ack_due_at__lt=now)),
        )
    )
    # Each case's running clock: the acknowledgement's while new, then the resolution's (None
    # while paused); `left` is None for a paused clock.
    cases = list(
        case_list(user=user, filters={"scope": "mine"}, now=now)
        .annotate(
            due_at=Cond(
                When(status=Case.Status.NEW, then=F("acknowledge_due_at")),
                default=F("resolve_due_at"),
            )
        )
        .annotate(
            left=Cond(
                When(paused_at__isnull=True, then=F("due_at") - Value(now)),
                default=None,
                output_field=DurationField(),
            )
        )[:size]
    )
    targets = (
        CampaignTarget.objects.visible_to(user)
        .filter(
            assigned_to=user,
            status=CampaignTarget.Status.TO_CONTACT,
            campaign__status=Campaign.Status.LAUNCHED,
        )
        .select_related("customer", "campaign")
    )
    maturing = (
        Holding.objects.visible_to(user)
        .active()
        .filter(
            customer__relationship_manager=user,
            maturity_date__gte=today,
            maturity_date__lte=today + dt.timedelta(days=MATURING_DAYS),
        )
        .select_related("customer", "product")
    )
    alerts = list(alert_list_for_user(user=user, filters={}, now=now)[:size])
    for alert in alerts:
        alert.rule_label = rule_name(alert.rule.code)
    return {
        "alerts": alerts,
        "alert_counts": severities,
        "cases": cases,
        "case_counts": case_counts(user=user, now=now),
        "targets": list(targets.order_by("campaign__ends_on", "created_at", "pk")[:size]),
        "n_targets": targets.count(),
        "maturing": list(maturing.order_by("maturity_date", "pk")[:size]),
        "n_maturing": maturing.count(),
        "scores": score_history(user=user, staff_id=user.pk),
        "now": now,
    }
