from accounts.models import Role, role_of


def role(request):
    """The signed-in user's role, for the role-aware navigation."""
    user = getattr(request, "user", None)
    current = role_of(user) if user is not None else None
    return {
        "user_role": current,
        "is_head_office": current == Role.HEAD_OFFICE,
        "is_supervisor": current == Role.SUPERVISOR,
        "is_rm": current == Role.RM,
    }
