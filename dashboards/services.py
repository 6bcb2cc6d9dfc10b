"""Writes of the dashboards: the worker-computed figures behind the home pages and
/dashboard/ (issue 13 item 6: a dashboard never scans the big tables while a person waits)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, QuerySet
from django.db.models.expressions import Combinable
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import Branch, Staff
from crm.dates import local_day_start
from customers.models import Customer
from dashboards import figures
from dashboards.models import BranchFigures, DailyFigure, StandingFigure
from dashboards.periods import month_start

# Serialises refreshes (a beat run and a manual one): the second waits, then rewrites.
REFRESH_LOCK = 7342


def branch_figures_refresh() -> int:
    """Recompute every branch's counts in two GROUP BY queries and one upsert; returns rows.

    Idempotent: it overwrites, so a rerun or a duplicate delivery changes nothing.
    """
    now = timezone.now()
    customers = dict(
        Customer.objects.active().order_by().values_list("branch_id").annotate(n=Count("pk"))
    )
    staff = dict(
        Staff.objects.active()
        .exclude(branch=None)
        .order_by()
        .values_list("branch_id")
        .annotate(n=Count("pk"))
    )
    rows = [
        BranchFigures(
            branch_id=branch_id,
            customers=customers.get(branch_id, 0),
            staff=staff.get(branch_id, 0),
            computed_at=now,
        )
        for branch_id in Branch.objects.values_list("pk", flat=True)
    ]
    BranchFigures.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["branch"],
        update_fields=["customers", "staff", "computed_at"],
    )
    return len(rows)


def _insert_select(
    table: str, columns: str, outer: str, source_qs: QuerySet[Any, Any], params: list[Any]
) -> int:
    """INSERT INTO table (columns) SELECT <outer> FROM (<source_qs>) — one statement.

    `table`, `columns` and `outer` are this module's constants; the query is Django's, with
    its values as parameters: nothing from a request reaches the SQL text."""
    sql, inner_params = source_qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {outer} FROM ({sql}) AS s",  # noqa: S608
            [*params, *inner_params],
        )
        return cursor.rowcount


def _grouped(source: figures.Source, **extra: Combinable) -> QuerySet[Any, dict[str, Any]]:
    return (
        source.queryset.annotate(fig_branch=F(source.branch), fig_key=source.key, **extra)
        .exclude(fig_branch=None)
        .values("fig_branch", *extra, "fig_key")
        .annotate(fig_n=Count("pk"), fig_total=source.total)
        .order_by()
    )


def daily_figures_refresh(*, since: dt.date, now: dt.datetime | None = None) -> int:
    """Rewrite every DailyFigure from `since` (a day, bank's time zone) to today: one
    INSERT … SELECT … GROUP BY per figure (dashboards.figures.daily_sources, plus the time
    per case status), in one transaction. Returns the rows written.

    Idempotent: the window's rows are deleted and written again, so a rerun, a duplicate
    delivery or a worker killed half-way (the transaction rolls back) leaves the same rows.
    """
    now = now or timezone.now()
    lo = local_day_start(since)
    written = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, 1)", [REFRESH_LOCK])
        DailyFigure.objects.filter(day__gte=since).delete()
        for source in figures.daily_sources():
            window = replace(source, queryset=source.queryset.filter(**{f"{source.at}__gte": lo}))
            qs = _grouped(window, fig_day=TruncDate(source.at))
            written += _insert_select(
                "dashboards_dailyfigure",
                "branch_id, figure, day, key, n, total, computed_at",
                "fig_branch, %s, fig_day, fig_key, fig_n, fig_total, %s",
                qs,
                [source.figure, now],
            )
        with connection.cursor() as cursor:
            cursor.execute(
                figures.CASE_STATUS_TIME_SQL,
                {
                    "figure": DailyFigure.Figure.CASE_STATUS_TIME,
                    "now": now,
                    "lo": lo,
                    "tz": settings.TIME_ZONE,
                },
            )
            written += cursor.rowcount
            # Each branch's feedback per month, from the days (the month `since` falls in is
            # recomputed whole: its earlier days' rows are still there).
            cursor.execute(
                "DELETE FROM dashboards_dailyfigure WHERE figure = %s AND day >= %s",
                [DailyFigure.Figure.FEEDBACK_MONTH, month_start(since)],
            )
            cursor.execute(
                "INSERT INTO dashboards_dailyfigure"
                " (branch_id, figure, day, key, n, total, computed_at)"
                " SELECT branch_id, %s, date_trunc('month', day)::date, key, sum(n), sum(total), %s"
                " FROM dashboards_dailyfigure WHERE figure = %s AND day >= %s"
                " GROUP BY branch_id, date_trunc('month', day), key",
                [
                    DailyFigure.Figure.FEEDBACK_MONTH,
                    now,
                    DailyFigure.Figure.FEEDBACK,
                    month_start(since),
                ],
            )
            written += cursor.rowcount
            # The bank's totals: the branches' rows added up (branch NULL).
            cursor.execute(
                "INSERT INTO dashboards_dailyfigure"
                " (branch_id, figure, day, key, n, total, computed_at)"
                " SELECT NULL, figure, day, key, sum(n), sum(total), %s"
                " FROM dashboards_dailyfigure"
                " WHERE day >= %s AND branch_id IS NOT NULL AND figure <> %s"
                " GROUP BY figure, day, key",
                [now, since, DailyFigure.Figure.FEEDBACK_MONTH],
            )
            written += cursor.rowcount
    return written


def standing_figures_refresh(*, now: dt.datetime | None = None) -> int:
    """Rewrite every StandingFigure (what is open now, per branch, staff member and campaign):
    one INSERT … SELECT … GROUP BY per figure (dashboards.figures.standing_sources), in one
    transaction. Returns the rows written. Idempotent, like daily_figures_refresh."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    written = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, 2)", [REFRESH_LOCK])
        StandingFigure.objects.all().delete()
        for source in figures.standing_sources(now, today):
            written += _insert_select(
                "dashboards_standingfigure",
                "branch_id, figure, subject_id, key, n, computed_at",
                "fig_branch, %s, fig_subject, fig_key, fig_n, %s",
                _grouped(source, fig_subject=source.subject),
                [source.figure, now],
            )
    return written


def figures_refresh(*, days: int | None = None, now: dt.datetime | None = None) -> int:
    """Everything the dashboards read: branch counts, standing figures and the daily figures
    of the last `days` days (settings.DASHBOARD_REFRESH_DAYS by default; the nightly run
    passes DASHBOARD_FULL_DAYS). Returns the rows written. What beat runs (dashboards.tasks).
    """
    now = now or timezone.now()
    days = days if days is not None else settings.DASHBOARD_REFRESH_DAYS
    since = timezone.localdate(now) - dt.timedelta(days=days)
    return (
        branch_figures_refresh()
        + standing_figures_refresh(now=now)
        + daily_figures_refresh(since=since, now=now)
    )
