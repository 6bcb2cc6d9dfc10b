"""Life events: what happened (or will) in a customer's life."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.dates import plausible_date_check
from crm.models import TimeStampedModel, choices_constraint
from customers.models.customer import Customer


class LifeEventKind(models.TextChoices):
    MARRIAGE = "marriage", _("Marriage")
    CHILDBIRTH = "childbirth", _("Childbirth")
    SCHOOL = "school", _("Child starting school")
    UNIVERSITY = "university", _("Child starting university")
    HOME_PURCHASE = "home_purchase", _("Home purchase")
    JOB_CHANGE = "job_change", _("Job change")
    RETIREMENT = "retirement", _("Retirement")
    RELOCATION = "relocation", _("Relocation")
    INHERITANCE = "inheritance", _("Inheritance")
    BUSINESS_START = "business_start", _("Business start")


class LifeEventSource(models.TextChoices):
    CUSTOMER = "customer", _("Stated by customer")
    RM = "rm", _("Recorded by RM")
    CORE = "core", _("Core banking")


class LifeEvent(TimeStampedModel):
    Kind = LifeEventKind
    Source = LifeEventSource

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="life_events",
        verbose_name=_("customer"),
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    event_date = models.DateField(_("date (past or expected)"), validators=[plausible_date_check])
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.RM)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("life event")
        verbose_name_plural = _("life events")
        constraints = [
            choices_constraint("source", LifeEventSource, name="life_event_source_valid"),
            choices_constraint("kind", LifeEventKind, name="life_event_kind_valid"),
        ]
        indexes = [
            # The customer page, and the alert rule over events within 90 days.
            models.Index(fields=["customer", "event_date"], name="life_event_customer_date_idx"),
            models.Index(fields=["event_date"], name="life_event_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.event_date}"
