"""Writes to feedback, survey links and cases; every change goes through a function here.

None of these writes talks to Redis: notifications and e-mails are rows that beat's jobs
pick up (feedback.tasks), so a write commits and answers whatever Redis is doing.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from accounts.models import Role, Staff
from crm.submit_once import submission_claim, submission_done
from customers.access import can_serve_customer
from customers.changes import customers_changed
from customers.models import Customer
from customers.services import audit_record
from feedback import selectors, sla
from feedback.access import can_supervise_case, can_work_case
from feedback.models import (
    Case,
    CaseEvent,
    CaseStatusChange,
    CaseType,
    Feedback,
    Notification,
    SlaPolicy,
    SurveyLink,
    SurveySubmissionCount,
)
from feedback.notify import notifications_email_enqueue
from interactions.models import Interaction

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

FUTURE_TOLERANCE = dt.timedelta(minutes=5)
SURVEY_SALT = "feedback.survey"

CUSTOMER_OUT_OF_SCOPE = _("You cannot serve this customer.")
FEEDBACK_IN_FUTURE = _("Feedback cannot be dated in the future.")
FEEDBACK_SCORE_REQUIRED = _("Give a CSAT or an NPS score (or both).")
INTERACTION_OTHER_CUSTOMER = _("That interaction is with another customer.")
STAFF_NOT_OF_BRANCH = _("Choose a member of staff of the customer's branch.")
CASE_NOT_ALLOWED = _("You cannot change this case.")
CASE_TRANSITION_REFUSED = _("A case that is “%(status)s” cannot be moved to “%(action)s”.")
CASE_UNKNOWN_ACTION = _("Unknown action.")
CASE_CHANGED_MEANWHILE = _(
    "Someone else changed this case while you were looking at it; check it and try again."
)
CASE_RECUSAL = _("A case cannot be assigned to the member of staff it is about.")
CASE_ASSIGNEE_INVALID = _("Assign the case to an active member of staff of its branch.")
CASE_NO_POLICY = _("There is no SLA policy for this case type and severity.")
CASE_CLOSE_SUMMARY = _("Closing a complaint needs a resolution summary.")
CASE_CLOSE_ROOT_CAUSE = _("Closing a complaint needs a root cause.")
CASE_CLOSE_CONFIRMED = _("Say whether the customer confirmed being satisfied.")
CASE_RESOLVE_SUMMARY = _("Resolving a case needs a resolution summary.")
CASE_EXTEND_NOT_ALLOWED = _("Cases of this type cannot be extended.")
CASE_EXTEND_REASON = _("Say why the case is extended.")
CASE_EXTEND_CLOSED = _("Only an open case can be extended.")
CASE_EXTEND_POSITIVE = _("Extend by at least one unit.")
CASE_EXTEND_TOO_LONG = _(
    "This case can be extended by at most %(max)d more; the limit is %(total)d in all."
)
CASE_EXTEND_NEEDS_APPROVAL = _(
    "Extending beyond %(limit)d needs a supervisor's approval: ask the branch supervisor."
)
CASE_SEVERITY_SAME = _("Choose a severity different from the current one.")
CASE_SEVERITY_REASON = _("Say why the severity changes.")
SURVEY_EXPIRED = _("This survey link has expired.")
SURVEY_USED = _("This survey has already been answered. Thank you!")
SURVEY_INVALID = _("This survey link is not valid.")
SURVEY_RATE_LIMITED = _("Too many surveys were sent from your network. Please try again later.")
SURVEY_INTERACTION_OUT_OF_SCOPE = _("You cannot send a survey for this interaction.")
SURVEY_INTERACTION_ANSWERED = _(
    "The customer has already answered a survey for this interaction; no new link is needed."
)
CASE_INTERACTION_HAS_CASE = _(
    "Case #%(id)s was already opened from this interaction; one interaction opens one case."
)


class SurveyError(Exception):
    """A survey link that cannot be answered; `code`: invalid, expired, used, rate_limited."""

    def __init__(self, code: str, message: StrOrPromise) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message


def _check_customer_in_scope(actor: User, customer: Customer) -> None:
    if not can_serve_customer(actor, customer):
        raise PermissionDenied(CUSTOMER_OUT_OF_SCOPE)


def _lock_interaction(interaction_id: int) -> None:
    """Lock the interaction's row until the transaction ends (FOR NO KEY UPDATE: rows that
    merely refer to it are still inserted freely), so that "does it already have a case / a
    survey answer?" and the write that follows happen one request at a time."""
    Interaction.objects.select_for_update(no_key=True).filter(pk=interaction_id).values_list(
        "pk", flat=True
    ).first()


