"""Reads of interactions and tasks: what each page needs, in a constant number of queries."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import (
    Count,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Role, Staff, person_name
from crm.history import (
    NO_VALUE,
    FieldChange,
    HistoryEntry,
    HistoryRecord,
    field_label,
    history_entries,
)
from customers.models import Customer, CustomerNeed, CustomerQuerySet, NeedType
from interactions.models import Interaction, Task
from products.models import Product

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CONTACT_GAP_DAYS = 90
CONTACT_SEGMENTS = [Customer.Segment.AFFLUENT, Customer.Segment.HNW, Customer.Segment.PRIVATE]
TASK_GROUP_SIZE = 50  # rows shown per group on /tasks/; the counts are always complete
# The history record of a logging is written in the logging's transaction, moments later.
LOGGING_SLACK = dt.timedelta(minutes=1)


def need_types_active() -> list[NeedType]:
    return list(NeedType.objects.filter(is_active=True).order_by("sort_order", "code"))


def need_priorities_for(*, customer: Customer) -> dict[int, int]:
    """need type id → current priority of the customer's recorded needs (one query)."""
    return dict(
        CustomerNeed.objects.filter(customer=customer).values_list("need_type_id", "priority")
    )


def interaction_detail(*, user: User, pk: int) -> Interaction:
    """One interaction in the user's scope, with what its page shows (raises DoesNotExist)."""
    return (
        Interaction.objects.visible_to(user)
        .select_related("customer", "staff")
        .prefetch_related("needs", "follow_ups__assignee")
        .get(pk=pk)
    )


