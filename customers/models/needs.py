"""Customer needs, their types and their dated history."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from crm.models import TimeStampedModel, choices_constraint
from customers.models.customer import Customer

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


class NeedSource(models.TextChoices):
    STATED = "stated", _("Stated by customer")
    RECORDED = "recorded", _("Recorded by RM")
    INFERRED = "inferred", _("Inferred by rule")


class NeedStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    FULFILLED = "fulfilled", _("Fulfilled")
    LAPSED = "lapsed", _("Lapsed")


def need_status_label(value: str) -> str:
    """A need status in words ("active" → "Active" / 有效), as pages show a need change's old
    and new status; "" (a new need has no old status) stays ""."""
    return str(dict(NeedStatus.choices).get(value, value)) if value else ""


class CustomerNeed(TimeStampedModel):
    Source = NeedSource
    Status = NeedStatus

    # PROTECT: a record the bank must keep (customers are archived, never deleted).
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="needs",
        verbose_name=_("customer"),
        db_index=False,  # covered by customer_need_unique (customer, need_type)
    )
    need_type = models.ForeignKey(
        NeedType,
        on_delete=models.PROTECT,
        related_name="customer_needs",
        verbose_name=_("need"),
        db_index=False,  # covered by customer_need_type_status_idx (need_type, …)
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
            choices_constraint("status", NeedStatus, name="customer_need_status_valid"),
            choices_constraint("source", NeedSource, name="customer_need_source_valid"),
        ]
        indexes = [
            # The customer list's "need" filter: customers with an active need of a type.
            models.Index(
                fields=["need_type", "status", "customer"], name="customer_need_type_status_idx"
            ),
        ]

    def __str__(self) -> str:
        # Admin lists and foreign keys (a need change's "need") name the need, not its id:
        # "C00012345 · Retirement". Lists showing it select_related customer and need_type.
        return f"{self.customer.customer_number} · {self.need_type}"


class NeedChange(models.Model):
    """A dated record of a change in a need's priority or status (the need history)."""

    # PROTECT: the need history is kept with its need.
    need = models.ForeignKey(
        CustomerNeed,
        on_delete=models.PROTECT,
        related_name="changes",
        verbose_name=_("need"),
        db_index=False,  # covered by need_change_need_idx (need, -changed_at)
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
        return f"{self.need} · {timezone.localtime(self.changed_at):%Y-%m-%d %H:%M}"

    @property
    def is_new_need(self) -> bool:
        """The record of a need's first recording (it had no priority before)."""
        return self.old_priority is None

    @property
    def priority_changed(self) -> bool:
        return self.old_priority is not None and self.old_priority != self.new_priority

    @property
    def status_changed(self) -> bool:
        return bool(self.old_status) and self.old_status != self.new_status


def need_change_words(change: NeedChange) -> str:
    """What one need change changed, in words, each part only when it changed: "new need,
    priority 60", "priority 60 → 80", "Active → Fulfilled" or "priority 60 → 80; Active →
    Fulfilled" (a status-only change used to read "priority 80 → 80"). Every page showing a
    need's history (timeline, needs panel, admin) says it this way."""
    parts = []
    if change.is_new_need:
        parts.append(gettext("new need, priority %(p)s") % {"p": change.new_priority})
    elif change.priority_changed:
        parts.append(
            gettext("priority %(old)s → %(new)s")
            % {"old": change.old_priority, "new": change.new_priority}
        )
    if change.status_changed:
        parts.append(
            f"{need_status_label(change.old_status)} → {need_status_label(change.new_status)}"
        )
    return gettext("; ").join(parts)  # 全角 "；" in Chinese


# What the system writes into a need's evidence and a change's reason when an interaction
# discusses the need (interactions' "needs discussed"). Stored as the English source text and
# shown in the reader's language by `need_text`, so the record reads the same to every reader
# whatever language its logger used; what staff type is stored and shown as typed.
NEED_DISCUSSED_REASON = gettext_noop("Discussed in interaction #%(id)d")
NEED_DISCUSSED_EVIDENCE = gettext_noop("Discussed in interaction: %(subject)s")
_SYSTEM_TEXT_PREFIX = "Discussed in interaction"
_REASON_STORED = re.compile(r"Discussed in interaction #(?P<id>\d+)")
_EVIDENCE_STORED = re.compile(r"Discussed in interaction: (?P<subject>.*)", re.DOTALL)


def need_discussed_reason(interaction_id: int) -> str:
    """The stored reason of a need change made by logging interaction `interaction_id`."""
    return NEED_DISCUSSED_REASON % {"id": interaction_id}


def need_discussed_evidence(subject: str) -> str:
    """The stored evidence of a need first recorded from an interaction with this subject."""
    return NEED_DISCUSSED_EVIDENCE % {"subject": subject}


def need_text(text: str) -> str:
    """A need's evidence or a change's reason as the reader sees it: the system's own texts
    (`need_discussed_reason`, `need_discussed_evidence`) in the active language, anything
    else exactly as stored. "Discussed in interaction #12" reads "在客户互动 #12 中提及" in
    Chinese."""
    if not text.startswith(_SYSTEM_TEXT_PREFIX):
        return text
    if match := _REASON_STORED.fullmatch(text):
        return gettext(NEED_DISCUSSED_REASON) % {"id": int(match["id"])}
    if match := _EVIDENCE_STORED.fullmatch(text):
        return gettext(NEED_DISCUSSED_EVIDENCE) % {"subject": match["subject"]}
    return text
