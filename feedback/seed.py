"""Demo feedback and cases, written with COPY (seed_demo's feedback step).

- about one feedback per two customers over two years, CSAT and NPS drawn from one latent
  satisfaction so they agree, with a realistic tail of detractors (about a quarter NPS 0–6);
- about one case per 50 customers over two years, each with its status history (new →
  acknowledged → in progress [⇄ awaiting customer] → resolved → closed), clocks from the SLA
  policies (feedback.sla.case_due_times, the same function the service uses), some
  extended (with a reason, a few further with a supervisor's approval), some breached and
  escalated to the branch supervisor; the recent ones are still open.

Rows get their ids here, so histories point at their case without a round trip.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from crm.pgcopy import copy_rows, sequence_reset
from feedback.models import SlaPolicy
from feedback.sla import WorkCalendar, case_due_times

HISTORY_DAYS = 730
FEEDBACK_PER_CUSTOMER = 0.5
CUSTOMERS_PER_CASE = 50
CHUNK = 50_000

FEEDBACK_CHANNELS = ["branch_survey"] * 35 + ["online_survey"] * 25 + ["phone_survey"] * 20
FEEDBACK_CHANNELS += ["app"] * 12 + ["hotline"] * 8
FEEDBACK_CATEGORIES = ["attitude"] * 25 + ["waiting"] * 25 + ["process"] * 15 + ["product"] * 12
FEEDBACK_CATEGORIES += ["fees"] * 10 + ["digital"] * 8 + ["other"] * 5
COMMENTS_GOOD = ["服务很周到，谢谢！", "理财经理讲解很清楚。", "办理很快，体验不错。", ""]
COMMENTS_BAD = [
    "排队时间太长了。",
    "手续费说明不清楚。",
    "手机银行经常登录不上。",
    "希望能提前告知产品风险。",
    "同一件事要跑好几趟网点。",
]
CASE_TYPES = ["complaint"] * 50 + ["inquiry"] * 30 + ["service_request"] * 20
SEVERITIES = ["low"] * 20 + ["normal"] * 65 + ["high"] * 15
CASE_CHANNELS = ["branch"] * 35 + ["phone"] * 25 + ["hotline"] * 25 + ["app"] * 10
CASE_CHANNELS += ["letter"] * 3 + ["regulator"] * 2
CASE_CATEGORIES = ["fees", "waiting", "attitude", "process", "product", "digital"]
CASE_CATEGORIES += ["mis_selling", "account", "other"]
CASE_SUBJECTS = {
    "fees": "年费重复扣收",
    "waiting": "网点排队时间过长",
    "attitude": "柜员服务态度问题",
    "process": "业务办理流程繁琐",
    "product": "理财产品收益与宣传不符",
    "digital": "手机银行转账失败",
    "mis_selling": "购买产品时未充分揭示风险",
    "account": "银行卡被冻结",
    "other": "其他问题咨询",
}
ROOT_CAUSES = ["process", "system", "staff_conduct", "communication", "product", "customer"]
ROOT_CAUSES += ["third_party", "none"]


def _hours(rng: random.Random, median: float, spread: float = 1.0) -> dt.timedelta:
    """A log-normal duration around `median` hours (long tail: some steps are slow)."""
    return dt.timedelta(hours=median * math.exp(rng.gauss(0, spread)))


def _scores(rng: random.Random) -> tuple[int | None, int | None]:
    """CSAT 1–5 and NPS 0–10 from one latent satisfaction; sometimes one is missing."""
    latent = min(1.0, max(0.0, rng.betavariate(5, 1.5)))
    csat = min(5, 1 + int(latent * 5))
    nps = max(0, min(10, round(latent * 10 + 0.6 + rng.gauss(0, 1.3))))
    roll = rng.random()
    if roll < 0.15:
        return csat, None
    if roll < 0.3:
        return None, nps
    return csat, nps


def _supervisors() -> dict[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT ON (branch_id) branch_id, user_id FROM accounts_staff "
            "WHERE role = 'supervisor' AND is_active ORDER BY branch_id, employee_number"
        )
        return dict(cursor.fetchall())


def _next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]


def _seed_feedback(rng: random.Random, now: dt.datetime) -> int:
    columns = [
        "customer_id",
        "branch_id",
        "channel",
        "received_at",
        "staff_id",
        "csat",
        "nps",
        "category",
        "comment",
        "created_at",
        "updated_at",
    ]

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, branch_id, relationship_manager_id FROM customers_customer ORDER BY id"
        )
        customers = cursor.fetchall()  # three integers per customer

    def rows():
        for customer_id, branch_id, rm_id in customers:
            if rng.random() >= FEEDBACK_PER_CUSTOMER:
                continue
            csat, nps = _scores(rng)
            at = now - dt.timedelta(seconds=rng.randrange(HISTORY_DAYS * 86400))
            unhappy = (nps is not None and nps <= 6) or (csat is not None and csat <= 2)
            comment = rng.choice(COMMENTS_BAD if unhappy else COMMENTS_GOOD)
            if rng.random() < 0.5:
                comment = ""
            yield (
                customer_id,
                branch_id,
                rng.choice(FEEDBACK_CHANNELS),
                at,
                rm_id,
                csat,
                nps,
                rng.choice(FEEDBACK_CATEGORIES),
                comment,
                at,
                at,
            )

    return copy_rows("feedback_feedback", columns, rows())


CASE_COLUMNS = [
    "id",
    "case_type",
    "customer_id",
    "branch_id",
    "category",
    "severity",
    "channel",
    "subject",
    "description",
    "about_staff_id",
    "assignee_id",
    "opened_by_id",
    "status",
    "opened_at",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "acknowledge_due_at",
    "resolve_due_at",
    "acknowledge_warn_at",
    "resolve_warn_at",
    "paused_at",
    "extension_units",
    "acknowledge_breached",
    "resolve_breached",
    "escalation_level",
    "escalated_to_id",
    "resolution_summary",
    "root_cause",
    "customer_confirmed_satisfied",
    "version",
    "created_at",
    "updated_at",
]
CHANGE_COLUMNS = ["case_id", "from_status", "to_status", "at", "actor_id", "note"]
EVENT_COLUMNS = [
    "case_id",
    "kind",
    "clock",
    "at",
    "actor_id",
    "approved_by_id",
    "units",
    "reason",
    "detail",
]


class _Policy:
    """SlaPolicy's numbers without the ORM (case_due_times reads attributes only)."""

    def __init__(self, policy: SlaPolicy):
        for name in (
            "acknowledge_within",
            "acknowledge_unit",
            "resolve_within",
            "resolve_unit",
            "pause_when_awaiting_customer",
            "extension_with_reason",
            "extension_with_approval",
            "warn_at_percent",
        ):
            setattr(self, name, getattr(policy, name))


