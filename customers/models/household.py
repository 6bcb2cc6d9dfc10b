"""Ties between customers; households are built from these."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.models import TimeStampedModel, choices_constraint
from customers.models.customer import Customer

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class RelationshipKind(models.TextChoices):
    SPOUSE = "spouse", _("Spouse")
    PARENT = "parent", _("Parent of")
    CHILD = "child", _("Child of")
    PARTNER = "partner", _("Business partner")


# What a household member is to the customer whose page lists them: on the child's page the
# member tied by "Child of" is listed as "Parent" ("父母"). A kind's own label says what the
# customer is to the member, which reads the wrong way round before the member's name.
MEMBER_ROLE: dict[str, StrOrPromise] = {
    RelationshipKind.SPOUSE: _("Spouse"),
    RelationshipKind.PARENT: pgettext_lazy("household member", "Child"),
    RelationshipKind.CHILD: pgettext_lazy("household member", "Parent"),
    RelationshipKind.PARTNER: _("Business partner"),
}


class Relationship(TimeStampedModel):
    """A tie between two customers; households are built from these."""

    Kind = RelationshipKind

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="relationships",
        verbose_name=_("customer"),
    )
    related = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="related_to",
        verbose_name=_("related customer"),
    )
    kind = models.CharField(_("relationship"), max_length=10, choices=Kind.choices)

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [
            models.UniqueConstraint(fields=["customer", "related"], name="relationship_unique"),
            models.CheckConstraint(
                condition=~models.Q(customer=models.F("related")),
                name="relationship_not_self",
                violation_error_message=_("A customer cannot be related to themselves."),
            ),
            choices_constraint("kind", RelationshipKind, name="relationship_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind} {self.related_id}"

    @property
    def member_role(self) -> str:
        """What the related customer is to this one, in words: "Parent" when this customer
        is the child (MEMBER_ROLE)."""
        return str(MEMBER_ROLE[self.kind])
