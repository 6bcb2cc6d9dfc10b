"""Feedback, cases and the SLA watch through feedback.services (the rules tests call)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.models import JobRun
from feedback import services
from feedback.models import Case, CaseEvent, CaseStatusChange, Feedback, Notification
from feedback.tasks import sla_watch_task
from feedback.watch import sla_watch

pytestmark = pytest.mark.django_db


def open_complaint(actor, customer, **kw):
    values = {
        "case_type": "complaint",
        "category": "fees",
        "channel": "phone",
        "subject": "Fee charged twice",
        "description": "The annual fee was charged twice.",
    }
    values.update(kw)
    return services.case_open(actor=actor, customer=customer, **values)


# -- Feedback --------------------------------------------------------------------------------


def test_feedback_needs_a_score_and_scores_in_range(rm_alice, alices_customer):
    for bad in ({}, {"csat": 0}, {"csat": 6}, {"nps": 11}):
        with pytest.raises(ValidationError):
            services.feedback_record(
                actor=rm_alice, customer=alices_customer, channel="hotline", category="fees", **bad
            )
    with pytest.raises(ValidationError):
        services.feedback_record(
            actor=rm_alice,
            customer=alices_customer,
            channel="hotline",
            category="fees",
            csat=3,
            comment="x" * 2001,
        )
    assert Feedback.objects.count() == 0
    fb = services.feedback_record(
        actor=rm_alice, customer=alices_customer, channel="hotline", category="fees", nps=0
    )
    assert fb.branch_id == alices_customer.branch_id and fb.is_detractor


def test_database_refuses_feedback_without_any_score(rm_alice, alices_customer):
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(
            customer=alices_customer,
            branch=alices_customer.branch,
            channel="hotline",
            category="fees",
        )


def test_feedback_outside_scope_is_refused(rm_bob, alices_customer):
    with pytest.raises(PermissionDenied):
        services.feedback_record(
            actor=rm_bob, customer=alices_customer, channel="hotline", category="fees", csat=5
        )


# -- Cases -----------------------------------------------------------------------------------


def test_opening_a_case_starts_its_clocks_and_history(rm_alice, alices_customer, complaint_call):
    case = open_complaint(rm_alice, alices_customer, interaction=complaint_call)
    assert case.assignee == rm_alice and case.status == Case.Status.NEW
    assert case.resolve_due_at - case.opened_at == dt.timedelta(days=15)
    change = CaseStatusChange.objects.get(case=case)
    assert change.from_status == "" and change.to_status == "new" and change.actor == rm_alice


def test_recusal_a_complaint_about_the_opener_goes_to_the_supervisor(
    rm_alice, supervisor, alices_customer
):
    case = open_complaint(rm_alice, alices_customer, about_staff=rm_alice)
    assert case.assignee == supervisor
    assert Notification.objects.filter(recipient=supervisor, case=case).exists()
    with pytest.raises(ValidationError, match="cannot be assigned to the member of staff"):
        services.case_assign(actor=supervisor, case=case, assignee=rm_alice)
    with pytest.raises(ValidationError, match="cannot be assigned"):
        open_complaint(supervisor, alices_customer, about_staff=rm_alice, assignee=rm_alice)
    # The database holds the rule too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(assignee=rm_alice)


def test_workflow_allows_only_defined_transitions(rm_alice, alices_customer):
    case = open_complaint(rm_alice, alices_customer)
    with pytest.raises(ValidationError, match="cannot be moved"):
        services.case_transition(actor=rm_alice, case=case, action="resolve")
    for action in ("acknowledge", "start", "await_customer", "resume"):
        case = services.case_transition(actor=rm_alice, case=case, action=action)
    assert case.status == Case.Status.IN_PROGRESS
    with pytest.raises(ValidationError, match="resolution summary"):
        services.case_transition(actor=rm_alice, case=case, action="resolve")
    case = services.case_transition(
        actor=rm_alice, case=case, action="resolve", resolution_summary="Fee refunded."
    )
    with pytest.raises(ValidationError) as exc:
        services.case_transition(actor=rm_alice, case=case, action="close")
    assert set(exc.value.message_dict) == {"root_cause", "customer_confirmed_satisfied"}
    assert Case.objects.get(pk=case.pk).status == Case.Status.RESOLVED  # nothing half-saved
    case = services.case_transition(
        actor=rm_alice,
        case=case,
        action="close",
        root_cause="system",
        customer_confirmed_satisfied=True,
    )
    assert case.status == Case.Status.CLOSED and case.closed_at
    case = services.case_transition(
        actor=rm_alice, case=case, action="reopen", note="Charged again"
    )
    assert case.status == Case.Status.IN_PROGRESS and case.closed_at is None
    steps = list(case.status_changes.values_list("to_status", flat=True))
    assert steps == [
        "new",
        "acknowledged",
        "in_progress",
        "awaiting_customer",
        "in_progress",
        "resolved",
        "closed",
        "in_progress",
    ]


def test_only_assignee_supervisor_and_head_office_work_a_case(
    rm_alice, rm_carol, rm_bob, supervisor, alices_customer
):
    case = open_complaint(rm_alice, alices_customer)
    with pytest.raises(PermissionDenied):
        services.case_transition(actor=rm_carol, case=case, action="acknowledge")
    with pytest.raises(PermissionDenied):
        services.case_transition(actor=rm_bob, case=case, action="acknowledge")
    services.case_transition(actor=supervisor, case=case, action="acknowledge")


def test_stale_version_is_refused(rm_alice, alices_customer):
    case = open_complaint(rm_alice, alices_customer)
    services.case_transition(actor=rm_alice, case=case, action="acknowledge", version=1)
    with pytest.raises(ValidationError, match="Someone else changed"):
        services.case_transition(actor=rm_alice, case=case, action="start", version=1)


def test_pause_and_resume_move_the_resolution_due_time(rm_alice, alices_customer):
    case = open_complaint(rm_alice, alices_customer)
    due = case.resolve_due_at
    case = services.case_transition(actor=rm_alice, case=case, action="start")
    case = services.case_transition(actor=rm_alice, case=case, action="await_customer")
    assert case.resolve_due_at is None and case.paused_at is not None
    # Everything so far happened three days ago: the case has awaited the customer since.
    three_days = dt.timedelta(days=3)
    Case.objects.filter(pk=case.pk).update(opened_at=case.opened_at - three_days)
    for change in case.status_changes.all():
        change.at -= three_days
        change.save(update_fields=["at"])
    case = services.case_transition(actor=rm_alice, case=case, action="resume")
    assert case.paused_at is None
    # Opened three days earlier, paused three days: the due time is where it was.
    assert abs(case.resolve_due_at - due) < dt.timedelta(seconds=5)


def test_extension_with_reason_then_supervisor_approval_then_limit(
    rm_alice, supervisor, alices_customer
):
    case = open_complaint(rm_alice, alices_customer)
    due = case.resolve_due_at
    with pytest.raises(ValidationError, match="Say why"):
        services.case_extend(actor=rm_alice, case=case, units=15, reason=" ")
    case = services.case_extend(
        actor=rm_alice, case=case, units=15, reason="Waiting for card issuer"
    )
    assert case.resolve_due_at == due + dt.timedelta(days=15)
    with pytest.raises(ValidationError, match="supervisor's approval"):
        services.case_extend(actor=rm_alice, case=case, units=10, reason="Still waiting")
    case = services.case_extend(actor=supervisor, case=case, units=30, reason="Court order")
    event = CaseEvent.objects.filter(kind="extended").last()
    assert event.approved_by == supervisor and event.units == 30
    assert case.resolve_due_at == due + dt.timedelta(days=45)
    with pytest.raises(ValidationError, match="at most 0 more; the limit is 60"):
        services.case_extend(actor=supervisor, case=case, units=1, reason="More")


def test_severity_change_recomputes_clocks(rm_alice, alices_customer):
    case = open_complaint(rm_alice, alices_customer)
    case = services.case_change_severity(
        actor=rm_alice, case=case, severity="high", reason="Vulnerable customer"
    )
    assert case.resolve_due_at - case.opened_at == dt.timedelta(days=5)
    with pytest.raises(ValidationError, match="different"):
        services.case_change_severity(actor=rm_alice, case=case, severity="high", reason="x")


# -- SLA watch -------------------------------------------------------------------------------


def test_watch_warns_and_escalates_exactly_once(rm_alice, supervisor, alices_customer):
    case = open_complaint(rm_alice, alices_customer)
    services.case_transition(actor=rm_alice, case=case, action="start")
    at_80 = case.opened_at + dt.timedelta(days=12, minutes=1)
    first = sla_watch(now=at_80)
    assert (first.warnings, first.breaches) == (1, 0)
    assert sla_watch(now=at_80).rows == 0  # a rerun adds nothing
    warned = Notification.objects.get(kind="sla_warning")
    assert warned.recipient == rm_alice and warned.clock == "resolve"
    breach_time = case.opened_at + dt.timedelta(days=15, minutes=1)
    result = sla_watch(now=breach_time)
    assert (result.breaches, result.cases_escalated) == (1, 1)
    sla_watch(now=breach_time)
    sla_watch(now=breach_time + dt.timedelta(days=1))
    case.refresh_from_db()
    assert case.resolve_breached and case.escalation_level == 1
    assert case.escalated_to == supervisor
    assert Notification.objects.filter(kind="escalation", recipient=supervisor).count() == 1
    assert Notification.objects.filter(kind="sla_breach", recipient=rm_alice).count() == 1


def test_watch_flags_an_unacknowledged_case(rm_alice, supervisor, alices_customer):
    case = open_complaint(rm_alice, alices_customer)
    result = sla_watch(now=case.acknowledge_due_at + dt.timedelta(minutes=1))
    case.refresh_from_db()
    assert result.breaches == 1 and case.acknowledge_breached and not case.resolve_breached


def test_watch_ignores_paused_and_resolved_cases(rm_alice, alices_customer):
    paused = open_complaint(rm_alice, alices_customer)
    services.case_transition(actor=rm_alice, case=paused, action="start")
    services.case_transition(actor=rm_alice, case=paused, action="await_customer")
    done = open_complaint(rm_alice, alices_customer)
    services.case_transition(actor=rm_alice, case=done, action="start")
    services.case_transition(actor=rm_alice, case=done, action="resolve", resolution_summary="ok")
    result = sla_watch(now=timezone.now() + dt.timedelta(days=40))
    assert result.breaches == 0


def test_watch_task_leaves_a_job_run(rm_alice, alices_customer):
    open_complaint(rm_alice, alices_customer)
    sla_watch_task.delay()
    run = JobRun.objects.get(job="sla_watch")
    assert run.outcome == JobRun.Outcome.SUCCESS


def test_watch_killed_mid_run_leaves_nothing_and_the_next_run_catches_up(
    rm_alice, supervisor, alices_customer, django_db_blocker
):
    """The watch is one statement in one transaction: a worker killed mid-run (its database
    session terminated before commit) leaves no event, flag or notification behind."""
    from django.db import connection

    from feedback.watch import WATCH_SQL

    case = open_complaint(rm_alice, alices_customer)
    later = case.opened_at + dt.timedelta(days=16)
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017
        with connection.cursor() as cursor:
            cursor.execute(WATCH_SQL, {"now": later})
        raise RuntimeError("worker killed")  # before the commit
    assert CaseEvent.objects.filter(kind="breached").count() == 0
    case.refresh_from_db()
    assert case.escalation_level == 0
    assert sla_watch(now=later).breaches == 2  # acknowledgement and resolution
    case.refresh_from_db()
    assert case.escalation_level == 2


def test_watch_emails_through_the_outbox_once(rm_alice, supervisor, alices_customer, mailoutbox):
    from crm.models import OutboxMessage
    from feedback.tasks import notifications_email_task

    rm_alice.email = "alice@bank.example"
    rm_alice.save(update_fields=["email"])
    case = open_complaint(rm_alice, alices_customer)
    services.case_transition(actor=rm_alice, case=case, action="start")
    sla_watch(now=case.opened_at + dt.timedelta(days=12, minutes=1))
    message = OutboxMessage.objects.get(task_name="feedback.tasks.notifications_email_task")
    notifications_email_task.apply(kwargs=message.kwargs)
    notifications_email_task.apply(kwargs=message.kwargs)
    assert len(mailoutbox) == 1
    assert f"Case #{case.pk}" in mailoutbox[0].subject
    assert alices_customer.name not in mailoutbox[0].body  # no personal data in e-mail
