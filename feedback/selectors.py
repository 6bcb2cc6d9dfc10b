"""Reads for the feedback pages: lists with their figures, a case with its clocks, and the
time-in-status analytics (set-based SQL)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from accounts.models import Branch, Role, Staff, branch_id_of, role_of
from crm.dates import local_day_start
from feedback import sla
from feedback.models import (
    Case,
    CaseStatusChange,
    Feedback,
    Notification,
    SlaPolicy,
    SurveyLink,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DUE_SOON = dt.timedelta(hours=24)
OPEN_STATUSES = [
    Case.Status.NEW,
    Case.Status.ACKNOWLEDGED,
    Case.Status.IN_PROGRESS,
    Case.Status.AWAITING_CUSTOMER,
]


def branches_for(*, user: User) -> QuerySet[Branch]:
    return Branch.objects.visible_to(user).order_by("code")


def staff_for(*, user: User, branch_id: int | None = None) -> QuerySet:
    """Users of the branch staff this user may pick in filters and forms; of one branch when
    `branch_id` is given (head office's filters: the bank's thousands of staff are no list to
    pick from)."""
    from django.contrib.auth import get_user_model

    staff = Staff.objects.visible_to(user).active().filter(role__in=[Role.RM, Role.SUPERVISOR])
    if branch_id is not None:
        staff = staff.filter(branch_id=branch_id)
    return get_user_model().objects.filter(staff__in=staff).order_by("staff__employee_number")


def staff_of_branch(*, branch_id: int) -> QuerySet:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            staff__branch_id=branch_id,
            staff__is_active=True,
            is_active=True,
            staff__role__in=[Role.RM, Role.SUPERVISOR],
        )
        .order_by("staff__employee_number")
    )


# -- Feedback --------------------------------------------------------------------------------


def feedback_list(*, user: User, filters: dict) -> QuerySet[Feedback]:
    """Feedback in the user's scope matching the filter form's cleaned data, newest first."""
    qs = Feedback.objects.visible_to(user)
    if filters.get("branch"):
        qs = qs.filter(branch=filters["branch"])
    if filters.get("staff"):
        qs = qs.filter(staff=filters["staff"])
    if filters.get("channel"):
        qs = qs.filter(channel=filters["channel"])
    if filters.get("category"):
        qs = qs.filter(category=filters["category"])
    if filters.get("date_from"):
        qs = qs.filter(received_at__gte=local_day_start(filters["date_from"]))
    if filters.get("date_to"):
        qs = qs.filter(received_at__lt=local_day_start(filters["date_to"] + dt.timedelta(days=1)))
    if filters.get("detractors"):
        qs = qs.filter(nps__lte=6)
    if filters.get("customer"):
        qs = qs.filter(customer_id=filters["customer"])
    return qs.select_related("customer", "staff", "branch").order_by("-received_at", "-id")


@dataclass(frozen=True)
class FeedbackFigures:
    """CSAT average and NPS of a set of feedback, with the sample sizes behind them."""

    n: int
    csat_n: int
    csat_avg: float | None
    nps_n: int
    promoters: int
    detractors: int

    @property
    def nps(self) -> float | None:
        """Net Promoter Score: % promoters (9–10) − % detractors (0–6), −100 … 100."""
        return nps_score(promoters=self.promoters, detractors=self.detractors, n=self.nps_n)


def nps_score(*, promoters: int, detractors: int, n: int) -> float | None:
    """NPS = 100 × (promoters − detractors) / respondents; None without respondents."""
    if n == 0:
        return None
    return round(100 * (promoters - detractors) / n, 1)


def feedback_figures(queryset: QuerySet[Feedback]) -> FeedbackFigures:
    """One aggregate query over the filtered set."""
    row = queryset.order_by().aggregate(
        n=Count("id"),
        csat_n=Count("csat"),
        csat_avg=Avg("csat"),
        nps_n=Count("nps"),
        promoters=Count("id", filter=Q(nps__gte=9)),
        detractors=Count("id", filter=Q(nps__lte=6)),
    )
    return FeedbackFigures(
        n=row["n"],
        csat_n=row["csat_n"],
        csat_avg=round(float(row["csat_avg"]), 2) if row["csat_avg"] is not None else None,
        nps_n=row["nps_n"],
        promoters=row["promoters"],
        detractors=row["detractors"],
    )


# -- Cases -----------------------------------------------------------------------------------


# A case past either clock's due time (the SLA watch sets the flags): /cases/?breached=1,
# the dashboards' "SLA breaches" and the staff table count the open ones.
CASE_BREACHED_Q = Q(acknowledge_breached=True) | Q(resolve_breached=True)


def case_due_soon_q(now: dt.datetime) -> Q:
    """Open cases whose running clock falls due within DUE_SOON (24 h) of `now`, or is
    already past it: /cases/?due_soon=1 and the dashboards' "cases due soon"."""
    return Q(status=Case.Status.NEW, acknowledge_due_at__lte=now + DUE_SOON) | Q(
        status__in=OPEN_STATUSES, resolve_due_at__lte=now + DUE_SOON
    )


