"""Writes to alerts, rule configurations and the score policy; every change goes through here."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, role_of
from customers.models import NeedType
from customers.services import audit_record
from insights.models import (
    Alert,
    AlertRule,
    AlertRuleVersion,
    ScorePolicy,
    ScorePolicyVersion,
)
from insights.rules import DEFAULT_PARAMS
from interactions.models import Task
from interactions.services import FOLLOW_UP_DUE_REQUIRED, task_create
from products.models import Product
from products.services import recommendation_record

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ALERT_NOT_OPEN = _("This alert has already been closed.")
ALERT_ALREADY_ACKNOWLEDGED = _("This alert has already been acknowledged.")
OUTCOME_INVALID = _("Choose what came of the alert.")
RECOMMEND_NOT_SUITABLE = _("Recommend one of the products suggested on this alert.")
RECOMMEND_RATIONALE = _("Recommended in response to alert #%(alert)s.")
DISMISS_REASON_INVALID = _("Say why the alert is dismissed.")
DISMISS_NOTE_REQUIRED = _("Describe the reason in the note.")
PARAMS_NOT_OBJECT = _("The thresholds must be a JSON object.")
PARAMS_MISSING = _("These thresholds are missing: %(keys)s.")
WEIGHTS_INVALID = _("Weights must be numbers ≥ 0, at least one of them positive.")


def _alert_for_update(*, actor: User, alert: Alert) -> Alert:
    """The alert, locked, if `actor` may see it (Alert.objects.visible_to).

    Raises Alert.DoesNotExist outside the actor's scope (views answer 404)."""
    locked = (
        Alert.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("customer", "rule")
        .filter(pk=alert.pk)
        .first()
    )
    if locked is None:
        raise Alert.DoesNotExist
    if not locked.is_open:
        raise ValidationError(ALERT_NOT_OPEN)
    return locked


@transaction.atomic
def alert_acknowledge(*, actor: User, alert: Alert) -> Alert:
    """Mark an open alert seen (stops its acknowledgement clock). Audited."""
    alert = _alert_for_update(actor=actor, alert=alert)
    if alert.status != Alert.Status.OPEN:
        raise ValidationError(ALERT_ALREADY_ACKNOWLEDGED)
    alert.status, alert.acknowledged_at = Alert.Status.ACKNOWLEDGED, timezone.now()
    alert.save(update_fields=["status", "acknowledged_at"])
    audit_record(actor=actor, action="alert.acknowledged", target=alert, customer=alert.customer)
    return alert


@transaction.atomic
def alert_action(
    *,
    actor: User,
    alert: Alert,
    outcome: str,
    note: str = "",
    follow_up_title: str = "",
    follow_up_due: dt.date | None = None,
    recommend: str = "",
) -> Alert:
    """Close an alert as actioned with its outcome (contacted, recommendation made, need
    updated, no change needed); in the same step, optionally recommend one of the alert's
    suitable products (`recommend`: its code, through products.services.recommendation_record,
    which checks suitability again) and create a follow-up task.

    Raises ValidationError (nothing saved) for an unknown outcome, a closed alert, a product
    not among the alert's, or a task or recommendation the other apps' services refuse.
    Audited.
    """
    if outcome not in Alert.Outcome.values:
        raise ValidationError({"outcome": OUTCOME_INVALID})
    alert = _alert_for_update(actor=actor, alert=alert)
    now = timezone.now()
    if recommend:
        if recommend not in alert.product_codes:
            raise ValidationError({"recommend": RECOMMEND_NOT_SUITABLE})
        product = Product.objects.get(code=recommend)
        needs = NeedType.objects.filter(code__in=alert.need_codes, products=product)
        recommendation_record(
            actor=actor,
            customer=alert.customer,
            product=product,
            needs=needs,
            rationale=note.strip() or str(RECOMMEND_RATIONALE) % {"alert": alert.pk},
        )
        outcome = Alert.Outcome.RECOMMENDATION
    task = None
    if follow_up_title:
        if follow_up_due is None:
            raise ValidationError({"follow_up_due": FOLLOW_UP_DUE_REQUIRED})
        task = task_create(
            actor=actor,
            customer=alert.customer,
            title=follow_up_title,
            due_date=follow_up_due,
            origin=Task.Origin.ALERT,
        )
    alert.status, alert.outcome, alert.note = Alert.Status.ACTIONED, outcome, note.strip()
    alert.acknowledged_at = alert.acknowledged_at or now
    alert.closed_at, alert.closed_by, alert.task = now, actor, task
    alert.full_clean(exclude=["customer", "rule", "run", "assignee", "task", "closed_by"])
    alert.save(
        update_fields=["status", "outcome", "note", "acknowledged_at", "closed_at", "closed_by"]
        + (["task"] if task else [])
    )
    audit_record(
        actor=actor,
        action="alert.actioned",
        target=alert,
        customer=alert.customer,
        detail={"outcome": outcome, "task": task.pk if task else None},
    )
    return alert


