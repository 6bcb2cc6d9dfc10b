"""Writes to the organisation: staff accounts and the groups that carry role permissions."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from accounts.models import Branch, Role, Staff

User = get_user_model()

HEAD_OFFICE_GROUP = "Head office"
# Django admin is head office's tool for reference data and staff. Records the bank must keep
# (customers, interactions, feedback, alerts) are archived, never deleted, so no delete permission.
HEAD_OFFICE_APPS = [
    "accounts",
    "auth",
    "axes",
    "crm",
    "customers",
    "interactions",
    "products",
    "feedback",
    "insights",  # alert rules' thresholds and the score policy are head office's to tune
]
KEPT_RECORD_APPS = ["customers", "interactions", "feedback", "insights"]
# Rights that would let head office grant itself more than it has: editing groups (its own
# included) and permission rows. Staff accounts are deactivated, never deleted.
HEAD_OFFICE_WITHHELD = [
    ("auth", "add_group"),
    ("auth", "change_group"),
    ("auth", "delete_group"),
    ("auth", "add_permission"),
    ("auth", "change_permission"),
    ("auth", "delete_permission"),
    ("auth", "delete_user"),
]


def role_groups_sync() -> Group:
    """Create or refresh the head-office group's admin permissions; return the group."""
    group, _ = Group.objects.get_or_create(name=HEAD_OFFICE_GROUP)
    withheld = Q(pk__in=[])
    for app_label, codename in HEAD_OFFICE_WITHHELD:
        withheld |= Q(content_type__app_label=app_label, codename=codename)
    perms = (
        Permission.objects.filter(content_type__app_label__in=HEAD_OFFICE_APPS)
        .exclude(
            Q(content_type__app_label__in=KEPT_RECORD_APPS) & Q(codename__startswith="delete_")
        )
        .exclude(withheld)
    )
    group.permissions.set(perms)
    return group


@transaction.atomic
def staff_create(
    *,
    username: str,
    password: str | None,
    role: str,
    employee_number: str,
    branch: Branch | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> Staff:
    """Create a user with a staff profile; head office also gets Django admin access."""
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=role == Role.HEAD_OFFICE,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    staff = Staff(user=user, role=role, branch=branch, employee_number=employee_number)
    staff.full_clean()
    staff.save()
    if role == Role.HEAD_OFFICE:
        user.groups.add(role_groups_sync())
    return staff
