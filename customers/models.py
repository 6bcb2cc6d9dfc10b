"""The customer database: one well-kept record per person the bank serves."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Branch, Role, branch_id_of, role_of
from crm.models import TimeStampedModel
from customers import national_id as nid

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

    customer_number = models.CharField(
        _("customer number (CIF)"),
        max_length=20,
        unique=True,
        validators=[customer_number_validator],
    )
    name = models.CharField(_("name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    national_id = models.CharField(
        _("national ID number"), max_length=18, unique=True, validators=[national_id_validator]
    )
    phone = models.CharField(
        _("mobile phone"), max_length=20, blank=True, validators=[mobile_validator]
    )
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
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_customers",
        verbose_name=_("relationship manager"),
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
            models.CheckConstraint(
                condition=models.Q(income_band__in=["", "lt100k", "100k-300k", "300k-1m", "gt1m"]),
                name="customer_income_band_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    preferred_channel__in=["", "branch", "phone", "video", "email", "messaging"]
                ),
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
                if born != self.date_of_birth:
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
    def risk_assessment_current(self) -> bool:
        """The risk class may be relied on: assessed within the last 12 months."""
        if not self.risk_class or self.risk_assessed_on is None:
            return False
        return self.risk_assessed_on > risk_assessment_cutoff()

    @property
    def is_archived(self) -> bool:
        return self.status == self.Status.ARCHIVED


def risk_assessment_cutoff(today: dt.date | None = None) -> dt.date:
    """Assessments on or before this date have expired (valid 12 months)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


