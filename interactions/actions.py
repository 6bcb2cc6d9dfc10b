"""Buttons that apps add to an interaction's page, without `interactions` importing them.

An app registers a provider in its `interaction_page.py` (imported from its AppConfig.ready()):

    @actions.provider
    def feedback_actions(user, interaction) -> list[actions.Action]:
        return [actions.Action(_("Create survey link"), reverse(...), post=True)]

The interaction's page (`interactions:detail`) shows each provider's actions, in the order the
providers were registered, beside its "Edit" button. A provider sees an interaction already
within the user's scope; it may cost a query or two (the page is one interaction).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from interactions.models import Interaction


@dataclass(frozen=True)
class Action:
    """One button: its words, where it goes, and whether it is a form POST (a write, with
    CSRF) or a link. `style` is Bootstrap's button variant ("outline-secondary", "danger")."""

    label: str
    url: str
    post: bool = False
    style: str = "outline-secondary"
    testid: str = ""


Provider = Callable[["User", "Interaction"], list[Action]]

_providers: list[Provider] = []


def provider(func: Provider) -> Provider:
    """Register `func(user, interaction) -> list[Action]` (once, however often imported)."""
    if func not in _providers:
        _providers.append(func)
    return func


def actions_for(*, user: User, interaction: Interaction) -> list[Action]:
    """Every registered provider's actions for this user on this interaction, in order."""
    return [action for func in _providers for action in func(user, interaction)]
