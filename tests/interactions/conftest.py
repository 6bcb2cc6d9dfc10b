import pytest

from customers.models import Customer, NeedType
from tests.customers.factories import CustomerFactory


@pytest.fixture
def alices_customer(rm_alice):
    return CustomerFactory(
        relationship_manager=rm_alice, name="王小明", segment=Customer.Segment.AFFLUENT
    )


# The need types come from a data migration; get_or_create keeps these fixtures working after
# a transactional (live-server) test has emptied the tables.
@pytest.fixture
def education(db):
    return NeedType.objects.get_or_create(
        code="education", defaults={"name": "Education funding", "sort_order": 5}
    )[0]


@pytest.fixture
def retirement(db):
    return NeedType.objects.get_or_create(
        code="retirement", defaults={"name": "Retirement", "sort_order": 4}
    )[0]


@pytest.fixture
def catalogue(db):
    """The catalogue products the tests discuss (codes must be real products)."""
    from tests.products.factories import product_on_shelf

    return {code: product_on_shelf("R2", code=code) for code in CATALOGUE_CODES}


CATALOGUE_CODES = ["WMP-2025A", "TD3M", "WMP-JX30", "TD-3Y"]