def _staff_of_branch(user: User, branch_id: int) -> bool:
    return Staff.objects.filter(
        user=user,
        branch_id=branch_id,
        role__in=[Role.RM, Role.SUPERVISOR],
        is_active=True,
        user__is_active=True,
    ).exists()


# -- Feedback --------------------------------------------------------------------------------


@transaction.atomic
def feedback_record(
    *,
    actor: User,
    customer: Customer,
    channel: str,
    category: str,
    csat: int | None = None,
    nps: int | None = None,
    comment: str = "",
    received_at: dt.datetime | None = None,
    staff: User | None = None,
    interaction: Interaction | None = None,
    submission_token: str = "",
) -> Feedback:
    """Record feedback a member of staff took down (survey form, phone survey, hotline).

    `staff` (who served) defaults to the interaction's staff member. Audited. Raises
    PermissionDenied outside the actor's scope, ValidationError for bad scores or links,
    AlreadySubmitted when the form's one-time token was used before (crm.submit_once).
    """
    _check_customer_in_scope(actor, customer)
    claim = submission_claim(actor=actor, token=submission_token, kind="feedback.feedback")
    received_at = received_at or timezone.now()
    if received_at > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError({"received_at": FEEDBACK_IN_FUTURE})
    if interaction is not None:
        if interaction.customer_id != customer.pk:
            raise ValidationError({"interaction": INTERACTION_OTHER_CUSTOMER})
        staff = staff or interaction.staff
    if staff is not None and not Staff.objects.filter(user=staff, branch=customer.branch).exists():
        raise ValidationError({"staff": STAFF_NOT_OF_BRANCH})
    if csat is None and nps is None:
        raise ValidationError(FEEDBACK_SCORE_REQUIRED)
    feedback = Feedback(
        customer=customer,
        branch_id=customer.branch_id,
        channel=channel,
        received_at=received_at,
        staff=staff,
        interaction=interaction,
        csat=csat,
        nps=nps,
        category=category,
        comment=comment,
        recorded_by=actor,
    )
    feedback.full_clean()
    feedback.save()
    audit_record(
        actor=actor,
        action="feedback.recorded",
        target=feedback,
        customer=customer,
        detail={"channel": channel, "csat": csat, "nps": nps},
    )
    customers_changed(customer_ids=[customer.pk], what="feedback")
    submission_done(claim, url=customer.get_absolute_url())
    return feedback


# -- Survey links ----------------------------------------------------------------------------


def survey_token(link: SurveyLink) -> str:
    """The signed token of a link (its id, signed with SECRET_KEY; no personal data)."""
    return signing.dumps({"s": link.pk}, salt=SURVEY_SALT, compress=False)


@transaction.atomic
def survey_link_create(*, actor: User, interaction: Interaction) -> tuple[SurveyLink, str]:
    """A new survey link for a served interaction, valid SURVEY_LINK_DAYS (default 14).

    Returns the link and its token (the URL is /s/<token>/). Audited. Raises ValidationError
    once the interaction's survey was answered (through any of its links).
    """
    if not Interaction.objects.visible_to(actor).filter(pk=interaction.pk).exists():
        raise PermissionDenied(SURVEY_INTERACTION_OUT_OF_SCOPE)
    if selectors.survey_answered(interaction_id=interaction.pk):
        raise ValidationError(SURVEY_INTERACTION_ANSWERED)
    now = timezone.now()
    link = SurveyLink.objects.create(
        interaction=interaction,
        created_by=actor,
        expires_at=now + dt.timedelta(days=settings.SURVEY_LINK_DAYS),
    )
    audit_record(
        actor=actor,
        action="survey_link.created",
        target=link,
        customer=interaction.customer,
        detail={"interaction": interaction.pk},
    )
    return link, survey_token(link)


