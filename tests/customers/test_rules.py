"""One definition per rule (issue 9.3): the database's lists come from the choices, "assessment
current" from one constant, "active RMs" from one queryset, kept records are protected."""

import datetime as dt

import pytest
from django.apps import apps
from django.db import models
from django.db.models import ProtectedError

from accounts.models import Role, Staff
from customers import services
from customers.models import (
    RISK_ASSESSMENT_VALID_MONTHS,
    Channel,
    Customer,
    RiskAssessment,
    risk_assessment_cutoff,
)
from interactions.models import Interaction
from tests.accounts.factories import StaffFactory
from tests.customers.factories import CustomerFactory, need_type

PROJECT_APPS = ["crm", "accounts", "customers", "interactions", "dashboards"]


def _choice_constraints():
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            for constraint in model._meta.constraints:
                if not isinstance(constraint, models.CheckConstraint):
                    continue
                children = getattr(constraint.condition, "children", [])
                if len(children) == 1 and isinstance(children[0], tuple):
                    lookup, allowed = children[0]
                    if lookup.endswith("__in"):
                        yield model, lookup.removesuffix("__in"), allowed


def test_every_choices_constraint_allows_exactly_the_fields_choices():
    checked = 0
    for model, field_name, allowed in _choice_constraints():
        field = model._meta.get_field(field_name)
        expected = [value for value, _label in field.choices]
        if field.blank:
            expected = ["", *expected]
        assert sorted(allowed) == sorted(expected), f"{model.__name__}.{field_name}"
        checked += 1
    assert checked >= 15  # every choices field of the project's models


def test_every_choices_field_has_its_constraint():
    constrained = {(m, f) for m, f, _allowed in _choice_constraints()}
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            for field in model._meta.concrete_fields:
                if field.choices and not field.remote_field:
                    assert (model, field.name) in constrained, f"{model.__name__}.{field.name}"


def test_one_channel_list_for_interactions_and_preferences():
    assert Interaction.Channel is Channel is Customer.Channel
    preferred = [v for v, _label in Customer._meta.get_field("preferred_channel").choices]
    assert preferred == [c.value for c in Channel if c != Channel.EVENT]


@pytest.mark.parametrize(
    ("today", "cutoff"),
    [
        (dt.date(2026, 11, 29), dt.date(2025, 11, 29)),
        (dt.date(2024, 2, 29), dt.date(2023, 2, 28)),  # leap day: the month's last day
        (dt.date(2026, 1, 31), dt.date(2025, 1, 31)),
    ],
)
def test_assessment_cutoff_is_valid_months_back(today, cutoff):
    assert RiskAssessment.VALID_MONTHS == RISK_ASSESSMENT_VALID_MONTHS == 12
    assert risk_assessment_cutoff(today) == cutoff


def test_assessment_current_until_the_cutoff(rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice, risk_class="C3")
    customer.risk_assessed_on = risk_assessment_cutoff()
    assert not customer.risk_assessment_current
    customer.risk_assessed_on += dt.timedelta(days=1)
    assert customer.risk_assessment_current


def test_active_rms_is_one_definition(branch_a, branch_b, rm_alice, rm_carol, rm_bob, supervisor):
    rm_carol.is_active = False  # a login switched off
    rm_carol.save()
    StaffFactory(role=Role.RM, branch=branch_a, is_active=False)  # a profile switched off
    assert set(Staff.objects.active_rms().values_list("user__username", flat=True)) == {
        "alice",
        "bob",
    }
    assert list(Staff.objects.active_rms(branch_id=branch_a.pk)) == [rm_alice.staff]
    # The customer rules use it: an inactive RM cannot be given customers.
    customer = CustomerFactory(relationship_manager=rm_alice)
    with pytest.raises(services.ValidationError):
        services.customer_update(
            actor=supervisor, customer=customer, fields={"relationship_manager": rm_carol}
        )


def test_records_the_bank_must_keep_are_protected(rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    need = services.customer_need_record(
        actor=rm_alice, customer=customer, need_type=need_type("education"), priority=50
    )
    services.risk_assessment_record(
        actor=rm_alice,
        customer=customer,
        risk_class="C2",
        assessed_on=dt.date(2026, 1, 5),
        score=30,
    )
    with pytest.raises(ProtectedError):
        need.delete()  # its history
    with pytest.raises(ProtectedError):
        Customer.objects.filter(pk=customer.pk).delete()
