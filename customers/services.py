"""Writes to the customer database; every change goes through a function here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from simple_history.utils import bulk_update_with_history

from accounts.models import Branch, Staff
from crm import identifiers
from crm.concurrency import SOMEONE, version_check
from crm.history import history_baseline, moment_text
from crm.names import person_name
from crm.submit_once import submission_claim, submission_done
from customers import search
from customers.access import (
    NOT_ALLOWED,
    can_export_full_contact,
    can_record_need,
    can_serve_customer,
    is_head_office,
    require_edit,
    require_edit_member,
    require_serve,
    require_supervising,
)
from customers.changes import customers_changed
from customers.limits import EXPORTS, REVEALS, limit_check
from customers.models import (
    AuditEntry,
    Customer,
    CustomerNeed,
    LifeEvent,
    NeedChange,
    NeedType,
    Relationship,
    RiskAssessment,
    need_change_words,
    need_status_label,
)
from customers.selectors import NeedState, evidence_digest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

NEED_PRIORITY_RANGE = _("Priority must be between 0 and 100.")
RM_NOT_OF_BRANCH = _("Choose an active relationship manager of the customer's branch.")
ALREADY_ARCHIVED = _("This customer is already archived.")
NOT_ARCHIVED = _("Only an archived customer can be restored.")
EVENT_DATE_IMPLAUSIBLE = _(
    "Enter a date between %(earliest)s (the customer's date of birth) and %(latest)s (five "
    "years from today)."
)
RELATED_SELF = _("A customer cannot be related to themselves.")
RELATIONSHIP_KIND_UNKNOWN = _("Choose a kind of relationship from the list.")
SPOUSE_ALREADY = _(
    "%(customer)s already has a spouse: %(spouse)s. A customer has at most one spouse; unlink "
    "that spouse first if the record is wrong."
)
# The existing spouse may be a customer the user may not see (another branch): not named.
SPOUSE_ALREADY_OUT_OF_SCOPE = _(
    "%(customer)s already has a spouse, a customer outside your branch. A customer has at most "
    "one spouse."
)
ARCHIVE_REASON_REQUIRED = _("Say why the customer is archived.")
STATUS_VIA_ARCHIVE = _("Use the Archive and Restore buttons to archive or restore a customer.")
NEED_CHANGED_MEANWHILE = _(
    "%(who)s changed the need “%(need)s” at %(when)s, after you opened this form: "
    "%(changes)s. It is now: priority %(priority)s, %(status)s."
)
NEED_NOT_RECORDED = _(
    "Nothing was saved, so that their change is not lost. To record priority %(priority)s, "
    "%(status)s over it, record the need again."
)
# The evidence is not in the need's history: who recorded the need last is what is known.
NEED_EVIDENCE_CHANGED_MEANWHILE = _(
    "The evidence for the need “%(need)s” was changed after you opened this form (last "
    "recorded by %(who)s at %(when)s). It now reads: “%(evidence)s”."
)
NEED_EVIDENCE_NOT_RECORDED = _(
    "Nothing was saved, so that their change is not lost. To record priority %(priority)s, "
    "%(status)s and your evidence over it, record the need again."
)
NEED_EVIDENCE_SHOWN = 80  # characters of the current evidence the refusal quotes


class CustomerFields(TypedDict, total=False):
    """Fields a person edits on the customer form, by name: what customer_update changes
    (risk class comes from assessments, status changes to and from "archived" through
    archive/restore)."""

    customer_number: str
    name: str
    date_of_birth: dt.date
    national_id: str
    phone: str
    email: str
    address: str
    occupation: str
    income_band: str
    segment: str
    status: str
    branch: Branch
    relationship_manager: User | None
    marketing_consent: bool
    do_not_contact: bool
    preferred_channel: str


EDITABLE_FIELDS = list(CustomerFields.__annotations__)  # in the form's order
INVERSE_KIND: dict[str, str] = {
    Relationship.Kind.SPOUSE: Relationship.Kind.SPOUSE,
    Relationship.Kind.PARTNER: Relationship.Kind.PARTNER,
    Relationship.Kind.PARENT: Relationship.Kind.CHILD,
    Relationship.Kind.CHILD: Relationship.Kind.PARENT,
}


def audit_entry(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    target: models.Model | None = None,
    customer: Customer | None = None,
    detail: dict[str, Any] | None = None,
    branch: Branch | None = None,
) -> AuditEntry:
    """An unsaved audit entry (audit_record saves one; bulk writers save many at once).

    The entry's branch is the customer's; pass `branch` for entries about no one customer
    (an export), so that the branch's supervisor sees them in the access log. `actor` None
    (or signed out: a customer answering a survey) is the system.
    """
    if customer is None and isinstance(target, Customer):
        customer = target
    branch_id: int | None
    if customer is not None:
        branch_id = customer.branch_id
    else:
        branch_id = branch.pk if branch is not None else None
    return AuditEntry(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        customer=customer,
        branch_id=branch_id,
        detail=detail or {},
    )


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    target: models.Model | None = None,
    customer: Customer | None = None,
    detail: dict[str, Any] | None = None,
    branch: Branch | None = None,
) -> AuditEntry:
    """Append an audit entry (the lowest app's service, so every app can call it); the
    arguments are audit_entry's."""
    entry = audit_entry(
        actor=actor, action=action, target=target, customer=customer, detail=detail, branch=branch
    )
    entry.save()
    return entry


# -- Customers ---------------------------------------------------------------------------


# One normalisation per field (crm/identifiers.py), applied by the form, this module, the
# importers and the admin alike, so that the same value is stored the same way whichever
# path it came by, and saving an unchanged form changes nothing.
FIELD_NORMALISERS = {
    "customer_number": identifiers.customer_number,
    "name": identifiers.person_name,
    "national_id": identifiers.national_id,
    "phone": identifiers.phone,
    "email": identifiers.email,
    "address": identifiers.single_line,
    "occupation": identifiers.single_line,
}


def customer_fields_normalise(fields: Mapping[str, Any]) -> dict[str, Any]:
    """`fields` with each text field put in its stored form (FIELD_NORMALISERS); a new dict."""
    return {
        name: FIELD_NORMALISERS[name](value) if name in FIELD_NORMALISERS else value
        for name, value in fields.items()
    }


def customer_search_keys_fill(customer: Customer) -> None:
    """Normalise the customer's text fields and refresh the search keys (no save; no queries)."""
    for name, normalise in FIELD_NORMALISERS.items():
        setattr(customer, name, normalise(getattr(customer, name)))
    customer.search_bigrams = search.name_grams(customer.name)
    customer.id_last4 = search.id_last4(customer.national_id)


def _check_relationship_manager(customer: Customer) -> None:
    """The customer's RM, if any, is an active RM of the customer's branch."""
    rm = customer.relationship_manager
    if rm is None:
        return
    if not Staff.objects.active_rms(branch_id=customer.branch_id).filter(user=rm).exists():
        raise ValidationError({"relationship_manager": RM_NOT_OF_BRANCH})


def customer_check(customer: Customer) -> None:
    """The rules a customer record must satisfy beyond its fields (full_clean), raised as a
    ValidationError by field: for forms (admin's too) that show them before saving."""
    _check_relationship_manager(customer)


@transaction.atomic
def customer_create(
    *,
    actor: User,
    customer_number: str,
    name: str,
    date_of_birth: dt.date,
    national_id: str,
    branch: Branch,
    relationship_manager: User | None = None,
    phone: str = "",
    email: str = "",
    address: str = "",
    occupation: str = "",
    income_band: str = "",
    segment: str = Customer.Segment.MASS,
    status: str = Customer.Status.ACTIVE,
    marketing_consent: bool = False,
    do_not_contact: bool = False,
    preferred_channel: str = "",
    submission_token: str = "",
) -> Customer:
    """Create a customer (the fields of CustomerFields). History and audit entry written.

    `submission_token`: the form's one-time token (crm/submit_once.py); a second use raises
    AlreadySubmitted pointing at the customer the first one created.
    """
    claim = submission_claim(actor=actor, token=submission_token, kind="customers.customer")
    fields: CustomerFields = {
        "customer_number": customer_number,
        "name": name,
        "date_of_birth": date_of_birth,
        "national_id": national_id,
        "phone": phone,
        "email": email,
        "address": address,
        "occupation": occupation,
        "income_band": income_band,
        "segment": segment,
        "status": status,
        "branch": branch,
        "relationship_manager": relationship_manager,
        "marketing_consent": marketing_consent,
        "do_not_contact": do_not_contact,
        "preferred_channel": preferred_channel,
    }
    customer = Customer(**customer_fields_normalise(fields))
    require_edit(actor, customer)
    customer_search_keys_fill(customer)
    customer.full_clean()
    _check_relationship_manager(customer)
    customer._history_user = actor
    customer.save()
    audit_record(actor=actor, action="customer.created", target=customer)
    submission_done(claim, url=customer.get_absolute_url())
    return customer


@transaction.atomic
def customer_update(
    *,
    actor: User,
    customer: Customer,
    fields: CustomerFields,
    expected_version: str | None = None,
) -> Customer:
    """Change the given `fields`; unchanged values write nothing. History + audit.

    `expected_version` (crm.concurrency.version_of the row the form was filled from) makes a
    concurrent change to any of these fields raise EditConflict instead of being overwritten.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    customer = (
        Customer.objects.select_for_update(of=("self",))
        .select_related("branch", "relationship_manager")
        .get(pk=customer.pk)
    )
    require_edit(actor, customer)
    values = customer_fields_normalise(fields)
    changed = [name for name, value in values.items() if getattr(customer, name) != value]
    if not changed:
        return customer
    history_baseline([customer])
    from customers.selectors import history_value  # selectors import this module

    version_check(current=customer, expected=expected_version, fields=values, display=history_value)
    if "status" in changed and Customer.Status.ARCHIVED in (customer.status, values["status"]):
        raise ValidationError({"status": STATUS_VIA_ARCHIVE})
    for name in changed:
        setattr(customer, name, values[name])
    # Checked again against the customer as it would be saved: a supervisor may not move a
    # customer to another branch, nor an RM hand one to a colleague through the form.
    require_edit(actor, customer)
    customer_search_keys_fill(customer)
    customer.full_clean()
    _check_relationship_manager(customer)
    customer._history_user = actor
    customer.save(update_fields=[*changed, "search_bigrams", "id_last4", "updated_at"])
    audit_record(
        actor=actor, action="customer.updated", target=customer, detail={"fields": changed}
    )
    return customer


@transaction.atomic
def customer_archive(*, actor: User, customer: Customer, reason: str) -> Customer:
    """Archive: the customer leaves default lists but stays in the database.

    `reason` (required: ValidationError ARCHIVE_REASON_REQUIRED) is kept as the history
    record's change reason, shown in the customer's change history, and in the audit entry.
    """
    reason = identifiers.single_line(reason)
    if not reason:
        raise ValidationError({"reason": ARCHIVE_REASON_REQUIRED})
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    require_edit(actor, customer)
    if customer.is_archived:
        raise ValidationError(ALREADY_ARCHIVED)
    history_baseline([customer])
    customer.status = Customer.Status.ARCHIVED
    customer._history_user = actor
    customer._change_reason = reason[:100]
    customer.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action="customer.archived", target=customer, detail={"reason": reason}
    )
    return customer


@transaction.atomic
def customer_restore(*, actor: User, customer: Customer) -> Customer:
    """Bring an archived customer back with the status they had before. Audited."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    require_edit(actor, customer)
    if not customer.is_archived:
        raise ValidationError(NOT_ARCHIVED)
    before = (
        customer.history.exclude(status=Customer.Status.ARCHIVED)
        .order_by("-history_date")
        .values_list("status", flat=True)
        .first()
    )
    customer.status = before or Customer.Status.ACTIVE
    customer._history_user = actor
    customer._change_reason = "restored"
    customer.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="customer.restored", target=customer)
    return customer