class Relationship(TimeStampedModel):
    """A tie between two customers; households are built from these."""

    class Kind(models.TextChoices):
        SPOUSE = "spouse", _("Spouse")
        PARENT = "parent", _("Parent of")
        CHILD = "child", _("Child of")
        PARTNER = "partner", _("Business partner")

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
            models.CheckConstraint(
                condition=models.Q(kind__in=["spouse", "parent", "child", "partner"]),
                name="relationship_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind} {self.related_id}"


class LifeEvent(TimeStampedModel):
    class Kind(models.TextChoices):
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

    class Source(models.TextChoices):
        CUSTOMER = "customer", _("Stated by customer")
        RM = "rm", _("Recorded by RM")
        CORE = "core", _("Core banking")

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="life_events",
        verbose_name=_("customer"),
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    event_date = models.DateField(_("date (past or expected)"))
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
            models.CheckConstraint(
                condition=models.Q(source__in=["customer", "rm", "core"]),
                name="life_event_source_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "marriage",
                        "childbirth",
                        "school",
                        "university",
                        "home_purchase",
                        "job_change",
                        "retirement",
                        "relocation",
                        "inheritance",
                        "business_start",
                    ]
                ),
                name="life_event_kind_valid",
            ),
        ]
        indexes = [
            # The customer page, and the alert rule over events within 90 days.
            models.Index(fields=["customer", "event_date"], name="life_event_customer_date_idx"),
            models.Index(fields=["event_date"], name="life_event_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.event_date}"


# The names migration 0003 gives the default need types, here so that makemessages finds them.
DEFAULT_NEED_TYPE_NAMES = [
    gettext_noop("Liquidity"),
    gettext_noop("Capital preservation"),
    gettext_noop("Wealth growth"),
    gettext_noop("Retirement"),
    gettext_noop("Education funding"),
    gettext_noop("Home purchase"),
    gettext_noop("Protection / insurance"),
    gettext_noop("Wealth transfer"),
    gettext_noop("Credit / financing"),
    gettext_noop("Business banking"),
]


class NeedType(models.Model):
    """Reference data (admin-editable); the ten defaults come from a data migration."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("need type")
        verbose_name_plural = _("need types")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        # The default types' names are in the catalogue (DEFAULT_NEED_TYPE_NAMES); names head
        # office adds show as typed.
        return gettext(self.name)


class CustomerNeed(TimeStampedModel):
    class Source(models.TextChoices):
        STATED = "stated", _("Stated by customer")
        RECORDED = "recorded", _("Recorded by RM")
        INFERRED = "inferred", _("Inferred by rule")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        FULFILLED = "fulfilled", _("Fulfilled")
        LAPSED = "lapsed", _("Lapsed")

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="needs", verbose_name=_("customer")
    )
    need_type = models.ForeignKey(
        NeedType,
        on_delete=models.PROTECT,
        related_name="customer_needs",
        verbose_name=_("need"),
    )
    priority = models.PositiveSmallIntegerField(_("priority (0–100)"), default=50)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.RECORDED
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    first_identified = models.DateField(_("first identified"))
    last_confirmed = models.DateField(_("last confirmed"))
    evidence = models.TextField(_("evidence"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("customer need")
        verbose_name_plural = _("customer needs")
        constraints = [
            models.UniqueConstraint(fields=["customer", "need_type"], name="customer_need_unique"),
            models.CheckConstraint(
                condition=models.Q(priority__lte=100), name="customer_need_priority_range"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "fulfilled", "lapsed"]),
                name="customer_need_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=["stated", "recorded", "inferred"]),
                name="customer_need_source_valid",
            ),
        ]
        indexes = [
            # The customer list's "need" filter: customers with an active need of a type.
            models.Index(
                fields=["need_type", "status", "customer"], name="customer_need_type_status_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.need_type_id} ({self.priority})"


class NeedChange(models.Model):
    """A dated record of a change in a need's priority or status (the need history)."""

    need = models.ForeignKey(
        CustomerNeed, on_delete=models.CASCADE, related_name="changes", verbose_name=_("need")
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    old_priority = models.PositiveSmallIntegerField(_("old priority"), null=True, blank=True)
    new_priority = models.PositiveSmallIntegerField(_("new priority"))
    old_status = models.CharField(_("old status"), max_length=10, blank=True)
    new_status = models.CharField(_("new status"), max_length=10)
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("need change")
        verbose_name_plural = _("need changes")
        ordering = ["-changed_at"]
        indexes = [
            # A need's history on the customer page; "which needs are rising" by date.
            models.Index(fields=["need", "-changed_at"], name="need_change_need_idx"),
            models.Index(fields=["changed_at"], name="need_change_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.need_id} {self.old_priority}→{self.new_priority} {self.changed_at:%Y-%m-%d}"


class RiskAssessment(TimeStampedModel):
    """A risk-tolerance questionnaire result; the latest one sets the customer's class."""

    VALID_MONTHS = 12

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="risk_assessments",
        verbose_name=_("customer"),
    )
    risk_class = models.CharField(
        _("risk tolerance class"), max_length=2, choices=Customer.RiskClass.choices
    )
    assessed_on = models.DateField(_("assessed on"))
    score = models.PositiveSmallIntegerField(_("questionnaire score"))
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
            models.CheckConstraint(
                condition=models.Q(risk_class__in=["C1", "C2", "C3", "C4", "C5"]),
                name="risk_assessment_class_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(score__lte=100), name="risk_assessment_score_range"
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-assessed_on"], name="risk_assessment_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.risk_class} {self.assessed_on}"


class BalanceSnapshot(models.Model):
    """Balances imported from core banking: the raw material of financial signals."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="balances", verbose_name=_("customer")
    )
    as_of = models.DateField(_("as of"))
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


class AuditEntryQuerySet(models.QuerySet):
    def visible_to(self, user) -> AuditEntryQuerySet:
        """The audit entries this user may read: head office all, a supervisor the branch's,
        nobody else any (relationship managers do not audit their colleagues)."""
        role = role_of(user)
        if role == Role.HEAD_OFFICE:
            return self
        if role == Role.SUPERVISOR:
            return self.filter(branch_id=branch_id_of(user))
        return self.none()


class AuditEntry(models.Model):
    """Who did what to which record, and who looked at whose personal data (append-only)."""

    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=50)  # e.g. "customer.viewed"
    target_type = models.CharField(_("record type"), max_length=50, blank=True)
    target_id = models.BigIntegerField(_("record id"), null=True, blank=True)
    # Set when the entry concerns a customer, so a branch's access log is one index scan.
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
        db_constraint=True,
    )
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("branch"),
    )
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["branch", "-at"], name="audit_branch_at_idx"),
            models.Index(fields=["customer", "-at"], name="audit_customer_at_idx"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at_idx"),
            # Head office's personal-data access log over every branch, newest first.
            models.Index(fields=["-at"], name="audit_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action}"


class BranchFigures(models.Model):
    """A branch's headline counts, recomputed set-based by a worker (branch_figures_refresh):
    counting a million customers is no job for a page request."""

    branch = models.OneToOneField(
        Branch,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="figures",
        verbose_name=_("branch"),
    )
    customers = models.PositiveIntegerField(_("customers (not archived)"))
    staff = models.PositiveIntegerField(_("active staff"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("branch figures")
        verbose_name_plural = _("branch figures")

    def __str__(self) -> str:
        return f"{self.branch_id}: {self.customers} customers, {self.staff} staff"


class PendingImport(models.Model):
    """An uploaded core-banking file between its dry run and its commit.

    Kept in the database, not on one web server's disk, so that the commit may reach any
    server behind the proxy; deleted on commit, or after PENDING_IMPORT_HOURS.
    """

    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    kind = models.CharField(_("contents"), max_length=20)
    name = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("pending import")
        verbose_name_plural = _("pending imports")
        indexes = [
            # The purge of uploads that were never committed.
            models.Index(fields=["created_at"], name="pending_import_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"
