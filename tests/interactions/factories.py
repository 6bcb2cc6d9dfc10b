import datetime as dt

import factory
from django.utils import timezone

from interactions.models import Interaction, Task
from tests.accounts.factories import StaffFactory
from tests.customers.factories import CustomerFactory


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    customer = factory.SubFactory(
        CustomerFactory, relationship_manager=factory.LazyFunction(lambda: StaffFactory().user)
    )
    staff = factory.LazyAttribute(lambda o: o.customer.relationship_manager)
    channel = Interaction.Channel.PHONE
    direction = Interaction.Direction.OUTBOUND
    occurred_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    subject = factory.Sequence(lambda n: f"Call {n}")
    outcome = Interaction.Outcome.INTERESTED


def interaction_logged(actor, customer, *, subject: str = "Call") -> Interaction:
    """An interaction logged through the service an hour ago (so with its history, and still
    editable by its author), as the edit tests need it."""
    from interactions.services import interaction_log

    return interaction_log(
        actor=actor,
        customer=customer,
        channel="phone",
        direction="outbound",
        occurred_at=timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=1),
        subject=subject,
        outcome="interested",
    )


class TaskFactory(factory.django.DjangoModelFactory):
    """An open task of a customer, assigned (like every task) to a member of staff: the
    customer's RM unless told otherwise."""

    class Meta:
        model = Task

    customer = factory.SubFactory(
        CustomerFactory, relationship_manager=factory.LazyFunction(lambda: StaffFactory().user)
    )
    assignee = factory.LazyAttribute(lambda o: o.customer.relationship_manager)
    created_by = factory.LazyAttribute(lambda o: o.assignee)
    title = factory.Sequence(lambda n: f"Follow up {n}")
    due_date = factory.LazyFunction(timezone.localdate)
    origin = Task.Origin.MANUAL
