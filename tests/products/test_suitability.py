"""The suitability matrix: every Rn × Cn, missing and expired assessments, not on sale, below
the minimum, campaign consent; and the SQL form equal to the function on every combination."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone, translation

from customers.models import Customer
from products.shelf import VERSION_ON_SQL
from products.suitability import Purpose, Reason, check_suitability, suitable_where_sql
from tests.customers.factories import CustomerFactory
from tests.products.factories import assessed, product_on_shelf

pytestmark = pytest.mark.django_db

LEVELS = ["R1", "R2", "R3", "R4", "R5"]
CLASSES = ["C1", "C2", "C3", "C4", "C5"]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("klass", CLASSES)
def test_risk_level_against_class(level, klass):
    customer = assessed(CustomerFactory(), klass)
    product = product_on_shelf(level)
    result = check_suitability(customer, product)
    if int(level[1]) <= int(klass[1]):
        assert result.suitable, result.messages
    else:
        assert result.codes == [Reason.RISK_ABOVE_CLASS]
        assert f"risk level {level} is above" in result.messages[0]
        assert klass in result.messages[0]


def test_no_assessment_refuses_even_the_lowest_risk():
    result = check_suitability(CustomerFactory(), product_on_shelf("R1"))
    assert result.codes == [Reason.NO_ASSESSMENT]
    assert "no risk assessment" in result.messages[0]


def test_expired_assessment_refuses_and_names_its_date():
    customer = assessed(CustomerFactory(), "C5", days_ago=400)
    result = check_suitability(customer, product_on_shelf("R1"))
    assert result.codes == [Reason.ASSESSMENT_EXPIRED]
    assert customer.risk_assessed_on.isoformat() in result.messages[0]


def test_assessment_valid_for_twelve_months_exactly():
    customer = assessed(CustomerFactory(), "C3", days_ago=0)
    product = product_on_shelf("R1")
    customer.risk_assessed_on = timezone.localdate() - dt.timedelta(days=364)
    assert check_suitability(customer, product).suitable
    on = customer.risk_assessed_on.replace(year=customer.risk_assessed_on.year + 1)
    assert check_suitability(customer, product, on=on).codes[0] == Reason.ASSESSMENT_EXPIRED


def test_every_reason_is_listed_at_once():
    customer = assessed(CustomerFactory(do_not_contact=True), "C1", days_ago=500)
    product = product_on_shelf("R4", status="closed")
    result = check_suitability(customer, product, purpose=Purpose.CAMPAIGN)
    assert result.codes == [
        Reason.ASSESSMENT_EXPIRED,
        Reason.RISK_ABOVE_CLASS,
        Reason.NOT_ON_SALE,
        Reason.NO_CONSENT,
        Reason.DO_NOT_CONTACT,
    ]


def test_not_on_sale_outside_the_window_or_before_listing():
    customer = assessed(CustomerFactory(), "C5")
    today = timezone.localdate()
    later = product_on_shelf("R1", sale_start=today + dt.timedelta(days=3))
    assert check_suitability(customer, later).codes == [Reason.NOT_ON_SALE]
    assert check_suitability(customer, later, on=today + dt.timedelta(days=3)).suitable
    ended = product_on_shelf("R1", sale_end=today - dt.timedelta(days=1))
    assert check_suitability(customer, ended).codes == [Reason.NOT_ON_SALE]
    unlisted = product_on_shelf("R1", since=today + dt.timedelta(days=10))
    result = check_suitability(customer, unlisted)
    assert result.codes == [Reason.NOT_ON_SALE]
    assert result.risk_level == ""


def test_below_minimum_only_for_a_sale():
    customer = assessed(CustomerFactory(), "C3")
    product = product_on_shelf("R2", minimum_investment=Decimal("50000"))
    sale = check_suitability(customer, product, purpose=Purpose.SALE, amount=Decimal("49999.99"))
    assert sale.codes == [Reason.BELOW_MINIMUM]
    assert "49,999.99 CNY" in sale.messages[0] and "50,000.00 CNY" in sale.messages[0]
    enough = check_suitability(customer, product, purpose=Purpose.SALE, amount=Decimal("50000"))
    assert enough.suitable
    assert check_suitability(customer, product, amount=Decimal("1")).suitable  # recommendation


def test_campaign_needs_consent_and_contact_allowed():
    product = product_on_shelf("R1")
    consenting = assessed(CustomerFactory(marketing_consent=True), "C2")
    assert check_suitability(consenting, product, purpose=Purpose.CAMPAIGN).suitable
    silent = assessed(CustomerFactory(marketing_consent=False), "C2")
    assert check_suitability(silent, product, purpose=Purpose.CAMPAIGN).codes == [Reason.NO_CONSENT]
    assert check_suitability(silent, product).suitable  # a recommendation needs no consent


def test_reasons_are_in_the_users_language():
    result = check_suitability(CustomerFactory(), product_on_shelf("R1"))
    with translation.override("zh-hans"):
        message = result.messages[0]
    assert message != result.messages[0]
    assert "风险" in message


def test_snapshot_records_what_the_check_saw():
    customer = assessed(CustomerFactory(), "C2")
    product = product_on_shelf("R2")
    snap = check_suitability(customer, product).snapshot()
    assert snap["risk_class"] == "C2"
    assert snap["risk_level"] == "R2"
    assert snap["assessed_on"] == customer.risk_assessed_on.isoformat()
    assert snap["product_version_id"] == product.versions.get().pk
    assert snap["reasons"] == []


@pytest.mark.parametrize("purpose", [Purpose.RECOMMENDATION, Purpose.CAMPAIGN])
def test_sql_form_equals_the_function(purpose):
    """The set-based rule (campaigns, recommendation lists, alerts) decides like the function
    on every class × level, missing/expired assessments, consent, contact and sale window."""
    today = timezone.localdate()
    customers = [CustomerFactory(marketing_consent=True)]  # never assessed
    for klass in CLASSES:
        customers.append(assessed(CustomerFactory(marketing_consent=True), klass))
        customers.append(assessed(CustomerFactory(marketing_consent=True), klass, days_ago=366))
        customers.append(assessed(CustomerFactory(marketing_consent=False), klass))
        customers.append(
            assessed(CustomerFactory(marketing_consent=True, do_not_contact=True), klass)
        )
    products = [product_on_shelf(level) for level in LEVELS]
    products.append(product_on_shelf("R1", status="closed"))
    products.append(product_on_shelf("R1", sale_end=today - dt.timedelta(days=1)))
    products.append(product_on_shelf("R1", sale_start=today + dt.timedelta(days=1)))
    where, params = suitable_where_sql(on=today, purpose=purpose)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH pv AS ({VERSION_ON_SQL}) SELECT c.id, pv.product_id "  # noqa: S608
            f"FROM customers_customer c CROSS JOIN pv WHERE {where}",
            params,
        )
        by_sql = set(cursor.fetchall())
    by_function = {
        (c.pk, p.pk)
        for c in Customer.objects.filter(pk__in=[c.pk for c in customers])
        for p in products
        if check_suitability(c, p, on=today, purpose=purpose).suitable
    }
    assert by_sql == by_function
    assert len(by_function) > 10  # the grid has suitable pairs, not only refusals
