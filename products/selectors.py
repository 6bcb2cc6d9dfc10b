"""Reads of the products app: what each page or panel needs, already joined and annotated."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.postgres.aggregates import ArrayAgg
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import Role, branch_id_of, role_of
from crm.dates import local_day_start
from customers.models import Customer
from products.models import (
    Campaign,
    CampaignTarget,
    Holding,
    Product,
    ProductVersion,
    Recommendation,
    RiskOption,
    RiskQuestionnaire,
    SaleOverride,
    risk_rank,
)
from products.shelf import VERSION_ON_SQL, with_shelf
from products.suitability import Purpose, assessment_current, suitable_where_sql

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PRODUCTS_PER_PAGE = 50


@dataclass(frozen=True)
class ProductFilters:
    q: str = ""
    category: str = ""
    risk_level: str = ""
    need: int | None = None
    on_sale: bool = False


def product_page(*, user: User, filters: ProductFilters, page: int = 1) -> Page:
    """The catalogue as the viewer filters it, with the shelf state of today (two queries:
    the page and its count; needs served are one more, prefetched)."""
    today = timezone.localdate()
    qs = with_shelf(Product.objects.visible_to(user), today)
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(Q(code__istartswith=q) | Q(name__icontains=q))
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.risk_level:
        qs = qs.filter(shelf_risk_level=filters.risk_level)
    if filters.need:
        qs = qs.filter(need_types=filters.need)
    if filters.on_sale:
        qs = qs.filter(shelf_status=ProductVersion.Status.ON_SALE).filter(
            Q(shelf_sale_start__isnull=True) | Q(shelf_sale_start__lte=today),
            Q(shelf_sale_end__isnull=True) | Q(shelf_sale_end__gte=today),
        )
    qs = qs.annotate(need_names=ArrayAgg("need_types__name", default=[], distinct=True))
    return Paginator(qs.order_by("code"), PRODUCTS_PER_PAGE).get_page(page)


def product_holders_in_scope(*, user: User, product: Product) -> tuple[int, int]:
    """(customers holding `product` now, active holdings) among the customers the viewer
    may see. One query."""
    counts = (
        Holding.objects.visible_to(user)
        .filter(product=product, status=Holding.Status.ACTIVE)
        .aggregate(customers=Count("customer_id", distinct=True), holdings=Count("id"))
    )
    return counts["customers"], counts["holdings"]


def product_versions(*, product: Product) -> list[ProductVersion]:
    """The product's shelf history, newest first."""
    return list(product.versions.select_related("recorded_by").order_by("-effective_from"))


@dataclass(frozen=True)
class HoldingRow:
    holding: Holding
    risk_level: str  # the product's level today, from the shelf
    above_class: bool  # flagged: the level is above the customer's class (or no class)


def holdings_for_customer(*, customer: Customer, on: dt.date | None = None) -> list[HoldingRow]:
    """The customer's active holdings with each product's risk level today and a flag when
    it is above the customer's class. One query."""
    on = on or timezone.localdate()
    qs = Holding.objects.filter(customer=customer, status=Holding.Status.ACTIVE).select_related(
        "product"
    )
    qs = qs.annotate(
        risk_level=_version_field_on("risk_level", on),
    ).order_by("maturity_date", "pk")
    klass = risk_rank(customer.risk_class)
    return [
        HoldingRow(h, h.risk_level or "", bool(h.risk_level) and risk_rank(h.risk_level) > klass)
        for h in qs
    ]


def _version_field_on(name: str, on: dt.date) -> Subquery:
    """The field `name` of the product's shelf version in effect on `on` (for a holding)."""
    return Subquery(
        ProductVersion.objects.filter(product=OuterRef("product_id"), effective_from__lte=on)
        .order_by("-effective_from")
        .values(name)[:1]
    )


@dataclass(frozen=True)
class SuitableProduct:
    product: Product
    risk_level: str
    priority: int  # the highest priority among the customer's needs it serves
    need_ids: list[int]


