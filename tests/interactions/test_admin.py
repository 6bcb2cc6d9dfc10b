"""Django admin: interactions read-only with their history, tasks reassignable, no delete."""

from django.urls import reverse

from interactions import services
from interactions.models import Task
from tests.interactions.factories import InteractionFactory, TaskFactory


def test_interaction_admin_lists_shows_history_and_never_deletes(admin_client, alices_customer):
    interaction = InteractionFactory(customer=alices_customer, notes="<b>kept</b>")
    services.interaction_update(
        actor=interaction.staff, interaction=interaction, fields={"subject": "Corrected"}
    )
    other = InteractionFactory()
    changelist = reverse("admin:interactions_interaction_changelist")
    found = admin_client.get(changelist, {"q": alices_customer.customer_number})
    assert list(found.context["cl"].result_list) == [interaction]
    found = admin_client.get(changelist, {"q": other.staff.username})
    assert list(found.context["cl"].result_list) == [other]
    assert admin_client.get(changelist, {"outcome": "interested"}).status_code == 200
    change = reverse("admin:interactions_interaction_change", args=[interaction.pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and b'name="subject"' not in page.content  # read-only
    history = reverse("admin:interactions_interaction_history", args=[interaction.pk])
    assert admin_client.get(history).status_code == 200
    delete = reverse("admin:interactions_interaction_delete", args=[interaction.pk])
    assert admin_client.get(delete).status_code == 403
    assert admin_client.get(reverse("admin:interactions_interaction_add")).status_code == 403


def test_task_admin_reassigns_through_the_service(admin_client, rm_carol, alices_customer):
    task = TaskFactory(customer=alices_customer)
    change = reverse("admin:interactions_task_change", args=[task.pk])
    assert admin_client.get(change).status_code == 200
    response = admin_client.post(
        change,
        {"assignee": rm_carol.pk, "reschedules-TOTAL_FORMS": 0, "reschedules-INITIAL_FORMS": 0},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.assignee == rm_carol
    assert (
        admin_client.get(reverse("admin:interactions_task_delete", args=[task.pk])).status_code
        == 403
    )
    assert Task.history.filter(id=task.pk).count() == 2
