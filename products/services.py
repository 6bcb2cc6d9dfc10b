"""Writes of the products app: the shelf, questionnaire assessments, holdings recorded by staff,
above-class purchases, recommendations. Campaigns are in products.campaigns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, branch_id_of, role_of
from crm.concurrency import version_check
from crm.submit_once import submission_claim, submission_done
from customers.access import require_serve
from customers.models import Customer, NeedType, RiskAssessment
from customers.services import audit_record, risk_assessment_record
from products.models import (
    Currency,
    Holding,
    Product,
    ProductVersion,
    QuestionnaireAnswers,
    Recommendation,
    RiskQuestionnaire,
    SaleOverride,
)
from products.suitability import Purpose, SuitabilityResult, check_suitability

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CATALOGUE_HEAD_OFFICE_ONLY = _("Only head office manages the product catalogue.")
SHELF_IN_THE_PAST = _(
    "The shelf keeps its history: a change can take effect today or later, never in the past."
)
SHELF_DATE_TAKEN = _(
    "The product already has a shelf change on %(date)s; choose a later date for this one."
)
QUESTION_UNANSWERED = _("Answer every question: %(count)s left unanswered (%(numbers)s).")
ANSWER_NOT_OFFERED = _("An answer does not belong to the question it was given for.")
NO_ACTIVE_QUESTIONNAIRE = _("No risk questionnaire is in use: head office must publish one.")
NOT_SUITABLE = _("Not suitable: %(reasons)s")
CURRENCY_MISMATCH = _("The product is sold in %(currency)s.")
OVERRIDE_NOT_ABOVE_CLASS = _(
    "Only a purchase refused solely because the product's risk is above the customer's class "
    "can be recorded as the customer's own choice."
)
OVERRIDE_C1 = _(
    "A customer in the lowest risk class (C1) cannot buy a product above that class, even at "
    "their own request."
)
OVERRIDE_STATEMENT_REQUIRED = _("Record the customer's explicit confirmation, in their words.")
OVERRIDE_NOT_SUPERVISOR = _(
    "Only the supervisor of the customer's branch can sign off an above-class purchase."
)
OVERRIDE_OWN_REQUEST = _("Another person must sign off a purchase you recorded.")
OVERRIDE_DECIDED = _("This request has already been decided.")
RECOMMENDATION_NEEDS_REQUIRED = _("Name the customer's need(s) this product serves.")
RECOMMENDATION_DUPLICATE = _(
    "This product is already recommended to the customer, awaiting an answer."
)
RECOMMENDATION_DECIDED = _("This recommendation already has an outcome.")
OUTCOME_REASON_REQUIRED = _("Give the customer's reason for declining.")


def _check_head_office(actor: User) -> None:
    if role_of(actor) != Role.HEAD_OFFICE:
        raise PermissionDenied(CATALOGUE_HEAD_OFFICE_ONLY)


def check_customer_in_scope(actor: User, customer: Customer) -> None:
    """Every service serving a customer checks this itself (views also answer 404): the one
    predicate, customers.access.require_serve (PermissionDenied outside scope)."""
    require_serve(actor, customer)


def refusal_error(result: SuitabilityResult) -> ValidationError:
    """A ValidationError carrying every reason of a refused suitability check."""
    return ValidationError(
        [
            ValidationError(message, code=code)
            for code, message in zip(result.codes, result.messages, strict=True)
        ]
    )


# -- The catalogue and its shelf -------------------------------------------------------------


class ProductFields(TypedDict, total=False):
    """A product's terms by field name (everything but its shelf and the needs it serves):
    what product_update changes."""

    code: str
    name: str
    category: str
    currency: str
    expected_yield: Decimal | None
    term_days: int | None
    minimum_investment: Decimal
    open_ended: bool
    target_segments: list[str]
    description: str


@transaction.atomic
def product_update(
    *,
    actor: User,
    product: Product,
    fields: ProductFields,
    need_types: Iterable[NeedType] | None = None,
    expected_version: str | None = None,
) -> Product:
    """Change a product's terms (`fields`: the terms that change; head office only).

    The shelf (risk level, status, sale window) changes only through product_shelf_change.
    `expected_version` (crm.concurrency.version_of the row the form showed) turns a
    colleague's change in between into an EditConflict instead of a silent revert. Unchanged
    values write nothing. Audited with the names of the fields changed.
    """
    _check_head_office(actor)
    product = Product.objects.select_for_update().get(pk=product.pk)
    values: dict[str, Any] = dict(fields)
    changed = [name for name, value in values.items() if getattr(product, name) != value]
    version_check(current=product, expected=expected_version, fields=values)
    for name in changed:
        setattr(product, name, values[name])
    if changed:
        product.full_clean()
        product.save(update_fields=[*changed, "updated_at"])
    if need_types is not None:
        needs = set(need_types)
        if needs != set(product.need_types.all()):
            product.need_types.set(needs)
            changed.append("need_types")
    if changed:
        audit_record(
            actor=actor, action="product.updated", target=product, detail={"fields": changed}
        )
    return product


@transaction.atomic
def product_create(
    *,
    actor: User,
    code: str,
    name: str,
    category: str,
    risk_level: str,
    status: str,
    currency: str = Currency.CNY,
    expected_yield: Decimal | None = None,
    term_days: int | None = None,
    minimum_investment: Decimal = Decimal(0),
    open_ended: bool = False,
    target_segments: Iterable[str] = (),
    description: str = "",
    need_types: Iterable[NeedType] = (),
    sale_start: dt.date | None = None,
    sale_end: dt.date | None = None,
    effective_from: dt.date | None = None,
) -> Product:
    """Create a catalogue entry (its terms, the needs it serves) and its first shelf version
    (risk level, status, sale window, from `effective_from` or today); head office only.
    Audited."""
    _check_head_office(actor)
    product = Product(
        code=code,
        name=name,
        category=category,
        currency=currency,
        expected_yield=expected_yield,
        term_days=term_days,
        minimum_investment=minimum_investment,
        open_ended=open_ended,
        target_segments=list(target_segments),
        description=description,
    )
    product.full_clean()
    product.save()
    product.need_types.set(need_types)
    _version_add(
        actor=actor,
        product=product,
        effective_from=effective_from or timezone.localdate(),
        risk_level=risk_level,
        status=status,
        sale_start=sale_start,
        sale_end=sale_end,
        note=str(_("First listed")),
    )
    audit_record(
        actor=actor, action="product.created", target=product, detail={"code": product.code}
    )
    return product


def _version_add(
    *,
    actor: User,
    product: Product,
    effective_from: dt.date,
    risk_level: str,
    status: str,
    sale_start: dt.date | None,
    sale_end: dt.date | None,
    note: str,
) -> ProductVersion:
    day = effective_from
    if ProductVersion.objects.filter(product=product, effective_from=day).exists():
        raise ValidationError(
            {"effective_from": ValidationError(SHELF_DATE_TAKEN, params={"date": day.isoformat()})}
        )
    version = ProductVersion(
        product=product,
        recorded_by=actor,
        effective_from=effective_from,
        risk_level=risk_level,
        status=status,
        sale_start=sale_start,
        sale_end=sale_end,
        note=note,
    )
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def product_shelf_change(
    *,
    actor: User,
    product: Product,
    effective_from: dt.date,
    risk_level: str,
    status: str,
    sale_start: dt.date | None,
    sale_end: dt.date | None,
    note: str = "",
) -> ProductVersion:
    """Change a product's risk level, status or sale window from `effective_from` on.

    Adds a ProductVersion; never changes an existing one, and refuses a date before today, so
    what the shelf said about any past day stays true (products.shelf.shelf_on). Audited.
    """
    _check_head_office(actor)
    if effective_from < timezone.localdate():
        raise ValidationError({"effective_from": SHELF_IN_THE_PAST})
    Product.objects.select_for_update().filter(pk=product.pk).first()  # one change at a time
    version = _version_add(
        actor=actor,
        product=product,
        effective_from=effective_from,
        risk_level=risk_level,
        status=status,
        sale_start=sale_start,
        sale_end=sale_end,
        note=note,
    )
    audit_record(
        actor=actor,
        action="product.shelf_changed",
        target=product,
        detail={
            "effective_from": effective_from.isoformat(),
            "risk_level": risk_level,
            "status": status,
        },
    )
    return version


# -- Risk questionnaire --------------------------------------------------------------------


def questionnaire_in_use() -> RiskQuestionnaire:
    """The questionnaire version RMs fill in; ValidationError when head office has none."""
    questionnaire = RiskQuestionnaire.objects.filter(is_active=True).first()
    if questionnaire is None:
        raise ValidationError(NO_ACTIVE_QUESTIONNAIRE)
    return questionnaire


def questionnaire_score(
    *, questionnaire: RiskQuestionnaire, answers: Mapping[int, int]
) -> tuple[int, str, list[dict]]:
    """Score `answers` ({question id: option id}) → (total, class, answer records).

    Raises ValidationError naming the unanswered questions, or when an option is not one of
    its question's. Two queries (the questions and their options).
    """
    questions = list(questionnaire.questions.prefetch_related("options"))
    missing = [q.position for q in questions if not answers.get(q.pk)]
    if missing:
        raise ValidationError(
            QUESTION_UNANSWERED,
            code="unanswered",
            params={"count": len(missing), "numbers": ", ".join(map(str, missing))},
        )
    records: list[dict[str, Any]] = []
    for question in questions:
        option = next((o for o in question.options.all() if o.pk == answers[question.pk]), None)
        if option is None:
            raise ValidationError(ANSWER_NOT_OFFERED, code="bad_option")
        records.append(
            {
                "question": question.pk,
                "option": option.pk,
                "score": option.score,
                "q": question.text,
                "a": option.text,
            }
        )
    total = sum(r["score"] for r in records)
    return total, questionnaire.class_for(total), records


@transaction.atomic
def questionnaire_assessment_record(
    *,
    actor: User,
    customer: Customer,
    answers: Mapping[int, int],
    in_person: bool,
    questionnaire: RiskQuestionnaire | None = None,
    assessed_on: dt.date | None = None,
    submission_token: str = "",
) -> RiskAssessment:
    """Record a risk assessment from the questionnaire the RM filled in with the customer.

    1. Every question must be answered (else ValidationError; nothing is saved).
    2. The score gives the class; customers.services.risk_assessment_record saves the
       assessment (it checks the actor may edit the customer, and moves the customer's class
       and its date to the latest assessment) and audits it.
    3. The answers, questionnaire version and where it was done are stored with it.
    Returns the customers.RiskAssessment. Raises AlreadySubmitted for a form sent twice
    (crm.submit_once).
    """
    check_customer_in_scope(actor, customer)
    claim = submission_claim(actor=actor, token=submission_token, kind="products.assessment")
    questionnaire = questionnaire or questionnaire_in_use()
    score, risk_class, records = questionnaire_score(questionnaire=questionnaire, answers=answers)
    assessment = risk_assessment_record(
        actor=actor,
        customer=customer,
        risk_class=risk_class,
        assessed_on=assessed_on or timezone.localdate(),
        score=score,
    )
    QuestionnaireAnswers.objects.create(
        assessment=assessment,
        questionnaire=questionnaire,
        answers=records,
        in_person=in_person,
        branch_id=branch_id_of(actor) if in_person else None,
    )
    submission_done(claim, url=customer.get_absolute_url())
    return assessment


# -- Holdings recorded by staff, and purchases above the customer's class ---------------------


def _holding_new(
    *,
    actor: User,
    customer: Customer,
    product: Product,
    principal: Decimal,
    start_date: dt.date,
    maturity_date: dt.date | None,
    above_class: bool = False,
) -> Holding:
    holding = Holding(
        customer=customer,
        product=product,
        principal=principal,
        currency=product.currency,
        start_date=start_date,
        maturity_date=maturity_date,
        source=Holding.Source.STAFF,
        recorded_by=actor,
        above_class_override=above_class,
    )
    holding.full_clean()
    holding.save()
    audit_record(
        actor=actor,
        action="holding.recorded",
        target=holding,
        customer=customer,
        detail={"product": product.code, "above_class": above_class},
    )
    return holding


@transaction.atomic
def holding_record(
    *,
    actor: User,
    customer: Customer,
    product: Product,
    principal: Decimal,
    start_date: dt.date | None = None,
    maturity_date: dt.date | None = None,
    submission_token: str = "",
) -> Holding:
    """Record a sale made by staff: passes check_suitability (purpose SALE, with the amount)
    or raises ValidationError with every reason. Audited. AlreadySubmitted for a form sent
    twice (crm.submit_once)."""
    check_customer_in_scope(actor, customer)
    claim = submission_claim(actor=actor, token=submission_token, kind="products.holding")
    start_date = start_date or timezone.localdate()
    result = check_suitability(
        customer, product, on=start_date, purpose=Purpose.SALE, amount=principal
    )
    if not result.suitable:
        raise refusal_error(result)
    if maturity_date is None and product.term_days:
        maturity_date = start_date + dt.timedelta(days=product.term_days)
    holding = _holding_new(
        actor=actor,
        customer=customer,
        product=product,
        principal=principal,
        start_date=start_date,
        maturity_date=maturity_date,
    )
    submission_done(claim, url=customer.get_absolute_url())
    return holding


@transaction.atomic
def sale_override_request(
    *,
    actor: User,
    customer: Customer,
    product: Product,
    principal: Decimal,
    customer_statement: str,
    submission_token: str = "",
) -> SaleOverride:
    """Record a customer-initiated purchase above the customer's class, for sign-off.

    Allowed only when the risk level is the ONLY refusal (assessment current, on sale, at or
    above the minimum), never for a C1 customer, and only with the customer's statement. The
    holding is created when the branch supervisor signs off (sale_override_decide). Audited.
    AlreadySubmitted for a form sent twice (crm.submit_once).
    """
    check_customer_in_scope(actor, customer)
    claim = submission_claim(actor=actor, token=submission_token, kind="products.override")
    if not customer_statement.strip():
        raise ValidationError({"customer_statement": OVERRIDE_STATEMENT_REQUIRED})
    result = check_suitability(customer, product, purpose=Purpose.SALE, amount=principal)
    if result.suitable or not result.only_risk_above_class:
        if result.suitable:
            raise ValidationError(OVERRIDE_NOT_ABOVE_CLASS)
        raise refusal_error(result)
    if customer.risk_class == Customer.RiskClass.C1:
        raise ValidationError(OVERRIDE_C1, code="c1")
    override = SaleOverride(
        customer=customer,
        product=product,
        principal=principal,
        currency=product.currency,
        customer_statement=customer_statement.strip(),
        snapshot=result.snapshot(),
        requested_by=actor,
    )
    override.full_clean()
    override.save()
    audit_record(
        actor=actor,
        action="sale_override.requested",
        target=override,
        customer=customer,
        detail={"product": product.code, "risk_class": customer.risk_class},
    )
    submission_done(claim, url=customer.get_absolute_url())
    return override


def can_sign_off(user: User, customer: Customer) -> bool:
    """The branch supervisor of the customer's branch signs off above-class purchases."""
    return role_of(user) == Role.SUPERVISOR and branch_id_of(user) == customer.branch_id