REASSIGN_COUNT_CHANGED = ngettext_lazy(
    "The filters now match %(n)d customer, not the %(expected)d you confirmed (the list "
    "changed meanwhile). Nothing was moved; confirm again.",
    "The filters now match %(n)d customers, not the %(expected)d you confirmed (the list "
    "changed meanwhile). Nothing was moved; confirm again.",
    "n",
)


@transaction.atomic
def customer_reassign(
    *,
    actor: User,
    customers: Iterable[Customer] | models.QuerySet[Customer],
    relationship_manager: User,
    expected_count: int | None = None,
) -> int:
    """Hand customers to another RM of their branch; returns how many moved. History + audit.

    `customers` is a list or a queryset (a hand-over of "all customers matching the
    filters": the rows are locked straight from it). With `expected_count` (the number the
    user confirmed), a different number of matching customers moves nothing and raises
    ValidationError (REASSIGN_COUNT_CHANGED). All or nothing: one customer outside the
    actor's reach or the RM's branch stops them all.
    """
    require_supervising(actor)
    rows: Iterable[int]
    if isinstance(customers, models.QuerySet):
        rows = customers.order_by().values_list("pk", flat=True)
    else:
        rows = [c.pk for c in customers]
    locked = list(Customer.objects.select_for_update().filter(pk__in=rows).order_by("pk"))
    if expected_count is not None and len(locked) != expected_count:
        raise ValidationError(
            REASSIGN_COUNT_CHANGED, params={"n": len(locked), "expected": expected_count}
        )
    rm_branch = (
        Staff.objects.active_rms()
        .filter(user=relationship_manager)
        .values_list("branch_id", flat=True)
        .first()
    )
    to_move = []
    for customer in locked:
        require_edit(actor, customer)
        if rm_branch is None or customer.branch_id != rm_branch:
            raise ValidationError({"relationship_manager": RM_NOT_OF_BRANCH})
        if customer.relationship_manager_id != relationship_manager.pk:
            to_move.append(customer)
    # Set-based: one UPDATE, one INSERT of history rows, one of audit entries (and, for
    # customers never changed in the app, one query and INSERT for their record as loaded).
    history_baseline(to_move)
    entries = [
        audit_entry(
            actor=actor,
            action="customer.reassigned",
            target=customer,
            detail={"from": customer.relationship_manager_id, "to": relationship_manager.pk},
        )
        for customer in to_move
    ]
    now = timezone.now()
    for customer in to_move:
        customer.relationship_manager, customer.updated_at = relationship_manager, now
    bulk_update_with_history(
        to_move,
        Customer,
        ["relationship_manager", "updated_at"],
        default_user=actor,
        default_change_reason="reassigned",
        default_date=now,
    )
    AuditEntry.objects.bulk_create(entries)
    return len(to_move)


