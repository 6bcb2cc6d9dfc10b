"""Wealth-management products: the catalogue and its effective-dated shelf, holdings, the risk
questionnaire, recommendations and campaigns (DOMAIN.md, "Wealth-management products")."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, Role, branch_id_of, role_of
from crm.dates import plausible_date_check
from crm.models import TimeStampedModel
from customers.models import Customer, NeedType, RiskAssessment

SEGMENTS = [s for s, _label in Customer.Segment.choices]


class RiskLevel(models.TextChoices):
    """A product's risk rating (R1 lowest … R5 highest), set by the product's issuer review."""

    R1 = "R1", _("R1 Low")
    R2 = "R2", _("R2 Medium-low")
    R3 = "R3", _("R3 Medium")
    R4 = "R4", _("R4 Medium-high")
    R5 = "R5", _("R5 High")


def risk_rank(code: str) -> int:
    """1–5 for "R1"…"R5" or "C1"…"C5"; 0 for an empty class (no assessment)."""
    return int(code[1]) if code else 0


class Currency(models.TextChoices):
    CNY = "CNY", _("Renminbi (CNY)")
    USD = "USD", _("US dollar (USD)")
    HKD = "HKD", _("Hong Kong dollar (HKD)")
    EUR = "EUR", _("Euro (EUR)")


class ProductQuerySet(models.QuerySet):
    def visible_to(self, user) -> ProductQuerySet:
        """The catalogue is public to every member of staff; nobody else sees it."""
        if role_of(user) is None:
            return self.none()
        return self


class Product(TimeStampedModel):
    """A catalogue entry. Its risk level, status and sale window live on ProductVersion rows
    (the shelf), so that the past is never overwritten."""

    class Category(models.TextChoices):
        DEMAND_DEPOSIT = "demand_deposit", _("Demand deposit")
        TIME_DEPOSIT = "time_deposit", _("Time deposit")
        WMP = "wmp", _("Wealth-management product")
        FUND = "fund", _("Mutual fund")
        BOND = "bond", _("Bond")
        INSURANCE = "insurance", _("Insurance")
        STRUCTURED = "structured", _("Structured deposit")
        METAL = "metal", _("Precious metal")
        LOAN = "loan", _("Loan")

    code = models.CharField(_("product code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency, default=Currency.CNY)
    expected_yield = models.DecimalField(
        _("expected annual yield (%)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("Per year, in percent; empty where no yield is quoted."),
    )
    term_days = models.PositiveIntegerField(
        _("term (days)"), null=True, blank=True, help_text=_("Empty for products with no term.")
    )
    minimum_investment = models.DecimalField(
        _("minimum investment"), max_digits=16, decimal_places=2, default=0
    )
    open_ended = models.BooleanField(
        _("open-ended"), default=False, help_text=_("Subscriptions and redemptions at any time.")
    )
    need_types = models.ManyToManyField(
        NeedType, blank=True, related_name="products", verbose_name=_("needs served")
    )
    target_segments = ArrayField(
        models.CharField(max_length=10, choices=Customer.Segment.choices),
        default=list,
        blank=True,
        verbose_name=_("target segments"),
        help_text=_("Empty: every segment."),
    )
    description = models.TextField(_("description"), blank=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    category__in=[
                        "demand_deposit",
                        "time_deposit",
                        "wmp",
                        "fund",
                        "bond",
                        "insurance",
                        "structured",
                        "metal",
                        "loan",
                    ]
                ),
                name="product_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(currency__in=["CNY", "USD", "HKD", "EUR"]),
                name="product_currency_valid",
            ),
            models.CheckConstraint(
                condition=Q(minimum_investment__gte=0),
                name="product_minimum_non_negative",
                violation_error_message=_("The minimum investment cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(target_segments__contained_by=SEGMENTS),
                name="product_segments_valid",
            ),
        ]
        indexes = [
            # The catalogue's category filter.
            models.Index(fields=["category", "code"], name="product_category_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("products:detail", args=[self.pk])

    @property
    def target_segment_labels(self) -> list[str]:
        labels = dict(Customer.Segment.choices)
        return [str(labels.get(s, s)) for s in self.target_segments]


class ProductVersion(models.Model):
    """One state of a product on the shelf, in effect from `effective_from` until the next
    version's date. Rows are only ever added (products.services.product_shelf_change), never
    changed, so "was P on sale, at which risk level, on date D" has one answer forever."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ON_SALE = "on_sale", _("On sale")
        CLOSED = "closed", pgettext_lazy("product status", "Closed")
        MATURED = "matured", _("Matured")

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="versions", verbose_name=_("product")
    )
    effective_from = models.DateField(_("effective from"), validators=[plausible_date_check])
    risk_level = models.CharField(_("risk level"), max_length=2, choices=RiskLevel)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    sale_start = models.DateField(
        _("sale window opens"), null=True, blank=True, validators=[plausible_date_check]
    )
    sale_end = models.DateField(
        _("sale window closes"), null=True, blank=True, validators=[plausible_date_check]
    )
    note = models.CharField(_("reason for the change"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("shelf version")
        verbose_name_plural = _("shelf history")
        ordering = ["product", "-effective_from"]
        constraints = [
            # "The version in effect on D" is the latest effective_from <= D: one per date.
            models.UniqueConstraint(
                fields=["product", "effective_from"], name="product_version_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(risk_level__in=["R1", "R2", "R3", "R4", "R5"]),
                name="product_version_risk_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "on_sale", "closed", "matured"]),
                name="product_version_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(sale_start__isnull=True)
                | Q(sale_end__isnull=True)
                | Q(sale_end__gte=F("sale_start")),
                name="product_version_window_order",
                violation_error_message=_("The sale window cannot close before it opens."),
            ),
        ]
        # The unique constraint's index (product, effective_from) serves "version on date D".

    def __str__(self) -> str:
        return f"{self.product_id} {self.effective_from}: {self.risk_level} {self.status}"

    def on_sale_on(self, day: dt.date) -> bool:
        """On sale on `day` by this version: status on sale and `day` inside the window."""
        return (
            self.status == self.Status.ON_SALE
            and (self.sale_start is None or self.sale_start <= day)
            and (self.sale_end is None or day <= self.sale_end)
        )


def _customer_scope(queryset: models.QuerySet, user) -> models.QuerySet:
    """Rows whose customer the user may see (Customer.objects.visible_to decides)."""
    if role_of(user) is None:
        return queryset.none()
    if role_of(user) == Role.HEAD_OFFICE:
        return queryset  # every customer: skip the semi-join
    return queryset.filter(customer__in=Customer.objects.visible_to(user))


class CustomerScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Rows of the customers this user may see; the only scope of holdings, above-class
        purchases, recommendations and campaign targets (404 outside it)."""
        return _customer_scope(self, user)


class HoldingQuerySet(CustomerScopedQuerySet):
    def active(self) -> HoldingQuerySet:
        return self.filter(status=Holding.Status.ACTIVE)


class Holding(TimeStampedModel):
    """A customer's position in a product, from core banking or recorded by staff."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        MATURED = "matured", _("Matured")
        REDEEMED = "redeemed", _("Redeemed")

    class Source(models.TextChoices):
        IMPORT = "import", _("Core-banking import")
        STAFF = "staff", _("Recorded by staff")

    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="holdings",
        verbose_name=_("customer"),
        db_index=False,  # covered by holding_customer_status_idx
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        related_name="holdings",
        verbose_name=_("product"),
        db_index=False,  # covered by holding_product_status_idx
    )
    reference = models.CharField(
        _("core-banking reference"),
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The contract number in core banking; re-importing a file updates by it."),
    )
    principal = models.DecimalField(_("principal"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency)
    start_date = models.DateField(_("start date"), validators=[plausible_date_check])
    maturity_date = models.DateField(
        _("maturity date"), null=True, blank=True, validators=[plausible_date_check]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.IMPORT
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # A customer-initiated purchase above the customer's class (SaleOverride holds the proof).
    above_class_override = models.BooleanField(_("above-class purchase"), default=False)

    objects = HoldingQuerySet.as_manager()

    class Meta:
        verbose_name = _("holding")
        verbose_name_plural = _("holdings")
        constraints = [
            models.CheckConstraint(
                condition=Q(principal__gt=0),
                name="holding_principal_positive",
                violation_error_message=_("The principal must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(maturity_date__isnull=True) | Q(maturity_date__gte=F("start_date")),
                name="holding_maturity_after_start",
                violation_error_message=_("A holding cannot mature before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "matured", "redeemed"]),
                name="holding_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=["import", "staff"]), name="holding_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(currency__in=["CNY", "USD", "HKD", "EUR"]),
                name="holding_currency_valid",
            ),
        ]
        indexes = [
            # The customer page's holdings panel and "not already held" in recommendations.
            models.Index(fields=["customer", "status"], name="holding_customer_status_idx"),
            # A product page's holder count; campaigns' "not already holding the product".
            models.Index(
                fields=["product", "status", "customer"], name="holding_product_status_idx"
            ),
            # Maturities within 30 days (alert rule 4), and the timeline.
            models.Index(
                fields=["maturity_date"],
                name="holding_active_maturity_idx",
                condition=Q(status="active"),
            ),
        ]

    def __str__(self) -> str:
        # As admin shows it as a foreign key (a sale override's holding).
        return (
            f"{self.customer.customer_number} · {self.product.code} · "
            f"{self.principal} {self.currency}"
        )


class SaleOverride(TimeStampedModel):
    """A customer-initiated purchase of a product above the customer's risk class: recorded
    with the customer's explicit confirmation, never for C1, and only bought once a branch
    supervisor signs it off (the holding is created then)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting supervisor sign-off")
        APPROVED = "approved", _("Signed off")
        REJECTED = "rejected", _("Rejected")

    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="sale_overrides",
        verbose_name=_("customer"),
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    principal = models.DecimalField(_("principal"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency)
    customer_statement = models.TextField(
        _("customer's confirmation"),
        help_text=_("In the customer's words: they asked for this product knowing its risk."),
    )
    snapshot = models.JSONField(_("what the suitability check saw"), default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed off by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    holding = models.OneToOneField(
        Holding,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="override",
        verbose_name=_("holding"),
    )

    objects = CustomerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("above-class purchase")
        verbose_name_plural = _("above-class purchases")
        constraints = [
            models.CheckConstraint(
                condition=Q(principal__gt=0), name="sale_override_principal_positive"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "rejected"]),
                name="sale_override_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(customer_statement=""), name="sale_override_statement_required"
            ),
        ]
        indexes = [
            # The supervisor's list of overrides awaiting sign-off, newest first.
            models.Index(fields=["status", "-created_at"], name="sale_override_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.product_id} {self.status}"


# -- Risk questionnaire --------------------------------------------------------------------


class RiskQuestionnaire(TimeStampedModel):
    """A version of the risk-tolerance questionnaire (风险承受能力评估问卷). Once a customer
    has answered it, it is frozen: head office publishes a new version instead."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    is_active = models.BooleanField(
        _("in use"), default=False, help_text=_("The version RMs fill in; only one at a time.")
    )
    # Score-to-class thresholds: C1 below c2_min_score, C2 from c2_min_score, …
    c2_min_score = models.PositiveSmallIntegerField(_("lowest score for C2"))
    c3_min_score = models.PositiveSmallIntegerField(_("lowest score for C3"))
    c4_min_score = models.PositiveSmallIntegerField(_("lowest score for C4"))
    c5_min_score = models.PositiveSmallIntegerField(_("lowest score for C5"))

    class Meta:
        verbose_name = _("risk questionnaire")
        verbose_name_plural = _("risk questionnaires")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="risk_questionnaire_one_active",
                violation_error_message=_("Only one questionnaire version can be in use."),
            ),
            models.CheckConstraint(
                condition=Q(c2_min_score__gt=0)
                & Q(c3_min_score__gt=F("c2_min_score"))
                & Q(c4_min_score__gt=F("c3_min_score"))
                & Q(c5_min_score__gt=F("c4_min_score"))
                & Q(c5_min_score__lte=100),
                name="risk_questionnaire_thresholds_rise",
                violation_error_message=_(
                    "Thresholds must rise from C2 to C5, and stay within 100."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} {gettext(self.title)}"

    def class_for(self, score: int) -> str:
        """The risk tolerance class ("C1"…"C5") a total score falls in."""
        for code, minimum in (
            ("C5", self.c5_min_score),
            ("C4", self.c4_min_score),
            ("C3", self.c3_min_score),
            ("C2", self.c2_min_score),
        ):
            if score >= minimum:
                return code
        return "C1"


class RiskQuestion(models.Model):
    questionnaire = models.ForeignKey(
        RiskQuestionnaire,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("questionnaire"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("question"), max_length=300)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "position"], name="risk_question_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return gettext(self.text)


class RiskOption(models.Model):
    question = models.ForeignKey(
        RiskQuestion, on_delete=models.CASCADE, related_name="options", verbose_name=_("question")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("answer"), max_length=300)
    score = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        verbose_name = _("answer option")
        verbose_name_plural = _("answer options")
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "position"], name="risk_option_position_unique"
            ),
            models.CheckConstraint(condition=Q(score__lte=100), name="risk_option_score_range"),
        ]

    def __str__(self) -> str:
        return gettext(self.text)


class QuestionnaireAnswers(models.Model):
    """The questionnaire behind a customers.RiskAssessment. An assessment without one was
    entered before the questionnaire existed ("no questionnaire")."""

    assessment = models.OneToOneField(
        RiskAssessment,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="questionnaire_answers",
        verbose_name=_("risk assessment"),
    )
    questionnaire = models.ForeignKey(
        RiskQuestionnaire,
        on_delete=models.PROTECT,
        related_name="answer_sets",
        verbose_name=_("questionnaire version"),
    )
    # [{"question": id, "option": id, "score": n, "q": text, "a": text}], as answered.
    answers = models.JSONField(_("answers"))
    in_person = models.BooleanField(_("done in person at a branch"))
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("branch"),
    )

    class Meta:
        verbose_name = _("questionnaire answers")
        verbose_name_plural = _("questionnaire answers")

    def __str__(self) -> str:
        return f"{self.assessment_id} ({self.questionnaire_id})"