def case_list(*, user: User, filters: dict, now: dt.datetime | None = None) -> QuerySet[Case]:
    """Cases for /cases/: mine (default for RMs) or the branch's, with the filters applied;
    most urgent first."""
    now = now or timezone.now()
    qs = Case.objects.visible_to(user)
    scope = filters.get("scope") or ("mine" if role_of(user) == Role.RM else "branch")
    if scope == "mine" or (role_of(user) == Role.RM and scope != "branch"):
        qs = qs.filter(assignee=user)
    if filters.get("branch"):
        qs = qs.filter(branch=filters["branch"])
    status = filters.get("status") or ""
    if status == "":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status != "all":
        qs = qs.filter(status=status)
    if filters.get("severity"):
        qs = qs.filter(severity=filters["severity"])
    if filters.get("case_type"):
        qs = qs.filter(case_type=filters["case_type"])
    if filters.get("assignee"):
        qs = qs.filter(assignee_id=filters["assignee"])
    if filters.get("due_soon"):
        qs = qs.filter(case_due_soon_q(now))
    if filters.get("breached"):
        qs = qs.filter(CASE_BREACHED_Q)
    if filters.get("opened_from"):
        qs = qs.filter(opened_at__gte=local_day_start(filters["opened_from"]))
    if filters.get("opened_to"):
        qs = qs.filter(opened_at__lt=local_day_start(filters["opened_to"] + dt.timedelta(days=1)))
    if filters.get("passed"):
        passed = CaseStatusChange.objects.filter(to_status=filters["passed"])
        qs = qs.filter(pk__in=passed.values("case_id"))
    return qs.select_related("customer", "assignee").order_by(
        "resolve_due_at", "acknowledge_due_at", "id"
    )


def case_counts(*, user: User, now: dt.datetime | None = None) -> dict[str, int]:
    """Open cases by status, due soon and breached: mine and (supervisors) the branch's —
    one query."""
    now = now or timezone.now()
    open_ = Q(status__in=OPEN_STATUSES)
    soon = case_due_soon_q(now)
    breached = open_ & CASE_BREACHED_Q
    mine = Q(assignee=user)
    aggregates = {
        "mine_open": Count("id", filter=mine & open_),
        "mine_due_soon": Count("id", filter=mine & soon),
        "mine_breached": Count("id", filter=mine & breached),
        "open": Count("id", filter=open_),
        "due_soon": Count("id", filter=soon),
        "breached": Count("id", filter=breached),
    }
    for status in OPEN_STATUSES:
        aggregates[f"status_{status}"] = Count("id", filter=Q(status=status))
    return Case.objects.visible_to(user).filter(open_).aggregate(**aggregates) | {}


def case_for_page(*, user: User, pk: int) -> Case:
    """One case in the user's scope (Case.DoesNotExist outside it)."""
    return (
        Case.objects.visible_to(user)
        .select_related(
            "customer",
            "branch",
            "assignee",
            "opened_by",
            "about_staff",
            "escalated_to",
            "interaction",
        )
        .get(pk=pk)
    )


def case_opened_from(*, interaction_id: int, user: User | None = None) -> Case | None:
    """The case opened from this interaction, or None (one per interaction: the oldest, should
    data from before that rule hold more); with `user`, only a case they may see (for a
    page's link to it)."""
    cases = Case.objects.visible_to(user) if user is not None else Case.objects.all()
    return cases.filter(interaction_id=interaction_id).only("pk").order_by("pk").first()


def survey_answered(*, interaction_id: int) -> bool:
    """Whether the customer already answered a survey link of this interaction (one survey
    answer per interaction, whichever of its links was used)."""
    return SurveyLink.objects.filter(interaction_id=interaction_id, used_at__isnull=False).exists()


def case_history(*, case: Case) -> list:
    """Status changes and events of a case, oldest first, each with its actor."""
    changes = list(case.status_changes.select_related("actor").order_by("at", "id"))
    events = list(case.events.select_related("actor", "approved_by").order_by("at", "id"))
    return sorted([*changes, *events], key=lambda row: row.at)


def case_time_in_status(*, case: Case, history: list, now: dt.datetime | None = None) -> list:
    """[(status label, time spent)] for one case, in workflow order, from its status changes
    (already loaded for the page: no query). The current status counts up to `now`; closed,
    the end state, is not timed."""
    now = now or timezone.now()
    changes = [row for row in history if isinstance(row, CaseStatusChange)]
    spent: dict[str, dt.timedelta] = {}
    for current, following in zip(changes, [*changes[1:], None], strict=True):
        end = following.at if following is not None else now
        spent[current.to_status] = spent.get(current.to_status, dt.timedelta(0)) + (
            end - current.at
        )
    return [
        (label, spent[status])
        for status, label in Case.Status.choices
        if status in spent and status != Case.Status.CLOSED
    ]


