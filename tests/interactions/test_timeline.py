"""The timeline providers and the customer-page panel, through the customers registries."""

import datetime as dt

from django.test import RequestFactory
from django.utils import timezone

from customers import panels, timeline
from interactions.models import Task
from tests.interactions.factories import InteractionFactory, TaskFactory


def test_both_providers_are_registered():
    assert {"interaction", "task"} <= {kind for kind, _ in timeline.kinds()}


def test_interactions_newest_first_with_keyset_paging_in_one_query(
    alices_customer, education, retirement, django_assert_num_queries
):
    now = timezone.now()
    made = []
    for days in range(12):
        interaction = InteractionFactory(
            customer=alices_customer,
            occurred_at=now - dt.timedelta(days=days),
            notes="<i>line one</i>\nline two",
            product_codes=["TD-3Y"],
        )
        interaction.needs.set([education, retirement])
        made.append(interaction)
    InteractionFactory()  # another customer's
    fetch = timeline._registry["interaction"].fetch
    with django_assert_num_queries(1):
        first = fetch(customer=alices_customer, before=None, limit=5)
    assert [e.url for e in first] == [f"/interactions/{i.pk}/" for i in made[:5]]
    entry = first[0]
    assert entry.kind == "interaction" and entry.badge == "Interested"
    assert "Retirement, Education funding" in entry.detail and "TD-3Y" in entry.detail
    assert entry.detail.endswith("<i>line one</i>\nline two")  # plain text; templates escape
    with django_assert_num_queries(1):
        older = fetch(customer=alices_customer, before=first[-1].occurred_at, limit=5)
    # "at or before" the cursor: the registry passes the time of the first entry not shown
    assert [e.url for e in older] == [f"/interactions/{i.pk}/" for i in made[4:9]]


def test_tasks_on_the_timeline_with_their_state_in_one_query(
    rm_alice, alices_customer, django_assert_num_queries
):
    today = timezone.localdate()
    TaskFactory(customer=alices_customer, title="Overdue call", due_date=today)
    Task.objects.update(due_date=today - dt.timedelta(days=1))
    TaskFactory(
        customer=alices_customer,
        title="Done call",
        status=Task.Status.DONE,
        completed_at=timezone.now(),
    )
    fetch = timeline._registry["task"].fetch
    with django_assert_num_queries(1):
        entries = fetch(customer=alices_customer, before=None, limit=10)
    assert [(e.title, e.badge) for e in entries] == [
        ("Task: Done call", "Done"),
        ("Task: Overdue call", "Overdue"),
    ]


def test_a_timeline_page_merges_both_kinds_and_filters_by_kind(alices_customer):
    now = timezone.now()
    InteractionFactory(customer=alices_customer, occurred_at=now - dt.timedelta(hours=2))
    TaskFactory(customer=alices_customer)
    page = timeline.timeline_page(customer=alices_customer, size=10)
    assert [e.kind for e in page.entries] == ["task", "interaction"]
    only_tasks = timeline.timeline_page(customer=alices_customer, selected=["task"], size=10)
    assert [e.kind for e in only_tasks.entries] == ["task"]


def test_the_log_panel_offers_the_form_with_current_priorities(
    rm_carol, alices_customer, education, django_assert_num_queries
):
    from customers.services import customer_need_record

    customer_need_record(actor=rm_carol, customer=alices_customer, need_type=education, priority=65)
    request = RequestFactory().get("/")
    request.user = rm_carol
    rm_carol.staff  # noqa: B018 (loaded by the page already)
    with django_assert_num_queries(0):  # folded: the form is not built
        shown = [p.key for p in panels.panels_for(request, alices_customer)]
    assert "log-interaction" in shown
    registration = panels.panel_for("log-interaction", rm_carol, alices_customer)
    assert registration.template == "interactions/partials/log_panel.html"
    with django_assert_num_queries(2):  # need types, the customer's needs
        context = registration.context(request, alices_customer)
    assert context["action"] == f"/customers/{alices_customer.pk}/interactions/new/"
    assert context["form"][f"priority_{education.pk}"].initial == 65


def test_the_log_panel_renders(rm_alice, alices_customer):
    request = RequestFactory().get("/")
    request.user = rm_alice
    registration = panels.panel_for("log-interaction", rm_alice, alices_customer)
    html = panels.render_body(request, registration, alices_customer)
    assert 'name="csrfmiddlewaretoken"' in html
    assert f'action="/customers/{alices_customer.pk}/interactions/new/"' in html
    assert 'name="follow_up_title"' in html
