"""How a signed-in user is loaded for each request."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class StaffModelBackend(ModelBackend):
    """Django's username and password backend, except that a session's user is loaded with
    their staff profile (role and branch) in the same query: almost every page asks for the
    role (accounts.models.role_of), which would otherwise cost a second query per request."""

    def get_user(self, user_id):
        """The active user with this id and their `staff` row (None if there is none), or
        None for an unknown or inactive user."""
        users = get_user_model()._default_manager.select_related("staff")
        try:
            user = users.get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