def customer_view_record(*, actor: User, customer: Customer) -> None:
    """Log that `actor` opened the customer's page (personal-data access log)."""
    audit_record(actor=actor, action="customer.viewed", target=customer)


# The audit action of each number a user may reveal (the reveal limit counts both).
REVEAL_ACTIONS = {"national_id": "customer.id_revealed", "phone": "customer.phone_revealed"}


def customer_identifier_reveal(
    *, actor: User, customer: Customer, field: str, purpose: str = ""
) -> str:
    """Return the whole national ID or mobile number (`field`, REVEAL_ACTIONS) and log that
    `actor` saw it, with the `purpose` when given ("correct": to correct it in a form).

    PermissionDenied for a customer `actor` does not serve, RateLimited past the reveal limit
    (customers.limits.REVEALS): nothing logged as revealed, nothing shown; the refusal is
    audited with the customer.
    """
    require_serve(actor, customer)
    limit_check(actor=actor, limit=REVEALS, customer=customer)
    detail = {"purpose": purpose} if purpose else None
    audit_record(actor=actor, action=REVEAL_ACTIONS[field], target=customer, detail=detail)
    return getattr(customer, field)


def customer_id_reveal(*, actor: User, customer: Customer, purpose: str = "") -> str:
    """The whole national ID number, logged (customer_identifier_reveal)."""
    return customer_identifier_reveal(
        actor=actor, customer=customer, field="national_id", purpose=purpose
    )


