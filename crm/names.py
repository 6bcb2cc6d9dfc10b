"""How a member of staff is named on pages, in exports and in messages: one definition.

The base app names users through Django's user API alone (no app's models), so that every
app, the admin and the `person_name` template filter (crm_tags) say the same thing.
"""

from __future__ import annotations


def person_name(user) -> str:
    """The user's full name, else their username; "" for nobody (None, or a template's "" for
    a missing value)."""
    if not user:
        return ""
    return user.get_full_name() or user.get_username()


def person_fields(relation: str) -> list[str]:
    """The user fields person_name reads, under `relation` (e.g. "assignee"), for a query's
    .only(): loading a member of staff to name them needs no more."""
    return [f"{relation}__{name}" for name in ("username", "first_name", "last_name")]
