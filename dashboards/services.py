"""Writes of the dashboards: the worker-computed figures behind the home pages."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from accounts.models import Branch, Staff
from customers.models import Customer
from dashboards.models import BranchFigures


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
