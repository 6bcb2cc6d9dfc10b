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
    with django_assert_num_queries(1):
        page = timeline.timeline_page(
            customer=alices_customer,
            viewer=alices_customer.relationship_manager,
            selected=["interaction"],
            size=5,
        )
    first = page.entries
    assert [e.url for e in first] == [f"/interactions/{i.pk}/" for i in made[:5]]
    entry = first[0]
    assert entry.kind == "interaction" and entry.badge == "Interested"
    assert "Retirement, Education funding" in entry.detail and "TD-3Y" in entry.detail
    assert entry.detail.endswith("<i>line one</i>\nline two")  # plain text; templates escape
    # The cursor is the time of the first entry not shown.
    assert page.next_before == made[5].occurred_at
    with django_assert_num_queries(1):
        older = timeline.timeline_page(
            customer=alices_customer,
            viewer=alices_customer.relationship_manager,
            selected=["interaction"],
            size=5,
            before=page.next_before,
        ).entries
    assert [e.url for e in older] == [f"/interactions/{i.pk}/" for i in made[5:10]]


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
    with django_assert_num_queries(1):
        entries = timeline.timeline_page(
            customer=alices_customer, viewer=alices_customer.relationship_manager, selected=["task"]
        ).entries
    assert [(e.title, e.badge) for e in entries] == [
        ("Task: Done call", "Done"),
        ("Task: Overdue call", "Overdue"),
    ]


def test_a_timeline_page_merges_both_kinds_and_filters_by_kind(alices_customer):
    now = timezone.now()
    InteractionFactory(customer=alices_customer, occurred_at=now - dt.timedelta(hours=2))
    TaskFactory(customer=alices_customer)
    page = timeline.timeline_page(
        customer=alices_customer, viewer=alices_customer.relationship_manager, size=10
    )
    assert [e.kind for e in page.entries] == ["task", "interaction"]
    only_tasks = timeline.timeline_page(
        customer=alices_customer,
        viewer=alices_customer.relationship_manager,
        selected=["task"],
        size=10,
    )
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


def _walk(customer, size):
    """Every page of the whole timeline: (pages, entries in the order shown)."""
    pages, before = [], None
    while len(pages) < 50:
        page = timeline.timeline_page(
            customer=customer, viewer=customer.relationship_manager, before=before, size=size
        )
        pages.append(page.entries)
        if page.next_before is None:
            break
        before = page.next_before
    return pages, [e for entries in pages for e in entries]


def test_pages_of_mixed_kinds_show_every_entry_once_newest_first(alices_customer, rm_alice):
    """Kinds interleave, several share one instant (within and across kinds), dated life
    events fall at local midnight: whatever the page size, paging shows each entry once, in
    order, and a page holds more than `size` only when all of it is one instant."""
    from customers.models import LifeEvent

    now = timezone.now().replace(microsecond=0)
    tie = now - dt.timedelta(hours=5)
    for hours in (1, 2, 3, 7, 30, 50):
        InteractionFactory(customer=alices_customer, occurred_at=now - dt.timedelta(hours=hours))
    for _ in range(3):
        InteractionFactory(customer=alices_customer, occurred_at=tie)
    for _ in range(4):
        task = TaskFactory(customer=alices_customer)
        Task.objects.filter(pk=task.pk).update(created_at=tie)
    for hours in (4, 6, 40):
        task = TaskFactory(customer=alices_customer)
        Task.objects.filter(pk=task.pk).update(created_at=now - dt.timedelta(hours=hours))
    today = timezone.localdate()
    for days in (0, 1, 1, 3):
        LifeEvent.objects.create(
            customer=alices_customer,
            kind="job_change",
            event_date=today - dt.timedelta(days=days),
            recorded_by=rm_alice,
        )
    InteractionFactory(occurred_at=tie)  # another customer's
    expected = timeline.timeline_page(
        customer=alices_customer, viewer=alices_customer.relationship_manager, size=1000
    ).entries
    assert len(expected) == 20
    assert [e.occurred_at for e in expected] == sorted(
        (e.occurred_at for e in expected), reverse=True
    )
    for size in range(1, 12):
        pages, shown = _walk(alices_customer, size)
        assert sorted(map(repr, shown)) == sorted(map(repr, expected)), size
        assert [e.occurred_at for e in shown] == [e.occurred_at for e in expected], size
        for entries in pages:
            assert entries, size
            assert len(entries) <= size or len({e.occurred_at for e in entries}) == 1, size


def test_a_page_is_one_query_whatever_the_kinds(alices_customer, django_assert_num_queries):
    now = timezone.now()
    for hours in range(1, 5):
        InteractionFactory(customer=alices_customer, occurred_at=now - dt.timedelta(hours=hours))
    task = TaskFactory(customer=alices_customer)
    Task.objects.filter(pk=task.pk).update(created_at=now - dt.timedelta(days=30))
    with django_assert_num_queries(1):
        page = timeline.timeline_page(
            customer=alices_customer, viewer=alices_customer.relationship_manager, size=3
        )
    assert [e.kind for e in page.entries] == ["interaction"] * 3
    with django_assert_num_queries(1):
        page = timeline.timeline_page(
            customer=alices_customer,
            viewer=alices_customer.relationship_manager,
            before=page.next_before,
        )
    assert [e.kind for e in page.entries] == ["interaction", "task"]
    assert page.next_before is None
