"""The bank's organisation: branches and the staff who serve customers in them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.models import TimeStampedModel, choices_constraint
from crm.names import person_name  # apps import it from here too

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


class Role(models.TextChoices):
    RM = "rm", _("Relationship manager")
    SUPERVISOR = "supervisor", _("Branch supervisor")
    HEAD_OFFICE = "head_office", _("Head office")


def role_of(user: User | AnonymousUser) -> Role | None:
    """The user's role; superusers act as head office, users without a profile have none."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.HEAD_OFFICE
    staff = getattr(user, "staff", None)
    if staff is None or not staff.is_active:
        return None
    return Role(staff.role)


def branch_id_of(user: User | AnonymousUser) -> int | None:
    staff = getattr(user, "staff", None)
    return staff.branch_id if staff is not None else None


ALL_BRANCHES = object()  # branch_scope's answer for head office


def branch_scope(user: User | AnonymousUser) -> object | int | None:
    """Whose branch a user's work covers — the one rule behind every `visible_to`:
    ALL_BRANCHES for head office, the branch's id for branch staff, None for nobody (no
    role, or a branch role without a branch)."""
    role = role_of(user)
    if role == Role.HEAD_OFFICE:
        return ALL_BRANCHES
    if role is None:
        return None
    return branch_id_of(user)


class BranchQuerySet(models.QuerySet):
    def visible_to(self, user) -> BranchQuerySet:
        """Branches this user may see: head office all, everyone else their own."""
        scope = branch_scope(user)
        if scope is ALL_BRANCHES:
            return self
        if scope is None:
            return self.none()
        return self.filter(pk=scope)


class Branch(TimeStampedModel):
    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=100)
    city = models.CharField(_("city"), max_length=60)

    objects = BranchQuerySet.as_manager()

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StaffQuerySet(models.QuerySet):
    def visible_to(self, user) -> StaffQuerySet:
        """Staff this user may see: head office all, a branch's people their own branch."""
        scope = branch_scope(user)
        if scope is ALL_BRANCHES:
            return self
        if scope is None:
            return self.none()
        return self.filter(branch_id=scope)

    def active(self) -> StaffQuerySet:
        """Staff who may work today: the profile and the login both active."""
        return self.filter(is_active=True, user__is_active=True)

    def active_rms(self, *, branch_id: int | None = None) -> StaffQuerySet:
        """Active relationship managers — the only staff a customer may be assigned to —
        of one branch when `branch_id` is given. The one definition of "active RMs"."""
        staff = self.active().filter(role=Role.RM)
        return staff if branch_id is None else staff.filter(branch_id=branch_id)


class Staff(TimeStampedModel):
    """The profile that makes a Django user a member of the bank's staff."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role)
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("branch"),
    )
    employee_number = models.CharField(_("employee number"), max_length=20, unique=True)
    # "Active" staff are employed (在职), unlike an active need type or user account (有效).
    is_active = models.BooleanField(pgettext_lazy("staff", "active"), default=True)

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["employee_number"]
        constraints = [
            choices_constraint("role", Role, name="staff_role_valid"),
            models.CheckConstraint(
                # Branch staff belong to a branch; head office does not.
                condition=models.Q(role="head_office") | models.Q(branch__isnull=False),
                name="staff_branch_required",
                violation_error_message=_("Relationship managers and supervisors need a branch."),
            ),
        ]
        indexes = [
            # Staff tables of a branch, by role.
            models.Index(fields=["branch", "role"], name="staff_branch_role_idx"),
        ]

    def __str__(self) -> str:
        return f"{person_name(self.user)} ({self.employee_number})"
