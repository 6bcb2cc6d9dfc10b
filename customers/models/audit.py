"""The audit log: who did what to which record, and who looked at whose personal data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, Role, branch_id_of, role_of
from customers.models.customer import Customer


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
