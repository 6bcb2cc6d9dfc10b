"""Reads for the alert and score pages: each returns what one page needs, already joined."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.models import Branch, Role, Staff, person_name, role_of
from crm.names import person_fields
from customers.models import NeedType
from insights.models import Alert, AlertRule, ScoreSnapshot
from insights.presenters import rule_name

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def alert_list_for_user(*, user: User, filters: dict, now: dt.datetime | None = None) -> QuerySet:
    """Alerts in the user's scope (Alert.objects.visible_to), filtered, most severe first and,
    within a severity, oldest first (the longest waiting on top).

    filters: status ("open" default, "closed", "all"), rule (code), assignee (user id),
    age (minimum days), overdue (bool), customer (id), branch (id, the customer's).
    """
    now = now or timezone.now()
    qs = Alert.objects.visible_to(user)
    status = filters.get("status") or "open"
    if status == "open":
        qs = qs.open()
    elif status == "closed":
        qs = qs.exclude(status__in=[Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED])
    if filters.get("rule"):
        qs = qs.filter(rule__code=filters["rule"])
    if filters.get("assignee"):
        qs = qs.filter(assignee_id=filters["assignee"])
    if filters.get("age"):
        qs = qs.filter(created_at__lte=now - dt.timedelta(days=int(filters["age"])))
    if filters.get("overdue"):
        qs = qs.filter(status=Alert.Status.OPEN, ack_due_at__lt=now)
    if filters.get("customer"):
        qs = qs.filter(customer_id=filters["customer"])
    if filters.get("branch"):
        qs = qs.filter(branch_id=filters["branch"])
    return (
        qs.select_related("customer", "rule", "assignee")
        .only(
            "id",
            "severity",
            "status",
            "evidence",
            "created_at",
            "ack_due_at",
            "trigger_key",
            "customer__id",
            "customer__name",
            "customer__customer_number",
            "rule__code",
            *person_fields("assignee"),
        )
        .order_by("-severity_rank", "created_at", "id")
    )


def alert_detail(*, user: User, pk: int) -> Alert:
    """One alert in the user's scope, with what its page shows; Alert.DoesNotExist outside."""
    return (
        Alert.objects.visible_to(user)
        .select_related("customer", "rule", "run", "assignee", "closed_by", "task")
        .get(pk=pk)
    )


def need_names(codes: list[str]) -> list[str]:
    """The (translated) names of need types by code, in the given order (one query)."""
    names = {n.code: str(n) for n in NeedType.objects.filter(code__in=codes)}
    return [names.get(code, code) for code in codes]


def rule_choices() -> list[tuple[str, str]]:
    return [(code, rule_name(code)) for code in AlertRule.objects.values_list("code", flat=True)]


def assignee_choices(*, user: User, branch_id: int | None = None) -> list[tuple[int, str]]:
    """The RMs a supervisor (own branch) or head office may filter by; none for RMs. Head
    office picks among one branch's RMs (`branch_id`, the list's branch filter) — a list of
    every RM of the bank is no filter anyone can use (and thousands of options to render)."""
    role = role_of(user)
    if role not in (Role.SUPERVISOR, Role.HEAD_OFFICE):
        return []
    if role == Role.HEAD_OFFICE and branch_id is None:
        return []
    staff = (
        Staff.objects.visible_to(user)
        .filter(role=Role.RM, **({"branch_id": branch_id} if branch_id else {}))
        .select_related("user")
        .order_by("user__username")
    )
    return [(s.user_id, person_name(s.user)) for s in staff]


def branch_choices(*, user: User) -> list[tuple[int, str]]:
    """Head office's branch filter of /alerts/: every branch, by code ("001 Main street"), in
    one query; none for other roles (a supervisor's list is their branch's already)."""
    if role_of(user) != Role.HEAD_OFFICE:
        return []
    rows = Branch.objects.visible_to(user).order_by("code").values_list("pk", "code", "name")
    return [(pk, f"{code} {name}") for pk, code, name in rows]


def rule_precision() -> list[dict[str, Any]]:
    """Per rule: alerts actioned, dismissed, expired and open, and the share actioned of
    those decided (actioned / (actioned + dismissed)): how well its thresholds fit."""
    rows = (
        AlertRule.objects.annotate(
            actioned=Count("alerts", filter=Q(alerts__status="actioned")),
            dismissed=Count("alerts", filter=Q(alerts__status="dismissed")),
            expired=Count("alerts", filter=Q(alerts__status="expired")),
            open=Count("alerts", filter=Q(alerts__status__in=["open", "acknowledged"])),
        )
        .order_by("code")
        .values("code", "version", "actioned", "dismissed", "expired", "open")
    )
    result = []
    for row in rows:
        decided = row["actioned"] + row["dismissed"]
        precision = round(100 * row["actioned"] / decided, 1) if decided else None
        result.append({**row, "name": rule_name(row["code"]), "precision": precision})
    return result


def score_history(*, user: User, staff_id: int, limit: int = 12) -> list[ScoreSnapshot]:
    """The member's latest `limit` snapshots in the user's scope (ScoreSnapshot.visible_to),
    oldest first, each with `rank` and `ranked` (how many were ranked) in its branch for its
    period. Two queries."""
    snapshots = list(
        ScoreSnapshot.objects.visible_to(user)
        .filter(staff_id=staff_id)
        .select_related("staff", "branch")
        .order_by("-period_end")[:limit]
    )
    snapshots.reverse()
    if not snapshots:
        return []
    peers = ScoreSnapshot.objects.filter(
        branch_id__in={s.branch_id for s in snapshots},
        period_end__in=[s.period_end for s in snapshots],
        composite__isnull=False,
    ).values_list("branch_id", "period_end", "composite")
    scores: dict[tuple, list] = {}
    for branch_id, period_end, composite in peers:
        scores.setdefault((branch_id, period_end), []).append(composite)
    for snap in snapshots:
        others = scores.get((snap.branch_id, snap.period_end), [])
        snap.ranked = len(others)
        snap.rank = (
            1 + sum(1 for c in others if c > snap.composite) if snap.composite is not None else None
        )
    return snapshots


def branch_scores(
    *, user: User, period_end: dt.date | None = None, branch_id: int | None = None
) -> tuple[dt.date | None, QuerySet]:
    """The latest period's snapshots in the user's scope (and `branch_id`'s), best first,
    each with `rank` in its branch (1 = best; None without a score): a queryset to paginate,
    ranked by the database (a window function), so a page costs the same for 5,000 staff."""
    visible = ScoreSnapshot.objects.visible_to(user)
    if branch_id is not None:
        visible = visible.filter(branch_id=branch_id)
    if period_end is None:
        period_end = visible.order_by("-period_end").values_list("period_end", flat=True).first()
    if period_end is None:
        return None, visible.none()
    best_first = [F("composite").desc(nulls_last=True), F("staff__username").asc()]
    rows = (
        visible.filter(period_end=period_end)
        .select_related("staff", "branch")
        .annotate(
            row_in_branch=Window(RowNumber(), partition_by=[F("branch_id")], order_by=best_first)
        )
        .annotate(
            rank=Case(
                When(composite__isnull=True, then=Value(None)),
                default=F("row_in_branch"),
                output_field=IntegerField(),
            )
        )
        .order_by(*best_first)
    )
    return period_end, rows
