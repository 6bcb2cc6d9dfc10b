"""Who may do what: the one module of access predicates (services, views, panels and admin
all ask here; none spells a rule of its own).

Rows: who may *see* a customer is `Customer.objects.visible_to(user)`; the predicates below
answer the same question for one customer already loaded (`can_serve_customer`) and must
agree with it (tests/customers/test_access.py holds them together). Both build on
`accounts.models.branch_scope`.

- Serve ("full service", DOMAIN.md): every member of staff may serve any customer they see —
  read the record, log interactions and tasks, record the needs they hear of.
- Edit: an RM their own (assigned) customers, a supervisor every customer of the branch, head
  office every customer. Everyone else who sees a customer has read-only access.
- Roles: supervisors and head office supervise (reassign, import, read the access log, see the
  team); every member of staff with a role may create a customer.

Pages of a role (the team's tasks, the dashboards, case analytics, the access log, precision
per rule …): a user without the role gets 403 — there is no record whose existence a 403 could
confirm, and STYLE.md §6 gives 403 for what a role may not do. A record or a branch outside the
user's scope, named in the URL or a parameter, stays 404 (DOMAIN.md: ids do not leak).

Predicates return bool and cost no query for a user whose staff profile is loaded; the
`require_*` helpers raise PermissionDenied for services, whose callers may be a view, an admin
action, a task or a shell — no service trusts its caller to have checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from accounts.models import ALL_BRANCHES, Role, branch_scope, role_of
from customers.models import Customer

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

NOT_ALLOWED = _("You may not change this customer.")
NOT_IN_SCOPE = _("This customer is not in your branch.")
NOT_A_SUPERVISOR = _("Only a branch supervisor or head office may do this.")
# The household member is in the user's scope (otherwise "not found") but not theirs to
# change: only an RM gets there, so the member is another relationship manager's customer.
MEMBER_NOT_ALLOWED_LINK = _(
    "You may not change %(name)s's record (another relationship manager's customer), so you "
    "cannot link them."
)
MEMBER_NOT_ALLOWED_UNLINK = _(
    "You may not change %(name)s's record (another relationship manager's customer), so you "
    "cannot unlink them."
)

# -- Roles ---------------------------------------------------------------------------------


def has_role(user: User | AnonymousUser) -> bool:
    """A member of staff with an active profile (or a superuser, acting as head office)."""
    return role_of(user) is not None


def is_rm(user: User | AnonymousUser) -> bool:
    return role_of(user) == Role.RM


def is_head_office(user: User | AnonymousUser) -> bool:
    return role_of(user) == Role.HEAD_OFFICE


def is_supervising(user: User | AnonymousUser) -> bool:
    """Supervisors (over their branch) and head office (over every branch)."""
    return role_of(user) in (Role.SUPERVISOR, Role.HEAD_OFFICE)


def can_create_customer(user: User | AnonymousUser) -> bool:
    return has_role(user)


def can_reassign(user: User | AnonymousUser) -> bool:
    """Supervisors (own branch) and head office move customers and tasks between staff."""
    return is_supervising(user)


def can_import(user: User | AnonymousUser) -> bool:
    """Core-banking imports: head office, and supervisors into their own branch."""
    return is_supervising(user)


def can_read_access_log(user: User | AnonymousUser) -> bool:
    return is_supervising(user)


def can_export_full_contact(user: User | AnonymousUser) -> bool:
    """An export with whole mobile numbers (a separate, logged choice; issue 8 item 13):
    supervisors (own branch) and head office. Everyone else exports them masked."""
    return is_supervising(user)


def can_see_team(user: User | AnonymousUser) -> bool:
    """The team's tasks and staff tables: supervisors (own branch) and head office."""
    return is_supervising(user)


# -- One customer --------------------------------------------------------------------------


def can_serve_customer(user: User | AnonymousUser, customer: Customer) -> bool:
    """The user sees this customer (the same answer as Customer.objects.visible_to)."""
    scope = branch_scope(user)
    if scope is ALL_BRANCHES:
        return True
    return scope is not None and customer.branch_id == scope


def can_edit_customer(user: User | AnonymousUser, customer: Customer) -> bool:
    """The user may change this customer's record (see the module's docstring)."""
    role = role_of(user)
    if role == Role.HEAD_OFFICE:
        return True
    if role == Role.SUPERVISOR:
        return can_serve_customer(user, customer)
    if role == Role.RM:
        return customer.relationship_manager_id == user.pk and can_serve_customer(user, customer)
    return False


def can_record_need(user: User | AnonymousUser, customer: Customer) -> bool:
    """Whoever serves the customer may record a need they heard of (a colleague's interaction
    records the needs discussed in it, so the need panel follows the same rule)."""
    return can_serve_customer(user, customer)


def require_serve(actor: User | None, customer: Customer) -> None:
    """PermissionDenied unless `actor` may serve `customer`; `actor=None` is the system."""
    if actor is not None and not can_serve_customer(actor, customer):
        raise PermissionDenied(NOT_IN_SCOPE)


def require_edit(actor: User | None, customer: Customer) -> None:
    """PermissionDenied unless `actor` may change `customer`; `actor=None` is the system."""
    if actor is not None and not can_edit_customer(actor, customer):
        raise PermissionDenied(NOT_ALLOWED)


def require_edit_member(actor: User | None, member: Customer, *, unlink: bool) -> None:
    """require_edit for the other customer of a household link or unlink: PermissionDenied
    naming the member, so that it does not read as the page's customer. A member outside the
    actor's scope is not named (NOT_IN_SCOPE), so that its name does not leak."""
    if actor is None or can_edit_customer(actor, member):
        return
    if not can_serve_customer(actor, member):
        raise PermissionDenied(NOT_IN_SCOPE)
    text = MEMBER_NOT_ALLOWED_UNLINK if unlink else MEMBER_NOT_ALLOWED_LINK
    raise PermissionDenied(text % {"name": member.name})


def require_supervising(actor: User | None) -> None:
    if actor is not None and not is_supervising(actor):
        raise PermissionDenied(NOT_A_SUPERVISOR)