def survey_link_for_token(token: str) -> SurveyLink:
    """The link a token names, if it can still be answered.

    Raises SurveyError: "invalid" (tampered, malformed, unknown link), "used" (this link, or
    another link of the same interaction, was answered), "expired".
    """
    try:
        payload = signing.loads(token, salt=SURVEY_SALT)
        link_id = int(payload["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise SurveyError("invalid", SURVEY_INVALID) from None
    link = (
        SurveyLink.objects.select_related("interaction", "interaction__customer")
        .filter(pk=link_id)
        .first()
    )
    if link is None:
        raise SurveyError("invalid", SURVEY_INVALID)
    if link.used_at is not None or selectors.survey_answered(interaction_id=link.interaction_id):
        raise SurveyError("used", SURVEY_USED)
    if link.expires_at <= timezone.now():
        raise SurveyError("expired", SURVEY_EXPIRED)
    return link


def survey_rate_limit_hit(*, client: str, now: dt.datetime | None = None) -> bool:
    """Count one submission from `client` (an IP address); True when over the limit.

    SURVEY_RATE_LIMIT submissions per SURVEY_RATE_WINDOW_MINUTES per address, counted with
    one atomic upsert in PostgreSQL (no Redis, so the limit holds while Redis is down).
    """
    now = now or timezone.now()
    window = settings.SURVEY_RATE_WINDOW_MINUTES * 60
    start = dt.datetime.fromtimestamp(int(now.timestamp()) // window * window, tz=dt.UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {SurveySubmissionCount._meta.db_table} (client, window_start, hits) "  # noqa: S608
            "VALUES (%s, %s, 1) ON CONFLICT (client, window_start) "
            "DO UPDATE SET hits = EXCLUDED.hits + "
            f"{SurveySubmissionCount._meta.db_table}.hits RETURNING hits",
            [client, start],
        )
        (hits,) = cursor.fetchone()
    return hits > settings.SURVEY_RATE_LIMIT


def survey_submit(
    *,
    token: str,
    csat: int | None,
    nps: int | None,
    comment: str = "",
    category: str = Feedback.Category.OTHER,
    client: str,
) -> Feedback:
    """Store a customer's answer to a survey link, attributed to the interaction's staff.

    Exactly one feedback per interaction: its row is locked (then the link's) before checking
    that none of its links was answered, and the link is claimed in the same transaction;
    the OneToOne `feedback` column also makes a second row per link impossible, even for
    simultaneous submissions. Raises SurveyError (invalid/expired/used/rate_limited)
    or ValidationError (scores out of range, comment too long), saving nothing then.
    """
    survey_link_for_token(token)  # a clear error before counting against the rate limit
    if survey_rate_limit_hit(client=client):
        raise SurveyError("rate_limited", SURVEY_RATE_LIMITED)
    if csat is None and nps is None:
        raise ValidationError(FEEDBACK_SCORE_REQUIRED)
    try:
        with transaction.atomic():
            link = survey_link_for_token(token)
            _lock_interaction(link.interaction_id)
            link = SurveyLink.objects.select_for_update().get(pk=link.pk)
            if link.used_at is not None or selectors.survey_answered(
                interaction_id=link.interaction_id
            ):  # answered (through this link or another) while we waited for the locks
                raise SurveyError("used", SURVEY_USED)
            interaction = Interaction.objects.select_related("customer").get(pk=link.interaction_id)
            now = timezone.now()
            feedback = Feedback(
                customer=interaction.customer,
                branch_id=interaction.customer.branch_id,
                channel=Feedback.Channel.ONLINE_SURVEY,
                received_at=now,
                staff_id=interaction.staff_id,
                interaction=interaction,
                csat=csat,
                nps=nps,
                category=category,
                comment=comment,
            )
            feedback.full_clean()
            feedback.save()
            claimed = SurveyLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
                used_at=now, feedback=feedback
            )
            if claimed != 1:
                raise SurveyError("used", SURVEY_USED)
            audit_record(
                actor=None,
                action="survey.answered",
                target=feedback,
                customer=interaction.customer,
                detail={"survey_link": link.pk},
            )
            customers_changed(customer_ids=[interaction.customer_id], what="feedback")
    except IntegrityError:
        raise SurveyError("used", SURVEY_USED) from None
    return feedback


# -- Cases -----------------------------------------------------------------------------------


def sla_policy_for(*, case_type: str, severity: str) -> SlaPolicy:
    policy = SlaPolicy.objects.filter(case_type=case_type, severity=severity).first()
    if policy is None:
        raise ValidationError(CASE_NO_POLICY)
    return policy


def case_pauses(*, case: Case) -> list[sla.Pause]:
    """The intervals the case spent awaiting the customer (the last may be open)."""
    pauses: list[sla.Pause] = []
    opened: dt.datetime | None = None
    for change in case.status_changes.order_by("at", "id"):
        if change.to_status == Case.Status.AWAITING_CUSTOMER and opened is None:
            opened = change.at
        elif change.from_status == Case.Status.AWAITING_CUSTOMER and opened is not None:
            pauses.append((opened, change.at))
            opened = None
    if opened is not None:
        pauses.append((opened, None))
    return pauses


def case_clocks_recompute(*, case: Case, policy: SlaPolicy | None = None) -> None:
    """Set the case's due and warning times from its history (no save).

    Uses feedback.sla.case_due_times, the one definition of due times.
    """
    policy = policy or sla_policy_for(case_type=case.case_type, severity=case.severity)
    pauses = case_pauses(case=case) if case.pk else []
    due = sla.case_due_times(
        opened_at=case.opened_at,
        policy=policy,
        extension_units=case.extension_units,
        pauses=pauses,
        calendar=sla.work_calendar(branch_id=case.branch_id),
    )
    case.acknowledge_due_at = due.acknowledge_due_at
    case.acknowledge_warn_at = due.acknowledge_warn_at
    case.resolve_due_at = due.resolve_due_at
    case.resolve_warn_at = due.resolve_warn_at
    open_pause = pauses and pauses[-1][1] is None and policy.pause_when_awaiting_customer
    case.paused_at = pauses[-1][0] if open_pause else None


CLOCK_FIELDS = [
    "acknowledge_due_at",
    "acknowledge_warn_at",
    "resolve_due_at",
    "resolve_warn_at",
    "paused_at",
]


def _check_assignee(case: Case, assignee: User) -> None:
    if case.about_staff_id is not None and assignee.pk == case.about_staff_id:
        raise ValidationError({"assignee": CASE_RECUSAL})
    if not _staff_of_branch(assignee, case.branch_id):
        raise ValidationError({"assignee": CASE_ASSIGNEE_INVALID})


def _notify_assigned(assignee: User, case: Case) -> None:
    """In-app notification, and its e-mail queued through the outbox (no Redis here)."""
    note = Notification.objects.create(
        recipient=assignee, kind=Notification.Kind.ASSIGNED, case=case
    )
    notifications_email_enqueue([note.pk])


def branch_supervisor(branch_id: int, *, exclude_user_id: int | None = None) -> User | None:
    """The branch's (first active) supervisor, or None."""
    supervisors = Staff.objects.filter(
        branch_id=branch_id, role=Role.SUPERVISOR, is_active=True, user__is_active=True
    )
    if exclude_user_id is not None:
        supervisors = supervisors.exclude(user_id=exclude_user_id)
    staff = supervisors.select_related("user").order_by("employee_number").first()
    return staff.user if staff else None


@transaction.atomic
def case_open(
    *,
    actor: User,
    customer: Customer,
    case_type: str,
    category: str,
    channel: str,
    subject: str,
    description: str,
    severity: str = "normal",
    assignee: User | None = None,
    about_staff: User | None = None,
    interaction: Interaction | None = None,
    submission_token: str = "",
) -> Case:
    """Open a case for a customer; its clocks start now.

    The assignee defaults to the actor — or, for a complaint about the actor, to the branch
    supervisor (recusal). Records the first status change and an audit entry; the
    assignee, if not the actor, gets a notification. Raises AlreadySubmitted when the
    form's one-time token was used before (crm.submit_once): a double click opens one case.
    One interaction opens at most one case: ValidationError naming it when it already has
    one (the interaction's row is locked first, so two tabs at once open one case).
    """
    _check_customer_in_scope(actor, customer)
    claim = submission_claim(actor=actor, token=submission_token, kind="feedback.case")
    if interaction is not None:
        if interaction.customer_id != customer.pk:
            raise ValidationError({"interaction": INTERACTION_OTHER_CUSTOMER})
        _lock_interaction(interaction.pk)  # two tabs at once: the second waits, then sees
        existing = selectors.case_opened_from(interaction_id=interaction.pk)
        if existing is not None:
            raise ValidationError(
                {
                    "interaction": ValidationError(
                        CASE_INTERACTION_HAS_CASE, params={"id": existing.pk}
                    )
                }
            )
    if (
        about_staff is not None
        and not Staff.objects.filter(user=about_staff, branch_id=customer.branch_id).exists()
    ):
        raise ValidationError({"about_staff": STAFF_NOT_OF_BRANCH})
    if assignee is None:
        assignee = actor
        recused = about_staff is not None and about_staff.pk == actor.pk
        if recused or not _staff_of_branch(actor, customer.branch_id):
            assignee = branch_supervisor(
                customer.branch_id,
                exclude_user_id=about_staff.pk if about_staff is not None else None,
            )
            if assignee is None:
                raise ValidationError({"assignee": CASE_ASSIGNEE_INVALID})
    now = timezone.now()
    case = Case(
        case_type=case_type,
        customer=customer,
        branch_id=customer.branch_id,
        interaction=interaction,
        category=category,
        severity=severity,
        channel=channel,
        subject=subject,
        description=description,
        about_staff=about_staff,
        assignee=assignee,
        opened_by=actor,
        opened_at=now,
    )
    _check_assignee(case, assignee)
    case_clocks_recompute(case=case)
    case.full_clean()
    case.save()
    CaseStatusChange.objects.create(
        case=case, from_status="", to_status=case.status, at=now, actor=actor
    )
    if assignee.pk != actor.pk:
        _notify_assigned(assignee, case)
    audit_record(
        actor=actor,
        action="case.opened",
        target=case,
        customer=customer,
        detail={
            "type": case_type,
            "severity": severity,
            "interaction": interaction and interaction.pk,
        },
    )
    customers_changed(customer_ids=[customer.pk], what="case")
    submission_done(claim, url=case.get_absolute_url())
    return case


def _locked(case: Case, version: int | None) -> Case:
    fresh = Case.objects.select_for_update().get(pk=case.pk)
    if version is not None and fresh.version != version:
        raise ValidationError(CASE_CHANGED_MEANWHILE)
    return fresh


ACTIONS = {
    "acknowledge": Case.acknowledge,
    "start": Case.start,
    "await_customer": Case.await_customer,
    "resume": Case.resume,
    "resolve": Case.resolve,
    "close": Case.close,
    "reopen": Case.reopen,
}
ACTION_LABELS = {
    "acknowledge": _("Acknowledge"),
    "start": _("Start work"),
    "await_customer": _("Await customer"),
    "resume": _("Resume"),
    "resolve": _("Resolve"),
    "close": _("Close"),
    "reopen": _("Reopen"),
}


def case_allowed_actions(*, user: User, case: Case) -> list[str]:
    """The workflow actions this user may take on this case now (none outside their role)."""
    if not can_work_case(user, case):
        return []
    return [t.name for t in case.get_available_status_transitions()]


def case_close_problems(*, case: Case) -> dict[str, object]:
    """What a complaint still lacks before it may close (field → message); empty if none."""
    problems: dict[str, object] = {}
    if case.case_type != CaseType.COMPLAINT:
        return problems
    if not case.resolution_summary.strip():
        problems["resolution_summary"] = CASE_CLOSE_SUMMARY
    if not case.root_cause:
        problems["root_cause"] = CASE_CLOSE_ROOT_CAUSE
    if case.customer_confirmed_satisfied is None:
        problems["customer_confirmed_satisfied"] = CASE_CLOSE_CONFIRMED
    return problems


@transaction.atomic
def case_transition(
    *,
    actor: User,
    case: Case,
    action: str,
    note: str = "",
    version: int | None = None,
    resolution_summary: str | None = None,
    root_cause: str | None = None,
    customer_confirmed_satisfied: bool | None = None,
) -> Case:
    """Move a case along its workflow (Case's @transition methods decide what is allowed).

    Resolving records the resolution summary; closing a complaint needs the summary, a root
    cause and whether the customer confirmed satisfaction. Every change is kept as a
    CaseStatusChange (time, actor, note) and audited; the clocks are recomputed (pause,
    resume). Raises PermissionDenied (not the assignee, supervisor or head office) or
    ValidationError (illegal transition, missing closing details, stale version).
    """
    if action not in ACTIONS:
        raise ValidationError(CASE_UNKNOWN_ACTION)
    if not Case.objects.visible_to(actor).filter(pk=case.pk).exists() or not can_work_case(
        actor, case
    ):
        raise PermissionDenied(CASE_NOT_ALLOWED)
    case = _locked(case, version)
    method = getattr(case, action)
    if not can_proceed(method):
        raise ValidationError(
            CASE_TRANSITION_REFUSED,
            params={"status": case.get_status_display(), "action": ACTION_LABELS[action]},
        )
    if resolution_summary is not None:
        case.resolution_summary = resolution_summary.strip()
    if root_cause is not None:
        case.root_cause = root_cause
    if customer_confirmed_satisfied is not None:
        case.customer_confirmed_satisfied = customer_confirmed_satisfied
    if action == "resolve" and not case.resolution_summary:
        raise ValidationError({"resolution_summary": CASE_RESOLVE_SUMMARY})
    if action == "close":
        problems = case_close_problems(case=case)
        if problems:
            raise ValidationError(problems)
    before = case.status
    now = timezone.now()
    method()
    if action in ("acknowledge", "start") and case.acknowledged_at is None:
        case.acknowledged_at = now
    if action == "resolve":
        case.resolved_at = now
    if action == "close":
        case.closed_at = now
    if action == "reopen":
        case.resolved_at = None
        case.closed_at = None
    CaseStatusChange.objects.create(
        case=case, from_status=before, to_status=case.status, at=now, actor=actor, note=note
    )
    case_clocks_recompute(case=case)
    case.version += 1
    case.full_clean()
    case.save(
        update_fields=[
            "status",
            "acknowledged_at",
            "resolved_at",
            "closed_at",
            "resolution_summary",
            "root_cause",
            "customer_confirmed_satisfied",
            "version",
            "updated_at",
            *CLOCK_FIELDS,
        ]
    )
    audit_record(
        actor=actor,
        action=f"case.{action}",
        target=case,
        customer=case.customer,
        detail={"from": before, "to": case.status},
    )
    return case


def extension_limits(policy: SlaPolicy) -> tuple[int, int]:
    """(units allowed with a reason, units allowed in all) for a policy's cases."""
    return (
        policy.extension_with_reason,
        policy.extension_with_reason + policy.extension_with_approval,
    )


@transaction.atomic
def case_extend(
    *, actor: User, case: Case, units: int, reason: str, version: int | None = None
) -> Case:
    """Extend a case's resolution clock by `units` (of the policy's resolution unit).

    The regulatory preset for complaints: 15 days, extendable to 30 with a recorded reason,
    then by a further 30 only with a supervisor's approval (the supervisor extends; the
    approval is recorded as theirs). Raises ValidationError past the limits.
    """
    if not Case.objects.visible_to(actor).filter(pk=case.pk).exists() or not can_work_case(
        actor, case
    ):
        raise PermissionDenied(CASE_NOT_ALLOWED)
    case = _locked(case, version)
    policy = sla_policy_for(case_type=case.case_type, severity=case.severity)
    with_reason, total = extension_limits(policy)
    if total == 0:
        raise ValidationError(CASE_EXTEND_NOT_ALLOWED)
    if case.status in (Case.Status.RESOLVED, Case.Status.CLOSED):
        raise ValidationError(CASE_EXTEND_CLOSED)
    if units is None or units < 1:
        raise ValidationError({"units": CASE_EXTEND_POSITIVE})
    if not reason.strip():
        raise ValidationError({"reason": CASE_EXTEND_REASON})
    after = case.extension_units + units
    if after > total:
        raise ValidationError(
            {
                "units": ValidationError(
                    CASE_EXTEND_TOO_LONG,
                    params={
                        "max": total - case.extension_units,
                        "total": policy.resolve_within + total,
                    },
                )
            }
        )
    approver = None
    if after > with_reason:
        if not can_supervise_case(actor, case):
            raise ValidationError(
                {
                    "units": ValidationError(
                        CASE_EXTEND_NEEDS_APPROVAL,
                        params={"limit": policy.resolve_within + with_reason},
                    )
                }
            )
        approver = actor
    case.extension_units = after
    case_clocks_recompute(case=case, policy=policy)
    case.version += 1
    case.save(update_fields=["extension_units", "version", "updated_at", *CLOCK_FIELDS])
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.EXTENDED,
        actor=actor,
        approved_by=approver,
        units=units,
        reason=reason.strip(),
        detail={
            "total": after,
            "resolve_due_at": case.resolve_due_at and case.resolve_due_at.isoformat(),
        },
    )
    audit_record(
        actor=actor,
        action="case.extended",
        target=case,
        customer=case.customer,
        detail={"units": units, "total": after, "approved": approver is not None},
    )
    return case


