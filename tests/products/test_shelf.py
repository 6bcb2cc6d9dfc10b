"""The effective-dated shelf: the past is never overwritten."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from products import services
from products.models import Product, ProductVersion
from products.shelf import shelf_on, versions_in_effect

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _product(head_office, **kw):
    fields = {
        "code": "WMP-S1",
        "name": "稳享90天",
        "category": Product.Category.WMP,
        "currency": "CNY",
        "minimum_investment": 10000,
        "risk_level": "R2",
        "status": "on_sale",
        "effective_from": TODAY() - dt.timedelta(days=100),
    }
    fields.update(kw)
    return services.product_create(actor=head_office, **fields)


def test_was_on_sale_at_which_level_on_a_date(head_office):
    product = _product(head_office)
    # Simulate a history: a re-rating to R3 sixty days ago and a closure ten days ago.
    ProductVersion.objects.create(
        product=product,
        effective_from=TODAY() - dt.timedelta(days=60),
        risk_level="R3",
        status="on_sale",
    )
    ProductVersion.objects.create(
        product=product,
        effective_from=TODAY() - dt.timedelta(days=10),
        risk_level="R3",
        status="closed",
    )
    before = shelf_on(product, TODAY() - dt.timedelta(days=80))
    assert (before.on_sale, before.risk_level) == (True, "R2")
    middle = shelf_on(product, TODAY() - dt.timedelta(days=60))
    assert (middle.on_sale, middle.risk_level) == (True, "R3")
    now = shelf_on(product)
    assert (now.on_sale, now.risk_level, now.status) == (False, "R3", "closed")
    unlisted = shelf_on(product, TODAY() - dt.timedelta(days=101))
    assert (unlisted.version, unlisted.on_sale) == (None, False)


def test_a_shelf_change_adds_a_version_and_keeps_the_past(head_office):
    product = _product(head_office)
    tomorrow = TODAY() + dt.timedelta(days=1)
    services.product_shelf_change(
        actor=head_office,
        product=product,
        effective_from=tomorrow,
        risk_level="R4",
        status="on_sale",
        sale_start=None,
        sale_end=None,
        note="issuer re-rating",
    )
    assert product.versions.count() == 2
    assert shelf_on(product).risk_level == "R2"  # today still as it was
    assert shelf_on(product, tomorrow).risk_level == "R4"


def test_a_shelf_change_cannot_rewrite_the_past(head_office):
    product = _product(head_office)
    with pytest.raises(ValidationError, match="never in the past"):
        services.product_shelf_change(
            actor=head_office,
            product=product,
            effective_from=TODAY() - dt.timedelta(days=1),
            risk_level="R1",
            status="on_sale",
            sale_start=None,
            sale_end=None,
        )
    assert product.versions.count() == 1


def test_two_changes_on_one_day_are_refused(head_office):
    product = _product(head_office, effective_from=TODAY())
    with pytest.raises(ValidationError, match="already has a shelf change"):
        services.product_shelf_change(
            actor=head_office,
            product=product,
            effective_from=TODAY(),
            risk_level="R1",
            status="on_sale",
            sale_start=None,
            sale_end=None,
        )


def test_only_head_office_manages_the_catalogue(head_office, supervisor):
    product = _product(head_office)
    with pytest.raises(PermissionDenied):
        services.product_shelf_change(
            actor=supervisor,
            product=product,
            effective_from=TODAY(),
            risk_level="R1",
            status="on_sale",
            sale_start=None,
            sale_end=None,
        )


def test_versions_in_effect_is_one_per_product(head_office):
    product = _product(head_office)
    services.product_shelf_change(
        actor=head_office,
        product=product,
        effective_from=TODAY(),
        risk_level="R3",
        status="on_sale",
        sale_start=None,
        sale_end=None,
    )
    rows = list(versions_in_effect(TODAY()))
    assert [(v.product_id, v.risk_level) for v in rows] == [(product.pk, "R3")]
