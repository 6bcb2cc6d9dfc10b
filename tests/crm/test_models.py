"""TimeStampedModel's get_FOO_display() gives exactly what Django's own does."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from crm.models import TimeStampedModel

CHOICE_FIELDS = [
    (model, field)
    for model in apps.get_models()
    if issubclass(model, TimeStampedModel)
    for field in model._meta.concrete_fields
    if field.choices
]


def test_there_are_choice_fields_to_compare():
    assert len(CHOICE_FIELDS) > 20


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_label_in_every_language_matches_djangos(language):
    with translation.override(language):
        for model, field in CHOICE_FIELDS:
            obj = model()
            display = getattr(obj, f"get_{field.name}_display")
            for value, label in field.flatchoices:
                setattr(obj, field.attname, value)
                expected = models.Model._get_FIELD_display(obj, field)
                assert display() == expected == str(label), (model, field.name, value)
            setattr(obj, field.attname, "not-a-choice")  # unknown values pass through
            assert display() == models.Model._get_FIELD_display(obj, field) == "not-a-choice"


def test_a_label_follows_the_active_language():
    from interactions.models import Interaction

    interaction = Interaction(channel="phone")
    assert interaction.get_channel_display() == "Phone"
    with translation.override("zh-hans"):
        assert interaction.get_channel_display() == "电话"