def _seed_cases(rng: random.Random, now: dt.datetime) -> tuple[int, int, int, int]:
    policies = {(p.case_type, p.severity): _Policy(p) for p in SlaPolicy.objects.all()}
    supervisors = _supervisors()
    calendar = WorkCalendar(tz=ZoneInfo(settings.TIME_ZONE))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, branch_id, relationship_manager_id FROM customers_customer "
            "WHERE relationship_manager_id IS NOT NULL AND id %% %s = 0 ORDER BY id",
            [CUSTOMERS_PER_CASE],
        )
        sample = cursor.fetchall()
    case_id = _next_id("feedback_case")
    cases, changes, events = [], [], []
    extended = breached = 0
    for customer_id, branch_id, rm_id in sample:
        sup = supervisors.get(branch_id)
        if sup is None:
            continue
        case_type = rng.choice(CASE_TYPES)
        severity = rng.choice(SEVERITIES)
        policy = policies[(case_type, severity)]
        category = rng.choice(CASE_CATEGORIES)
        opened = now - dt.timedelta(seconds=rng.randrange(HISTORY_DAYS * 86400))
        about = rm_id if case_type == "complaint" and rng.random() < 0.05 else None
        assignee = sup if about else rm_id
        # The path through the workflow, each step after a (log-normal) while.
        steps = [("acknowledged", _hours(rng, 4, 1.1)), ("in_progress", _hours(rng, 6, 1.0))]
        pauses = []
        if rng.random() < 0.3:
            steps.append(("awaiting_customer", _hours(rng, 24, 0.8)))
            steps.append(("in_progress", _hours(rng, 60, 0.9)))
        steps.append(("resolved", _hours(rng, 110, 0.9)))
        steps.append(("closed", _hours(rng, 30, 0.8)))
        units = 0
        if policy.extension_with_reason and rng.random() < 0.08:
            units = policy.extension_with_reason
            if rng.random() < 0.2:
                units += policy.extension_with_approval
        history = [("", "new", opened)]
        at = opened
        for status, wait in steps:
            at += wait
            if at > now:
                break
            history.append((history[-1][1], status, at))
        status = history[-1][1]
        entered = None
        for _from, to, when in history:
            if to == "awaiting_customer":
                entered = when
            elif entered is not None:
                pauses.append((entered, when))
                entered = None
        if entered is not None:
            pauses.append((entered, None))
        due = case_due_times(
            opened_at=opened,
            policy=policy,
            extension_units=units,
            pauses=pauses,
            calendar=calendar,
        )
        times = {to: when for _f, to, when in history}
        ack_at = times.get("acknowledged")
        resolved_at = times.get("resolved")
        closed_at = times.get("closed")
        ack_late = (ack_at or now) > due.acknowledge_due_at
        resolve_due = due.resolve_due_at
        resolve_late = resolve_due is not None and (resolved_at or now) > resolve_due
        level = int(ack_late) + int(resolve_late)
        breached += bool(level)
        extended += bool(units)
        complaint_closed = case_type == "complaint" and status == "closed"
        cases.append(
            (
                case_id,
                case_type,
                customer_id,
                branch_id,
                category,
                severity,
                rng.choice(CASE_CHANNELS),
                CASE_SUBJECTS[category],
                f"客户反映：{CASE_SUBJECTS[category]}，请尽快核实处理。",
                about,
                assignee,
                rm_id,
                status,
                opened,
                ack_at,
                resolved_at if status in ("resolved", "closed") else None,
                closed_at if status == "closed" else None,
                due.acknowledge_due_at,
                resolve_due,
                due.acknowledge_warn_at,
                due.resolve_warn_at,
                pauses[-1][0] if pauses and pauses[-1][1] is None else None,
                units,
                ack_late,
                resolve_late,
                level,
                sup if level else None,
                "已与客户沟通并完成处理。" if status in ("resolved", "closed") else "",
                rng.choice(ROOT_CAUSES) if complaint_closed else "",
                (rng.random() < 0.85) if complaint_closed else None,
                len(history),
                opened,
                history[-1][2],
            )
        )
        for from_status, to_status, when in history:
            actor = rm_id if to_status == "new" else assignee
            changes.append((case_id, from_status, to_status, when, actor, ""))
        if units:
            first = min(units, policy.extension_with_reason)
            when = opened + dt.timedelta(days=10)
            events.append(
                (case_id, "extended", "", when, assignee, None, first, "需向发卡机构调取凭证", "{}")
            )
            if units > first:
                events.append(
                    (
                        case_id,
                        "extended",
                        "",
                        when + dt.timedelta(days=12),
                        sup,
                        sup,
                        units - first,
                        "涉及司法查询，经主管批准延期",
                        "{}",
                    )
                )
        for clock, late, due_at, warn_at in (
            ("acknowledge", ack_late, due.acknowledge_due_at, due.acknowledge_warn_at),
            ("resolve", resolve_late, resolve_due, due.resolve_warn_at),
        ):
            stopped = (ack_at if clock == "acknowledge" else resolved_at) or now
            if warn_at is not None and warn_at < stopped:
                events.append((case_id, "warned", clock, warn_at, None, None, None, "", "{}"))
            if late:
                events.append((case_id, "breached", clock, due_at, None, None, None, "", "{}"))
        case_id += 1
    copy_rows("feedback_case", CASE_COLUMNS, cases)
    copy_rows("feedback_casestatuschange", CHANGE_COLUMNS, changes)
    copy_rows("feedback_caseevent", EVENT_COLUMNS, events)
    for table in ("feedback_case", "feedback_casestatuschange", "feedback_caseevent"):
        sequence_reset(table)
    return len(cases), len(changes), extended, breached


def seed_step(ctx) -> str:
    """seed_demo's feedback step: `ctx.rng` (random.Random) and `ctx.today` are used.

    Returns the one-line summary seed_demo prints.
    """
    rng = random.Random(ctx.rng.random())
    tz = ZoneInfo(settings.TIME_ZONE)
    now = dt.datetime.combine(ctx.today, dt.time(18), tzinfo=tz)
    n_feedback = _seed_feedback(rng, now)
    n_cases, n_changes, n_extended, n_breached = _seed_cases(rng, now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE feedback_feedback, feedback_case, feedback_casestatuschange")
    return (
        f"{n_feedback} feedback, {n_cases} cases ({n_changes} status changes, "
        f"{n_extended} extended, {n_breached} breached and escalated)"
    )
