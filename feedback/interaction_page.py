"""What the feedback app adds to an interaction's page: a survey link for the customer, and
the case a complaint raised there needs (or the case already opened from it)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from accounts.models import role_of
from feedback import selectors
from interactions import actions
from interactions.models import Interaction


@actions.provider
def feedback_actions(user, interaction: Interaction) -> list[actions.Action]:
    """ "Create survey link" (POST, feedback:survey_link_create) for staff, unless the
    customer already answered the interaction's survey; then the case opened from this
    interaction if the user can see one, else "Open a case" pre-filled from it — the primary
    button when the interaction's outcome is a complaint (two queries)."""
    if role_of(user) is None:
        return []
    survey = (
        []
        if selectors.survey_answered(interaction_id=interaction.pk)
        else [
            actions.Action(
                gettext("Create survey link"),
                reverse("feedback:survey_link_create", args=[interaction.pk]),
                post=True,
                testid="create-survey-link",
            )
        ]
    )
    case = selectors.case_opened_from(interaction_id=interaction.pk, user=user)
    if case is not None:
        return [
            *survey,
            actions.Action(
                gettext("Case #%(id)s") % {"id": case.pk},
                reverse("feedback:case_detail", args=[case.pk]),
                testid="interaction-case",
            ),
        ]
    complaint = interaction.outcome == Interaction.Outcome.COMPLAINT
    open_case = actions.Action(
        gettext("Open a case"),
        reverse("feedback:case_create", args=[interaction.customer_id])
        + f"?interaction={interaction.pk}",
        style="danger" if complaint else "outline-danger",
        testid="open-case-from-interaction",
    )
    return [*survey, open_case]
