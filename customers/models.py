"""The customer database: one well-kept record per person the bank serves."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, Role, branch_id_of, role_of
from crm.models import TimeStampedModel


class CustomerQuerySet(models.QuerySet):
    def visible_to(self, user) -> CustomerQuerySet:
        """Customers this user may see; the only definition of customer scope.

        Head office sees every branch; supervisors and relationship managers their own
        branch ("full service": any RM may serve any customer of the branch).
        """
        role = role_of(user)
        if role == Role.HEAD_OFFICE:
            return self
        if role is None:
            return self.none()
        return self.filter(branch_id=branch_id_of(user))

    def assigned_to(self, user) -> CustomerQuerySet:
        return self.filter(relationship_manager=user)

    def active(self) -> CustomerQuerySet:
        return self.exclude(status=Customer.Status.ARCHIVED)


class Customer(TimeStampedModel):
    class Segment(models.TextChoices):
        MASS = "mass", _("Mass")
        AFFLUENT = "affluent", _("Affluent")
        HNW = "hnw", _("High net worth")
        PRIVATE = "private", _("Private banking")

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        ACTIVE = "active", _("Active")
        DORMANT = "dormant", _("Dormant")
        ARCHIVED = "archived", _("Archived")

    class RiskClass(models.TextChoices):
        C1 = "C1", _("C1 Conservative")
        C2 = "C2", _("C2 Cautious")
        C3 = "C3", _("C3 Balanced")
        C4 = "C4", _("C4 Growth")
        C5 = "C5", _("C5 Aggressive")

    class IncomeBand(models.TextChoices):
        UNDER_100K = "lt100k", _("Under ¥100,000")
        FROM_100K = "100k-300k", _("¥100,000–300,000")
        FROM_300K = "300k-1m", _("¥300,000–1,000,000")
        OVER_1M = "gt1m", _("Over ¥1,000,000")

    class Channel(models.TextChoices):
        BRANCH = "branch", _("Branch visit")
        PHONE = "phone", _("Phone")
        VIDEO = "video", _("Video")
        EMAIL = "email", _("E-mail")
        MESSAGING = "messaging", _("Messaging")

    customer_number = models.CharField(_("customer number (CIF)"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    national_id = models.CharField(_("national ID number"), max_length=18, unique=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    income_band = models.CharField(
        _("income band"), max_length=12, choices=IncomeBand.choices, blank=True
    )
    segment = models.CharField(
        _("segment"), max_length=10, choices=Segment.choices, default=Segment.MASS
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="customers", verbose_name=_("branch")
    )
    relationship_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="assigned_customers", verbose_name=_("relationship manager"),
    )
    risk_class = models.CharField(
        _("risk tolerance class"), max_length=2, choices=RiskClass.choices, blank=True
    )
    risk_assessed_on = models.DateField(_("risk assessed on"), null=True, blank=True)
    marketing_consent = models.BooleanField(_("marketing consent"), default=False)
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=Channel.choices, blank=True
    )

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(segment__in=["mass", "affluent", "hnw", "private"]),
                name="customer_segment_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["prospect", "active", "dormant", "archived"]),
                name="customer_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(risk_class__in=["", "C1", "C2", "C3", "C4", "C5"]),
                name="customer_risk_class_valid",
            ),
        ]
        indexes = [
            # Branch lists and dashboards: a branch's customers by status.
            models.Index(fields=["branch", "status"], name="customer_branch_status_idx"),
            # An RM's own portfolio.
            models.Index(fields=["relationship_manager", "status"], name="customer_rm_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.customer_number})"
