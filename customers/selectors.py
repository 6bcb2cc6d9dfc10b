"""Reads of the customer database: the querysets pages and tasks need, already aggregated."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any, NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, Role, Staff, person_name, role_of
from crm.history import NO_VALUE, HistoryEntry, history_entries, value_text
from crm.names import person_fields
from crm.paging import COUNT_CAP, bounded_count
from customers import national_id as nid
from customers import search
from customers.access import can_serve_customer
from customers.models import (
    AuditEntry,
    BalanceSnapshot,
    Customer,
    CustomerNeed,
    LifeEvent,
    NeedChange,
    NeedType,
    Relationship,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

UserModel = get_user_model()

ACTIVE = ~Q(status=Customer.Status.ARCHIVED)


def portfolio_summary(*, user: User) -> dict[str, int]:
    """Counts of the user's assigned (non-archived) customers by segment, in one query."""
    segments = {seg.value: Count("pk", filter=Q(segment=seg.value)) for seg in Customer.Segment}
    return (
        Customer.objects.assigned_to(user).filter(ACTIVE).aggregate(total=Count("pk"), **segments)
    )


def assigned_customer_counts(*, user: User) -> dict[int, int]:
    """RM user id → number of non-archived customers assigned, in the branches the user sees."""
    return dict(
        Customer.objects.visible_to(user)
        .filter(ACTIVE, relationship_manager__isnull=False)
        .order_by()
        .values_list("relationship_manager_id")
        .annotate(n=Count("pk"))
    )


# -- The customer list -------------------------------------------------------------------

PAGE_SIZE = 25
MAX_PAGE = 400  # OFFSET pagination: deeper pages are for the export, not for paging
SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "number": ("customer_number",),
    "-number": ("-customer_number",),
}
DEFAULT_SORT = "name"


@dataclass(frozen=True)
class CustomerFilters:
    """What the list shows; built by CustomerFilterForm from the query string."""

    q: str = ""
    segment: str = ""
    status: str = ""
    risk_class: str = ""
    need: int | None = None
    rm: int | None = None
    branch: int | None = None
    mine: bool = False  # an RM's own portfolio rather than the whole branch
    archived: bool = False  # include archived customers
    sort: str = DEFAULT_SORT

    def as_audit_detail(self) -> dict:
        """The filters as an export's audit entry keeps them (a searched number masked)."""
        detail = {k: v for k, v in asdict(self).items() if v not in ("", None, False)}
        if "q" in detail:
            detail["q"] = search.query_for_log(detail["q"])
        return detail


def customer_list(*, user: User, filters: CustomerFilters) -> QuerySet[Customer]:
    """The filtered, sorted customers in the user's scope (every filter is index-backed)."""
    qs = Customer.objects.visible_to(user)
    if filters.mine:
        qs = qs.assigned_to(user)
    if filters.q:
        qs = qs.filter(search.search_filter(filters.q))
    if filters.status:
        qs = qs.filter(status=filters.status)
    elif not filters.archived:
        qs = qs.filter(ACTIVE)
    if filters.segment:
        qs = qs.filter(segment=filters.segment)
    if filters.risk_class == "none":
        qs = qs.filter(risk_class="")
    elif filters.risk_class:
        qs = qs.filter(risk_class=filters.risk_class)
    if filters.rm:
        qs = qs.filter(relationship_manager_id=filters.rm)
    if filters.branch:
        qs = qs.filter(branch_id=filters.branch)
    if filters.need:
        qs = qs.filter(
            Exists(
                CustomerNeed.objects.filter(
                    customer=OuterRef("pk"),
                    need_type_id=filters.need,
                    status=CustomerNeed.Status.ACTIVE,
                )
            )
        )
    sort = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    if filters.q and search.is_name_search(filters.q) and sort[0].lstrip("-") == "name":
        # Rank the bitmap-searched matches instead of walking the name index: matches of a
        # surname (王…) sit together in that index, far from where the walk starts, and
        # LIMIT 26 would read half the table to reach them.
        lower = Lower("name")
        return qs.order_by(lower.desc() if sort[0].startswith("-") else lower.asc(), sort[1])
    return qs.order_by(*sort)