@transaction.atomic
def case_change_severity(
    *, actor: User, case: Case, severity: str, reason: str, version: int | None = None
) -> Case:
    """Change a case's severity; its clocks follow the new severity's policy from opening."""
    if not Case.objects.visible_to(actor).filter(pk=case.pk).exists() or not can_work_case(
        actor, case
    ):
        raise PermissionDenied(CASE_NOT_ALLOWED)
    case = _locked(case, version)
    if severity == case.severity:
        raise ValidationError({"severity": CASE_SEVERITY_SAME})
    if not reason.strip():
        raise ValidationError({"reason": CASE_SEVERITY_REASON})
    before = case.severity
    case.severity = severity
    case.full_clean()
    case_clocks_recompute(case=case)
    case.version += 1
    case.save(update_fields=["severity", "version", "updated_at", *CLOCK_FIELDS])
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.SEVERITY,
        actor=actor,
        reason=reason.strip(),
        detail={"from": before, "to": severity},
    )
    audit_record(
        actor=actor,
        action="case.severity_changed",
        target=case,
        customer=case.customer,
        detail={"from": before, "to": severity},
    )
    return case


@transaction.atomic
def case_assign(*, actor: User, case: Case, assignee: User, version: int | None = None) -> Case:
    """Reassign a case (supervisor of the branch, head office); recusal applies."""
    if not Case.objects.visible_to(actor).filter(pk=case.pk).exists() or not can_supervise_case(
        actor, case
    ):
        raise PermissionDenied(CASE_NOT_ALLOWED)
    case = _locked(case, version)
    _check_assignee(case, assignee)
    before = case.assignee_id
    case.assignee = assignee
    case.version += 1
    case.save(update_fields=["assignee", "version", "updated_at"])
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.ASSIGNED,
        actor=actor,
        detail={"from": before, "to": assignee.pk},
    )
    if assignee.pk != actor.pk:
        _notify_assigned(assignee, case)
    audit_record(
        actor=actor,
        action="case.assigned",
        target=case,
        customer=case.customer,
        detail={"from": before, "to": assignee.pk},
    )
    return case


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when `ids` is None)."""
    qs = Notification.objects.visible_to(user).unread()
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
