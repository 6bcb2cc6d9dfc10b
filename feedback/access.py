"""Who may do what with a case (who may *see* one is Case.objects.visible_to)."""

from __future__ import annotations

from accounts.models import Role, branch_id_of, role_of


def can_work_case(user, case) -> bool:
    """Change a case's status, severity or clocks: its assignee, the branch's supervisor,
    head office."""
    role = role_of(user)
    if role == Role.HEAD_OFFICE:
        return True
    if role == Role.SUPERVISOR:
        return case.branch_id == branch_id_of(user)
    if role == Role.RM:
        return case.assignee_id == user.pk
    return False


def can_supervise_case(user, case) -> bool:
    """Reassign, approve a further extension: the branch's supervisor and head office."""
    role = role_of(user)
    if role == Role.HEAD_OFFICE:
        return True
    return role == Role.SUPERVISOR and case.branch_id == branch_id_of(user)


def can_see_branch_cases(user) -> bool:
    return role_of(user) in (Role.SUPERVISOR, Role.HEAD_OFFICE)
