"""Who may change which customer (who may *see* one is Customer.objects.visible_to).

An RM changes their own (assigned) customers, a supervisor every customer of the branch,
head office every customer. Everyone else who sees a customer has read-only access.
"""

from __future__ import annotations

from accounts.models import Role, branch_id_of, role_of
from customers.models import Customer


def can_edit_customer(user, customer: Customer) -> bool:
    role = role_of(user)
    if role == Role.HEAD_OFFICE:
        return True
    if role == Role.SUPERVISOR:
        return customer.branch_id == branch_id_of(user)
    if role == Role.RM:
        return customer.relationship_manager_id == user.pk
    return False


def can_create_customer(user) -> bool:
    return role_of(user) is not None


def can_reassign(user) -> bool:
    """Supervisors (own branch) and head office move customers between RMs."""
    return role_of(user) in (Role.SUPERVISOR, Role.HEAD_OFFICE)


def can_import(user) -> bool:
    """Core-banking imports: head office, and supervisors into their own branch."""
    return role_of(user) in (Role.SUPERVISOR, Role.HEAD_OFFICE)


def can_read_access_log(user) -> bool:
    return role_of(user) in (Role.SUPERVISOR, Role.HEAD_OFFICE)
