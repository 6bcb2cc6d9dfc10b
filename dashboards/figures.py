"""Every dashboard figure, defined once: which records it counts, and the list that shows them.

A figure is a count of records (feedback, alerts, cases …) per branch, precomputed by
`dashboards.services.figures_refresh` into DailyFigure (additive, per day) or StandingFigure
(a state now). Each definition below reuses the filter of the list its drill-down opens
(`case_due_soon_q` is /cases/?due_soon=1, `Alert.objects.open()` is /alerts/ …), so a figure
and the list behind it count the same records — the dashboards' tests check exactly that.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import F, QuerySet, Sum, Value
from django.db.models.expressions import Combinable
from django.urls import reverse

from customers.models import Customer, CustomerQuerySet, NeedChange, risk_assessment_cutoff
from dashboards.models import DailyFigure, StandingFigure
from feedback.models import Case, Feedback
from feedback.selectors import CASE_BREACHED_Q, OPEN_STATUSES, case_due_soon_q
from insights.models import Alert
from interactions.models import Task
from products.models import Campaign, CampaignTarget, SaleOverride

ASSESSMENT_EXPIRY_DAYS = 30  # "assessments expiring": within the next 30 days
ALERT_AGES = (7, 30)  # the /alerts/ age filter's choices (insights.forms.AGE_CHOICES)

Daily = DailyFigure.Figure
Standing = StandingFigure.Figure


@dataclass(frozen=True)
class Source:
    """One GROUP BY that fills one figure (and key) for every branch.

    `queryset`: the records counted; `branch`: the path to their branch id; `key` and
    `subject`: expressions of the row's key and subject (a staff member's or a campaign's id);
    `at`: for daily figures, the datetime whose day (bank's time zone) the record counts on;
    `total`: what is summed besides the count (CSAT points), if anything.
    """

    figure: str
    queryset: QuerySet
    branch: str
    key: Combinable
    at: str = ""
    subject: Combinable = field(default_factory=lambda: Value(0))
    total: Combinable = field(default_factory=lambda: Value(0))


def daily_sources() -> list[Source]:
    """The additive per-day figures (their SQL runs over a window of days in services)."""
    feedback = Feedback.objects.all()

    def feedback_source(key: str, records: QuerySet, **total) -> Source:
        return Source(Daily.FEEDBACK, records, "branch_id", Value(key), at="received_at", **total)

    return [
        feedback_source("all", feedback),
        feedback_source("csat", feedback.filter(csat__isnull=False), total=Sum("csat")),
        feedback_source("nps", feedback.filter(nps__isnull=False)),
        # NPS: promoters answer 9–10, detractors 0–6 (feedback.selectors.nps_score).
        feedback_source("promoter", feedback.filter(nps__gte=9)),
        feedback_source("detractor", feedback.filter(nps__lte=6)),
        Source(
            Daily.NEED_CHANGES,
            NeedChange.objects.all(),
            "need__customer__branch_id",
            F("need__need_type__code"),
            at="changed_at",
        ),
        Source(Daily.CASES_OPENED, Case.objects.all(), "branch_id", F("case_type"), at="opened_at"),
        Source(
            Daily.OVERRIDES,
            SaleOverride.objects.all(),
            "customer__branch_id",
            F("status"),
            at="created_at",
        ),
    ]


def standing_sources(now: dt.datetime, today: dt.date) -> list[Source]:
    """The figures of what is open now; each filter is its drill-down list's filter."""
    open_alerts = Alert.objects.open()
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES)
    sources = [
        Source(Standing.ALERTS_BY_RULE, open_alerts, "branch_id", F("rule__code")),
        Source(Standing.ALERTS_BY_AGE, open_alerts, "branch_id", Value("all")),
        *(
            Source(
                Standing.ALERTS_BY_AGE,
                open_alerts.filter(created_at__lte=now - dt.timedelta(days=days)),
                "branch_id",
                Value(str(days)),
            )
            for days in ALERT_AGES
        ),
        Source(
            Standing.ALERTS_BY_AGE,
            Alert.objects.filter(status=Alert.Status.OPEN, ack_due_at__lt=now),
            "branch_id",
            Value("overdue"),
        ),
        Source(Standing.CASES, open_cases, "branch_id", Value("open")),
        Source(Standing.CASES, open_cases.filter(CASE_BREACHED_Q), "branch_id", Value("breached")),
        Source(
            Standing.CASES, open_cases.filter(case_due_soon_q(now)), "branch_id", Value("due_soon")
        ),
        Source(
            Standing.ASSESSMENTS,
            assessments_expiring(Customer.objects.active(), today),
            "branch_id",
            Value(str(ASSESSMENT_EXPIRY_DAYS)),
        ),
        Source(
            Standing.OVERRIDES,
            SaleOverride.objects.filter(status=SaleOverride.Status.PENDING),
            "customer__branch_id",
            Value("pending"),
        ),
        Source(
            Standing.CAMPAIGN_TARGETS,
            CampaignTarget.objects.filter(campaign__status=Campaign.Status.LAUNCHED),
            "branch_id",
            F("status"),
            subject=F("campaign_id"),
        ),
        # The staff table: each member's open alerts, overdue tasks and breached cases.
        Source(
            Standing.STAFF,
            open_alerts.filter(assignee__isnull=False),
            "branch_id",
            Value("alerts_open"),
            subject=F("assignee_id"),
        ),
        Source(
            Standing.STAFF,
            Task.objects.open().filter(due_date__lt=today, assignee__isnull=False),
            "customer__branch_id",
            Value("tasks_overdue"),
            subject=F("assignee_id"),
        ),
        Source(
            Standing.STAFF,
            open_cases.filter(CASE_BREACHED_Q, assignee__isnull=False),
            "branch_id",
            Value("cases_breached"),
            subject=F("assignee_id"),
        ),
    ]
    return sources