@dataclass(frozen=True)
class CustomerPage:
    rows: list[Customer]
    number: int
    has_next: bool
    has_previous: bool
    total: int  # customers matching, counted up to COUNT_CAP (+1 means "more than")

    @property
    def total_capped(self) -> bool:
        return self.total > COUNT_CAP


def customer_page(*, user: User, filters: CustomerFilters, page: int = 1) -> CustomerPage:
    """One page of the list: LIMIT size+1 tells whether a next page exists; past one page, a
    bounded count gives the total (one more query)."""
    page = max(1, min(page, MAX_PAGE))
    start = (page - 1) * PAGE_SIZE
    matching = customer_list(user=user, filters=filters)
    rows = list(
        matching.select_related("branch", "relationship_manager").defer(
            "address", "search_bigrams", "national_id"
        )[start : start + PAGE_SIZE + 1]
    )
    has_next = len(rows) > PAGE_SIZE
    total = len(rows) if page == 1 and not has_next else bounded_count(matching)
    return CustomerPage(
        rows=rows[:PAGE_SIZE],
        number=page,
        has_next=has_next and page < MAX_PAGE,
        has_previous=page > 1,
        total=total,
    )


@dataclass(frozen=True)
class ListHint:
    """Matches hidden by a filter the user did not think of, and how to see them."""

    reason: str  # "branch" (an RM's own view hid colleagues' customers) or "archived"
    count: int  # up to HINT_CAP (+1 means "more than")
    params: dict  # query parameters to add to show them


HINT_CAP = 100


def customer_list_hints(*, user: User, filters: CustomerFilters) -> list[ListHint]:
    """When a search finds nothing, whether the same search finds customers that the RM's own
    view or the "archived" filter hid (a bounded count each; only for an empty first page)."""
    if not filters.q:
        return []
    hints = []
    if filters.mine:
        wider = replace(filters, mine=False)
        n = bounded_count(customer_list(user=user, filters=wider), HINT_CAP)
        if n:
            hints.append(ListHint("branch", n, {"view": "branch"}))
    if not filters.archived and not filters.status:
        wider = replace(filters, archived=True, mine=False)
        n = bounded_count(
            customer_list(user=user, filters=wider).filter(status="archived"), HINT_CAP
        )
        if n:
            params = {"archived": "1"}
            if filters.mine:
                params["view"] = "branch"
            hints.append(ListHint("archived", n, params))
    return hints


def customer_list_exceeds(*, user: User, filters: CustomerFilters, limit: int) -> bool:
    """Whether the filtered list holds more than `limit` customers (a bounded count)."""
    return customer_list(user=user, filters=filters).order_by()[: limit + 1].count() > limit


def customer_export_rows(*, user: User, filters: CustomerFilters) -> Iterator[Customer]:
    """Every customer the list shows with these filters, streamed from a server-side cursor."""
    return (
        customer_list(user=user, filters=filters)
        .select_related("branch", "relationship_manager")
        .defer("search_bigrams", "national_id")
        .iterator(chunk_size=2000)
    )


def relationship_managers_for(*, user: User, branch_id: int | None = None) -> QuerySet:
    """Active RMs the user may pick (filter, reassignment): own branch, or the chosen one.

    Head office without a chosen branch gets none: thousands of names make no menu.
    """
    staff = Staff.objects.visible_to(user).active_rms()
    if branch_id:
        staff = staff.filter(branch_id=branch_id)
    elif role_of(user) == Role.HEAD_OFFICE:
        return UserModel.objects.none()
    return (
        UserModel.objects.filter(pk__in=staff.values("user_id"))
        .order_by("first_name", "username")
        .only("pk", "username", "first_name", "last_name")
    )


# -- The customer page -------------------------------------------------------------------


def customer_for_page(*, user: User, customer_id: int) -> Customer:
    """The customer with branch and RM, or 404 outside the user's scope."""
    return get_object_or_404(
        Customer.objects.visible_to(user).select_related("branch", "relationship_manager"),
        pk=customer_id,
    )