def access_log_export_record(
    *, actor: User, filters: dict[str, Any], branch: Branch | None
) -> None:
    """Log an export of the personal-data access log (it shows in that log itself).

    RateLimited past the export limit (nothing exported), like every export.
    """
    limit_check(actor=actor, limit=EXPORTS)
    audit_record(actor=actor, action="access_log.exported", detail=filters, branch=branch)


def customer_phone_reveal(*, actor: User, customer: Customer, purpose: str = "") -> str:
    """The whole mobile number, logged (customer_identifier_reveal; issue 8 item 13)."""
    return customer_identifier_reveal(
        actor=actor, customer=customer, field="phone", purpose=purpose
    )


def customer_export_record(
    *, actor: User, filters: dict[str, Any], branch: Branch | None, full_contact: bool = False
) -> None:
    """Log an export of the customer list with the filters that defined it.

    RateLimited past the export limit (nothing exported). `full_contact` (whole mobile
    numbers) requires can_export_full_contact: PermissionDenied otherwise.
    """
    if full_contact and not can_export_full_contact(actor):
        raise PermissionDenied(NOT_ALLOWED)
    limit_check(actor=actor, limit=EXPORTS)
    detail = {**filters, "full_contact": True} if full_contact else filters
    audit_record(actor=actor, action="customer.exported", detail=detail, branch=branch)


