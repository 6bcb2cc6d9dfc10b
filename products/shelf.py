"""The effective-dated shelf: which version of a product was in effect on a date.

A ProductVersion is in effect from its `effective_from` until the next version of the same
product begins. Versions are only added, never changed (products.services.product_shelf_change
refuses a date in the past), so every question about a past date keeps its answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from products.models import Product, ProductVersion

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


@dataclass(frozen=True)
class ShelfState:
    """A product's state on one date, as the shelf recorded it."""

    product_id: int
    on: dt.date
    version: ProductVersion | None  # None: the product was not on the shelf yet
    on_sale: bool
    risk_level: str  # "R1"…"R5", "" before the first version
    status: str  # ProductVersion.Status, "" before the first version


def version_on(product: Product | int, on: dt.date) -> ProductVersion | None:
    """The product's shelf version in effect on `on` (one indexed query), or None if none yet."""
    product_id = product if isinstance(product, int) else product.pk
    return (
        ProductVersion.objects.filter(product_id=product_id, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


def shelf_on(product: Product | int, on: dt.date | None = None) -> ShelfState:
    """Was `product` on sale on date `on` (default today), and at which risk level?

    The regulator's and the complaint investigator's question, answered from the shelf
    history: the version in effect that day decides the status and risk level, and "on sale"
    also needs the day inside that version's sale window. One query.
    """
    on = on or timezone.localdate()
    version = version_on(product, on)
    product_id = product if isinstance(product, int) else product.pk
    if version is None:
        return ShelfState(product_id, on, None, False, "", "")
    return ShelfState(
        product_id, on, version, version.on_sale_on(on), version.risk_level, version.status
    )


def versions_in_effect(on: dt.date) -> QuerySet[ProductVersion]:
    """Every product's version in effect on `on` (one row per product, set-based)."""
    return (
        ProductVersion.objects.filter(effective_from__lte=on)
        .order_by("product_id", "-effective_from")
        .distinct("product_id")
    )


class ShelfAnnotations(TypedDict):
    """What with_shelf adds to each product (None before its first version)."""

    shelf_version_id: int | None
    shelf_risk_level: str | None
    shelf_status: str | None
    shelf_sale_start: dt.date | None
    shelf_sale_end: dt.date | None


def with_shelf(
    products: QuerySet[Product], on: dt.date
) -> QuerySet[WithAnnotations[Product, ShelfAnnotations]]:
    """Annotate `shelf_version_id`, `shelf_risk_level`, `shelf_status`, `shelf_sale_start`,
    `shelf_sale_end` in effect on `on`: the catalogue's list in one query."""
    current = ProductVersion.objects.filter(
        product=OuterRef("pk"), effective_from__lte=on
    ).order_by("-effective_from")
    return products.annotate(
        shelf_version_id=Subquery(current.values("pk")[:1]),
        shelf_risk_level=Subquery(current.values("risk_level")[:1]),
        shelf_status=Subquery(current.values("status")[:1]),
        shelf_sale_start=Subquery(current.values("sale_start")[:1]),
        shelf_sale_end=Subquery(current.values("sale_end")[:1]),
    )


# The same rule in SQL, for set-based use: alias `pv` is the version in effect on %(on)s.
# products.suitability.suitable_where_sql (with ON_SALE_SQL), the campaign launch, the
# suitable-products list, the alert engine's suggested products and the demo seed use it.
VERSION_ON_SQL = """
    SELECT DISTINCT ON (v.product_id) v.*
      FROM products_productversion v
     WHERE v.effective_from <= %(on)s
     ORDER BY v.product_id, v.effective_from DESC
"""
ON_SALE_SQL = (
    "(pv.status = 'on_sale' AND (pv.sale_start IS NULL OR pv.sale_start <= %(on)s) "
    "AND (pv.sale_end IS NULL OR %(on)s <= pv.sale_end))"
)