def customer_by_number(*, user: User, customer_number: str) -> Customer | None:
    """The customer with this CIF number if the user may see it (None otherwise)."""
    return Customer.objects.visible_to(user).filter(customer_number=customer_number).first()


def evidence_digest(evidence: str) -> str:
    """A short fingerprint of a need's evidence text (12 hex digits of its SHA-256).

    The need form carries it in its hidden `needs_loaded` field instead of the text itself
    (up to 2,000 characters per need): the field stays small, and the service can still tell
    whether the evidence changed since the form was opened."""
    return hashlib.sha256(evidence.encode()).hexdigest()[:12]


class NeedState(NamedTuple):
    """A need's priority, status and evidence (as evidence_digest), as a form showed them
    (the need panel's `needs_loaded`)."""

    priority: int
    status: str
    evidence_digest: str


def need_states(*, customer: Customer) -> dict[int, NeedState]:
    """The customer's needs as they are now, by need type id: 1 query."""
    rows = CustomerNeed.objects.filter(customer=customer).values_list(
        "need_type_id", "priority", "status", "evidence"
    )
    return {
        need_type_id: NeedState(priority, status, evidence_digest(evidence))
        for need_type_id, priority, status, evidence in rows
    }


def needs_with_history(*, customer: Customer) -> list[CustomerNeed]:
    """The customer's needs by priority, each with its changes newest first in
    `change_history` (a list): 2 queries.

    Only the columns the page shows are loaded: the joined rows are what makes an ordered
    query expensive to build. A list rather than `need.changes` spares a related manager and
    a filtered queryset per need.
    """
    changes = (
        NeedChange.objects.select_related("changed_by")
        .only(
            "need",
            "changed_at",
            "old_priority",
            "new_priority",
            "old_status",
            "new_status",
            "reason",
            *person_fields("changed_by"),
        )
        .order_by("-changed_at")
    )
    return list(
        CustomerNeed.objects.filter(customer=customer)
        .select_related("need_type")
        .only(
            "priority",
            "source",
            "status",
            "first_identified",
            "last_confirmed",
            "evidence",
            "need_type__name",
        )
        .prefetch_related(Prefetch("changes", queryset=changes, to_attr="change_history"))
        .order_by("status", "-priority", "need_type__sort_order")
    )


def household_for(*, user: User, customer: Customer) -> list[Relationship]:
    """The customer's ties to customers the user may see (others are left out), with the
    related customer's name, number, branch and RM (enough for can_edit_customer).

    A household is a few rows: the scope is checked on each related customer with
    can_serve_customer (the same answer as Customer.objects.visible_to, which
    tests/customers/test_access.py holds together) rather than by a subquery, which cost more
    to build than the rest of the query.
    """
    links = (
        Relationship.objects.filter(customer=customer)
        .select_related("related")
        .only(
            "kind",
            "related__name",
            "related__customer_number",
            "related__branch",
            "related__relationship_manager",
        )
        .order_by("kind", "related__name")
    )
    return [link for link in links if can_serve_customer(user, link.related)]


def life_events_recent(*, customer: Customer, limit: int = 50) -> list[LifeEvent]:
    """The customer's latest `limit` life events, newest first, with what the page shows."""
    return list(
        LifeEvent.objects.filter(customer=customer)
        .only("kind", "event_date", "source", "note")
        .order_by("-event_date")[:limit]
    )


def balances_last_12_months(*, customer: Customer) -> list[BalanceSnapshot]:
    since = timezone.localdate() - dt.timedelta(days=366)
    return list(
        BalanceSnapshot.objects.filter(customer=customer, as_of__gt=since).order_by("as_of")
    )


# The model of Customer's history records. `customer.history` is the same rows, but
# simple-history builds a new manager class on every access (inspect.getmembers of QuerySet),
# which costs more than the customer page's history query itself.
HistoricalCustomer = Customer.history.model

HISTORY_FIELDS = [
    "customer_number",
    "name",
    "date_of_birth",
    "national_id",
    "phone",
    "email",
    "address",
    "occupation",
    "income_band",
    "segment",
    "status",
    "branch",
    "relationship_manager",
    "risk_class",
    "risk_assessed_on",
    "marketing_consent",
    "do_not_contact",
    "preferred_channel",
]