def life_event_date_range(customer: Customer) -> tuple[dt.date, dt.date]:
    """The dates a life event of this customer may have, both included: from their date of
    birth to five years from today (an expected event: a child starting school, retirement).
    Narrower than every date field's plausible range (crm.dates), so it is the one message
    the user sees."""
    return customer.date_of_birth, timezone.localdate() + relativedelta(years=5)


@transaction.atomic
def life_event_record(
    *,
    actor: User,
    customer: Customer,
    kind: str,
    event_date: dt.date,
    source: str = LifeEvent.Source.RM,
    note: str = "",
    submission_token: str = "",
) -> LifeEvent:
    """Record a past or expected life event of the customer. Audited. A form's token is
    claimed once (crm/submit_once.py)."""
    require_edit(actor, customer)
    claim = submission_claim(actor=actor, token=submission_token, kind="customers.life_event")
    earliest, latest = life_event_date_range(customer)
    if not earliest <= event_date <= latest:
        raise ValidationError(
            {
                "event_date": ValidationError(
                    EVENT_DATE_IMPLAUSIBLE,
                    params={"earliest": earliest.isoformat(), "latest": latest.isoformat()},
                )
            }
        )
    event = LifeEvent(
        customer=customer,
        kind=kind,
        event_date=event_date,
        source=source,
        note=note,
        recorded_by=actor,
    )
    event.full_clean()
    event.save()
    audit_record(
        actor=actor,
        action="life_event.recorded",
        target=event,
        customer=customer,
        detail={"kind": kind, "event_date": event_date.isoformat()},
    )
    customers_changed(customer_ids=[customer.pk], what="life_event")
    submission_done(claim, url=customer.get_absolute_url() + "#life-events")
    return event


