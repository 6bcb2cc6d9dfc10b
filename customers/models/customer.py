"""The customer record: one well-kept record per person the bank serves."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import ALL_BRANCHES, Branch, branch_scope
from crm.dates import plausible_date_check
from crm.models import TimeStampedModel, choices_constraint
from customers import national_id as nid

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MOBILE_FORMAT = _("Enter an 11-digit mainland mobile number, e.g. 13812345678.")
CUSTOMER_NUMBER_FORMAT = _("Use 6–20 capital letters and digits, as in core banking.")
BIRTH_DATE_MISMATCH = _(
    "The date of birth does not match the one in the national ID number (%(date)s)."
)
BIRTH_DATE_IMPLAUSIBLE = _("Enter a date of birth between 1900 and today.")
FUTURE_ASSESSMENT = _("A risk assessment cannot be dated in the future.")
ASSESSMENT_WITHOUT_CLASS = _("Give the risk class of this assessment.")

mobile_validator = RegexValidator(r"^1[3-9]\d{9}$", MOBILE_FORMAT, code="mobile")
customer_number_validator = RegexValidator(
    r"^[A-Z0-9]{6,20}$", CUSTOMER_NUMBER_FORMAT, code="customer_number"
)


def national_id_validator(value: str) -> None:
    errors = nid.problems(value)
    if errors:
        raise ValidationError(errors, code="national_id")


class CustomerQuerySet(models.QuerySet["Customer"]):
    def visible_to(self, user) -> CustomerQuerySet:
        """Customers this user may see; the only definition of customer scope.

        Head office sees every branch; supervisors and relationship managers their own
        branch ("full service": any RM may serve any customer of the branch).
        """
        scope = branch_scope(user)
        if scope is ALL_BRANCHES:
            return self
        if scope is None:
            return self.none()
        return self.filter(branch_id=scope)

    def assigned_to(self, user) -> CustomerQuerySet:
        return self.filter(relationship_manager=user)

    def active(self) -> CustomerQuerySet:
        return self.exclude(status=Customer.Status.ARCHIVED)


class Segment(models.TextChoices):
    MASS = "mass", _("Mass")
    AFFLUENT = "affluent", _("Affluent")
    HNW = "hnw", _("High net worth")
    PRIVATE = "private", _("Private banking")


class CustomerStatus(models.TextChoices):
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
    """How the bank and a customer are in contact: the one list, for interactions (where an
    event, e.g. a seminar, counts too) and for a customer's preferred channel."""

    BRANCH = "branch", _("Branch visit")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")
    EMAIL = "email", _("E-mail")
    MESSAGING = "messaging", _("Messaging")
    EVENT = "event", _("Event")


# A customer prefers a way to be reached; an event is not one.
PREFERRED_CHANNELS = [(c.value, c.label) for c in Channel if c != Channel.EVENT]