# Why a history record was written (services set `_change_reason`), for display.
CHANGE_REASONS = {
    "archived": _("archived"),
    "restored": _("restored"),
    "reassigned": _("reassigned"),
    "risk assessment": _("risk assessment"),
    "import": _("core-banking import"),
}


def history_value(record: Any, name: str) -> str:
    """A customer field's value as the history (and an edit conflict) shows it: masked where
    personal data (issue 8 item 13). `record`: a Customer or one of its history records."""
    if name == "national_id":
        return nid.mask(record.national_id)
    if name == "phone":
        return nid.mask_phone(record.phone) or NO_VALUE
    return value_text(record, name)


def customer_history(*, customer: Customer, limit: int = 20) -> list[HistoryEntry]:
    """The latest changes to the customer (who, when, why, old → new), in one query.

    National ID and mobile numbers stay masked here too.
    """
    records = (
        HistoricalCustomer.objects.filter(id=customer.pk)
        .select_related("history_user", "branch", "relationship_manager")
        .only(
            *HISTORY_FIELDS,
            "history_date",
            "history_type",
            "history_change_reason",
            *person_fields("history_user"),
            "branch__code",
            "branch__name",
            *person_fields("relationship_manager"),
        )
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    entries = history_entries(
        records, fields=HISTORY_FIELDS, display=history_value, reasons=CHANGE_REASONS
    )
    return entries[:limit]


# -- Personal-data access log ------------------------------------------------------------

# Every access to personal data, with the words the log shows for it.
ACCESS_ACTIONS = {
    "customer.viewed": _("viewed the customer page"),
    "customer.id_revealed": _("revealed the national ID"),
    "customer.phone_revealed": _("revealed the mobile number"),
    "customer.exported": _("exported the customer list"),
    "dashboard.exported": _("exported a dashboard table"),
    "customer.reveal_limited": _("hit the reveal limit"),
    "customer.export_limited": _("hit the export limit"),
    "access_log.exported": _("exported the access log"),
}
ACCESS_PAGE_SIZE = 50


@dataclass(frozen=True)
class AccessLogFilters:
    """The compliance officer's questions: what, who, about which customer, when."""

    action: str = ""
    username: str = ""
    customer_number: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def as_audit_detail(self) -> dict:
        return {
            k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in asdict(self).items()
            if v not in ("", None)
        }


def access_log_entries(*, user: User, filters: AccessLogFilters) -> QuerySet[AuditEntry]:
    """Personal-data accesses in the user's scope matching `filters`, newest first.

    Each filter is served by an index: (actor, -at), (customer, -at), (branch, -at), (-at);
    the user name and customer number are resolved to ids first. The period is in the
    bank's time zone, both days included.
    """
    qs = AuditEntry.objects.visible_to(user).filter(
        action__in=[filters.action] if filters.action else list(ACCESS_ACTIONS)
    )
    if filters.username:
        qs = qs.filter(
            actor_id__in=list(
                UserModel.objects.filter(username=filters.username).values_list("pk", flat=True)[:1]
            )
        )
    if filters.customer_number:
        qs = qs.filter(
            customer_id__in=list(
                Customer.objects.filter(customer_number=filters.customer_number).values_list(
                    "pk", flat=True
                )[:1]
            )
        )
    tz = timezone.get_current_timezone()
    if filters.date_from:
        qs = qs.filter(at__gte=dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=tz))
    if filters.date_to:
        end = filters.date_to + dt.timedelta(days=1)
        qs = qs.filter(at__lt=dt.datetime.combine(end, dt.time.min, tzinfo=tz))
    return (
        qs.select_related("actor", "customer", "branch")
        .only(
            "at",
            "action",
            "detail",
            *person_fields("actor"),
            "customer__id",
            "customer__name",
            "customer__customer_number",
            "branch__code",
        )
        .order_by("-pk")
    )


