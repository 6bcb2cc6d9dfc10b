"""Writes to interactions and tasks; every change goes through a function here."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.concurrency import SOMEONE, EditConflict, EditMerge, version_check
from crm.history import NO_VALUE, FieldChange
from crm.names import person_name
from crm.submit_once import submission_claim, submission_done
from customers.access import can_serve_customer, require_supervising
from customers.models import (
    Customer,
    CustomerNeed,
    NeedChange,
    NeedType,
    need_discussed_evidence,
    need_discussed_reason,
)
from customers.services import audit_record, customer_need_record
from interactions.models import EDIT_WINDOW, PRODUCT_CODES_MAX, Interaction, Task, TaskReschedule
from products.campaigns import campaign_targets_on_interaction
from products.models import Product

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

DEFAULT_NEED_PRIORITY = 50
# A logged time a few minutes ahead of the server's clock is a clock difference, not a lie.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
PRODUCT_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,29}$")

CUSTOMER_OUT_OF_SCOPE = _("You cannot serve this customer.")
INTERACTION_IN_FUTURE = _("An interaction cannot be dated in the future.")
INTERACTION_NOT_AUTHOR = _("Only the person who logged an interaction may edit it.")
INTERACTION_EDIT_WINDOW_CLOSED = _(
    "An interaction can be edited only within 24 hours of being logged; this one can no "
    "longer be changed."
)
PRIORITY_OF = _("Priority of %(need)s")  # a need's priority, in the form and in a conflict
PRODUCT_CODE_INVALID = _(
    "“%(code)s” is not a product code (letters, digits, dot, dash or underscore; "
    "at most 30 characters)."
)
PRODUCT_CODES_TOO_MANY = _("List at most %(max)d products.")
PRODUCT_CODE_UNKNOWN = _("“%(code)s” is not in the product catalogue: check the product code.")
TASK_DUE_IN_PAST = _("The due date cannot be in the past.")
TASK_NOT_ASSIGNEE = _("Only the task's assignee can do this.")
TASK_NOT_OPEN = _("This task is already closed.")
TASK_ASSIGNEE_OUT_OF_SCOPE = _("The assignee cannot serve this customer.")
TASK_RESCHEDULE_REASON_REQUIRED = _("Say why the task is rescheduled.")
TASK_CANCEL_REASON_REQUIRED = _("Say why the task is cancelled.")
TASK_RESCHEDULE_SAME_DATE = _("Choose a due date different from the current one.")
FOLLOW_UP_DUE_REQUIRED = _("Give the follow-up task a due date.")


def product_codes_normalise(codes: Iterable[str]) -> list[str]:
    """Upper-case, strip and de-duplicate product codes (order kept); reject malformed ones
    and codes that are not in the product catalogue."""
    result: list[str] = []
    for raw in codes:
        code = raw.strip().upper()
        if not code or code in result:
            continue
        if not PRODUCT_CODE_RE.match(code):
            raise ValidationError(
                {"product_codes": ValidationError(PRODUCT_CODE_INVALID, params={"code": code})}
            )
        result.append(code)
    if len(result) > PRODUCT_CODES_MAX:
        raise ValidationError(
            {
                "product_codes": ValidationError(
                    PRODUCT_CODES_TOO_MANY, params={"max": PRODUCT_CODES_MAX}
                )
            }
        )
    # Products discussed are real catalogue products (one query).
    known = set(Product.objects.filter(code__in=result).values_list("code", flat=True))
    unknown = [code for code in result if code not in known]
    if unknown:
        raise ValidationError(
            {
                "product_codes": [
                    ValidationError(PRODUCT_CODE_UNKNOWN, params={"code": code}) for code in unknown
                ]
            }
        )
    return result


def _check_customer_in_scope(actor: User, customer: Customer) -> None:
    if not can_serve_customer(actor, customer):
        raise PermissionDenied(CUSTOMER_OUT_OF_SCOPE)


def _check_occurred_at(occurred_at: dt.datetime) -> None:
    if occurred_at > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError({"occurred_at": INTERACTION_IN_FUTURE})


def _needs_discussed_record(
    *,
    actor: User,
    customer: Customer,
    interaction: Interaction,
    needs: Mapping[NeedType, int | None],
) -> None:
    """Feed the need history: a new need becomes a CustomerNeed (recorded by RM), a changed
    priority a NeedChange, and a need discussed again is confirmed (last_confirmed = today).
    """
    existing = {
        n.need_type_id: n
        for n in CustomerNeed.objects.filter(customer=customer, need_type__in=list(needs))
    }
    for need_type, priority in needs.items():
        current = existing.get(need_type.pk)
        if current is None:
            customer_need_record(
                actor=actor,
                customer=customer,
                need_type=need_type,
                priority=DEFAULT_NEED_PRIORITY if priority is None else priority,
                source=CustomerNeed.Source.RECORDED,
                evidence=need_discussed_evidence(interaction.subject),
                reason=need_discussed_reason(interaction.pk),
            )
        else:
            customer_need_record(
                actor=actor,
                customer=customer,
                need_type=need_type,
                priority=current.priority if priority is None else priority,
                status=current.status,
                reason=need_discussed_reason(interaction.pk),
            )


def _save_with_history(
    interaction: Interaction,
    *,
    actor: User,
    need_ids: list[int],
    update_fields: list[str] | None = None,
) -> None:
    """Save the row and its needs, then write ONE history record holding both."""
    interaction.skip_history_when_saving = True
    try:
        interaction.save(update_fields=update_fields)
        interaction.needs.set(need_ids)
    finally:
        del interaction.skip_history_when_saving
    interaction._history_user = actor
    interaction.save(update_fields=["updated_at"])


@transaction.atomic
def interaction_log(
    *,
    actor: User,
    customer: Customer,
    channel: str,
    direction: str,
    occurred_at: dt.datetime,
    subject: str,
    outcome: str,
    duration_minutes: int | None = None,
    notes: str = "",
    needs: Mapping[NeedType, int | None] | None = None,
    product_codes: Iterable[str] = (),
    follow_up_title: str = "",
    follow_up_due: dt.date | None = None,
    submission_token: str = "",
) -> Interaction:
    """Record a contact with a customer, attributed to `actor`.

    0. The form's one-time token is claimed (crm/submit_once.py): the same form sent again
       raises AlreadySubmitted pointing at this interaction, and creates nothing.
    1. The interaction is saved (with a history record) and audited.
    2. Each need discussed feeds the customer's need history (CustomerNeed / NeedChange).
    3. A follow-up title and due date create an open task assigned to `actor`.
    4. The customer's open campaign targets move on by the outcome.
    """
    _check_customer_in_scope(actor, customer)
    claim = submission_claim(actor=actor, token=submission_token, kind="interactions.interaction")
    _check_occurred_at(occurred_at)
    needs = dict(needs or {})
    interaction = Interaction(
        customer=customer,
        staff=actor,
        channel=channel,
        direction=direction,
        occurred_at=occurred_at,
        duration_minutes=duration_minutes,
        subject=subject,
        notes=notes,
        product_codes=product_codes_normalise(product_codes),
        outcome=outcome,
    )
    interaction.full_clean()
    _save_with_history(interaction, actor=actor, need_ids=[n.pk for n in needs])
    audit_record(
        actor=actor,
        action="interaction.logged",
        target=interaction,
        customer=customer,
        detail={"channel": channel, "outcome": outcome, "needs": [n.code for n in needs]},
    )
    _needs_discussed_record(actor=actor, customer=customer, interaction=interaction, needs=needs)
    # The customer's campaign targets move on by the outcome (products.campaigns).
    campaign_targets_on_interaction(customer_id=customer.pk, outcome=outcome)
    if follow_up_title:
        if follow_up_due is None:
            raise ValidationError({"follow_up_due": FOLLOW_UP_DUE_REQUIRED})
        task_create(
            actor=actor,
            customer=customer,
            title=follow_up_title,
            due_date=follow_up_due,
            origin=Task.Origin.INTERACTION,
            interaction=interaction,
        )
    submission_done(claim, url=interaction.get_absolute_url())
    return interaction


def interaction_edit_refusal(
    *, user: User, interaction: Interaction, now: dt.datetime | None = None
) -> StrOrPromise | None:
    """Why `user` may not edit `interaction` now (a message), or None if they may."""
    if interaction.staff_id != user.pk:
        return INTERACTION_NOT_AUTHOR
    if (now or timezone.now()) >= interaction.created_at + EDIT_WINDOW:
        return INTERACTION_EDIT_WINDOW_CLOSED
    return None


def _need_priorities_changed_meanwhile(
    *,
    customer: Customer,
    needs: Mapping[NeedType, int | None] | None,
    shown: Mapping[int, int | None] | None,
) -> dict[str, FieldChange]:
    """The priorities typed in an edit form that would overwrite a priority changed since the
    form showed it, by form field name ("priority_<need type id>"): the customer's priority
    as shown → as it is now. `shown`: the priority the form showed for each need type, by id
    (None: no need then); a need type not in it, or `shown` None, is not checked. A typed
    priority equal to the one now, or a need unchanged since, is no clash.

    The needs discussed are the customer's (CustomerNeed), not the interaction's: their
    changes are not in the interaction's version, so version_check cannot see them.
    """
    if needs is None or shown is None:
        return {}
    typed = {nt: p for nt, p in needs.items() if p is not None and nt.pk in shown}
    if not typed:
        return {}
    now = {
        need.need_type_id: need.priority
        for need in CustomerNeed.objects.select_for_update().filter(
            customer=customer, need_type__in=list(typed)
        )
    }
    clashes: dict[str, FieldChange] = {}
    for need_type, priority in typed.items():
        then, current = shown[need_type.pk], now.get(need_type.pk)
        if current is None or current in (then, priority):
            continue
        clashes[f"priority_{need_type.pk}"] = FieldChange(
            label=str(PRIORITY_OF % {"need": need_type}),
            old=NO_VALUE if then is None else str(then),
            new=str(current),
        )
    return clashes


def _need_priority_conflict(
    *, interaction: Interaction, clashes: dict[str, FieldChange]
) -> EditConflict:
    """The edit conflict of need priorities changed meanwhile (and nothing else): named after
    the latest change of those needs."""
    need_type_ids = [int(name.removeprefix("priority_")) for name in clashes]
    latest = (
        NeedChange.objects.filter(
            need__customer=interaction.customer_id, need__need_type__in=need_type_ids
        )
        .select_related("changed_by")
        .first()  # newest first
    )
    return EditConflict(
        current=interaction,
        merge=EditMerge(taken=[], conflicts=list(clashes)),
        changes=clashes,
        base_known=True,
        who=(person_name(latest.changed_by) if latest else "") or str(SOMEONE),
        when=latest.changed_at if latest else timezone.now(),
    )


class InteractionFields(TypedDict, total=False):
    """An interaction's fields its author may change, by name: what interaction_update
    changes."""

    channel: str
    direction: str
    occurred_at: dt.datetime
    duration_minutes: int | None
    subject: str
    notes: str
    product_codes: Iterable[str]
    outcome: str


EDITABLE_FIELDS = list(InteractionFields.__annotations__)


@transaction.atomic
def interaction_update(
    *,
    actor: User,
    interaction: Interaction,
    fields: InteractionFields,
    needs: Mapping[NeedType, int | None] | None = None,
    expected_version: str | None = None,
    priorities_shown: Mapping[int, int | None] | None = None,
) -> Interaction:
    """Change an interaction (the given `fields`, and `needs` when given): its author only,
    within 24 hours of logging it.

    `expected_version` (crm.concurrency) turns a concurrent change of these fields or of the
    needs discussed (the same author in another tab) into EditConflict instead of a silent
    overwrite. `priorities_shown` (the customer's priority of each need type as the form
    showed it, by need type id) does the same for a priority typed in `needs` over one
    changed since (_need_priorities_changed_meanwhile), in the same conflict.

    Kept in the interaction's history; audited; needs newly discussed (or given a new
    priority) feed the need history as when logging.
    """
    interaction = (
        Interaction.objects.select_for_update().select_related("customer").get(pk=interaction.pk)
    )
    if interaction.staff_id != actor.pk:
        raise PermissionDenied(INTERACTION_NOT_AUTHOR)
    refusal = interaction_edit_refusal(user=actor, interaction=interaction)
    if refusal is not None:
        raise ValidationError(refusal)
    values: dict[str, Any] = dict(fields)
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if "product_codes" in values:  # as stored, so that the check sees what the form kept
        values["product_codes"] = product_codes_normalise(values["product_codes"])
    # The needs discussed take part in the check like the other fields (kept in the history).
    checked = values if needs is None else {**values, "needs": list(needs)}
    clashes = _need_priorities_changed_meanwhile(
        customer=interaction.customer, needs=needs, shown=priorities_shown
    )
    try:
        version_check(current=interaction, expected=expected_version, fields=checked)
    except EditConflict as conflict:
        if clashes:
            raise conflict.with_clashes(clashes) from None
        raise
    if clashes:
        raise _need_priority_conflict(interaction=interaction, clashes=clashes)
    if "occurred_at" in values:
        _check_occurred_at(values["occurred_at"])
    changed = [name for name, value in values.items() if getattr(interaction, name) != value]
    for name, value in values.items():
        setattr(interaction, name, value)
    interaction.full_clean()
    before = set(interaction.needs.values_list("pk", flat=True))
    needs = dict(needs or {}) if needs is not None else None
    after = {n.pk for n in needs} if needs is not None else before
    if after != before:
        changed.append("needs")
    if changed:  # an unchanged form adds no version and no audit entry
        _save_with_history(
            interaction,
            actor=actor,
            need_ids=sorted(after),
            update_fields=[*EDITABLE_FIELDS, "updated_at"],
        )
        audit_record(
            actor=actor,
            action="interaction.edited",
            target=interaction,
            customer=interaction.customer,
            detail={"fields": changed},
        )
    if needs:
        # A need that was already discussed and is given no priority needs no second record.
        to_record = {nt: p for nt, p in needs.items() if nt.pk not in before or p is not None}
        _needs_discussed_record(
            actor=actor, customer=interaction.customer, interaction=interaction, needs=to_record
        )
    return interaction


# -- Tasks -----------------------------------------------------------------------------------


@transaction.atomic
def task_create(
    *,
    actor: User,
    customer: Customer,
    title: str,
    due_date: dt.date,
    assignee: User | None = None,
    origin: str = Task.Origin.MANUAL,
    interaction: Interaction | None = None,
    submission_token: str = "",
) -> Task:
    """Create an open task (assigned to `actor` unless told otherwise). Audited.

    A form's one-time token is claimed once (crm/submit_once.py)."""
    assignee = assignee or actor
    _check_customer_in_scope(actor, customer)
    claim = submission_claim(actor=actor, token=submission_token, kind="interactions.task")
    if assignee != actor and not can_serve_customer(assignee, customer):
        raise ValidationError({"assignee": TASK_ASSIGNEE_OUT_OF_SCOPE})
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": TASK_DUE_IN_PAST})
    task = Task(
        customer=customer,
        assignee=assignee,
        created_by=actor,
        title=title,
        due_date=due_date,
        origin=origin,
        interaction=interaction,
    )
    task.full_clean()
    task._history_user = actor
    task.save()
    audit_record(
        actor=actor,
        action="task.created",
        target=task,
        customer=customer,
        detail={"origin": origin, "due_date": due_date.isoformat(), "assignee": assignee.pk},
    )
    submission_done(claim, url=reverse("customers:detail", args=[customer.pk]))
    return task