@transaction.atomic
def sale_override_decide(*, actor: User, override: SaleOverride, approve: bool) -> SaleOverride:
    """The supervisor's sign-off (approve → the holding is recorded) or rejection. The
    suitability check is run again: only the risk level may still stand in the way. Audited."""
    override = (
        SaleOverride.objects.select_for_update()
        .select_related("customer", "product")
        .get(pk=override.pk)
    )
    if not can_sign_off(actor, override.customer):
        raise PermissionDenied(OVERRIDE_NOT_SUPERVISOR)
    if override.requested_by_id == actor.pk:
        raise PermissionDenied(OVERRIDE_OWN_REQUEST)
    if override.status != SaleOverride.Status.PENDING:
        raise ValidationError(OVERRIDE_DECIDED)
    if approve:
        customer = override.customer
        if customer.risk_class == Customer.RiskClass.C1:
            raise ValidationError(OVERRIDE_C1, code="c1")
        result = check_suitability(
            customer, override.product, purpose=Purpose.SALE, amount=override.principal
        )
        if not result.suitable and not result.only_risk_above_class:
            raise refusal_error(result)
        override.holding = _holding_new(
            actor=actor,
            customer=customer,
            product=override.product,
            principal=override.principal,
            start_date=timezone.localdate(),
            maturity_date=(
                timezone.localdate() + dt.timedelta(days=override.product.term_days)
                if override.product.term_days
                else None
            ),
            above_class=True,
        )
    override.status = SaleOverride.Status.APPROVED if approve else SaleOverride.Status.REJECTED
    override.decided_by = actor
    override.decided_at = timezone.now()
    override.save(update_fields=["status", "decided_by", "decided_at", "holding", "updated_at"])
    audit_record(
        actor=actor,
        action="sale_override.approved" if approve else "sale_override.rejected",
        target=override,
        customer=override.customer,
    )
    return override