def suitable_products_for(
    *, customer: Customer, on: dt.date | None = None, limit: int = 10
) -> list[SuitableProduct]:
    """On-sale products serving the customer's active needs, suitable for the customer and not
    already held, highest need priority first: one set-based query (suitability in its SQL
    form, products.suitability.suitable_where_sql), plus one for the products' rows."""
    on = on or timezone.localdate()
    if not assessment_current(customer, on):
        return []  # nothing is suitable without a current assessment: skip the query
    where, params = suitable_where_sql(on=on, purpose=Purpose.RECOMMENDATION)
    sql = f"""
        WITH pv AS ({VERSION_ON_SQL})
        SELECT p.id, pv.risk_level, MAX(n.priority) AS priority,
               ARRAY_AGG(n.need_type_id ORDER BY n.priority DESC) AS need_ids
          FROM customers_customer c
          JOIN customers_customerneed n ON n.customer_id = c.id AND n.status = 'active'
          JOIN products_product_need_types pn ON pn.needtype_id = n.need_type_id
          JOIN products_product p ON p.id = pn.product_id
          JOIN pv ON pv.product_id = p.id
         WHERE c.id = %(customer)s
           AND {where}
           AND NOT EXISTS (
               SELECT 1 FROM products_holding h
                WHERE h.customer_id = c.id AND h.product_id = p.id AND h.status = 'active')
         GROUP BY p.id, pv.risk_level
         ORDER BY MAX(n.priority) DESC, p.code
         LIMIT %(limit)s
    """  # noqa: S608 - fixed SQL; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "customer": customer.pk, "limit": limit})
        rows = cursor.fetchall()
    products = Product.objects.in_bulk([r[0] for r in rows])
    return [SuitableProduct(products[r[0]], r[1], r[2], list(r[3])) for r in rows]


def recommendations_for_customer(*, customer: Customer, limit: int = 20) -> list[Recommendation]:
    """The customer's latest recommendations with product, author and the names of the needs
    served (`need_names`, untranslated). One query."""
    return list(
        Recommendation.objects.filter(customer=customer)
        .select_related("product", "recommended_by")
        .annotate(need_names=ArrayAgg("needs__name", default=[]))
        .order_by("-recommended_at")[:limit]
    )


def product_choices() -> list[tuple[str | int, str]]:
    """(id, "code name") of every product, for the customer page's product selects: one query
    shared by the panels' forms instead of one per form."""
    products = Product.objects.only("id", "code", "name").order_by("code")
    return [("", "---------"), *((p.pk, str(p)) for p in products)]


def questionnaire_in_use_questions() -> tuple[RiskQuestionnaire | None, list]:
    """The questionnaire in use and its [(question, [options])] in order. One query."""
    options = list(
        RiskOption.objects.filter(question__questionnaire__is_active=True)
        .select_related("question__questionnaire")
        .order_by("question__position", "position")
    )
    if not options:
        return RiskQuestionnaire.objects.filter(is_active=True).first(), []
    questions: dict[int, tuple] = {}
    for option in options:
        questions.setdefault(option.question_id, (option.question, []))[1].append(option)
    return options[0].question.questionnaire, list(questions.values())


def overrides_for_user(*, user: User, filters: dict | None = None) -> QuerySet[SaleOverride]:
    """Above-class purchases in the viewer's scope, awaiting sign-off first, newest first.

    filters: status, date_from / date_to (the day requested, bank's time zone, inclusive),
    branch (id, of the customer).
    """
    filters = filters or {}
    qs = SaleOverride.objects.visible_to(user)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("date_from"):
        qs = qs.filter(created_at__gte=local_day_start(filters["date_from"]))
    if filters.get("date_to"):
        qs = qs.filter(created_at__lt=local_day_start(filters["date_to"] + dt.timedelta(days=1)))
    if filters.get("branch"):
        qs = qs.filter(customer__branch_id=filters["branch"])
    return (
        qs.select_related("customer", "product", "requested_by", "decided_by").order_by(
            "-status", "-created_at"
        )  # "pending" sorts after "approved"/"rejected"
    )


TARGETS_PER_PAGE = 50


def campaigns_for_user(*, user: User) -> list[Campaign]:
    """Campaigns the viewer may see, newest first, each with the viewer's own open targets
    (`my_open`) and targets in the viewer's scope (`in_scope`). One query."""
    role = role_of(user)
    scope = Q() if role == Role.HEAD_OFFICE else Q(targets__branch_id=branch_id_of(user))
    return list(
        Campaign.objects.visible_to(user)
        .select_related("owner", "branch")
        .annotate(
            in_scope=Count("targets", filter=scope),
            my_open=Count(
                "targets",
                filter=Q(targets__assigned_to=user)
                & Q(targets__status__in=["to_contact", "contacted", "interested"]),
            ),
        )
        .order_by("-starts_on", "-pk")[:100]
    )


def campaign_targets_page(
    *, user: User, campaign: Campaign, status: str = "", branch_id: int | None = None, page: int = 1
) -> Page:
    """The targets the viewer works: an RM their own, a supervisor the branch's, head office
    all (or one branch's); optionally of one status. Two queries (page, count)."""
    qs = CampaignTarget.objects.visible_to(user).filter(campaign=campaign)
    if role_of(user) == Role.RM:
        qs = qs.filter(assigned_to=user)
    if status:
        qs = qs.filter(status=status)
    if branch_id is not None:
        qs = qs.filter(branch_id=branch_id)
    qs = qs.select_related("customer", "assigned_to").order_by("status", "customer__name", "pk")
    return Paginator(qs, TARGETS_PER_PAGE).get_page(page)
