"""/alerts/ and the score pages: scope (404 outside), lifecycle actions, constant queries."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from customers.models import LifeEvent
from customers.services import customer_update
from customers.timeline import timeline_page
from insights.engine import alerts_scan
from insights.models import Alert
from insights.scoring import scores_compute
from interactions.models import Task
from tests.accounts.factories import StaffFactory
from tests.customers.factories import CustomerFactory
from tests.insights.factories import today
from tests.interactions.factories import TaskFactory

pytestmark = pytest.mark.django_db


def make_alerts(rm, n=1):
    for _ in range(n):
        customer = CustomerFactory(relationship_manager=rm)
        LifeEvent.objects.create(customer=customer, kind="childbirth", event_date=today())
    alerts_scan(kind="full")
    return list(Alert.objects.filter(assignee=rm).order_by("pk"))


def test_rm_sees_own_alerts_with_evidence(alice_client, rm_alice):
    (alert,) = make_alerts(rm_alice)
    page = alice_client.get(reverse("insights:alert_list"))
    assert page.status_code == 200
    assert f'data-testid="alert-{alert.pk}"' in page.content.decode()
    detail = alice_client.get(alert.get_absolute_url()).content.decode()
    assert "Childbirth on" in detail and "Education funding" in detail


def test_another_branchs_rm_gets_404(bob_client, rm_alice):
    (alert,) = make_alerts(rm_alice)
    assert bob_client.get(alert.get_absolute_url()).status_code == 404
    url = reverse("insights:alert_act", args=[alert.pk])
    assert bob_client.post(url, {"outcome": "contacted"}).status_code == 404
    assert (
        f"alert-{alert.pk}" not in bob_client.get(reverse("insights:alert_list")).content.decode()
    )


def test_a_colleague_rm_does_not_see_alice_alerts(rm_carol, rm_alice):

    (alert,) = make_alerts(rm_alice)
    client = Client()
    client.force_login(rm_carol)
    assert client.get(alert.get_absolute_url()).status_code == 404


def test_supervisor_sees_branch_alerts_and_filters_by_rm(supervisor_client, rm_alice, rm_carol):
    a = make_alerts(rm_alice)[0]
    c = make_alerts(rm_carol)[0]
    body = supervisor_client.get(reverse("insights:alert_list")).content.decode()
    assert f"alert-{a.pk}" in body and f"alert-{c.pk}" in body
    body = supervisor_client.get(
        reverse("insights:alert_list"), {"assignee": rm_carol.pk}
    ).content.decode()
    assert f"alert-{a.pk}" not in body and f"alert-{c.pk}" in body


def test_alerts_follow_their_customer_to_another_branch(
    supervisor_client, rm_alice, rm_bob, head_office
):
    """A customer moved to another branch (here by head office's edit, a service like every
    path) takes their alerts along: the old branch's supervisor no longer sees them (404), the
    new branch's list has them."""
    (alert,) = make_alerts(rm_alice)
    customer = alert.customer
    assert supervisor_client.get(alert.get_absolute_url()).status_code == 200
    customer_update(
        actor=head_office,
        customer=customer,
        fields={"branch": rm_bob.staff.branch, "relationship_manager": rm_bob},
    )
    alert.refresh_from_db()
    assert alert.branch_id == rm_bob.staff.branch_id
    assert supervisor_client.get(alert.get_absolute_url()).status_code == 404
    body = supervisor_client.get(reverse("insights:alert_list")).content.decode()
    assert f"alert-{alert.pk}" not in body
    north = Client()
    north.force_login(StaffFactory(role=Role.SUPERVISOR, branch=rm_bob.staff.branch).user)
    assert f"alert-{alert.pk}" in north.get(reverse("insights:alert_list")).content.decode()