def assessments_expiring(customers: CustomerQuerySet, today: dt.date) -> CustomerQuerySet:
    """Customers whose risk assessment is current today but not in ASSESSMENT_EXPIRY_DAYS
    (30) days: the RM should repeat the questionnaire before it lapses (validity:
    customers.models.risk_assessment_cutoff, 12 months)."""
    return customers.filter(
        risk_assessed_on__gt=risk_assessment_cutoff(today),
        risk_assessed_on__lte=risk_assessment_cutoff(
            today + dt.timedelta(days=ASSESSMENT_EXPIRY_DAYS)
        ),
    )


# -- Time per case status ---------------------------------------------------------------------

# For each case opened since %(lo)s, the time it spent in each status it passed through (the
# sum of its spans, a span still running counted up to %(now)s; "closed" is an end state),
# grouped by branch, the day it was opened and the status: n = cases, total = seconds. The
# records behind a figure are /cases/?status=all&passed=<status>&opened_from=…&opened_to=…
CASE_STATUS_TIME_SQL = """
INSERT INTO dashboards_dailyfigure (branch_id, figure, day, key, n, total, computed_at)
WITH spans AS (
    SELECT h.case_id, h.to_status AS status,
           EXTRACT(EPOCH FROM COALESCE(
               LEAD(h.at) OVER (PARTITION BY h.case_id ORDER BY h.at, h.id), %(now)s
           ) - h.at) AS seconds
      FROM feedback_casestatuschange h
      JOIN feedback_case c ON c.id = h.case_id
     WHERE c.opened_at >= %(lo)s
),
per_case AS (
    SELECT case_id, status, sum(seconds) AS seconds
      FROM spans WHERE status <> 'closed' GROUP BY case_id, status
)
SELECT c.branch_id, %(figure)s, (c.opened_at AT TIME ZONE %(tz)s)::date, p.status,
       count(*), round(sum(GREATEST(p.seconds, 0)))::bigint, %(now)s
  FROM per_case p JOIN feedback_case c ON c.id = p.case_id
 GROUP BY c.branch_id, (c.opened_at AT TIME ZONE %(tz)s)::date, p.status
"""


# -- Drill-down links -------------------------------------------------------------------------


@functools.cache
def _path(name: str, args: tuple = ()) -> str:
    """reverse(), remembered: a dashboard builds hundreds of links to the same few lists."""
    return reverse(name, args=args)


def _url(name: str, args: tuple = (), **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "", False)})
    url = _path(name, args)
    return f"{url}?{query}" if query else url


def _days(period) -> dict:
    return {"date_from": period.start.isoformat(), "date_to": period.end.isoformat()}


def feedback_link(*, branch_id: int | None, period, detractors: bool = False) -> str:
    """/feedback/ of the branch (all in scope if None) received in the period."""
    return _url(
        "feedback:feedback_list",
        branch=branch_id,
        detractors="on" if detractors else None,
        **_days(period),
    )


def need_changes_link(*, branch_id: int | None, period, need: str) -> str:
    return _url(
        "dashboards:need_changes", branch=branch_id, need=need, period="custom", **_days(period)
    )


def cases_opened_link(*, branch_id: int | None, period, case_type: str = "") -> str:
    return _url(
        "feedback:case_list",
        scope="branch",
        status="all",
        branch=branch_id,
        case_type=case_type,
        opened_from=period.start.isoformat(),
        opened_to=period.end.isoformat(),
    )


def case_status_link(*, branch_id: int | None, period, status: str) -> str:
    return _url(
        "feedback:case_list",
        scope="branch",
        status="all",
        passed=status,
        branch=branch_id,
        opened_from=period.start.isoformat(),
        opened_to=period.end.isoformat(),
    )


def overrides_link(*, branch_id: int | None, period=None, status: str = "") -> str:
    days = _days(period) if period is not None else {}
    return _url("products:overrides", status=status, branch=branch_id, **days)


def alerts_link(
    *, branch_id: int | None, rule: str = "", age: str = "", assignee: int | None = None
) -> str:
    """/alerts/ (open by default); `age` "7"/"30" (older than), or "overdue"."""
    overdue = age == "overdue"
    return _url(
        "insights:alert_list",
        branch=branch_id,
        rule=rule,
        age="" if overdue or age == "all" else age,
        overdue="on" if overdue else None,
        assignee=assignee,
    )


def cases_link(*, branch_id: int | None, key: str = "", assignee: int | None = None) -> str:
    """/cases/ open cases of the branch: all, breached or due soon."""
    return _url(
        "feedback:case_list",
        scope="branch",
        branch=branch_id,
        breached="on" if key == "breached" else None,
        due_soon="on" if key == "due_soon" else None,
        assignee=assignee,
    )


def tasks_link(*, user_id: int) -> str:
    return reverse("interactions:team_member_tasks", args=[user_id])  # one per member: no cache


def assessments_link(*, branch_id: int | None) -> str:
    return _url("dashboards:assessments_expiring", branch=branch_id)


def campaign_link(*, campaign_id: int, branch_id: int | None, status: str = "") -> str:
    url = _url("products:campaign_detail", args=(campaign_id,), branch=branch_id, status=status)
    return url + "#targets"
