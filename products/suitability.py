"""Suitability: the regulatory gate every product conversation passes through.

A product of risk level Rn may be recommended, sold or marketed only to a customer whose risk
tolerance class is Cn or higher, only while the customer's risk assessment is current (12
months), and only while the product is on sale (DOMAIN.md "Suitability"; the CBIRC's rules
on the suitability management of wealth-management products). A sale also needs the product's
minimum investment; marketing (campaigns) also needs consent and no do-not-contact flag.

`check_suitability` is the one function that decides; `suitable_where_sql` is the same rule in
SQL for set-based work (campaign launch, recommendation lists, alerts), and a test
(tests/products/test_suitability.py) checks the two agree on every combination.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, risk_assessment_cutoff
from products.models import Product, risk_rank
from products.shelf import ON_SALE_SQL, shelf_on


class Purpose(models.TextChoices):
    RECOMMENDATION = "recommendation", _("Recommendation")
    SALE = "sale", _("Sale or purchase")
    CAMPAIGN = "campaign", _("Campaign")


class Reason(models.TextChoices):
    NO_ASSESSMENT = "no_assessment", _("No risk assessment")
    ASSESSMENT_EXPIRED = "assessment_expired", _("Risk assessment expired")
    RISK_ABOVE_CLASS = "risk_above_class", _("Product risk above the customer's class")
    NOT_ON_SALE = "not_on_sale", _("Product not on sale")
    BELOW_MINIMUM = "below_minimum", _("Amount below the minimum investment")
    NO_CONSENT = "no_consent", _("No marketing consent")
    DO_NOT_CONTACT = "do_not_contact", _("Do not contact")


MESSAGES = {
    Reason.NO_ASSESSMENT: _(
        "The customer has no risk assessment: complete the risk questionnaire first."
    ),
    Reason.ASSESSMENT_EXPIRED: _(
        "The customer's risk assessment of %(assessed_on)s has expired (valid 12 months): "
        "reassess the customer first."
    ),
    Reason.RISK_ABOVE_CLASS: _(
        "The product's risk level %(risk_level)s is above the customer's risk tolerance "
        "class %(risk_class)s."
    ),
    Reason.NOT_ON_SALE: _("The product is not on sale on %(on)s."),
    Reason.BELOW_MINIMUM: _("%(amount)s is below the product's minimum investment of %(minimum)s."),
    Reason.NO_CONSENT: _("The customer has not given marketing consent."),
    Reason.DO_NOT_CONTACT: _("The customer asked not to be contacted."),
}


@dataclass(frozen=True)
class Refusal:
    code: str  # a Reason value
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The reason in the active language (translated when read, not when checked)."""
        return str(MESSAGES[Reason(self.code)]) % self.params


@dataclass(frozen=True)
class SuitabilityResult:
    """What the check saw and every reason that applies; `suitable` when there is none."""

    customer_id: int
    product_id: int
    on: dt.date
    purpose: str
    risk_class: str  # the customer's class, "" when never assessed
    assessed_on: dt.date | None
    product_version_id: int | None
    risk_level: str  # the product's level on `on`, "" when not on the shelf yet
    product_status: str
    reasons: tuple[Refusal, ...]

    @property
    def suitable(self) -> bool:
        return not self.reasons

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]

    @property
    def messages(self) -> list[str]:
        return [r.message for r in self.reasons]

    @property
    def only_risk_above_class(self) -> bool:
        """The one refusal a customer-initiated purchase may override (products.services)."""
        return self.codes == [Reason.RISK_ABOVE_CLASS]

    def snapshot(self) -> dict:
        """Plain JSON of what the check saw, for a record an auditor may read later."""
        return {
            "on": self.on.isoformat(),
            "purpose": self.purpose,
            "risk_class": self.risk_class,
            "assessed_on": self.assessed_on.isoformat() if self.assessed_on else None,
            "product_version_id": self.product_version_id,
            "risk_level": self.risk_level,
            "product_status": self.product_status,
            "reasons": [{"code": r.code, "params": r.params} for r in self.reasons],
        }


