import datetime as dt

import factory

from accounts.models import Branch
from customers.models import Customer, NeedType
from customers.national_id import check_char
from customers.services import customer_search_keys_fill


def national_id_for(born: dt.date, seq: int) -> str:
    first17 = f"310115{born:%Y%m%d}{seq % 1000:03d}"
    return first17 + check_char(first17)


class CustomerFactory(factory.django.DjangoModelFactory):
    """A customer as the services leave one: normalised, with its search keys filled (so
    search finds factory customers as it finds real ones)."""

    class Meta:
        model = Customer

    customer_number = factory.Sequence(lambda n: f"62{n:010d}")
    name = factory.Sequence(lambda n: f"客户{n}")
    date_of_birth = dt.date(1985, 6, 15)
    national_id = factory.LazyAttributeSequence(lambda o, n: national_id_for(o.date_of_birth, n))
    phone = "13800138000"
    segment = Customer.Segment.MASS
    status = Customer.Status.ACTIVE
    relationship_manager = None
    branch = factory.LazyAttribute(
        lambda o: (
            o.relationship_manager.staff.branch
            if o.relationship_manager is not None
            else Branch.objects.get_or_create(
                code="T999", defaults={"name": "默认", "city": "北京"}
            )[0]
        )
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        customer = model_class(*args, **kwargs)
        customer_search_keys_fill(customer)
        customer.save()
        return customer


NEED_TYPE_NAMES = {
    "liquidity": "Liquidity",
    "capital_preservation": "Capital preservation",
    "wealth_growth": "Wealth growth",
    "retirement": "Retirement",
    "education": "Education funding",
    "home_purchase": "Home purchase",
    "protection": "Protection / insurance",
    "wealth_transfer": "Wealth transfer",
    "credit": "Credit / financing",
    "business_banking": "Business banking",
}


def need_type(code: str) -> NeedType:
    """A default need type; recreated when a transactional (browser) test emptied the table."""
    return NeedType.objects.get_or_create(code=code, defaults={"name": NEED_TYPE_NAMES[code]})[0]


def customer_form_data(customer, **overrides) -> dict:
    """The customer edit form as the browser posts it untouched: the identifiers masked as
    the form shows them, and the version it was filled from."""
    from crm.concurrency import version_of

    data = {
        "customer_number": customer.customer_number,
        "name": customer.name,
        "date_of_birth": customer.date_of_birth.isoformat(),
        "national_id": customer.masked_national_id,
        "phone": customer.masked_phone,
        "email": customer.email,
        "address": customer.address,
        "occupation": customer.occupation,
        "income_band": customer.income_band,
        "segment": customer.segment,
        "status": customer.status,
        "preferred_channel": customer.preferred_channel,
        "relationship_manager": str(customer.relationship_manager_id or ""),
        "version": version_of(customer),
    }
    return data | overrides