def test_overdue_filter(supervisor_client, rm_alice):
    a, b = make_alerts(rm_alice, 2)
    Alert.objects.filter(pk=a.pk).update(ack_due_at=timezone.now() - dt.timedelta(hours=1))
    body = supervisor_client.get(reverse("insights:alert_list"), {"overdue": "on"}).content.decode()
    assert f"alert-{a.pk}" in body and f"alert-{b.pk}" not in body
    assert "Overdue" in body


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("insights:alert_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_action_with_follow_up_task_leaves_the_open_list(alice_client, rm_alice):
    (alert,) = make_alerts(rm_alice)
    due = today() + dt.timedelta(days=3)
    response = alice_client.post(
        reverse("insights:alert_act", args=[alert.pk]),
        {
            "outcome": "contacted",
            "note": "Called",
            "follow_up_title": "Send education plan",
            "follow_up_due": due.isoformat(),
        },
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "actioned" and alert.outcome == "contacted"
    assert alert.task.title == "Send education plan" and alert.task.origin == Task.Origin.ALERT
    assert alert.task.assignee == rm_alice
    body = alice_client.get(reverse("insights:alert_list")).content.decode()
    assert f"alert-{alert.pk}" not in body
    # Double submit: the second post changes nothing and creates no second task.
    again = alice_client.post(
        reverse("insights:alert_act", args=[alert.pk]),
        {"outcome": "contacted", "follow_up_title": "Again", "follow_up_due": due.isoformat()},
    )
    assert again.status_code == 302
    assert "already been closed" in alice_client.get(again["Location"]).content.decode()
    assert Task.objects.filter(customer=alert.customer).count() == 1


def test_a_refused_follow_up_saves_nothing(alice_client, rm_alice):
    (alert,) = make_alerts(rm_alice)
    response = alice_client.post(
        reverse("insights:alert_act", args=[alert.pk]),
        {"outcome": "contacted", "follow_up_title": "Late", "follow_up_due": "2020-01-01"},
    )
    assert response.status_code == 400
    alert.refresh_from_db()
    assert alert.status == "open" and not Task.objects.exists()


def test_dismiss_needs_a_reason_and_other_needs_a_note(alice_client, rm_alice):
    (alert,) = make_alerts(rm_alice)
    url = reverse("insights:alert_dismiss", args=[alert.pk])
    assert alice_client.post(url, {"reason": "other"}).status_code == 400
    assert alice_client.post(url, {"reason": "not_relevant"}).status_code == 302
    alert.refresh_from_db()
    assert alert.status == "dismissed" and alert.dismiss_reason == "not_relevant"


def test_acknowledge(alice_client, rm_alice):
    (alert,) = make_alerts(rm_alice)
    alice_client.post(reverse("insights:alert_acknowledge", args=[alert.pk]))
    alert.refresh_from_db()
    assert alert.status == "acknowledged" and alert.acknowledged_at is not None


def test_writes_need_csrf(csrf_client, rm_alice):
    (alert,) = make_alerts(rm_alice)
    csrf_client.force_login(rm_alice)
    response = csrf_client.post(reverse("insights:alert_acknowledge", args=[alert.pk]))
    assert response.status_code == 403


def test_alert_list_query_count(alice_client, rm_alice, django_assert_num_queries):
    make_alerts(rm_alice, 3)
    alice_client.get(reverse("insights:alert_list"))
    # session, user with staff, rules, count, page of alerts
    with django_assert_num_queries(5):
        alice_client.get(reverse("insights:alert_list"))
    make_alerts(rm_alice, 5)
    with django_assert_num_queries(5):
        assert alice_client.get(reverse("insights:alert_list")).status_code == 200


def test_supervisor_alert_list_query_count(
    supervisor_client, rm_alice, rm_carol, django_assert_num_queries
):
    make_alerts(rm_alice, 3)
    make_alerts(rm_carol, 3)
    supervisor_client.get(reverse("insights:alert_list"))
    # as an RM's, plus the branch's RMs for the filter
    with django_assert_num_queries(6):
        assert supervisor_client.get(reverse("insights:alert_list")).status_code == 200


def test_precision_is_for_head_office_only(head_office_client, supervisor_client, rm_alice):
    a, b = make_alerts(rm_alice, 2)
    Alert.objects.filter(pk=a.pk).update(
        status="actioned", outcome="contacted", closed_at=timezone.now()
    )
    Alert.objects.filter(pk=b.pk).update(
        status="dismissed", dismiss_reason="not_relevant", closed_at=timezone.now()
    )
    assert supervisor_client.get(reverse("insights:alert_precision")).status_code == 403
    body = head_office_client.get(reverse("insights:alert_precision")).content.decode()
    assert "50.0 %" in body


def test_alert_panel_on_the_customer_page(alice_client, rm_alice):
    (alert,) = make_alerts(rm_alice)
    url = reverse("customers:detail", args=[alert.customer_id]) + "?panel=insights-alerts"
    body = alice_client.get(url).content.decode()
    assert alert.get_absolute_url() in body


# -- scores --------------------------------------------------------------------------------------


def scored(rm, end):
    for _ in range(6):
        TaskFactory(customer=CustomerFactory(relationship_manager=rm), assignee=rm, due_date=end)
    scores_compute(period_end=end)


def test_score_page_scope(alice_client, bob_client, supervisor_client, rm_alice):
    end = today() - dt.timedelta(days=1)
    scored(rm_alice, end)
    url = reverse("insights:score_detail", args=[rm_alice.pk])
    assert alice_client.get(url).status_code == 200
    assert supervisor_client.get(url).status_code == 200
    assert bob_client.get(url).status_code == 404
    records = reverse(
        "insights:score_records", args=[rm_alice.pk, end.isoformat(), "follow_up_on_time"]
    )
    assert bob_client.get(records).status_code == 404
    body = supervisor_client.get(records).content.decode()
    assert body.count("/customers/") >= 6


def test_rm_cannot_open_a_colleagues_score(rm_carol, rm_alice):
    from django.test import Client

    scored(rm_alice, today())
    client = Client()
    client.force_login(rm_carol)
    assert client.get(reverse("insights:score_detail", args=[rm_alice.pk])).status_code == 404


def test_score_page_shows_trend_and_rank(
    alice_client, rm_alice, rm_carol, django_assert_num_queries
):
    for weeks in range(3):
        scored(rm_alice, today() - dt.timedelta(weeks=weeks))
    url = reverse("insights:score_detail", args=[rm_alice.pk])
    body = alice_client.get(url).content.decode()
    assert 'data-testid="trend"' in body and "insufficient data" in body
    # session, user with staff, snapshots, branch peers
    with django_assert_num_queries(4):
        alice_client.get(url)


def test_head_office_computes_scores_on_demand_through_the_outbox(
    head_office_client, supervisor_client, rm_alice
):
    from crm.models import OutboxMessage
    from insights.tasks import scores_compute_task

    url = reverse("insights:scores_compute")
    assert supervisor_client.post(url).status_code == 403
    assert head_office_client.post(url).status_code == 302
    head_office_client.post(url)  # a double click queues one
    (message,) = OutboxMessage.objects.filter(task_name="insights.tasks.scores_compute_task")
    scores_compute_task.apply(kwargs=message.kwargs)
    from insights.models import ScoreSnapshot

    assert ScoreSnapshot.objects.filter(staff=rm_alice).exists()


def test_a_long_alert_list_says_more_than_the_cap_instead_of_counting(rm_alice):
    """crm.paging.CappedPaginator: at most `cap` rows are counted."""
    from crm.paging import CappedPaginator

    CustomerFactory.create_batch(3, relationship_manager=rm_alice)
    from customers.models import Customer

    qs = Customer.objects.order_by("pk")
    assert (CappedPaginator(qs, 2, cap=2).count, CappedPaginator(qs, 2, cap=2).capped) == (2, True)
    assert (CappedPaginator(qs, 2, cap=3).count, CappedPaginator(qs, 2, cap=3).capped) == (3, False)


def test_a_dismissal_refused_for_a_missing_note_comes_back_unfolded_with_the_error(
    alice_client, rm_alice
):
    (alert,) = make_alerts(rm_alice)
    url = reverse("insights:alert_dismiss", args=[alert.pk])
    response = alice_client.post(url, {"reason": "other", "note": ""})
    assert response.status_code == 400
    body = response.content.decode()
    panel = body[body.index('data-testid="dismiss-panel"') :]
    assert panel.split(">", 1)[0].rstrip().endswith("open")  # the <details> is unfolded
    assert "Describe the reason in the note." in panel.split("</details>", 1)[0]
    unfolded = alice_client.get(alert.get_absolute_url()).content.decode()
    tag = unfolded[unfolded.index('data-testid="dismiss-panel"') :].split(">", 1)[0]
    assert "open" not in tag  # folded while there is nothing to see


def test_head_office_filters_alerts_by_branch_and_sees_the_filter(
    head_office_client, supervisor_client, rm_alice, rm_bob, branch_a, branch_b
):
    (mine,) = make_alerts(rm_alice)
    (bobs,) = make_alerts(rm_bob)
    url = reverse("insights:alert_list")
    body = head_office_client.get(url).content.decode()
    assert 'name="branch"' in body and "All branches" in body
    assert f'<option value="{branch_b.pk}">{branch_b.code} {branch_b.name}</option>' in body
    assert 'data-testid="alert-branch-filter"' not in body
    response = head_office_client.get(url, {"branch": branch_b.pk})
    assert [r["alert"] for r in response.context["rows"]] == [bobs]
    body = response.content.decode()
    assert f'<option value="{branch_b.pk}" selected>' in body
    assert f"Alerts of branch {branch_b.code} {branch_b.name}" in body
    assert head_office_client.get(url, {"branch": 999999}).status_code == 404
    # A supervisor's list is their branch's: no branch to pick.
    assert 'name="branch" class="form-select' not in supervisor_client.get(url).content.decode()
    assert mine.branch_id == branch_a.pk


def test_head_office_alert_list_query_count(
    head_office_client, rm_alice, branch_a, django_assert_num_queries
):
    from tests.accounts.factories import BranchFactory

    BranchFactory.create_batch(5)
    make_alerts(rm_alice, 3)
    url = reverse("insights:alert_list")
    head_office_client.get(url, {"branch": branch_a.pk})
    # session, user with staff, the branch asked for, the branch's RMs, every branch (the
    # filter), rules, count, page of alerts
    with django_assert_num_queries(8):
        head_office_client.get(url, {"branch": branch_a.pk})
    make_alerts(rm_alice, 5)
    BranchFactory.create_batch(20)
    with django_assert_num_queries(8):
        assert head_office_client.get(url, {"branch": branch_a.pk}).status_code == 200


def test_the_customer_timeline_shows_each_viewer_only_the_alerts_they_may_see(
    rm_alice, rm_carol, supervisor, head_office
):
    """A colleague in the branch may open the customer's page, but the alerts assigned to
    someone else stay out of their timeline, as out of /alerts/ (ALERT_SCOPE_SQL says what
    visible_to says, for every role)."""
    (alice_alert,) = make_alerts(rm_alice)
    customer = alice_alert.customer
    carol_alert = Alert.objects.get(pk=alice_alert.pk)
    carol_alert.pk, carol_alert.assignee = None, rm_carol
    carol_alert.trigger_key += "-2"  # a second alert of the same customer, assigned to Carol
    carol_alert.save()
    outsider = StaffFactory(role=Role.SUPERVISOR).user  # another branch
    for viewer in (rm_alice, rm_carol, supervisor, head_office, outsider):
        shown = {
            e.url
            for e in timeline_page(customer=customer, viewer=viewer, selected=["alert"]).entries
        }
        visible = Alert.objects.visible_to(viewer).filter(customer=customer)
        assert shown == {a.get_absolute_url() for a in visible}, viewer
    assert len(Alert.objects.visible_to(rm_carol).filter(customer=customer)) == 1
    assert len(Alert.objects.visible_to(supervisor).filter(customer=customer)) == 2

    client = Client()
    client.force_login(rm_carol)
    page = client.get(reverse("customers:detail", args=[customer.pk]), {"kind": "alert"})
    assert page.status_code == 200
    body = page.content.decode()
    assert carol_alert.get_absolute_url() in body
    assert alice_alert.get_absolute_url() not in body
