"""How a member of staff is named on pages, in exports and in messages: one definition.

The base app names users through Django's user API alone (no app's models), so that every
app, the admin and the `person_name` template filter (crm_tags) say the same thing.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

# The user fields person_name reads.
NAME_FIELDS = ("username", "first_name", "last_name")


def person_name(user) -> str:
    """The user's full name, else their username; "" for nobody (None, or a template's "" for
    a missing value)."""
    if not user:
        return ""
    return user.get_full_name() or user.get_username()


def person_fields(relation: str) -> list[str]:
    """The user fields person_name reads, under `relation` (e.g. "assignee"), for a query's
    .only(): loading a member of staff to name them needs no more."""
    return [f"{relation}__{name}" for name in NAME_FIELDS]


def person_json(user_id: str) -> str:
    """SQL for a raw query (the customer timeline's): the jsonb object of the fields
    person_name reads of the user whose id is the column `user_id` (e.g. "t.assignee_id"),
    NULL for nobody. Name it with person_name_of."""
    fields = ", ".join(f"'{name}', u.{name}" for name in NAME_FIELDS)
    # Constant SQL: the field names above and the caller's column name, never input.
    return f"(SELECT jsonb_build_object({fields}) FROM auth_user u WHERE u.id = {user_id})"  # noqa: S608


def person_name_of(fields: dict | None) -> str:
    """person_name of the user whose fields person_json selected; "" for nobody (None)."""
    return person_name(get_user_model()(**fields)) if fields else ""