def _money(amount: Decimal, currency: str) -> str:
    return f"{formats.number_format(amount, 2, use_l10n=True, force_grouping=True)} {currency}"


def assessment_current(customer: Customer, on: dt.date) -> bool:
    """The customer's class may be relied on on `on`: assessed within the 12 months before."""
    return (
        bool(customer.risk_class)
        and customer.risk_assessed_on is not None
        and customer.risk_assessed_on > risk_assessment_cutoff(on)
    )


def check_suitability(
    customer: Customer,
    product: Product,
    *,
    on: dt.date | None = None,
    purpose: str = Purpose.RECOMMENDATION,
    amount: Decimal | None = None,
) -> SuitabilityResult:
    """May `product` be recommended / sold / marketed to `customer` on `on` (default today)?

    Returns a SuitabilityResult listing every reason that applies (Reason codes, messages in
    the active language), so a refusal always says why. `amount` (in the product's currency)
    is checked against the minimum investment for purpose SALE. One query (the shelf version
    in effect on `on`); the customer's class and assessment date are read from `customer`.
    Raises nothing: callers decide what a refusal means (services raise ValidationError).
    """
    on = on or timezone.localdate()
    state = shelf_on(product, on)
    reasons: list[Refusal] = []
    if not customer.risk_class or customer.risk_assessed_on is None:
        reasons.append(Refusal(Reason.NO_ASSESSMENT))
    elif not assessment_current(customer, on):
        reasons.append(
            Refusal(
                Reason.ASSESSMENT_EXPIRED, {"assessed_on": customer.risk_assessed_on.isoformat()}
            )
        )
    if (
        customer.risk_class
        and state.risk_level
        and risk_rank(state.risk_level) > risk_rank(customer.risk_class)
    ):
        reasons.append(
            Refusal(
                Reason.RISK_ABOVE_CLASS,
                {"risk_level": state.risk_level, "risk_class": customer.risk_class},
            )
        )
    if not state.on_sale:
        reasons.append(Refusal(Reason.NOT_ON_SALE, {"on": on.isoformat()}))
    if purpose == Purpose.SALE and amount is not None and amount < product.minimum_investment:
        reasons.append(
            Refusal(
                Reason.BELOW_MINIMUM,
                {
                    "amount": _money(amount, product.currency),
                    "minimum": _money(product.minimum_investment, product.currency),
                },
            )
        )
    if purpose == Purpose.CAMPAIGN:
        if not customer.marketing_consent:
            reasons.append(Refusal(Reason.NO_CONSENT))
        if customer.do_not_contact:
            reasons.append(Refusal(Reason.DO_NOT_CONTACT))
    return SuitabilityResult(
        customer_id=customer.pk,
        product_id=product.pk,
        on=on,
        purpose=str(purpose),
        risk_class=customer.risk_class,
        assessed_on=customer.risk_assessed_on,
        product_version_id=state.version.pk if state.version else None,
        risk_level=state.risk_level,
        product_status=state.status,
        reasons=tuple(reasons),
    )


def suitable_where_sql(*, on: dt.date, purpose: str) -> tuple[str, dict]:
    """check_suitability's rule as a SQL condition, for set-based queries.

    The condition reads the customer as alias `c` (customers_customer) and the product's
    shelf version in effect on `on` as alias `pv` (products.shelf.VERSION_ON_SQL); it holds
    exactly when check_suitability(c, product, on=on, purpose=purpose) has no reason (for
    purpose SALE, without the amount, which is per sale). Returns (sql, params) with named
    %(…)s parameters: never format input into it.
    """
    sql = (
        "(c.risk_class <> '' AND c.risk_assessed_on IS NOT NULL "
        "AND c.risk_assessed_on > %(cutoff)s "
        "AND substr(pv.risk_level, 2)::int <= substr(c.risk_class, 2)::int "
        f"AND {ON_SALE_SQL}"
    )
    if purpose == Purpose.CAMPAIGN:
        sql += " AND c.marketing_consent AND NOT c.do_not_contact"
    sql += ")"
    return sql, {"on": on, "cutoff": risk_assessment_cutoff(on)}
