"""Who may manage whose account: head office manages staff without ever granting more than it has.

A non-superuser may change a user (profile, groups, permissions, password) only when that user
has no right the editor lacks; the superuser flag is for superusers alone; and the groups and
permissions an editor hands out must be a subset of the editor's own. Issue 8 item 1: a
head-office user ticked "superuser status" on themselves and set the superuser's password.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

GRANT_SUPERUSER = _("Only a superuser can grant or remove superuser status.")
GRANT_BEYOND_OWN = _("You cannot grant permissions you do not have yourself: %(perms)s.")


def _perm_names(perms: Iterable[Permission]) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in perms}


def outranks(target, actor) -> bool:
    """True when `target` holds a right `actor` lacks (superuser status, or any permission).

    Such a user's account (profile, groups, permissions, password) is out of `actor`'s reach.
    A superuser may manage everyone.
    """
    if actor.is_superuser:
        return False
    if target.is_superuser:
        return True
    if target.pk == actor.pk:
        return False
    return not target.get_all_permissions() <= actor.get_all_permissions()


def grant_refusal(
    *,
    actor,
    is_superuser: bool | None = None,
    was_superuser: bool = False,
    groups: Iterable[Group] = (),
    permissions: Iterable[Permission] = (),
) -> str | None:
    """Why `actor` may not give a user this superuser flag, these groups and permissions
    (a message), or None if they may. Groups count with every permission they carry."""
    if actor.is_superuser:
        return None
    if is_superuser is not None and bool(is_superuser) != bool(was_superuser):
        return str(GRANT_SUPERUSER)
    wanted = _perm_names(
        Permission.objects.filter(
            Q(group__in=[g.pk for g in groups]) | Q(pk__in=[p.pk for p in permissions])
        ).select_related("content_type")
    )
    beyond = sorted(wanted - actor.get_all_permissions())
    if beyond:
        shown = ", ".join(beyond[:5]) + (" …" if len(beyond) > 5 else "")
        return str(GRANT_BEYOND_OWN % {"perms": shown})
    return None


def grantable_permissions(actor):
    """The permissions `actor` may hand out: their own (every one for a superuser)."""
    perms = Permission.objects.select_related("content_type")
    if actor.is_superuser:
        return perms
    own = actor.get_all_permissions()
    ids = [p.pk for p in perms if f"{p.content_type.app_label}.{p.codename}" in own]
    return Permission.objects.filter(pk__in=ids)


def grantable_groups(actor):
    """The groups `actor` may hand out: those carrying no permission beyond the actor's."""
    if actor.is_superuser:
        return Group.objects.all()
    return Group.objects.exclude(
        permissions__in=Permission.objects.exclude(pk__in=grantable_permissions(actor))
    )