def _task_for_action(*, actor: User, task: Task) -> Task:
    task = Task.objects.select_for_update().select_related("customer").get(pk=task.pk)
    if task.assignee_id != actor.pk:
        raise PermissionDenied(TASK_NOT_ASSIGNEE)
    if task.status != Task.Status.OPEN:
        raise ValidationError(TASK_NOT_OPEN)
    return task


@transaction.atomic
def task_complete(*, actor: User, task: Task) -> Task:
    """Mark an open task done (its assignee only). Audited."""
    task = _task_for_action(actor=actor, task=task)
    task.status, task.completed_at = Task.Status.DONE, timezone.now()
    task._history_user = actor
    task.save(update_fields=["status", "completed_at", "updated_at"])
    audit_record(actor=actor, action="task.completed", target=task, customer=task.customer)
    return task


@transaction.atomic
def task_cancel(*, actor: User, task: Task, reason: str) -> Task:
    """Cancel an open task (its assignee only), saying why. Irreversible.

    The reason is kept on the task (shown on the customer's timeline), as the change reason
    of its history record, and in the audit entry. Raises ValidationError
    (TASK_CANCEL_REASON_REQUIRED) for a blank reason.
    """
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": TASK_CANCEL_REASON_REQUIRED})
    task = _task_for_action(actor=actor, task=task)
    task.status, task.cancelled_at = Task.Status.CANCELLED, timezone.now()
    task.cancel_reason = reason[:255]
    task._history_user = actor
    task._change_reason = reason[:100]
    task.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    audit_record(
        actor=actor,
        action="task.cancelled",
        target=task,
        customer=task.customer,
        detail={"reason": reason},
    )
    return task


