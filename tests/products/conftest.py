import pytest

from customers.models import CustomerNeed
from tests.customers.factories import CustomerFactory, need_type
from tests.products.factories import assessed, product_on_shelf


@pytest.fixture
def alices_customer(rm_alice):
    return CustomerFactory(relationship_manager=rm_alice, marketing_consent=True)


@pytest.fixture
def bobs_customer(rm_bob):
    return CustomerFactory(relationship_manager=rm_bob, marketing_consent=True)


def give_need(customer, code: str, priority: int = 60):
    today = customer.created_at.date()
    return CustomerNeed.objects.create(
        customer=customer,
        need_type=need_type(code),
        priority=priority,
        first_identified=today,
        last_confirmed=today,
    )


__all__ = ["assessed", "give_need", "product_on_shelf"]