@transaction.atomic
def alert_dismiss(*, actor: User, alert: Alert, reason: str, note: str = "") -> Alert:
    """Close an alert as dismissed, with a reason ("other" needs a note). Audited."""
    if reason not in Alert.DismissReason.values:
        raise ValidationError({"reason": DISMISS_REASON_INVALID})
    if reason == Alert.DismissReason.OTHER and not note.strip():
        raise ValidationError({"note": DISMISS_NOTE_REQUIRED})
    alert = _alert_for_update(actor=actor, alert=alert)
    now = timezone.now()
    alert.status, alert.dismiss_reason, alert.note = Alert.Status.DISMISSED, reason, note.strip()
    alert.acknowledged_at = alert.acknowledged_at or now
    alert.closed_at, alert.closed_by = now, actor
    alert.save(
        update_fields=[
            "status",
            "dismiss_reason",
            "note",
            "acknowledged_at",
            "closed_at",
            "closed_by",
        ]
    )
    audit_record(
        actor=actor,
        action="alert.dismissed",
        target=alert,
        customer=alert.customer,
        detail={"reason": reason},
    )
    return alert


SCORES_NOT_ALLOWED = _("Only head office computes scores on demand.")


@transaction.atomic
def scores_compute_request(*, actor: User, period_end: dt.date) -> None:
    """Head office asks for the scores of the period ending `period_end` now: queued through
    the outbox (a worker runs `scores_compute`); asking twice for one period queues it once
    until it has run. Audited. PermissionDenied for anyone else."""
    from crm.outbox import outbox_enqueue

    if role_of(actor) != Role.HEAD_OFFICE:
        raise PermissionDenied(SCORES_NOT_ALLOWED)
    outbox_enqueue(
        "insights.tasks.scores_compute_task",
        dedupe_key=f"scores_compute:{period_end.isoformat()}:{timezone.now():%Y%m%d%H%M}",
        period_end=period_end.isoformat(),
    )
    audit_record(
        actor=actor, action="scores.compute_requested", detail={"period_end": str(period_end)}
    )


# -- Configuration -----------------------------------------------------------------------------


def check_params(code: str, params: object) -> None:
    if not isinstance(params, dict):
        raise ValidationError({"params": PARAMS_NOT_OBJECT})
    missing = sorted(set(DEFAULT_PARAMS.get(code, {})) - set(params))
    if missing:
        raise ValidationError({"params": ValidationError(PARAMS_MISSING % {"keys": missing})})


class AlertRuleFields(TypedDict, total=False):
    """A rule's settings head office tunes, by name: what alert_rule_update changes."""

    enabled: bool
    severity: str
    params: dict[str, Any]
    ack_working_days: int
    expire_after_days: int


@transaction.atomic
def alert_rule_update(*, actor: User, rule: AlertRule, fields: AlertRuleFields) -> AlertRule:
    """Change a rule's settings (`fields`): a new version, the old one kept as an
    AlertRuleVersion. Audited."""
    rule = AlertRule.objects.select_for_update().get(pk=rule.pk)
    values: dict[str, Any] = dict(fields)
    unknown = set(values) - set(AlertRuleFields.__annotations__)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if "params" in values:
        check_params(rule.code, values["params"])
    changed = [name for name, value in values.items() if getattr(rule, name) != value]
    if not changed:
        return rule
    for name, value in values.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.version += 1
    rule.updated_at, rule.updated_by = timezone.now(), actor
    rule.save()
    AlertRuleVersion.objects.create(
        rule=rule,
        version=rule.version,
        enabled=rule.enabled,
        severity=rule.severity,
        params=rule.params,
        ack_working_days=rule.ack_working_days,
        expire_after_days=rule.expire_after_days,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="alert_rule.updated",
        target=rule,
        detail={"version": rule.version, "fields": changed},
    )
    return rule


def check_weights(weights: object) -> None:
    if not isinstance(weights, dict) or not weights:
        raise ValidationError({"weights": WEIGHTS_INVALID})
    try:
        values = [float(v) for v in weights.values()]
    except (TypeError, ValueError):
        raise ValidationError({"weights": WEIGHTS_INVALID}) from None
    if any(v < 0 for v in values) or not any(v > 0 for v in values):
        raise ValidationError({"weights": WEIGHTS_INVALID})


class ScorePolicyFields(TypedDict, total=False):
    """The scoring policy's settings, by name: what score_policy_update changes."""

    weights: dict[str, Any]
    min_samples: dict[str, Any]
    mappings: dict[str, Any]
    period_days: int


@transaction.atomic
def score_policy_update(*, actor: User, fields: ScorePolicyFields) -> ScorePolicy:
    """Change the scoring policy (`fields`): a new version, kept as a ScorePolicyVersion
    that snapshots name. Audited."""
    policy = ScorePolicy.objects.select_for_update().order_by("pk").first()
    if policy is None:
        raise ValidationError("No score policy is installed.")
    values: dict[str, Any] = dict(fields)
    unknown = set(values) - set(ScorePolicyFields.__annotations__)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if "weights" in values:
        check_weights(values["weights"])
    changed = [name for name, value in values.items() if getattr(policy, name) != value]
    if not changed:
        return policy
    for name, value in values.items():
        setattr(policy, name, value)
    policy.full_clean()
    policy.version += 1
    policy.updated_at, policy.updated_by = timezone.now(), actor
    policy.save()
    ScorePolicyVersion.objects.create(
        version=policy.version,
        weights=policy.weights,
        min_samples=policy.min_samples,
        mappings=policy.mappings,
        period_days=policy.period_days,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="score_policy.updated",
        target=policy,
        detail={"version": policy.version, "fields": changed},
    )
    return policy
