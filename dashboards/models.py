"""Figures the home pages show, computed by workers rather than by page requests."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch


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
