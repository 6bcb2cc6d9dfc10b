import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from products.models import Product, ProductVersion


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"WMP-T{n:04d}")
    name = factory.Sequence(lambda n: f"稳健理财{n}号")
    category = Product.Category.WMP
    currency = "CNY"
    expected_yield = Decimal("3.200")
    term_days = 180
    minimum_investment = Decimal("10000.00")


def product_on_shelf(
    risk_level: str = "R2",
    *,
    status: str = "on_sale",
    since: dt.date | None = None,
    sale_start: dt.date | None = None,
    sale_end: dt.date | None = None,
    needs=(),
    **fields,
) -> Product:
    """A product with one shelf version in effect since `since` (default a year ago)."""
    product = ProductFactory(**fields)
    ProductVersion.objects.create(
        product=product,
        effective_from=since or timezone.localdate() - dt.timedelta(days=365),
        risk_level=risk_level,
        status=status,
        sale_start=sale_start,
        sale_end=sale_end,
    )
    if needs:
        product.need_types.set(needs)
    return product


def assessed(customer, risk_class: str, days_ago: int = 10):
    """Give `customer` a class assessed `days_ago` days ago (as the latest assessment would)."""
    customer.risk_class = risk_class
    customer.risk_assessed_on = timezone.localdate() - dt.timedelta(days=days_ago)
    customer.save(update_fields=["risk_class", "risk_assessed_on"])
    return customer