@dataclass(frozen=True)
class CaseClocks:
    acknowledge: sla.ClockState
    resolve: sla.ClockState
    resolve_unit: str
    acknowledge_unit: str
    paused_left: dt.timedelta | None  # counted time left on a paused resolution clock


def case_clocks(*, case: Case, policy: SlaPolicy, now: dt.datetime | None = None) -> CaseClocks:
    """Both clocks of a case with the time left, counted in their units."""
    now = now or timezone.now()
    calendar = sla.work_calendar(branch_id=case.branch_id)
    ack = sla.clock_state(
        due_at=case.acknowledge_due_at,
        stopped_at=case.acknowledged_at,
        paused=False,
        unit=policy.acknowledge_unit,
        calendar=calendar,
        now=now,
    )
    resolve = sla.clock_state(
        due_at=case.resolve_due_at,
        stopped_at=case.resolved_at,
        paused=case.paused_at is not None,
        unit=policy.resolve_unit,
        calendar=calendar,
        now=now,
    )
    paused_left = None
    if case.paused_at is not None:
        from feedback.services import case_pauses

        budget = dt.timedelta(
            seconds=(policy.resolve_within + case.extension_units)
            * sla.UNIT_SECONDS[policy.resolve_unit]
        )
        used = sla.sla_counted(
            start=case.opened_at,
            end=now,
            unit=policy.resolve_unit,
            calendar=calendar,
            pauses=case_pauses(case=case),
        )
        paused_left = budget - used
    return CaseClocks(ack, resolve, policy.resolve_unit, policy.acknowledge_unit, paused_left)


# -- Notifications ---------------------------------------------------------------------------


def notifications_for(*, user: User, limit: int = 50) -> list[Notification]:
    return list(
        Notification.objects.visible_to(user)
        .select_related("case")
        .order_by("-created_at", "-id")[:limit]
    )


def unread_count(*, user: User) -> int:
    return Notification.objects.visible_to(user).unread().count()


# -- Time in status --------------------------------------------------------------------------

TIME_IN_STATUS_SQL = """
WITH spans AS (
    SELECT h.case_id, h.to_status AS status,
           EXTRACT(EPOCH FROM COALESCE(
               LEAD(h.at) OVER (PARTITION BY h.case_id ORDER BY h.at, h.id), %(now)s
           ) - h.at) AS seconds
      FROM feedback_casestatuschange h
      JOIN feedback_case c ON c.id = h.case_id
     WHERE {where}
),
per_case AS (
    SELECT s.case_id, s.status, sum(s.seconds) AS seconds
      FROM spans s WHERE s.status <> 'closed' GROUP BY s.case_id, s.status
)
SELECT c.branch_id, c.case_type, p.status, count(*) AS n,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY p.seconds) AS median,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY p.seconds) AS p90
  FROM per_case p JOIN feedback_case c ON c.id = p.case_id
 GROUP BY GROUPING SETS ((c.branch_id, c.case_type, p.status), (c.branch_id, p.status))
 ORDER BY c.branch_id, c.case_type NULLS FIRST, p.status
"""


@dataclass(frozen=True)
class StatusFigure:
    branch_id: int
    case_type: str | None  # None: all types
    status: str
    n: int
    median: dt.timedelta
    p90: dt.timedelta


def time_in_status(
    *,
    user: User,
    branch_id: int | None,
    date_from: dt.date,
    date_to: dt.date,
    now: dt.datetime | None = None,
) -> list[StatusFigure]:
    """Median and 90th percentile time spent in each status, per branch and case type (and
    all types), for cases opened in [date_from, date_to] in the user's scope. One query.

    Time in a status is the sum of a case's spans in it (a reopened case may pass twice);
    a case still in a status counts up to `now`. Closed is an end state and not measured.
    """
    now = now or timezone.now()
    params: dict = {
        "now": now,
        "lo": local_day_start(date_from),
        "hi": local_day_start(date_to + dt.timedelta(days=1)),
    }
    where = ["c.opened_at >= %(lo)s", "c.opened_at < %(hi)s"]
    role = role_of(user)
    if role is None:
        return []
    if role != Role.HEAD_OFFICE:
        branch_id = branch_id_of(user)
    if branch_id is not None:
        where.append("c.branch_id = %(branch)s")
        params["branch"] = branch_id
    sql = TIME_IN_STATUS_SQL.format(where=" AND ".join(where))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        StatusFigure(
            branch_id=b,
            case_type=t,
            status=s,
            n=n,
            median=dt.timedelta(seconds=float(med)),
            p90=dt.timedelta(seconds=float(p90)),
        )
        for b, t, s, n, med, p90 in rows
    ]
