"""interactions.services: attribution, the need side effect, the edit window, task rules."""

import datetime as dt
import importlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from customers.models import (
    AuditEntry,
    CustomerNeed,
    NeedChange,
    need_discussed_evidence,
    need_discussed_reason,
    need_text,
)
from customers.services import customer_need_record
from customers.timeline import timeline_page
from interactions import services
from interactions.models import Interaction, Task, TaskReschedule
from tests.interactions.factories import InteractionFactory, TaskFactory


def log(actor, customer, **kwargs):
    values = {
        "channel": Interaction.Channel.PHONE,
        "direction": Interaction.Direction.OUTBOUND,
        "occurred_at": timezone.now() - dt.timedelta(hours=1),
        "subject": "Quarterly review",
        "outcome": Interaction.Outcome.INTERESTED,
    }
    values.update(kwargs)
    return services.interaction_log(actor=actor, customer=customer, **values)


def test_a_colleague_in_the_branch_logs_and_it_is_attributed_to_them(rm_carol, alices_customer):
    interaction = log(rm_carol, alices_customer)
    assert interaction.staff == rm_carol
    entry = AuditEntry.objects.get(action="interaction.logged")
    assert (entry.actor, entry.customer, entry.target_id) == (
        rm_carol,
        alices_customer,
        interaction.pk,
    )
    assert interaction.history.get().history_user == rm_carol


def test_supervisor_and_head_office_may_log(supervisor, head_office, alices_customer):
    assert log(supervisor, alices_customer).staff == supervisor
    assert log(head_office, alices_customer).staff == head_office


def test_staff_of_another_branch_cannot_log(rm_bob, alices_customer):
    with pytest.raises(PermissionDenied):
        log(rm_bob, alices_customer)
    assert not Interaction.objects.exists()


def test_a_new_need_discussed_becomes_a_customer_need_recorded_by_rm(
    rm_alice, alices_customer, education
):
    interaction = log(rm_alice, alices_customer, needs={education: 70})
    need = CustomerNeed.objects.get(customer=alices_customer, need_type=education)
    assert (need.priority, need.source, need.status) == (70, "recorded", "active")
    change = NeedChange.objects.get(need=need)
    assert (change.old_priority, change.new_priority, change.changed_by) == (None, 70, rm_alice)
    assert f"#{interaction.pk}" in change.reason
    assert list(interaction.needs.all()) == [education]


def test_the_need_texts_of_a_discussion_read_in_each_readers_language(
    rm_alice, alices_customer, education
):
    """Logged by someone working in Chinese, the need's evidence and its change's reason are
    stored in their source form and read in English by an English reader, and back."""
    with translation.override("zh-hans"):
        interaction = log(rm_alice, alices_customer, subject="季度回访", needs={education: 70})
    need = CustomerNeed.objects.get(customer=alices_customer, need_type=education)
    change = need.changes.get()
    assert (need.evidence, change.reason) == (
        need_discussed_evidence("季度回访"),
        need_discussed_reason(interaction.pk),
    )
    with translation.override("en"):
        assert need_text(change.reason) == f"Discussed in interaction #{interaction.pk}"
        assert need_text(need.evidence) == "Discussed in interaction: 季度回访"
    with translation.override("zh-hans"):
        assert need_text(change.reason) == f"在客户互动 #{interaction.pk} 中提及"
        assert need_text(need.evidence) == "在客户互动中提及：季度回访"
        (entry,) = timeline_page(
            customer=alices_customer, viewer=rm_alice, selected=["need"]
        ).entries
        assert entry.detail.endswith(f"（在客户互动 #{interaction.pk} 中提及）")  # 全角括号


def test_what_staff_typed_is_shown_as_typed():
    for typed in ("客户面谈表述", "Discussed in interaction #12 by phone", "", "Discussed"):
        with translation.override("zh-hans"):
            assert need_text(typed) == typed


def test_need_texts_stored_in_chinese_before_are_put_in_their_source_form(
    rm_alice, alices_customer, education
):
    """customers migration 0017, run on rows written the old way (in the logger's language)."""
    need = customer_need_record(
        actor=rm_alice,
        customer=alices_customer,
        need_type=education,
        priority=60,
        evidence="在客户互动中提及：季度回访\n第二行",
        reason="在客户互动 #41 中提及",
    )
    typed = NeedChange.objects.create(
        need=need, new_priority=60, new_status="active", reason="客户来电"
    )
    migration = importlib.import_module(
        "customers.migrations.0017_need_texts_in_their_source_language"
    )
    with connection.cursor() as cursor:
        cursor.execute(migration.FORWARD)
    need.refresh_from_db()
    assert need.evidence == "Discussed in interaction: 季度回访\n第二行"
    reasons = set(need.changes.values_list("reason", flat=True))
    assert reasons == {"Discussed in interaction #41", "客户来电"}
    typed.refresh_from_db()
    assert typed.reason == "客户来电"


