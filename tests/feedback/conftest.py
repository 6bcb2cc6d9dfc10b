import pytest

from customers.models import Customer
from interactions.models import Interaction
from tests.customers.factories import CustomerFactory
from tests.interactions.factories import InteractionFactory


@pytest.fixture
def alices_customer(rm_alice):
    return CustomerFactory(
        relationship_manager=rm_alice, name="王小明", segment=Customer.Segment.AFFLUENT
    )


@pytest.fixture
def bobs_customer(rm_bob):
    return CustomerFactory(relationship_manager=rm_bob, name="李四")


@pytest.fixture
def complaint_call(alices_customer, rm_alice):
    return InteractionFactory(
        customer=alices_customer,
        staff=rm_alice,
        subject="Card fee charged twice",
        notes="Customer says the annual fee was charged twice.",
        outcome=Interaction.Outcome.COMPLAINT,
    )