def interaction_history(*, interaction: Interaction) -> list[HistoryEntry]:
    """The interaction's versions, newest first, each with what changed (two queries).

    Kinds: "+" logged, "~" changed, "=" recorded without a change history. Interactions
    written in bulk (seeded, imported, migrated) have no history rows, or their first row is a
    later edit: the list then ends with the interaction's own creation ("="), attributed to
    the staff member it names, so every interaction's page shows when and by whom it was
    recorded.
    """
    records = list(
        interaction.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    # The needs of every version at once (simple-history keeps them in their own table).
    need_rows = apps.get_model("interactions", "HistoricalInteraction_needs").objects.filter(
        history__in=[r.history_id for r in records]
    )
    needs_of: dict[int, list[str]] = defaultdict(list)
    for row in need_rows.select_related("needtype").order_by("needtype__sort_order"):
        needs_of[row.history_id].append(str(row.needtype))

    def needs_changed(older: HistoryRecord, newer: HistoryRecord) -> list[FieldChange]:
        old, new = needs_of[older.history_id], needs_of[newer.history_id]
        if old == new:
            return []
        text = [", ".join(needs) or NO_VALUE for needs in (old, new)]
        return [FieldChange(label=field_label(Interaction, "needs"), old=text[0], new=text[1])]

    versions = history_entries(records, more_changes=needs_changed)
    bulk_written = not records or records[-1].history_date > interaction.created_at + LOGGING_SLACK
    if versions:
        # The oldest version is the logging itself (a service saves the row and its needs
        # first and writes the history record afterwards, which simple-history types "~"),
        # or, for an interaction written in bulk, its first edit.
        versions[-1] = dataclasses.replace(versions[-1], kind="~" if bulk_written else "+")
    if bulk_written:
        versions.append(
            HistoryEntry(
                at=interaction.created_at,
                by=person_name(interaction.staff),
                kind="=",
                reason="",
                changes=[],
            )
        )
    return versions


# -- Tasks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskBoard:
    today: dt.date
    overdue: list[Task]
    due_today: list[Task]
    upcoming: list[Task]
    n_overdue: int
    n_today: int
    n_upcoming: int


def _task_rows(qs: QuerySet[Task]) -> QuerySet[Task]:
    return qs.select_related("customer", "interaction").only(
        "id",
        "title",
        "due_date",
        "status",
        "origin",
        "created_at",
        "assignee_id",
        "customer__id",
        "customer__name",
        "customer__customer_number",
        "customer__segment",
        "interaction__id",
        "interaction__subject",
    )


def task_board(*, user: User, assignee: User) -> TaskBoard:
    """`assignee`'s open tasks (of customers `user` may see) as overdue / today / upcoming.

    Four queries: the three counts in one, then up to TASK_GROUP_SIZE rows of each group.
    """
    today = timezone.localdate()
    tasks = Task.objects.visible_to(user).open().filter(assignee=assignee)
    counts = tasks.aggregate(
        n_overdue=Count("pk", filter=Q(due_date__lt=today)),
        n_today=Count("pk", filter=Q(due_date=today)),
        n_upcoming=Count("pk", filter=Q(due_date__gt=today)),
    )
    rows = _task_rows(tasks)
    return TaskBoard(
        today=today,
        overdue=list(rows.filter(due_date__lt=today).order_by("due_date", "id")[:TASK_GROUP_SIZE]),
        due_today=list(rows.filter(due_date=today).order_by("id")[:TASK_GROUP_SIZE]),
        upcoming=list(rows.filter(due_date__gt=today).order_by("due_date", "id")[:TASK_GROUP_SIZE]),
        **counts,
    )


def _count_open_tasks(condition: Q) -> Coalesce:
    counted = (
        Task.objects.open()
        .filter(condition, assignee=OuterRef("user_id"))
        .order_by()
        .values("assignee")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _count_to_contact(now: dt.datetime) -> Coalesce:
    counted = (
        contact_gap(Customer.objects.all(), now=now)
        .filter(relationship_manager=OuterRef("user_id"))
        .order_by()
        .values("relationship_manager")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def team_staff(*, user: User) -> QuerySet[Staff]:
    """Active branch staff the user sees (head office: every branch's), in table order."""
    return (
        Staff.objects.visible_to(user)
        .active()
        .exclude(role=Role.HEAD_OFFICE)
        .order_by("branch__code", "role", "employee_number")
    )


def with_task_counts(staff: QuerySet[Staff]) -> QuerySet[Staff]:
    """The given staff (pass ONE PAGE, e.g. a slice of team_staff), each with open / overdue /
    due-today task counts and, for RMs, the number of customers to contact.

    One query: the page is a sub-select, so the per-row counts (correlated subqueries) run for
    the rows of the page only, never for the rows an OFFSET skips.
    """
    today = timezone.localdate()
    return (
        Staff.objects.filter(pk__in=staff.values("pk"))
        .select_related("user", "branch")
        .annotate(
            n_open=_count_open_tasks(Q()),
            n_overdue=_count_open_tasks(Q(due_date__lt=today)),
            n_today=_count_open_tasks(Q(due_date=today)),
            n_to_contact=_count_to_contact(timezone.now()),
        )
        .order_by("branch__code", "role", "employee_number")
    )


def team_member(*, user: User, user_id: int) -> Staff:
    """A member of staff the user may supervise (raises Staff.DoesNotExist outside scope)."""
    return (
        Staff.objects.visible_to(user)
        .exclude(role=Role.HEAD_OFFICE)
        .select_related("user", "branch")
        .get(user_id=user_id)
    )


def task_reschedules(*, task: Task) -> QuerySet:
    return task.reschedules.select_related("by").order_by("-at")


# -- Customers to contact --------------------------------------------------------------------


def contact_gap(customers: CustomerQuerySet, *, now: dt.datetime) -> QuerySet[Customer]:
    """Of `customers`: the non-archived, contactable affluent-or-above ones whose last
    interaction is older than CONTACT_GAP_DAYS (or who never had one), annotated with
    `last_contact_at`.

    The last contact is one probe of interaction_customer_time_idx per customer, so the cost
    follows the size of the portfolio, not of the interaction table.
    """
    cutoff = now - dt.timedelta(days=CONTACT_GAP_DAYS)
    last = (
        Interaction.objects.filter(customer=OuterRef("pk"))
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    return (
        customers.active()
        .filter(segment__in=CONTACT_SEGMENTS, do_not_contact=False)
        .annotate(last_contact_at=Subquery(last, output_field=DateTimeField()))
        .filter(Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=cutoff))
    )


def customers_to_contact(*, user: User, rm: User) -> QuerySet[Customer]:
    """`rm`'s assigned customers to contact (within `user`'s scope), never-contacted first,
    then the longest without contact."""
    return (
        contact_gap(Customer.objects.visible_to(user).assigned_to(rm), now=timezone.now())
        .only("id", "name", "customer_number", "segment", "phone", "preferred_channel")
        .order_by(F("last_contact_at").asc(nulls_first=True), "id")
    )


def relationship_managers_visible_to(*, user: User) -> QuerySet[Staff]:
    return (
        Staff.objects.visible_to(user)
        .active_rms()
        .select_related("user", "branch")
        .order_by("branch__code", "employee_number")
    )


def products_discussed(*, interaction: Interaction) -> list[Product]:
    """The catalogue products whose codes the interaction lists, in its order (one query)."""
    if not interaction.product_codes:
        return []
    found = {p.code: p for p in Product.objects.filter(code__in=interaction.product_codes)}
    return [found[c] for c in interaction.product_codes if c in found]