def test_a_need_without_priority_gets_the_default(rm_alice, alices_customer, education):
    log(rm_alice, alices_customer, needs={education: None})
    assert CustomerNeed.objects.get(need_type=education).priority == 50


def test_a_changed_priority_is_a_need_change(rm_alice, alices_customer, education):
    customer_need_record(actor=rm_alice, customer=alices_customer, need_type=education, priority=40)
    log(rm_alice, alices_customer, needs={education: 80})
    need = CustomerNeed.objects.get(need_type=education)
    assert need.priority == 80
    assert list(need.changes.values_list("old_priority", "new_priority").order_by("id")) == [
        (None, 40),
        (40, 80),
    ]


def test_a_need_discussed_again_at_the_same_priority_is_confirmed_not_changed(
    rm_alice, alices_customer, education
):
    need = customer_need_record(
        actor=rm_alice, customer=alices_customer, need_type=education, priority=40
    )
    CustomerNeed.objects.filter(pk=need.pk).update(last_confirmed=dt.date(2020, 1, 1))
    log(rm_alice, alices_customer, needs={education: 40})
    need.refresh_from_db()
    assert need.last_confirmed == timezone.localdate()
    assert need.changes.count() == 1


def test_a_follow_up_creates_an_open_task_for_the_logger(rm_carol, alices_customer):
    due = timezone.localdate() + dt.timedelta(days=3)
    interaction = log(
        rm_carol, alices_customer, follow_up_title="Send the fund brochure", follow_up_due=due
    )
    task = Task.objects.get()
    assert (task.assignee, task.origin, task.interaction, task.due_date, task.status) == (
        rm_carol,
        Task.Origin.INTERACTION,
        interaction,
        due,
        Task.Status.OPEN,
    )


def test_an_interaction_cannot_be_dated_in_the_future(rm_alice, alices_customer):
    with pytest.raises(ValidationError, match="future"):
        log(rm_alice, alices_customer, occurred_at=timezone.now() + dt.timedelta(hours=2))


def test_product_codes_are_normalised_and_checked(rm_alice, alices_customer, catalogue):
    interaction = log(rm_alice, alices_customer, product_codes=[" wmp-2025a ", "TD3M", "WMP-2025A"])
    assert interaction.product_codes == ["WMP-2025A", "TD3M"]
    assert Interaction.objects.filter(product_codes__contains=["TD3M"]).count() == 1
    with pytest.raises(ValidationError, match="not a product code"):
        log(rm_alice, alices_customer, product_codes=["bad code!"])


def test_products_discussed_must_be_in_the_catalogue(rm_alice, alices_customer, catalogue):
    with pytest.raises(ValidationError, match="“NOPE-1” is not in the product catalogue"):
        log(rm_alice, alices_customer, product_codes=["TD3M", "nope-1"])
    assert not Interaction.objects.exists()


def test_logging_an_interaction_moves_campaign_targets_on(
    rm_alice, supervisor, alices_customer, catalogue
):
    from products import campaigns
    from products.models import CampaignTarget
    from tests.products.factories import assessed

    alices_customer.marketing_consent = True
    alices_customer.save(update_fields=["marketing_consent"])
    assessed(alices_customer, "C3")
    campaign = campaigns.campaign_create(
        actor=supervisor,
        name="c",
        products=[catalogue["TD3M"]],
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    campaigns.campaign_launch(actor=supervisor, campaign=campaign)
    log(rm_alice, alices_customer, outcome="interested")
    assert CampaignTarget.objects.get(customer=alices_customer).status == "interested"


def test_notes_longer_than_the_limit_are_refused(rm_alice, alices_customer):
    with pytest.raises(ValidationError, match="5000"):
        log(rm_alice, alices_customer, notes="x" * 5001)
    assert log(rm_alice, alices_customer, notes="x" * 5000).notes == "x" * 5000


# -- Editing ---------------------------------------------------------------------------------


def test_the_author_edits_within_24_hours_and_the_history_keeps_both_versions(
    rm_alice, alices_customer, education
):
    interaction = log(rm_alice, alices_customer, subject="First call")
    services.interaction_update(
        actor=rm_alice,
        interaction=interaction,
        needs={education: 60},
        fields={"subject": "First call (corrected)"},
    )
    interaction.refresh_from_db()
    assert interaction.subject == "First call (corrected)"
    subjects = list(interaction.history.order_by("history_date").values_list("subject", flat=True))
    assert subjects == ["First call", "First call (corrected)"]
    assert CustomerNeed.objects.get(need_type=education).priority == 60
    assert AuditEntry.objects.filter(action="interaction.edited").get().detail == {
        "fields": ["subject", "needs"]
    }


def test_only_the_author_may_edit(rm_alice, rm_carol, alices_customer):
    interaction = log(rm_alice, alices_customer)
    with pytest.raises(PermissionDenied):
        services.interaction_update(
            actor=rm_carol, interaction=interaction, fields={"subject": "Mine now"}
        )


def test_editing_is_refused_after_24_hours(rm_alice, alices_customer):
    interaction = log(rm_alice, alices_customer)
    Interaction.objects.filter(pk=interaction.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=24, minutes=1)
    )
    with pytest.raises(ValidationError, match="within 24 hours"):
        services.interaction_update(
            actor=rm_alice, interaction=interaction, fields={"subject": "Late"}
        )


