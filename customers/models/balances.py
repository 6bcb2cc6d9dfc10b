"""Balances imported from core banking."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.dates import plausible_date_check
from customers.models.customer import Customer


class BalanceSnapshot(models.Model):
    """Balances imported from core banking: the raw material of financial signals."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="balances",
        verbose_name=_("customer"),
        db_index=False,  # covered by balance_snapshot_unique (customer, as_of)
    )
    as_of = models.DateField(_("as of"), validators=[plausible_date_check])
    deposits = models.DecimalField(_("deposits"), max_digits=16, decimal_places=2)
    investments = models.DecimalField(_("investments (AUM)"), max_digits=16, decimal_places=2)
    loans = models.DecimalField(_("loans"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("balance snapshot")
        verbose_name_plural = _("balance snapshots")
        constraints = [
            models.UniqueConstraint(fields=["customer", "as_of"], name="balance_snapshot_unique"),
            models.CheckConstraint(
                condition=models.Q(deposits__gte=0, investments__gte=0, loans__gte=0),
                name="balance_snapshot_non_negative",
                violation_error_message=_("Balances cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.as_of}"