class Customer(TimeStampedModel):
    Segment = Segment
    Status = CustomerStatus
    RiskClass = RiskClass
    IncomeBand = IncomeBand
    Channel = Channel

    customer_number = models.CharField(
        _("customer number (CIF)"),
        max_length=20,
        unique=True,
        validators=[customer_number_validator],
    )
    name = models.CharField(_("name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"), validators=[plausible_date_check])
    national_id = models.CharField(
        _("national ID number"), max_length=18, unique=True, validators=[national_id_validator]
    )
    phone = models.CharField(
        _("mobile phone"), max_length=20, blank=True, validators=[mobile_validator]
    )
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    income_band = models.CharField(_("income band"), max_length=12, choices=IncomeBand, blank=True)
    segment = models.CharField(_("segment"), max_length=10, choices=Segment, default=Segment.MASS)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        related_name="customers",
        verbose_name=_("branch"),
        db_index=False,  # covered by customer_branch_status_idx (branch, status)
    )
    relationship_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_customers",
        verbose_name=_("relationship manager"),
        db_index=False,  # covered by customer_rm_status_idx (relationship_manager, status)
    )
    risk_class = models.CharField(
        _("risk tolerance class"), max_length=2, choices=RiskClass, blank=True
    )
    risk_assessed_on = models.DateField(
        _("risk assessed on"), null=True, blank=True, validators=[plausible_date_check]
    )
    marketing_consent = models.BooleanField(_("marketing consent"), default=False)
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=PREFERRED_CHANNELS, blank=True
    )
    # Search keys, kept by customers.services (and seed/import COPY); see customers/search.py.
    search_bigrams = ArrayField(
        models.CharField(max_length=2), default=list, blank=True, editable=False
    )
    id_last4 = models.CharField(max_length=4, blank=True, editable=False)

    objects = CustomerQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["search_bigrams", "id_last4", "updated_at"],
        cascade_delete_history=False,
    )
    # Set by the services before a save: who made the change and why (the history records it).
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            choices_constraint("segment", Segment, name="customer_segment_valid"),
            choices_constraint("status", CustomerStatus, name="customer_status_valid"),
            choices_constraint(
                "risk_class", RiskClass, blank=True, name="customer_risk_class_valid"
            ),
            choices_constraint(
                "income_band", IncomeBand, blank=True, name="customer_income_band_valid"
            ),
            choices_constraint(
                "preferred_channel",
                PREFERRED_CHANNELS,
                blank=True,
                name="customer_channel_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(national_id__regex=r"^[0-9]{17}[0-9X]$"),
                name="customer_national_id_format",
                violation_error_message=nid.FORMAT_ERROR,
            ),
        ]
        indexes = [
            # Branch lists and dashboards: a branch's customers by status.
            models.Index(fields=["branch", "status"], name="customer_branch_status_idx"),
            # An RM's own portfolio.
            models.Index(fields=["relationship_manager", "status"], name="customer_rm_status_idx"),
            # The customer list sorted by name (head office over every branch).
            models.Index(fields=["name", "id"], name="customer_name_idx"),
            # Search by mobile number and by the last four characters of the ID number.
            models.Index(fields=["phone"], name="customer_phone_idx"),
            models.Index(fields=["id_last4"], name="customer_id_last4_idx"),
            # Name search: `search_bigrams @> ARRAY[...]` (customers/search.py).
            GinIndex(fields=["search_bigrams"], name="customer_search_bigrams_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.customer_number})"

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.date_of_birth is not None:
            today = timezone.localdate()
            if not dt.date(1900, 1, 1) <= self.date_of_birth <= today:
                errors.setdefault("date_of_birth", []).append(BIRTH_DATE_IMPLAUSIBLE)
            elif self.national_id and not nid.problems(self.national_id):
                born = nid.birth_date(self.national_id)
                if born is not None and born != self.date_of_birth:
                    errors.setdefault("date_of_birth", []).append(
                        ValidationError(BIRTH_DATE_MISMATCH, params={"date": born.isoformat()})
                    )
        if self.risk_assessed_on is not None:
            if self.risk_assessed_on > timezone.localdate():
                errors.setdefault("risk_assessed_on", []).append(FUTURE_ASSESSMENT)
            if not self.risk_class:
                errors.setdefault("risk_class", []).append(ASSESSMENT_WITHOUT_CLASS)
        if errors:
            raise ValidationError(errors)

    @property
    def masked_national_id(self) -> str:
        return nid.mask(self.national_id)

    @property
    def masked_phone(self) -> str:
        return nid.mask_phone(self.phone)

    @property
    def risk_assessment_current(self) -> bool:
        """The risk class may be relied on: assessed after risk_assessment_cutoff()."""
        if not self.risk_class or self.risk_assessed_on is None:
            return False
        return self.risk_assessed_on > risk_assessment_cutoff()

    @property
    def is_archived(self) -> bool:
        return self.status == self.Status.ARCHIVED


RISK_ASSESSMENT_VALID_MONTHS = 12  # how long a questionnaire's result may be relied on


def risk_assessment_cutoff(today: dt.date | None = None) -> dt.date:
    """Assessments on or before this date have expired: the one definition of "assessment
    current" (RISK_ASSESSMENT_VALID_MONTHS, 12, as RiskAssessment.VALID_MONTHS). The same day
    of the month VALID_MONTHS months back, or that month's last day (29 February → 28th)."""
    today = today or timezone.localdate()
    months = today.year * 12 + today.month - 1 - RISK_ASSESSMENT_VALID_MONTHS
    year, month = divmod(months, 12)
    day = min(today.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day)