# -- Recommendations -------------------------------------------------------------------------


def recommendation_snapshot(result: SuitabilityResult, product: Product) -> dict:
    """What the check saw plus the product's terms that day, frozen into the record."""
    snapshot = result.snapshot()
    snapshot.update(
        {
            "product_code": product.code,
            "product_name": product.name,
            "currency": product.currency,
            "expected_yield": str(product.expected_yield) if product.expected_yield else None,
            "minimum_investment": str(product.minimum_investment),
        }
    )
    return snapshot


@transaction.atomic
def recommendation_record(
    *,
    actor: User,
    customer: Customer,
    product: Product,
    needs: Iterable[NeedType],
    rationale: str,
) -> Recommendation:
    """Recommend `product` to `customer` for `needs`, with a frozen suitability snapshot.

    Refused (ValidationError with every reason) when check_suitability refuses: a product
    above the customer's class is never recommended. One pending recommendation per product
    and customer (a double submit records one). Audited.
    """
    check_customer_in_scope(actor, customer)
    needs = list(needs)
    if not needs:
        raise ValidationError({"needs": RECOMMENDATION_NEEDS_REQUIRED})
    result = check_suitability(customer, product, purpose=Purpose.RECOMMENDATION)
    if not result.suitable:
        raise refusal_error(result)
    recommendation = Recommendation(
        customer=customer,
        product=product,
        recommended_by=actor,
        rationale=rationale.strip(),
        snapshot=recommendation_snapshot(result, product),
    )
    recommendation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            recommendation.save()
    except IntegrityError as exc:
        raise ValidationError(RECOMMENDATION_DUPLICATE, code="duplicate") from exc
    recommendation.needs.set(needs)
    audit_record(
        actor=actor,
        action="recommendation.recorded",
        target=recommendation,
        customer=customer,
        detail={"product": product.code, "needs": [n.code for n in needs]},
    )
    return recommendation