@transaction.atomic
def risk_assessment_record(
    *,
    actor: User,
    customer: Customer,
    risk_class: str,
    assessed_on: dt.date,
    score: int,
    submission_token: str = "",
) -> RiskAssessment:
    """Record a questionnaire result; the latest assessment sets the customer's class.

    A form's token is claimed once (crm/submit_once.py)."""
    require_edit(actor, customer)
    claim = submission_claim(actor=actor, token=submission_token, kind="customers.risk")
    assessment = RiskAssessment(
        customer=customer,
        risk_class=risk_class,
        assessed_on=assessed_on,
        score=score,
        assessed_by=actor,
    )
    assessment.full_clean()
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": _("An assessment cannot be dated in the future.")})
    assessment.save()
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.risk_assessed_on is None or assessed_on >= customer.risk_assessed_on:
        history_baseline([customer])
        customer.risk_class, customer.risk_assessed_on = risk_class, assessed_on
        customer._history_user = actor
        customer._change_reason = "risk assessment"
        customer.save(update_fields=["risk_class", "risk_assessed_on", "updated_at"])
    audit_record(
        actor=actor,
        action="risk.assessed",
        target=assessment,
        customer=customer,
        detail={"risk_class": risk_class, "assessed_on": assessed_on.isoformat()},
    )
    customers_changed(customer_ids=[customer.pk], what="risk_assessment")
    submission_done(claim, url=customer.get_absolute_url())
    return assessment


class LinkOutcome(StrEnum):
    """What relationship_link did: tied two customers, changed their tie's kind, or nothing
    (they were already tied with that kind)."""

    CREATED = "created"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


class LinkResult(NamedTuple):
    link: Relationship
    outcome: LinkOutcome


def _one_spouse_check(*, actor: User | None, customer: Customer, related: Customer) -> None:
    """Refuse a spouse link when either customer already has a spouse other than the other
    one (a customer has at most one spouse; relinking the same two stays allowed). The
    existing spouse is named when the actor may see them."""
    others = (
        Relationship.objects.filter(customer__in=[customer, related], kind=Relationship.Kind.SPOUSE)
        .exclude(related__in=[customer, related])
        .select_related("customer", "related")
        .order_by("customer_id", "related__name")
    )
    for tie in others:
        if actor is None or can_serve_customer(actor, tie.related):
            raise ValidationError(
                SPOUSE_ALREADY,
                params={"customer": tie.customer.name, "spouse": tie.related.name},
            )
        raise ValidationError(SPOUSE_ALREADY_OUT_OF_SCOPE, params={"customer": tie.customer.name})


