"""The interaction and task pages: access, attribution, validation, escaping, counts."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from customers import services as customer_services
from customers.models import CustomerNeed, NeedChange
from interactions.models import Interaction, Task, TaskReschedule
from tests.customers.factories import CustomerFactory
from tests.interactions.factories import InteractionFactory, TaskFactory

# The products discussed in form_data are catalogue products.
pytestmark = pytest.mark.usefixtures("catalogue")


def form_data(**overrides):
    data = {
        "channel": "phone",
        "direction": "outbound",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "12",
        "subject": "Fund maturity call",
        "notes": "Customer wants a lower-risk option.",
        "outcome": "follow_up",
        "product_codes": "wmp-jx30, TD-3Y",
    }
    data.update(overrides)
    return data


def create_url(customer):
    return reverse("interactions:create", args=[customer.pk])


# -- Access ----------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_login(client, alices_customer):
    response = client.get(create_url(alices_customer))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert client.get(reverse("interactions:task_list")).status_code == 302


def test_bob_from_another_branch_gets_404_logging_for_alices_customer(bob_client, alices_customer):
    assert bob_client.get(create_url(alices_customer)).status_code == 404
    assert bob_client.post(create_url(alices_customer), form_data()).status_code == 404
    assert not Interaction.objects.exists()


def test_a_colleague_logs_for_alices_customer_and_it_is_attributed_to_them(
    rm_carol, alices_customer, education
):
    from django.test import Client

    carol = Client()
    carol.force_login(rm_carol)
    response = carol.post(
        create_url(alices_customer),
        form_data(
            needs=[str(education.pk)],
            **{f"priority_{education.pk}": "75"},
            follow_up_title="Send the brochure",
            follow_up_due=(timezone.localdate() + dt.timedelta(days=2)).isoformat(),
        ),
    )
    assert response.status_code == 302
    assert response.url == f"/customers/{alices_customer.pk}/"
    interaction = Interaction.objects.get()
    assert interaction.staff == rm_carol
    assert interaction.product_codes == ["WMP-JX30", "TD-3Y"]
    need = CustomerNeed.objects.get(customer=alices_customer, need_type=education)
    assert (need.priority, need.source) == (75, CustomerNeed.Source.RECORDED)
    assert NeedChange.objects.filter(need=need, new_priority=75).exists()
    task = Task.objects.get()
    assert (task.assignee, task.interaction, task.title) == (
        rm_carol,
        interaction,
        "Send the brochure",
    )


def test_a_safe_next_is_followed_and_an_external_one_ignored(alice_client, alices_customer):
    to_contact = reverse("interactions:to_contact")
    response = alice_client.post(create_url(alices_customer), form_data(next=to_contact))
    assert response.url == to_contact
    response = alice_client.post(
        create_url(alices_customer), form_data(next="https://evil.example/")
    )
    assert response.url == f"/customers/{alices_customer.pk}/"


def test_a_validation_error_reshows_the_form_with_the_error_next_to_the_field(
    alice_client, alices_customer
):
    response = alice_client.post(
        create_url(alices_customer), form_data(subject="", follow_up_title="Call back")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "subject" in form.errors
    assert "follow_up_due" in form.errors
    assert b"is-invalid" in response.content
    assert not Interaction.objects.exists()


def test_a_service_error_is_shown_on_its_field(alice_client, alices_customer):
    future = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = alice_client.post(create_url(alices_customer), form_data(occurred_at=future))
    assert response.status_code == 200
    assert response.context["form"].errors["occurred_at"] == [
        "An interaction cannot be dated in the future."
    ]


def test_notes_beyond_5000_characters_get_a_clear_message(alice_client, alices_customer):
    response = alice_client.post(create_url(alices_customer), form_data(notes="字" * 5001))
    assert response.context["form"].errors["notes"] == [
        "Notes can be at most 5000 characters long; these have 5001. Please shorten them."
    ]
    # Windows line breaks count once, as the browser's counter shows them.
    notes = ("a" * 99 + "\r\n") * 49 + "a" * 100
    assert alice_client.post(create_url(alices_customer), form_data(notes=notes)).status_code == 302
    assert len(Interaction.objects.get().notes) == 5000


def test_notes_are_rendered_as_escaped_plain_text(alice_client, alices_customer):
    interaction = InteractionFactory(
        customer=alices_customer, notes='<script>alert("x")</script>\n<b>second line</b>'
    )
    page = alice_client.get(reverse("interactions:detail", args=[interaction.pk]))
    html = page.content.decode()
    assert "<script>alert" not in html and "<b>second" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>&lt;b&gt;second line" in html
    recent = alice_client.get(create_url(alices_customer)).content.decode()
    assert "<script>alert" not in recent and "&lt;script&gt;" in recent


def test_recent_history_beside_the_form_reads_like_the_customer_timeline(
    alice_client, rm_alice, alices_customer
):
    customer_services.life_event_record(
        actor=rm_alice, customer=alices_customer, kind="job_change", event_date=dt.date(2020, 1, 1)
    )
    InteractionFactory(customer=alices_customer, notes="first line\nsecond line")
    recent = alice_client.get(create_url(alices_customer)).content.decode()
    timeline = alice_client.get(alices_customer.get_absolute_url()).content.decode()
    for page in (recent, timeline):
        assert "2020-01-01" in page and "2020-01-01 00:00" not in page  # a date, no time
        assert "first line<br>second line" in page


def test_bob_gets_404_on_an_interaction_of_another_branch(bob_client, alices_customer):
    interaction = InteractionFactory(customer=alices_customer)
    assert bob_client.get(reverse("interactions:detail", args=[interaction.pk])).status_code == 404
    assert bob_client.get(reverse("interactions:edit", args=[interaction.pk])).status_code == 404


# -- Editing ---------------------------------------------------------------------------------


def test_the_author_edits_within_24_hours(alice_client, rm_alice, alices_customer):
    interaction = InteractionFactory(customer=alices_customer, staff=rm_alice)
    url = reverse("interactions:edit", args=[interaction.pk])
    assert alice_client.get(url).status_code == 200
    response = alice_client.post(url, form_data(subject="Corrected subject", outcome="subscribed"))
    assert response.status_code == 302
    interaction.refresh_from_db()
    assert (interaction.subject, interaction.outcome) == ("Corrected subject", "subscribed")
    detail = alice_client.get(reverse("interactions:detail", args=[interaction.pk]))
    assert "Corrected subject" in detail.content.decode()
    assert "Subject: <del>" in detail.content.decode()  # the history: field, old → new
    assert "→ <ins>Corrected subject</ins>" in detail.content.decode()


def _hidden_inputs(html: str, name: str) -> int:
    return len(re.findall(rf'<input type="hidden" name="{name}"', html))


def test_the_edit_form_carries_each_hidden_input_once(alice_client, rm_alice, alices_customer):
    """The version and the one-time token, once each: no duplicated element ids, shown
    afresh or re-shown with errors; the log form likewise."""
    interaction = InteractionFactory(customer=alices_customer, staff=rm_alice)
    url = reverse("interactions:edit", args=[interaction.pk])
    shown = alice_client.get(url)
    invalid = alice_client.post(url, form_data(subject=""))
    assert invalid.status_code == 200 and "This field is required" in invalid.content.decode()
    for page in (shown, invalid, alice_client.get(create_url(alices_customer))):
        html = page.content.decode()
        assert _hidden_inputs(html, "submission_token") == 1
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), sorted(i for i in set(ids) if ids.count(i) > 1)
    for page in (shown, invalid):
        assert _hidden_inputs(page.content.decode(), "version") == 1


def test_a_colleague_cannot_edit_someone_elses_interaction(
    supervisor_client, rm_alice, alices_customer
):
    interaction = InteractionFactory(customer=alices_customer, staff=rm_alice)
    url = reverse("interactions:edit", args=[interaction.pk])
    assert supervisor_client.get(url).status_code == 403
    assert supervisor_client.post(url, form_data(subject="Hijack")).status_code == 403
    interaction.refresh_from_db()
    assert interaction.subject != "Hijack"


def test_editing_after_24_hours_is_refused_with_a_message(alice_client, rm_alice, alices_customer):
    interaction = InteractionFactory(customer=alices_customer, staff=rm_alice)
    Interaction.objects.filter(pk=interaction.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=25)
    )
    url = reverse("interactions:edit", args=[interaction.pk])
    response = alice_client.post(url, form_data(subject="Too late"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("interactions:detail", args=[interaction.pk])
    assert "can no longer be changed" in response.content.decode()
    interaction.refresh_from_db()
    assert interaction.subject != "Too late"


# -- Needs discussed: a priority counts only for a ticked need ------------------------------


def _shown_priority(html: str, need_type) -> str:
    """The priority the page shows for a need, and the copy travelling with it (they match)."""
    shown = re.search(rf'name="priority_{need_type.pk}"[^>]*?value="(\d+)"', html)
    hidden = re.search(rf'name="initial-priority_{need_type.pk}" value="(\d*)"', html)
    assert shown and hidden and shown[1] == hidden[1], (shown, hidden)
    return shown[1]


def _priority_errors(response, need_type) -> list[str]:
    return response.context["form"].errors.get(f"priority_{need_type.pk}", [])


def test_a_priority_typed_for_an_unticked_need_is_refused_not_dropped(
    alice_client, rm_alice, alices_customer, retirement, education
):
    customer_services.customer_need_record(
        actor=rm_alice, customer=alices_customer, need_type=retirement, priority=50
    )
    url = create_url(alices_customer)
    # The form shows the customer's priority for each need; a need they lack shows none.
    assert _shown_priority(alice_client.get(url).content.decode(), retirement) == "50"
    shown = {f"initial-priority_{retirement.pk}": "50", f"initial-priority_{education.pk}": ""}

    # Changed from the 50 shown, and typed where nothing was shown: neither need is ticked.
    typed = form_data(
        **shown, **{f"priority_{retirement.pk}": "80", f"priority_{education.pk}": "75"}
    )
    response = alice_client.post(url, typed)
    assert response.status_code == 200
    assert _priority_errors(response, retirement) == ["Tick “Retirement” to record this priority."]
    assert _priority_errors(response, education) == [
        "Tick “Education funding” to record this priority."
    ]
    html = response.content.decode()
    assert "Tick “Retirement” to record this priority." in html
    assert re.search(rf'name="priority_{retirement.pk}"[^>]*value="80"', html)  # kept
    assert re.search(rf'name="priority_{education.pk}"[^>]*value="75"', html)
    assert 'value="Fund maturity call"' in html
    assert not Interaction.objects.exists()
    assert alices_customer.needs.get(need_type=retirement).priority == 50
    assert not alices_customer.needs.filter(need_type=education).exists()

    zh = alice_client.post(url, typed, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "请勾选“退休”以记录此优先级。" in zh.content.decode()

    # Left as shown (or cleared), an unticked need's priority asks for nothing.
    untouched = form_data(
        **shown, **{f"priority_{retirement.pk}": "50", f"priority_{education.pk}": ""}
    )
    assert alice_client.post(url, untouched).status_code == 302
    cleared = form_data(**shown, **{f"priority_{retirement.pk}": ""})
    assert alice_client.post(url, cleared).status_code == 302
    assert Interaction.objects.count() == 2
    assert alices_customer.needs.get(need_type=retirement).priority == 50


def test_the_edit_form_refuses_a_priority_for_a_need_it_unticks(
    alice_client, rm_alice, alices_customer, retirement, education
):
    from interactions import services

    interaction = InteractionFactory(customer=alices_customer, staff=rm_alice)
    services.interaction_update(
        actor=rm_alice, interaction=interaction, fields={}, needs={retirement: 50}
    )
    url = reverse("interactions:edit", args=[interaction.pk])
    assert _shown_priority(alice_client.get(url).content.decode(), retirement) == "50"
    shown = {f"initial-priority_{retirement.pk}": "50", f"initial-priority_{education.pk}": ""}

    # Retirement unticked with a new priority; education given a priority, not ticked.
    typed = form_data(
        subject="Corrected subject",
        **shown,
        **{f"priority_{retirement.pk}": "80", f"priority_{education.pk}": "75"},
    )
    response = alice_client.post(url, typed)
    assert response.status_code == 200
    assert _priority_errors(response, retirement) == ["Tick “Retirement” to record this priority."]
    assert _priority_errors(response, education) == [
        "Tick “Education funding” to record this priority."
    ]
    assert 'value="Corrected subject"' in response.content.decode()
    interaction.refresh_from_db()
    assert interaction.subject != "Corrected subject"
    assert list(interaction.needs.all()) == [retirement]
    assert alices_customer.needs.get(need_type=retirement).priority == 50

    # Unticked with its priority left as shown: the need is no longer discussed, as before.
    untouched = form_data(
        subject="Corrected subject", **shown, **{f"priority_{retirement.pk}": "50"}
    )
    assert alice_client.post(url, untouched).status_code == 302
    interaction.refresh_from_db()
    assert (interaction.subject, list(interaction.needs.all())) == ("Corrected subject", [])


# -- Tasks -----------------------------------------------------------------------------------


@pytest.fixture
def alices_tasks(rm_alice, alices_customer):
    today = timezone.localdate()
    make = TaskFactory.create_batch
    return {
        "overdue": make(3, customer=alices_customer, due_date=today - dt.timedelta(days=2)),
        "today": make(2, customer=alices_customer, due_date=today),
        "upcoming": make(4, customer=alices_customer, due_date=today + dt.timedelta(days=5)),
        "done": TaskFactory(
            customer=alices_customer,
            due_date=today,
            status=Task.Status.DONE,
            completed_at=timezone.now(),
        ),
    }


def test_my_tasks_are_grouped_with_counts(alice_client, alices_tasks, rm_carol, alices_customer):
    TaskFactory(customer=alices_customer, assignee=rm_carol)  # someone else's
    board = alice_client.get(reverse("interactions:task_list")).context["board"]
    assert (board.n_overdue, board.n_today, board.n_upcoming) == (3, 2, 4)
    assert board.overdue == alices_tasks["overdue"]
    assert board.due_today == alices_tasks["today"]
    assert board.upcoming == alices_tasks["upcoming"]


def test_today_is_the_bank_timezone_day(alice_client, alices_customer, monkeypatch):
    # 23:30 UTC is already the next day in Shanghai.
    instant = dt.datetime(2025, 3, 1, 23, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    TaskFactory(customer=alices_customer, due_date=dt.date(2025, 3, 2))
    TaskFactory(customer=alices_customer, due_date=dt.date(2025, 3, 1))
    board = alice_client.get(reverse("interactions:task_list")).context["board"]
    assert board.today == dt.date(2025, 3, 2)
    assert (board.n_overdue, board.n_today, board.n_upcoming) == (1, 1, 0)


def test_my_tasks_page_query_count(alice_client, rm_alice, alices_tasks, django_assert_num_queries):
    for _ in range(5):
        interaction = InteractionFactory(customer=CustomerFactory(relationship_manager=rm_alice))
        TaskFactory(
            customer=interaction.customer, interaction=interaction, origin=Task.Origin.INTERACTION
        )
    # session, user with staff (role), counts, overdue rows, today rows, upcoming rows
    with django_assert_num_queries(6):
        response = alice_client.get(reverse("interactions:task_list"))
    assert response.context["board"].n_today == 7


def test_complete_in_one_click_and_cancel_with_a_reason(alice_client, alices_tasks):
    done, cancelled = alices_tasks["overdue"][:2]
    url = reverse("interactions:task_complete", args=[done.pk])
    assert alice_client.post(url).url == reverse("interactions:task_list")
    alice_client.post(
        reverse("interactions:task_cancel", args=[cancelled.pk]), {"reason": "Customer moved"}
    )
    done.refresh_from_db()
    cancelled.refresh_from_db()
    assert (done.status, cancelled.status) == (Task.Status.DONE, Task.Status.CANCELLED)
    board = alice_client.get(reverse("interactions:task_list")).context["board"]
    assert board.n_overdue == 1
    assert alice_client.get(url).status_code == 405  # a GET never changes anything


def test_closing_a_closed_task_says_so(alice_client, alices_tasks):
    url = reverse("interactions:task_complete", args=[alices_tasks["done"].pk])
    response = alice_client.post(url, follow=True)
    assert "already closed" in response.content.decode()


def test_only_the_assignee_acts_on_a_task_and_bob_gets_404(
    supervisor_client, bob_client, alices_tasks
):
    task = alices_tasks["today"][0]
    assert (
        supervisor_client.post(reverse("interactions:task_complete", args=[task.pk])).status_code
        == 403
    )
    assert bob_client.post(reverse("interactions:task_complete", args=[task.pk])).status_code == 404
    assert (
        supervisor_client.get(reverse("interactions:task_reschedule", args=[task.pk])).status_code
        == 403
    )
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN


def test_reschedule_with_a_reason(alice_client, alices_tasks):
    task = alices_tasks["overdue"][0]
    url = reverse("interactions:task_reschedule", args=[task.pk])
    new_date = timezone.localdate() + dt.timedelta(days=3)
    response = alice_client.post(url, {"due_date": new_date.isoformat(), "reason": ""})
    assert "reason" in response.context["form"].errors
    response = alice_client.post(url, {"due_date": new_date.isoformat(), "reason": "On holiday"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.due_date == new_date
    assert TaskReschedule.objects.get(task=task).reason == "On holiday"
    assert "On holiday" in alice_client.get(url).content.decode()


def test_csrf_is_enforced_on_task_actions(csrf_client, rm_alice, alices_tasks):
    csrf_client.force_login(rm_alice)
    task = alices_tasks["today"][0]
    url = reverse("interactions:task_complete", args=[task.pk])
    assert csrf_client.post(url).status_code == 403
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN
    page = csrf_client.get(reverse("interactions:task_list"))
    token = page.context["csrf_token"]
    assert csrf_client.post(url, {"csrfmiddlewaretoken": str(token)}).status_code == 302
    task.refresh_from_db()
    assert task.status == Task.Status.DONE


def test_add_a_task_by_hand(alice_client, rm_alice, alices_customer, bob_client):
    url = reverse("interactions:task_create", args=[alices_customer.pk])
    due = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert bob_client.post(url, {"title": "x", "due_date": due}).status_code == 404
    assert (
        alice_client.post(url, {"title": "Call about renewal", "due_date": due}).status_code == 302
    )
    task = Task.objects.get()
    assert (task.origin, task.assignee, task.created_by) == (Task.Origin.MANUAL, rm_alice, rm_alice)


# -- Supervisors -----------------------------------------------------------------------------


def test_supervisor_sees_open_and_overdue_tasks_per_staff_member(
    supervisor_client, alices_tasks, rm_carol, rm_bob, django_assert_num_queries
):
    carols = CustomerFactory(relationship_manager=rm_carol, segment="hnw")
    TaskFactory(customer=carols, due_date=timezone.localdate() - dt.timedelta(days=1))
    TaskFactory(customer=CustomerFactory(relationship_manager=rm_bob))
    # session, user with staff (role), staff count, staff rows with their counts
    with django_assert_num_queries(4):
        response = supervisor_client.get(reverse("interactions:team_tasks"))
    rows = {m.user.username: m for m in response.context["page"]}
    assert set(rows) == {"alice", "carol", "sam"}
    assert (rows["alice"].n_open, rows["alice"].n_overdue, rows["alice"].n_today) == (9, 3, 2)
    assert (rows["carol"].n_open, rows["carol"].n_overdue, rows["carol"].n_to_contact) == (1, 1, 1)
    assert rows["alice"].n_to_contact == 1  # alices_customer, affluent, never contacted


def test_supervisor_drills_down_to_a_staff_members_tasks(
    supervisor_client, rm_alice, rm_bob, alices_tasks
):
    url = reverse("interactions:team_member_tasks", args=[rm_alice.pk])
    response = supervisor_client.get(url)
    assert response.context["board"].n_overdue == 3
    assert b"task_complete" not in response.content and b"/complete/" not in response.content
    other = reverse("interactions:team_member_tasks", args=[rm_bob.pk])
    assert supervisor_client.get(other).status_code == 404


def test_an_rm_has_no_team_page(alice_client):
    assert alice_client.get(reverse("interactions:team_tasks")).status_code == 403


# -- Customers to contact --------------------------------------------------------------------


def test_customers_to_contact(alice_client, rm_alice, rm_carol):
    now = timezone.now()

    def customer(segment="affluent", **kwargs):
        return CustomerFactory(relationship_manager=rm_alice, segment=segment, **kwargs)

    never = customer(segment="private")
    long_ago = customer()
    InteractionFactory(customer=long_ago, occurred_at=now - dt.timedelta(days=300))
    less_long = customer(segment="hnw")
    InteractionFactory(customer=less_long, occurred_at=now - dt.timedelta(days=120))
    InteractionFactory(customer=less_long, occurred_at=now - dt.timedelta(days=200))
    recent = customer()
    InteractionFactory(customer=recent, occurred_at=now - dt.timedelta(days=200))
    InteractionFactory(customer=recent, occurred_at=now - dt.timedelta(days=10), staff=rm_carol)
    customer(segment="mass")  # below affluent
    customer(status="archived")
    customer(do_not_contact=True)
    CustomerFactory(relationship_manager=rm_carol, segment="hnw")  # not Alice's
    page = alice_client.get(reverse("interactions:to_contact")).context["page"]
    assert list(page) == [never, long_ago, less_long]
    assert page[2].last_contact_at.date() == (now - dt.timedelta(days=120)).date()


def test_customers_to_contact_query_count(alice_client, rm_alice, django_assert_num_queries):
    for i in range(30):
        c = CustomerFactory(relationship_manager=rm_alice, segment="affluent")
        if i % 2:
            InteractionFactory(customer=c, occurred_at=timezone.now() - dt.timedelta(days=100 + i))
    # session, user with staff (role), count, page
    with django_assert_num_queries(4):
        response = alice_client.get(reverse("interactions:to_contact"))
    assert response.context["page"].paginator.count == 30
    assert len(response.context["page"]) == 25


def test_supervisor_sees_an_rms_list_but_not_another_branchs(
    supervisor_client, rm_alice, rm_bob, alices_customer
):
    url = reverse("interactions:to_contact")
    response = supervisor_client.get(url, {"rm": rm_alice.pk})
    assert list(response.context["page"]) == [alices_customer]
    assert supervisor_client.get(url, {"rm": rm_bob.pk}).status_code == 404
    assert supervisor_client.get(url).context["page"] is None


def test_head_office_sees_every_branchs_staff_a_page_at_a_time(
    head_office_client, rm_alice, rm_bob, alices_tasks
):
    response = head_office_client.get(reverse("interactions:team_tasks"))
    rows = {m.user.username: m for m in response.context["page"]}
    assert {"alice", "bob"} <= set(rows)
    assert rows["alice"].n_overdue == 3
    assert head_office_client.get(reverse("interactions:to_contact")).context["page"] is None


def test_the_navbar_links_tasks_and_the_contact_list(alice_client, supervisor_client):
    html = alice_client.get(reverse("interactions:task_list")).content.decode()
    assert 'href="/tasks/"' in html and 'href="/to-contact/"' in html
    html = supervisor_client.get(reverse("interactions:task_list")).content.decode()
    assert 'href="/tasks/"' in html and 'href="/to-contact/"' not in html


def test_the_form_the_page_and_the_history_name_the_time_alike(alice_client, rm_alice):
    """ "Occurred at" on the form, the interaction's page and its history (the form said
    "When"), in English and Chinese."""
    from django.utils import translation

    from crm.history import field_label
    from interactions.forms import InteractionForm
    from interactions.models import Interaction
    from tests.interactions.factories import InteractionFactory

    for language in ("en", "zh-hans"):
        with translation.override(language):
            history_label = field_label(Interaction, "occurred_at")
            assert str(InteractionForm.base_fields["occurred_at"].label) == history_label
    interaction = InteractionFactory(staff=rm_alice, customer__relationship_manager=rm_alice)
    body = alice_client.get(interaction.get_absolute_url()).content.decode()
    assert ">Occurred at</dt>" in body and ">When</dt>" not in body