def access_log_page(
    *, user: User, filters: AccessLogFilters, before_id: int | None = None
) -> tuple[list[AuditEntry], int | None]:
    """A page of the filtered access log, newest first (keyset on id: one query per page).

    Returns the entries and the id to pass as `before_id` for the next page (None at the end).
    """
    qs = access_log_entries(user=user, filters=filters)
    if before_id:
        qs = qs.filter(pk__lt=before_id)
    rows = list(qs[: ACCESS_PAGE_SIZE + 1])
    next_before = rows[ACCESS_PAGE_SIZE - 1].pk if len(rows) > ACCESS_PAGE_SIZE else None
    return rows[:ACCESS_PAGE_SIZE], next_before


def audit_detail_shown(detail: dict | None) -> dict:
    """An audit entry's detail as pages show it: an export's searched number masked, also in
    entries written before exports masked it (search.query_for_log)."""
    detail = dict(detail or {})
    if "q" in detail:
        detail["q"] = search.query_for_log(str(detail["q"]))
    return detail


def access_log_descriptions(entries: list[AuditEntry]) -> dict[int, str]:
    """entry id → its detail in words (the filters of an export), for the access log page.

    Ids in the details (need type, RM, branch) are named in at most three queries whatever
    the page's length. Unknown keys show as "key: value" rather than disappear.
    """
    need_ids, user_ids, branch_ids = set(), set(), set()
    for entry in entries:
        detail = entry.detail or {}
        if isinstance(detail.get("need"), int):
            need_ids.add(detail["need"])
        if isinstance(detail.get("rm"), int):
            user_ids.add(detail["rm"])
        if isinstance(detail.get("branch"), int):
            branch_ids.add(detail["branch"])
    needs = {n.pk: str(n) for n in NeedType.objects.filter(pk__in=need_ids)} if need_ids else {}
    users = (
        {u.pk: person_name(u) for u in UserModel.objects.filter(pk__in=user_ids)}
        if user_ids
        else {}
    )
    branches = (
        {b.pk: str(b) for b in Branch.objects.filter(pk__in=branch_ids)} if branch_ids else {}
    )
    choices = {
        "segment": dict(Customer.Segment.choices),
        "status": dict(Customer.Status.choices),
        "risk_class": dict(Customer.RiskClass.choices),
    }
    sorts = {
        "name": _("by name"),
        "-name": _("by name, Z to A"),
        "number": _("by customer number"),
        "-number": _("by customer number, descending"),
    }
    labels = {
        "segment": _("segment"),
        "status": _("status"),
        "risk_class": _("risk class"),
        "need": _("need"),
        "rm": _("relationship manager"),
        "branch": _("branch"),
        "action": _("action"),
        "username": _("user"),
        "customer_number": _("customer number"),
        "date_from": _("from"),
        "date_to": _("to"),
        "table": _("table"),
    }
    described = {}
    for entry in entries:
        parts = []
        detail = audit_detail_shown(entry.detail)
        if "limit" in detail and "window_minutes" in detail:  # customers.limits, a refusal
            parts.append(
                str(_("more than %(limit)s in %(minutes)s minutes"))
                % {"limit": detail.pop("limit"), "minutes": detail.pop("window_minutes")}
            )
        for key, value in detail.items():
            if key == "q":
                parts.append(str(_("search “%(q)s”")) % {"q": value})
            elif key == "mine" and value:
                parts.append(str(_("own customers only")))
            elif key == "archived" and value:
                parts.append(str(_("archived included")))
            elif key == "sort":
                parts.append(str(_("sorted %(how)s")) % {"how": sorts.get(value, value)})
            elif key in choices:
                parts.append(f"{labels[key]}: {choices[key].get(value, value)}")
            elif key == "need":
                parts.append(f"{labels[key]}: {needs.get(value, value)}")
            elif key == "rm":
                parts.append(f"{labels[key]}: {users.get(value, value)}")
            elif key == "branch":
                parts.append(f"{labels[key]}: {branches.get(value, value)}")
            elif key == "action":
                parts.append(f"{labels[key]}: {ACCESS_ACTIONS.get(value, value)}")
            elif key in labels:
                parts.append(f"{labels[key]}: {value}")
            else:
                parts.append(f"{key}: {value}")
        described[entry.pk] = "; ".join(str(p) for p in parts)
    return described