@transaction.atomic
def relationship_link(
    *, actor: User | None, customer: Customer, related: Customer, kind: str
) -> LinkResult:
    """Tie two customers of a household, in both directions (the inverse kind on the other
    side). It writes on both customers, so `actor` must be allowed to change both
    (PermissionDenied otherwise). A customer has at most one spouse. Relinking changes the
    kind; returns the link and whether it was created, changed or already so. Audited on both
    customers when something changed."""
    require_edit(actor, customer)
    require_edit_member(actor, related, unlink=False)
    if customer.pk == related.pk:
        raise ValidationError(RELATED_SELF)
    if kind not in INVERSE_KIND:
        raise ValidationError({"kind": RELATIONSHIP_KIND_UNKNOWN})
    # Lock both customers (in id order), so that two links made at once cannot both pass the
    # spouse check.
    list(
        Customer.objects.select_for_update()
        .filter(pk__in=[customer.pk, related.pk])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if kind == Relationship.Kind.SPOUSE:
        _one_spouse_check(actor=actor, customer=customer, related=related)
    ties = {
        tie.customer_id: tie
        for tie in Relationship.objects.select_for_update().filter(
            models.Q(customer=customer, related=related)
            | models.Q(customer=related, related=customer)
        )
    }
    outcome = LinkOutcome.UNCHANGED
    audit = []
    for owner, other, wanted in (
        (customer, related, kind),
        (related, customer, INVERSE_KIND[kind]),
    ):
        tie = ties.get(owner.pk)
        detail = {"related": other.pk, "kind": wanted}
        if tie is None:
            tie = ties[owner.pk] = Relationship(customer=owner, related=other, kind=wanted)
            tie.full_clean()
            tie.save()
            outcome = LinkOutcome.CREATED
        elif tie.kind != wanted:
            detail["previous_kind"], tie.kind = tie.kind, wanted
            tie.full_clean()
            tie.save(update_fields=["kind", "updated_at"])
            if outcome == LinkOutcome.UNCHANGED:
                outcome = LinkOutcome.CHANGED
        else:
            continue  # already so: nothing changed, nothing to audit
        audit.append(
            audit_entry(
                actor=actor, action="relationship.linked", target=tie, customer=owner, detail=detail
            )
        )
    AuditEntry.objects.bulk_create(audit)
    return LinkResult(ties[customer.pk], outcome)


@transaction.atomic
def relationship_unlink(*, actor: User | None, customer: Customer, related: Customer) -> int:
    """Remove the tie between two customers in both directions; returns rows deleted (0 when
    there was none). `actor` must be allowed to change both. Audited on both customers."""
    require_edit(actor, customer)
    require_edit_member(actor, related, unlink=True)
    ties = Relationship.objects.filter(
        models.Q(customer=customer, related=related) | models.Q(customer=related, related=customer)
    )
    removed = [(tie.pk, tie.customer_id, tie.kind) for tie in ties.select_for_update()]
    ties.delete()
    by_id = {customer.pk: customer, related.pk: related}
    AuditEntry.objects.bulk_create(
        [
            audit_entry(
                actor=actor,
                action="relationship.unlinked",
                customer=by_id[owner],
                detail={
                    "relationship": pk,
                    "related": (related if owner == customer.pk else customer).pk,
                    "kind": kind,
                },
            )
            for pk, owner, kind in removed
        ]
    )
    return len(removed)


def _need_changed_meanwhile_check(
    *,
    need: CustomerNeed | None,
    need_type: NeedType,
    loaded: Mapping[int, NeedState] | None,
    priority: int,
    status: str,
    evidence: str = "",
) -> None:
    """Refuse to record `priority`, `status` and `evidence` over a change the user has not
    seen.

    `need`: the customer's need of `need_type` as it is now (locked), None if there is none;
    `loaded`: the customer's needs as the form showed them (None: no check). Refused
    (ValidationError naming who changed what, and what the need holds now) when
      - its priority or status changed since (or it was first recorded since) and the values
        being recorded differ from its current ones, or
      - its evidence changed since and `evidence` would replace it with different text (an
        empty `evidence` leaves the need's evidence as it is: nothing to lose).
    The form the user opens next is opened with the need as it is now, so recording the need
    again from it is a deliberate overwrite.
    """
    if loaded is None or need is None:
        return
    then = loaded.get(need_type.pk)
    now = NeedState(need.priority, need.status, evidence_digest(need.evidence))
    state_then = (then.priority, then.status) if then else None
    state_now = (now.priority, now.status)
    state_lost = state_now != state_then and state_now != (priority, status)
    evidence_then = then.evidence_digest if then else evidence_digest("")  # none before
    evidence_lost = (
        now.evidence_digest != evidence_then and bool(evidence) and evidence != need.evidence
    )
    if not (state_lost or evidence_lost):
        return
    errors = []
    if state_lost:
        latest = need.changes.select_related("changed_by").first()
        seen = NeedChange(  # what changed since the form was opened, in the history's words
            old_priority=then.priority if then else None,
            old_status=then.status if then else "",
            new_priority=now.priority,
            new_status=now.status,
        )
        errors.append(
            ValidationError(
                NEED_CHANGED_MEANWHILE,
                code="need_changed",
                params={
                    "who": (person_name(latest.changed_by) if latest else "") or str(SOMEONE),
                    "need": str(need_type),
                    "when": moment_text(latest.changed_at if latest else need.updated_at),
                    "changes": need_change_words(seen),
                    "priority": now.priority,
                    "status": need_status_label(now.status),
                },
            )
        )
    if evidence_lost:
        recorded = (
            AuditEntry.objects.filter(
                customer_id=need.customer_id,
                action="need.recorded",
                target_type=CustomerNeed._meta.label_lower,
                target_id=need.pk,
            )
            .select_related("actor")
            .first()
        )
        errors.append(
            ValidationError(
                NEED_EVIDENCE_CHANGED_MEANWHILE,
                code="need_changed",
                params={
                    "who": (person_name(recorded.actor) if recorded else "") or str(SOMEONE),
                    "need": str(need_type),
                    "when": moment_text(recorded.at if recorded else need.updated_at),
                    "evidence": Truncator(need.evidence).chars(NEED_EVIDENCE_SHOWN),
                },
            )
        )
    errors.append(
        ValidationError(
            NEED_EVIDENCE_NOT_RECORDED if evidence_lost else NEED_NOT_RECORDED,
            code="need_changed",
            params={"priority": priority, "status": need_status_label(status)},
        )
    )
    raise ValidationError(errors)


@transaction.atomic
def customer_need_record(
    *,
    actor: User | None,
    customer: Customer,
    need_type: NeedType,
    priority: int,
    status: str = CustomerNeed.Status.ACTIVE,
    source: str = CustomerNeed.Source.RECORDED,
    evidence: str = "",
    reason: str = "",
    submission_token: str = "",
    needs_loaded: Mapping[int, NeedState] | None = None,
) -> CustomerNeed:
    """Record a need, or confirm/update an existing one.

    A new need, or a change of its priority or status, writes a dated NeedChange. Audited.
    Whoever may serve the customer may record a need (needs discussed in an interaction
    logged by a colleague count); `actor=None` is a rule of the system.

    `needs_loaded`: the customer's needs as the user's form showed them (need type id →
    NeedState, customers.selectors.need_states when the form was opened). With it, a need
    changed (or first recorded) since then, its evidence included, is not overwritten
    silently: ValidationError
    saying what changed (_need_changed_meanwhile_check). None (interactions, imports,
    scripts) skips the check.
    """
    if actor is not None and not can_record_need(actor, customer):
        raise PermissionDenied(NOT_ALLOWED)
    claim = submission_claim(actor=actor, token=submission_token, kind="customers.need")
    if not 0 <= priority <= 100:
        raise ValidationError({"priority": NEED_PRIORITY_RANGE})
    today = timezone.localdate()
    need = (
        CustomerNeed.objects.select_for_update()
        .filter(customer=customer, need_type=need_type)
        .first()
    )
    _need_changed_meanwhile_check(
        need=need,
        need_type=need_type,
        loaded=needs_loaded,
        priority=priority,
        status=status,
        evidence=evidence,
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
    submission_done(claim, url=customer.get_absolute_url() + "#needs")
    return need


@transaction.atomic
def need_type_save(*, actor: User | None, need_type: NeedType, changed: list[str]) -> NeedType:
    """Create or change a need type (reference data head office keeps in admin). Audited with
    the changed field names; PermissionDenied for anyone but head office."""
    if actor is not None and not is_head_office(actor):
        raise PermissionDenied(NOT_ALLOWED)
    created = need_type.pk is None
    need_type.full_clean()
    need_type.save()
    audit_record(
        actor=actor,
        action="need_type.created" if created else "need_type.updated",
        target=need_type,
        detail={"fields": changed, "code": need_type.code},
    )
    return need_type
