"""Who may do what with a case (who may *see* one is Case.objects.visible_to). Built on the
shared predicates of customers.access and accounts.models.branch_scope."""

from __future__ import annotations

from accounts.models import ALL_BRANCHES, Role, branch_scope, role_of
from customers.access import is_supervising


def _covers_branch(user, branch_id: int) -> bool:
    scope = branch_scope(user)
    return scope is ALL_BRANCHES or (scope is not None and scope == branch_id)


def can_supervise_case(user, case) -> bool:
    """Reassign, approve a further extension: the branch's supervisor and head office."""
    return is_supervising(user) and _covers_branch(user, case.branch_id)


def can_work_case(user, case) -> bool:
    """Change a case's status, severity or clocks: its assignee, the branch's supervisor,
    head office."""
    if can_supervise_case(user, case):
        return True
    return role_of(user) == Role.RM and case.assignee_id == user.pk


def can_see_branch_cases(user) -> bool:
    return is_supervising(user)
