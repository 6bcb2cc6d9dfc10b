"""Reads of the customer database: the querysets pages and tasks need, already aggregated."""

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.models import Branch, Role, Staff
from customers.models import Customer

User = get_user_model()

ACTIVE = ~Q(status=Customer.Status.ARCHIVED)


def portfolio_summary(*, user) -> dict[str, int]:
    """Counts of the user's assigned (non-archived) customers by segment, in one query."""
    segments = {seg.value: Count("pk", filter=Q(segment=seg.value)) for seg in Customer.Segment}
    return (
        Customer.objects.assigned_to(user).filter(ACTIVE).aggregate(total=Count("pk"), **segments)
    )


def branch_staff_summary(*, user) -> QuerySet[Staff]:
    """Active staff of the branches the user sees, with their assigned-customer counts."""
    return (
        Staff.objects.visible_to(user)
        .active()
        .exclude(role=Role.HEAD_OFFICE)
        .select_related("user", "branch")
        .annotate(
            n_customers=Count(
                "user__assigned_customers",
                filter=~Q(user__assigned_customers__status=Customer.Status.ARCHIVED),
            )
        )
        .order_by("branch__code", "role", "employee_number")
    )


def _count_per_branch(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT(*) of `queryset` rows for each branch row of the outer query."""
    counted = (
        queryset.filter(branch=OuterRef("pk"))
        .order_by()
        .values("branch")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def branch_summary(*, user) -> QuerySet[Branch]:
    """Branches the user sees, with counts of active staff and of non-archived customers."""
    return (
        Branch.objects.visible_to(user)
        .annotate(
            n_customers=_count_per_branch(Customer.objects.filter(ACTIVE)),
            n_staff=_count_per_branch(Staff.objects.active()),
        )
        .order_by("code")
    )
