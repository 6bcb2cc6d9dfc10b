"""Reads of the home pages that belong to no lower app."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Branch


def branch_summary(*, user) -> QuerySet[Branch]:
    """Branches the user sees with their worker-computed figures (`figures` may be None)."""
    return Branch.objects.visible_to(user).select_related("figures").order_by("code")