# -- Recommendations -----------------------------------------------------------------------


class Recommendation(TimeStampedModel):
    """A product recommended to a customer for a need, with what the suitability check saw."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="recommendations",
        verbose_name=_("customer"),
        db_index=False,  # covered by recommendation_customer_idx
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="recommendations", verbose_name=_("product")
    )
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recommended by"),
    )
    recommended_at = models.DateTimeField(_("recommended at"), default=timezone.now)
    needs = models.ManyToManyField(
        NeedType, related_name="recommendations", verbose_name=_("needs served")
    )
    rationale = models.TextField(_("rationale"), max_length=2000)
    # What check_suitability saw, frozen: shown to an auditor exactly as it was.
    snapshot = models.JSONField(_("suitability snapshot"))
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    outcome_on = models.DateField(
        _("outcome date"), null=True, blank=True, validators=[plausible_date_check]
    )
    outcome_reason = models.CharField(_("reason"), max_length=255, blank=True)

    objects = CustomerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["pending", "accepted", "declined"]),
                name="recommendation_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(outcome="pending") | Q(outcome_on__isnull=False),
                name="recommendation_outcome_dated",
            ),
            # A double submit (or a second RM) cannot record the same open recommendation twice.
            models.UniqueConstraint(
                fields=["customer", "product"],
                condition=Q(outcome="pending"),
                name="recommendation_one_pending",
                violation_error_message=_(
                    "This product is already recommended to the customer, awaiting an answer."
                ),
            ),
        ]
        indexes = [
            # The customer page (panel and timeline, keyset on recommended_at).
            models.Index(
                "customer", F("recommended_at").desc(), name="recommendation_customer_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.product_id} {self.outcome}"


# -- Campaigns -----------------------------------------------------------------------------


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user) -> CampaignQuerySet:
        """Head office sees every campaign; branch staff the bank-wide ones and their branch's."""
        role = role_of(user)
        if role == Role.HEAD_OFFICE:
            return self
        if role is None:
            return self.none()
        return self.filter(Q(branch__isnull=True) | Q(branch_id=branch_id_of(user)))


