"""Holdings from core banking, on the one CSV import framework (crm.csvimport): dry run,
per-line errors, all-or-nothing commit, idempotent re-import (upsert on the contract number).

Columns: reference (the core-banking contract number), customer_number, product_code,
principal, start_date; optional currency (must be the product's), maturity_date, status
(active, matured, redeemed; default active). A holding above the customer's risk class is
imported as it is — core banking records what was bought — and the customer page flags it.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from crm.csvimport import (
    CsvImporter,
    ImportReport,
    Row,
    cell_date,
    cell_decimal,
    messages_of,
)
from customers.models import Customer
from customers.services import audit_record
from products.models import Holding, Product

FIELDS = ["customer_id", "product_id", "principal", "currency", "start_date", "maturity_date"]
FIELDS += ["status"]
STATUSES = {s for s, _label in Holding.Status.choices}


class HoldingImporter(CsvImporter):
    """Upsert holdings on their core-banking reference for the customers in `customers` (the
    actor's scope). Side effects on commit: one audit entry ("holdings.imported")."""

    kind = "holdings"
    required = ["reference", "customer_number", "product_code", "principal", "start_date"]
    optional = ["currency", "maturity_date", "status"]
    batch_size = 2000

    def __init__(self, *, actor, customers: QuerySet[Customer] | None = None) -> None:
        super().__init__(actor=actor)
        self.scope = customers if customers is not None else Customer.objects.all()
        self.seen: set[str] = set()

    def check(self, batch: list[Row], report: ImportReport):
        """Three queries per batch: customers in scope, products, stored holdings."""
        numbers = {r["customer_number"].upper() for r in batch}
        customers = dict(
            self.scope.filter(customer_number__in=numbers).values_list("customer_number", "id")
        )
        codes = {r["product_code"].upper() for r in batch}
        products = {p.code: p for p in Product.objects.filter(code__in=codes)}
        parsed = []
        for row in batch:
            reference = row["reference"]
            number = row["customer_number"].upper()
            code = row["product_code"].upper()
            try:
                values = self._values(row, customers.get(number), products.get(code))
            except ValidationError as exc:
                report.error(row.line, messages_of(exc))
                continue
            if reference in self.seen:
                report.error(
                    row.line,
                    _("reference: “%(ref)s” appears twice in this file.") % {"ref": reference[:40]},
                )
                continue
            self.seen.add(reference)
            parsed.append((row.line, reference, number, code, values))
        stored = {
            h.reference: h for h in Holding.objects.filter(reference__in=[p[1] for p in parsed])
        }
        to_create, to_update = [], []
        for line, reference, number, code, values in parsed:
            holding = stored.get(reference)
            summary = f"{reference} {number} {code} {values['principal']:,.2f}"
            if holding is None:
                to_create.append(Holding(reference=reference, source="import", **values))
                report.created += 1
                report.note(line, _("new"), summary)
            elif any(getattr(holding, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(holding, k, v)
                to_update.append(holding)
                report.updated += 1
                report.note(line, _("changed"), summary)
            else:
                report.unchanged += 1
        return to_create, to_update

    def _values(self, row: Row, customer_id: int | None, product: Product | None) -> dict:
        if not row["reference"]:
            raise ValidationError(_("reference: give the core-banking contract number."))
        if len(row["reference"]) > 40:
            raise ValidationError(_("reference: at most 40 characters."))
        if customer_id is None:
            raise ValidationError(
                _("customer_number: no customer “%(number)s” in your scope.")
                % {"number": row["customer_number"][:40]}
            )
        if product is None:
            raise ValidationError(
                _("product_code: “%(code)s” is not in the product catalogue.")
                % {"code": row["product_code"][:40]}
            )
        principal = cell_decimal(row["principal"], "principal", minimum=Decimal("0.01"), blank=None)
        if principal is None:
            raise ValidationError(_("principal: give the amount invested."))
        currency = (row["currency"] or product.currency).upper()
        if currency != product.currency:
            raise ValidationError(
                _("currency: %(code)s is sold in %(currency)s.")
                % {"code": product.code, "currency": product.currency}
            )
        start = cell_date(row["start_date"], "start_date")
        if start is None:
            raise ValidationError(_("start_date: give the date the holding started."))
        maturity = cell_date(row["maturity_date"], "maturity_date")
        if maturity is not None and maturity < start:
            raise ValidationError(_("maturity_date: cannot be before the start date."))
        status = (row["status"] or Holding.Status.ACTIVE).lower()
        if status not in STATUSES:
            raise ValidationError(_("status: use active, matured or redeemed."))
        return {
            "customer_id": customer_id,
            "product_id": product.pk,
            "principal": principal,
            "currency": currency,
            "start_date": start,
            "maturity_date": maturity,
            "status": status,
        }

    def write(self, plan) -> None:
        to_create, to_update = plan
        Holding.objects.bulk_create(to_create, batch_size=self.batch_size)
        Holding.objects.bulk_update(to_update, FIELDS, batch_size=self.batch_size)

    def audit(self, report: ImportReport) -> None:
        audit_record(actor=self.actor, action="holdings.imported", detail=report.totals())