@transaction.atomic
def recommendation_outcome_record(
    *,
    actor: User,
    recommendation: Recommendation,
    outcome: str,
    reason: str = "",
    on: dt.date | None = None,
) -> Recommendation:
    """The customer's answer: accepted or declined (declined needs a reason). Audited."""
    check_customer_in_scope(actor, recommendation.customer)
    locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if locked.outcome != Recommendation.Outcome.PENDING:
        raise ValidationError(RECOMMENDATION_DECIDED)
    if outcome not in (Recommendation.Outcome.ACCEPTED, Recommendation.Outcome.DECLINED):
        raise ValidationError({"outcome": _("Choose accepted or declined.")})
    if outcome == Recommendation.Outcome.DECLINED and not reason.strip():
        raise ValidationError({"reason": OUTCOME_REASON_REQUIRED})
    locked.outcome = outcome
    locked.outcome_on = on or timezone.localdate()
    locked.outcome_reason = reason.strip()
    locked.full_clean(validate_constraints=False)
    locked.save(update_fields=["outcome", "outcome_on", "outcome_reason", "updated_at"])
    audit_record(
        actor=actor,
        action="recommendation.outcome",
        target=locked,
        customer=recommendation.customer,
        detail={"outcome": outcome},
    )
    return locked


@transaction.atomic
def questionnaire_copy(*, actor: User, questionnaire: RiskQuestionnaire) -> RiskQuestionnaire:
    """A new, not-yet-used version with the same questions, options and thresholds (head
    office edits it, then puts it in use). Audited."""
    _check_head_office(actor)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    copy = RiskQuestionnaire.objects.create(
        version=f"{questionnaire.version[:8]}-{stamp}"[:20],
        title=questionnaire.title,
        is_active=False,
        c2_min_score=questionnaire.c2_min_score,
        c3_min_score=questionnaire.c3_min_score,
        c4_min_score=questionnaire.c4_min_score,
        c5_min_score=questionnaire.c5_min_score,
    )
    for question in questionnaire.questions.prefetch_related("options"):
        new = copy.questions.create(position=question.position, text=question.text)
        new.options.bulk_create(
            [
                type(option)(
                    question=new, position=option.position, text=option.text, score=option.score
                )
                for option in question.options.all()
            ]
        )
    audit_record(actor=actor, action="questionnaire.copied", target=copy)
    return copy


@transaction.atomic
def questionnaire_activate(*, actor: User, questionnaire: RiskQuestionnaire) -> None:
    """Make `questionnaire` the version RMs fill in (the previous one stops). Audited."""
    _check_head_office(actor)
    RiskQuestionnaire.objects.filter(is_active=True).exclude(pk=questionnaire.pk).update(
        is_active=False
    )
    RiskQuestionnaire.objects.filter(pk=questionnaire.pk).update(is_active=True)
    audit_record(actor=actor, action="questionnaire.activated", target=questionnaire)