class Campaign(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LAUNCHED = "launched", _("Launched")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    # A supervisor's campaign is for their branch; head office's for `branches` (empty: all).
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owning branch"),
    )
    products = models.ManyToManyField(Product, related_name="campaigns", verbose_name=_("products"))
    target_segments = ArrayField(
        models.CharField(max_length=10, choices=Customer.Segment.choices),
        default=list,
        blank=True,
        verbose_name=_("segments"),
    )
    target_needs = models.ManyToManyField(
        NeedType, blank=True, related_name="+", verbose_name=_("needs")
    )
    min_need_priority = models.PositiveSmallIntegerField(_("minimum need priority"), default=0)
    target_branches = models.ManyToManyField(
        Branch, blank=True, related_name="+", verbose_name=_("branches")
    )
    exclude_holders = models.BooleanField(
        _("only customers not already holding the products"), default=True
    )
    starts_on = models.DateField(_("starts on"), validators=[plausible_date_check])
    ends_on = models.DateField(_("ends on"), validators=[plausible_date_check])
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    target_count = models.PositiveIntegerField(_("targets"), default=0)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="campaign_period_order",
                violation_error_message=_("A campaign cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "launched", "closed"]),
                name="campaign_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(min_need_priority__lte=100), name="campaign_priority_range"
            ),
            models.CheckConstraint(
                condition=Q(target_segments__contained_by=SEGMENTS),
                name="campaign_segments_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("products:campaign_detail", args=[self.pk])

    @property
    def target_segment_labels(self) -> list[str]:
        labels = dict(Customer.Segment.choices)
        return [str(labels.get(s, s)) for s in self.target_segments]


class CampaignTarget(models.Model):
    class Status(models.TextChoices):
        TO_CONTACT = "to_contact", _("To contact")
        CONTACTED = "contacted", _("Contacted")
        INTERESTED = "interested", _("Interested")
        SUBSCRIBED = "subscribed", _("Subscribed")
        DECLINED = "declined", _("Declined")

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="targets",
        verbose_name=_("campaign"),
        db_index=False,  # covered by campaign_target_unique
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="campaign_targets",
        verbose_name=_("customer"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
        db_index=False,  # covered by campaign_target_rm_idx
    )
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("branch"),
        db_index=False,  # covered by campaign_target_branch_idx
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.TO_CONTACT
    )
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    created_at = models.DateTimeField(_("targeted at"), default=timezone.now)

    objects = CustomerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign target")
        verbose_name_plural = _("campaign targets")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "customer"], name="campaign_target_unique"),
            models.CheckConstraint(
                condition=Q(
                    status__in=["to_contact", "contacted", "interested", "subscribed", "declined"]
                ),
                name="campaign_target_status_valid",
            ),
        ]
        indexes = [
            # An RM's target list, by campaign and status.
            models.Index(
                fields=["assigned_to", "campaign", "status"], name="campaign_target_rm_idx"
            ),
            # The funnel per branch of a campaign.
            models.Index(
                fields=["campaign", "branch", "status"], name="campaign_target_branch_idx"
            ),
            # "Logging an interaction moves the target on": the customer's open targets.
            models.Index(fields=["customer", "status"], name="campaign_target_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.customer_id} {self.status}"
