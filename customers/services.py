"""Writes to the customer database; every change goes through a function here."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import AuditEntry, Customer, CustomerNeed, NeedChange, NeedType

NEED_PRIORITY_RANGE = _("Priority must be between 0 and 100.")


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    customer: Customer | None = None,
    detail: dict | None = None,
) -> AuditEntry:
    """Append an audit entry (the lowest app's service, so every app can call it)."""
    if customer is None and isinstance(target, Customer):
        customer = target
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        customer=customer,
        branch_id=customer.branch_id if customer is not None else None,
        detail=detail or {},
    )


@transaction.atomic
def customer_need_record(
    *,
    actor,
    customer: Customer,
    need_type: NeedType,
    priority: int,
    status: str = CustomerNeed.Status.ACTIVE,
    source: str = CustomerNeed.Source.RECORDED,
    evidence: str = "",
    reason: str = "",
) -> CustomerNeed:
    """Record a need, or confirm/update an existing one.

    A new need, or a change of its priority or status, writes a dated NeedChange. Audited.
    """
    if not 0 <= priority <= 100:
        raise ValidationError({"priority": NEED_PRIORITY_RANGE})
    today = timezone.localdate()
    need = (
        CustomerNeed.objects.select_for_update()
        .filter(customer=customer, need_type=need_type)
        .first()
    )
    if need is None:
        need = CustomerNeed(
            customer=customer,
            need_type=need_type,
            priority=priority,
            status=status,
            source=source,
            first_identified=today,
            last_confirmed=today,
            evidence=evidence,
        )
        need.full_clean()
        need.save()
        old_priority, old_status = None, ""
    else:
        old_priority, old_status = need.priority, need.status
        need.priority, need.status, need.last_confirmed = priority, status, today
        if evidence:
            need.evidence = evidence
        need.full_clean()
        need.save(update_fields=["priority", "status", "last_confirmed", "evidence", "updated_at"])
    if (old_priority, old_status) != (priority, status):
        NeedChange.objects.create(
            need=need,
            changed_by=actor if actor is not None else None,
            old_priority=old_priority,
            new_priority=priority,
            old_status=old_status,
            new_status=status,
            reason=reason[:255],
        )
    audit_record(
        actor=actor,
        action="need.recorded",
        target=need,
        customer=customer,
        detail={"need_type": need_type.code, "priority": priority, "status": status},
    )
    return need