@transaction.atomic
def task_reschedule(
    *, actor: User, task: Task, due_date: dt.date, reason: str, expected_version: str | None = None
) -> Task:
    """Move an open task's due date, keeping the old date and the reason. Audited.

    `expected_version` (crm.concurrency): a due date moved meanwhile raises EditConflict.
    """
    task = _task_for_action(actor=actor, task=task)
    version_check(current=task, expected=expected_version, fields=["due_date"])
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": TASK_RESCHEDULE_REASON_REQUIRED})
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": TASK_DUE_IN_PAST})
    if due_date == task.due_date:
        raise ValidationError({"due_date": TASK_RESCHEDULE_SAME_DATE})
    reschedule = TaskReschedule(
        task=task, by=actor, old_due_date=task.due_date, new_due_date=due_date, reason=reason
    )
    reschedule.full_clean()
    reschedule.save()
    task.due_date = due_date
    task._history_user = actor
    task.save(update_fields=["due_date", "updated_at"])
    audit_record(
        actor=actor,
        action="task.rescheduled",
        target=task,
        customer=task.customer,
        detail={
            "from": reschedule.old_due_date.isoformat(),
            "to": due_date.isoformat(),
            "reason": reason,
        },
    )
    return task


@transaction.atomic
def task_reassign(*, actor: User, task: Task, assignee: User) -> Task:
    """Give an open task to another member of staff who can serve the customer. Audited.

    Only a supervisor of the customer's branch or head office may (PermissionDenied).
    """
    task = Task.objects.select_for_update().select_related("customer").get(pk=task.pk)
    require_supervising(actor)
    _check_customer_in_scope(actor, task.customer)
    if task.status != Task.Status.OPEN:
        raise ValidationError(TASK_NOT_OPEN)
    if not can_serve_customer(assignee, task.customer):
        raise ValidationError({"assignee": TASK_ASSIGNEE_OUT_OF_SCOPE})
    previous = task.assignee_id
    task.assignee = assignee
    task._history_user = actor
    task.save(update_fields=["assignee", "updated_at"])
    audit_record(
        actor=actor,
        action="task.reassigned",
        target=task,
        customer=task.customer,
        detail={"from": previous, "to": assignee.pk},
    )
    return task
