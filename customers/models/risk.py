"""Risk-tolerance assessments: the only source of a customer's risk class."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.dates import plausible_date_check
from crm.models import TimeStampedModel, choices_constraint
from customers.models.customer import RISK_ASSESSMENT_VALID_MONTHS, Customer, RiskClass


class RiskAssessment(TimeStampedModel):
    """A risk-tolerance questionnaire result; the latest one sets the customer's class."""

    VALID_MONTHS = RISK_ASSESSMENT_VALID_MONTHS  # customers.models.risk_assessment_cutoff

    # PROTECT: a record the bank must keep (customers are archived, never deleted).
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="risk_assessments",
        verbose_name=_("customer"),
        db_index=False,  # covered by risk_assessment_latest_idx (customer, -assessed_on)
    )
    risk_class = models.CharField(
        _("risk tolerance class"), max_length=2, choices=RiskClass.choices
    )
    assessed_on = models.DateField(_("assessed on"), validators=[plausible_date_check])
    # Empty for a class imported from core banking (assessed in another system): the
    # bank's record of it, with no questionnaire of this system behind it.
    score = models.PositiveSmallIntegerField(
        _("questionnaire score"),
        null=True,
        blank=True,
        help_text=_("Empty: imported from core banking, without this system's questionnaire."),
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        constraints = [
            choices_constraint("risk_class", RiskClass, name="risk_assessment_class_valid"),
            models.CheckConstraint(
                condition=models.Q(score__lte=100), name="risk_assessment_score_range"
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-assessed_on"], name="risk_assessment_latest_idx"),
        ]

    def __str__(self) -> str:
        # As admin shows it in lists and as a foreign key: "C00012345 · C3 · 2026-05-01".
        return f"{self.customer.customer_number} · {self.risk_class} · {self.assessed_on}"
