"""Questionnaire assessments, staff-recorded sales and above-class purchases, recommendations."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from customers.models import AuditEntry, RiskAssessment
from products import services
from products.models import (
    Holding,
    ProductVersion,
    QuestionnaireAnswers,
    Recommendation,
    RiskQuestionnaire,
    SaleOverride,
)
from tests.customers.factories import need_type
from tests.products.factories import assessed, product_on_shelf

pytestmark = pytest.mark.django_db


def _answers(pick) -> dict[int, int]:
    """{question: option} choosing, per question, the option `pick(options)` returns."""
    questionnaire = RiskQuestionnaire.objects.get(is_active=True)
    return {
        q.pk: pick(list(q.options.order_by("position"))).pk
        for q in questionnaire.questions.order_by("position")
    }


# -- Questionnaire ---------------------------------------------------------------------------


def test_default_questionnaire_is_loaded_with_ten_questions():
    questionnaire = RiskQuestionnaire.objects.get(is_active=True)
    assert questionnaire.questions.count() == 10
    assert all(q.options.count() >= 3 for q in questionnaire.questions.all())
    top = sum(max(o.score for o in q.options.all()) for q in questionnaire.questions.all())
    assert top == 100


@pytest.mark.parametrize(
    ("score", "klass"), [(0, "C1"), (20, "C1"), (21, "C2"), (41, "C3"), (61, "C4"), (81, "C5")]
)
def test_thresholds_give_the_class(score, klass):
    assert RiskQuestionnaire.objects.get(is_active=True).class_for(score) == klass


def test_questionnaire_sets_the_customers_class_and_date(rm_alice, alices_customer):
    assessment = services.questionnaire_assessment_record(
        actor=rm_alice, customer=alices_customer, answers=_answers(max_score), in_person=True
    )
    alices_customer.refresh_from_db()
    assert (assessment.score, assessment.risk_class) == (100, "C5")
    assert alices_customer.risk_class == "C5"
    assert alices_customer.risk_assessed_on == timezone.localdate()
    stored = QuestionnaireAnswers.objects.get(assessment=assessment)
    assert stored.in_person and stored.branch_id == rm_alice.staff.branch_id
    assert len(stored.answers) == 10 and stored.answers[0]["score"] == 10
    assert assessment.assessed_by == rm_alice


def max_score(options):
    return max(options, key=lambda o: o.score)


def test_lowest_answers_give_c1(rm_alice, alices_customer):
    assessment = services.questionnaire_assessment_record(
        actor=rm_alice,
        customer=alices_customer,
        answers=_answers(lambda options: min(options, key=lambda o: o.score)),
        in_person=False,
    )
    assert assessment.risk_class == "C1"


def test_an_unanswered_question_saves_nothing(rm_alice, alices_customer):
    answers = _answers(max_score)
    answers.pop(next(iter(answers)))
    with pytest.raises(ValidationError, match="1 left unanswered"):
        services.questionnaire_assessment_record(
            actor=rm_alice, customer=alices_customer, answers=answers, in_person=True
        )
    assert not RiskAssessment.objects.exists()
    alices_customer.refresh_from_db()
    assert alices_customer.risk_class == ""


def test_an_option_of_another_question_is_refused(rm_alice, alices_customer):
    answers = _answers(max_score)
    first, second = list(answers)[:2]
    answers[first] = answers[second]
    with pytest.raises(ValidationError, match="does not belong"):
        services.questionnaire_assessment_record(
            actor=rm_alice, customer=alices_customer, answers=answers, in_person=True
        )
    assert not RiskAssessment.objects.exists()


def test_questionnaire_outside_scope_is_refused(rm_bob, alices_customer):
    with pytest.raises(PermissionDenied):
        services.questionnaire_assessment_record(
            actor=rm_bob, customer=alices_customer, answers=_answers(max_score), in_person=True
        )


# -- Sales and above-class purchases -----------------------------------------------------------


def test_a_suitable_sale_is_recorded_with_maturity(rm_alice, alices_customer):
    assessed(alices_customer, "C3")
    product = product_on_shelf("R3", term_days=90)
    holding = services.holding_record(
        actor=rm_alice, customer=alices_customer, product=product, principal=Decimal("20000")
    )
    assert holding.currency == "CNY"
    assert holding.maturity_date == holding.start_date + dt.timedelta(days=90)
    assert holding.source == Holding.Source.STAFF
    # On the customer's timeline: dated, not timed (shown without a made-up 00:00).
    from crm.names import person_name
    from customers.timeline import timeline_page

    (entry,) = timeline_page(
        customer=alices_customer, viewer=alices_customer.relationship_manager, selected=["holding"]
    ).entries
    assert entry.date_only and timezone.localtime(entry.occurred_at).date() == holding.start_date
    assert entry.title == f"Holding: {product.code} {product.name}"
    assert entry.url == product.get_absolute_url() and entry.badge == "Active"
    assert entry.detail == f"20,000.00 CNY · matures {holding.maturity_date.isoformat()}"
    assert entry.actor == person_name(rm_alice) != ""


def test_an_unsuitable_sale_is_refused_with_every_reason(rm_alice, alices_customer):
    assessed(alices_customer, "C2")
    product = product_on_shelf("R4")
    with pytest.raises(ValidationError) as info:
        services.holding_record(
            actor=rm_alice, customer=alices_customer, product=product, principal=Decimal("100")
        )
    text = " ".join(info.value.messages)
    assert "above the customer's risk tolerance class C2" in text
    assert "below the product's minimum investment" in text
    assert not Holding.objects.exists()


def test_c1_override_is_refused(rm_alice, alices_customer):
    assessed(alices_customer, "C1")
    product = product_on_shelf("R2")
    with pytest.raises(ValidationError, match="lowest risk class"):
        services.sale_override_request(
            actor=rm_alice,
            customer=alices_customer,
            product=product,
            principal=Decimal("20000"),
            customer_statement="本人坚持购买，已知晓风险",
        )
    assert not SaleOverride.objects.exists()


def test_override_needs_the_customers_statement(rm_alice, alices_customer):
    assessed(alices_customer, "C2")
    with pytest.raises(ValidationError, match="explicit confirmation"):
        services.sale_override_request(
            actor=rm_alice,
            customer=alices_customer,
            product=product_on_shelf("R3"),
            principal=Decimal("20000"),
            customer_statement="  ",
        )


def test_override_only_for_risk_above_class(rm_alice, alices_customer):
    assessed(alices_customer, "C2", days_ago=400)  # expired: no override can cure that
    with pytest.raises(ValidationError, match="expired"):
        services.sale_override_request(
            actor=rm_alice,
            customer=alices_customer,
            product=product_on_shelf("R3"),
            principal=Decimal("20000"),
            customer_statement="坚持购买",
        )


def test_override_signed_off_by_the_branch_supervisor(rm_alice, supervisor, alices_customer):
    assessed(alices_customer, "C2")
    product = product_on_shelf("R3")
    override = services.sale_override_request(
        actor=rm_alice,
        customer=alices_customer,
        product=product,
        principal=Decimal("20000"),
        customer_statement="客户坚持购买，已签字确认",
    )
    assert not Holding.objects.exists()  # nothing bought before the sign-off
    with pytest.raises(PermissionDenied):
        services.sale_override_decide(actor=rm_alice, override=override, approve=True)
    done = services.sale_override_decide(actor=supervisor, override=override, approve=True)
    assert done.status == SaleOverride.Status.APPROVED
    assert done.holding.above_class_override
    assert done.snapshot["risk_level"] == "R3" and done.snapshot["risk_class"] == "C2"
    with pytest.raises(ValidationError, match="already been decided"):
        services.sale_override_decide(actor=supervisor, override=override, approve=False)
    assert AuditEntry.objects.filter(action="sale_override.approved").count() == 1


def test_supervisor_of_another_branch_cannot_sign_off(rm_alice, rm_bob, alices_customer):
    from accounts.models import Role
    from tests.accounts.factories import StaffFactory, UserFactory

    other = StaffFactory(
        user=UserFactory(username="otto"), role=Role.SUPERVISOR, branch=rm_bob.staff.branch
    ).user
    assessed(alices_customer, "C2")
    override = services.sale_override_request(
        actor=rm_alice,
        customer=alices_customer,
        product=product_on_shelf("R3"),
        principal=Decimal("20000"),
        customer_statement="坚持购买",
    )
    with pytest.raises(PermissionDenied):
        services.sale_override_decide(actor=other, override=override, approve=True)


# -- Recommendations -----------------------------------------------------------------------


def test_recommendation_snapshot_unchanged_after_the_product_changes(
    rm_alice, head_office, alices_customer
):
    assessed(alices_customer, "C3")
    product = product_on_shelf("R3")
    rec = services.recommendation_record(
        actor=rm_alice,
        customer=alices_customer,
        product=product,
        needs=[need_type("wealth_growth")],
        rationale="稳健增值，期限匹配",
    )
    snap = dict(rec.snapshot)
    # The product is re-rated and its terms change afterwards.
    services.product_shelf_change(
        actor=head_office,
        product=product,
        effective_from=timezone.localdate(),
        risk_level="R5",
        status="closed",
        sale_start=None,
        sale_end=None,
    )
    product.name = "改名后的产品"
    product.minimum_investment = Decimal("1000000")
    product.save()
    rec.refresh_from_db()
    assert rec.snapshot == snap
    assert (snap["risk_level"], snap["risk_class"], snap["product_status"]) == (
        "R3",
        "C3",
        "on_sale",
    )
    assert (
        snap["product_version_id"]
        == ProductVersion.objects.filter(product=product).order_by("effective_from").first().pk
    )
    assert snap["minimum_investment"] == "10000.00"


def test_an_unsuitable_recommendation_is_refused(rm_alice, alices_customer):
    assessed(alices_customer, "C2")
    with pytest.raises(ValidationError, match="above the customer's risk tolerance class"):
        services.recommendation_record(
            actor=rm_alice,
            customer=alices_customer,
            product=product_on_shelf("R5"),
            needs=[need_type("wealth_growth")],
            rationale="高收益",
        )
    assert not Recommendation.objects.exists()


def test_a_double_submit_records_one_recommendation(rm_alice, alices_customer):
    assessed(alices_customer, "C3")
    product = product_on_shelf("R1")
    kwargs = {
        "actor": rm_alice,
        "customer": alices_customer,
        "product": product,
        "needs": [need_type("liquidity")],
        "rationale": "流动性",
    }
    services.recommendation_record(**kwargs)
    with pytest.raises(ValidationError, match="already recommended"):
        services.recommendation_record(**kwargs)
    assert Recommendation.objects.count() == 1


def test_recommendation_outcome(rm_alice, alices_customer):
    assessed(alices_customer, "C3")
    rec = services.recommendation_record(
        actor=rm_alice,
        customer=alices_customer,
        product=product_on_shelf("R1"),
        needs=[need_type("liquidity")],
        rationale="流动性",
    )
    with pytest.raises(ValidationError, match="reason for declining"):
        services.recommendation_outcome_record(
            actor=rm_alice, recommendation=rec, outcome="declined"
        )
    done = services.recommendation_outcome_record(
        actor=rm_alice, recommendation=rec, outcome="declined", reason="收益偏低"
    )
    assert (done.outcome, done.outcome_on, done.outcome_reason) == (
        "declined",
        timezone.localdate(),
        "收益偏低",
    )
    with pytest.raises(ValidationError, match="already has an outcome"):
        services.recommendation_outcome_record(
            actor=rm_alice, recommendation=rec, outcome="accepted"
        )


def test_recommendation_outside_scope_is_refused(rm_bob, alices_customer):
    assessed(alices_customer, "C3")
    with pytest.raises(PermissionDenied):
        services.recommendation_record(
            actor=rm_bob,
            customer=alices_customer,
            product=product_on_shelf("R1"),
            needs=[need_type("liquidity")],
            rationale="x",
        )