# -- Tasks -----------------------------------------------------------------------------------


def test_complete_and_cancel_close_an_open_task_once(rm_alice, alices_customer):
    done = TaskFactory(customer=alices_customer)
    services.task_complete(actor=rm_alice, task=done)
    done.refresh_from_db()
    assert done.status == Task.Status.DONE and done.completed_at is not None
    with pytest.raises(ValidationError, match="already closed"):
        services.task_cancel(actor=rm_alice, task=done, reason="No longer needed")
    cancelled = TaskFactory(customer=alices_customer)
    services.task_cancel(actor=rm_alice, task=cancelled, reason="No longer needed")
    cancelled.refresh_from_db()
    assert cancelled.status == Task.Status.CANCELLED and cancelled.cancelled_at is not None
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {
        "task.completed",
        "task.cancelled",
    }


def test_only_the_assignee_closes_a_task(rm_carol, alices_customer):
    task = TaskFactory(customer=alices_customer)
    with pytest.raises(PermissionDenied):
        services.task_complete(actor=rm_carol, task=task)


def test_reschedule_keeps_the_old_date_and_the_reason(rm_alice, alices_customer):
    task = TaskFactory(customer=alices_customer)
    old = task.due_date
    new = old + dt.timedelta(days=7)
    with pytest.raises(ValidationError, match="why"):
        services.task_reschedule(actor=rm_alice, task=task, due_date=new, reason="  ")
    with pytest.raises(ValidationError, match="past"):
        services.task_reschedule(
            actor=rm_alice, task=task, due_date=old - dt.timedelta(days=2), reason="x"
        )
    services.task_reschedule(actor=rm_alice, task=task, due_date=new, reason="Customer abroad")
    task.refresh_from_db()
    assert task.due_date == new
    record = TaskReschedule.objects.get()
    assert (record.old_due_date, record.new_due_date, record.reason, record.by) == (
        old,
        new,
        "Customer abroad",
        rm_alice,
    )


def test_a_task_cannot_be_due_in_the_past(rm_alice, alices_customer):
    with pytest.raises(ValidationError, match="past"):
        services.task_create(
            actor=rm_alice,
            customer=alices_customer,
            title="Call back",
            due_date=timezone.localdate() - dt.timedelta(days=1),
        )


def test_reassign_only_to_someone_who_can_serve_the_customer(
    head_office, rm_carol, rm_bob, alices_customer
):
    task = TaskFactory(customer=alices_customer)
    with pytest.raises(ValidationError, match="cannot serve"):
        services.task_reassign(actor=head_office, task=task, assignee=rm_bob)
    services.task_reassign(actor=head_office, task=task, assignee=rm_carol)
    task.refresh_from_db()
    assert task.assignee == rm_carol


def test_interaction_scope_follows_customer_scope(rm_alice, rm_bob, supervisor, alices_customer):
    interaction = InteractionFactory(customer=alices_customer)
    assert list(Interaction.objects.visible_to(supervisor)) == [interaction]
    assert not Interaction.objects.visible_to(rm_bob).exists()
    task = TaskFactory(customer=alices_customer)
    assert list(Task.objects.visible_to(rm_alice)) == [task]
    assert not Task.objects.visible_to(rm_bob).exists()


def test_an_unchanged_edit_adds_no_version(rm_alice, alices_customer):
    interaction = log(rm_alice, alices_customer, subject="Same")
    services.interaction_update(actor=rm_alice, interaction=interaction, fields={"subject": "Same"})
    assert interaction.history.count() == 1
    assert not AuditEntry.objects.filter(action="interaction.edited").exists()
