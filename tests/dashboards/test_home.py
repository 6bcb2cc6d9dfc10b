"""The role-based home page: each role sees its own figures, in a constant number of queries."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from crm.models import JobRun
from customers.models import Customer
from dashboards.models import BranchFigures
from dashboards.services import branch_figures_refresh
from dashboards.tasks import branch_figures_refresh_task
from interactions.models import Task
from interactions.services import task_create
from tests.accounts.factories import StaffFactory, UserFactory
from tests.customers.factories import CustomerFactory


def test_rm_home_counts_own_portfolio_only(alice_client, rm_alice, rm_carol):
    CustomerFactory.create_batch(3, relationship_manager=rm_alice)
    CustomerFactory(relationship_manager=rm_alice, segment=Customer.Segment.HNW)
    CustomerFactory(relationship_manager=rm_alice, status=Customer.Status.ARCHIVED)
    CustomerFactory.create_batch(2, relationship_manager=rm_carol)
    response = alice_client.get("/")
    assert response.status_code == 200
    assert response.context["portfolio"]["total"] == 4
    assert response.context["portfolio"]["hnw"] == 1
    assert "My day" in response.content.decode()


def test_supervisor_home_lists_branch_staff_with_their_customers(
    supervisor_client, rm_alice, rm_carol, rm_bob
):
    CustomerFactory.create_batch(2, relationship_manager=rm_alice)
    CustomerFactory(relationship_manager=rm_bob)
    response = supervisor_client.get("/")
    staff = {m.user.username: m.n_customers for m in response.context["staff"]}
    assert staff == {"alice": 2, "carol": 0, "sam": 0}  # bob is in another branch
    alice = next(m for m in response.context["staff"] if m.user.username == "alice")
    assert (alice.n_open, alice.n_overdue, alice.n_to_contact) == (0, 0, 0)  # mass customers


def test_supervisor_home_shows_the_staff_table_of_branch_tasks_with_assigned_customers(
    supervisor_client, rm_alice
):
    CustomerFactory.create_batch(2, relationship_manager=rm_alice)
    home = supervisor_client.get("/").content.decode()
    team = supervisor_client.get(reverse("interactions:team_tasks")).content.decode()
    tasks = reverse("interactions:team_member_tasks", args=[rm_alice.pk])
    for page in (home, team):
        assert f'<a href="{tasks}">{rm_alice.staff}</a>' in page
        assert "Due today" in page and "Customers to contact" in page
    assert 'data-label="Assigned customers">2</td>' in home
    assert "Assigned customers" not in team


def test_head_office_home_lists_every_branch_with_worker_computed_figures(
    head_office_client, rm_alice, rm_bob
):
    CustomerFactory.create_batch(2, relationship_manager=rm_alice)
    CustomerFactory(relationship_manager=rm_alice, status=Customer.Status.ARCHIVED)
    CustomerFactory(relationship_manager=rm_bob)
    page = head_office_client.get("/").content.decode()
    assert page.count("not yet counted") == 2  # before the job's first run
    branch_figures_refresh_task.delay()
    response = head_office_client.get("/")
    rows = {b.code: (b.figures.staff, b.figures.customers) for b in response.context["branches"]}
    assert rows == {"A01": (1, 2), "B01": (1, 1)}
    assert 'data-testid="figures-as-of"' in response.content.decode()
    assert JobRun.objects.get(job="branch_figures_refresh").rows == 2


def test_branch_figures_refresh_is_idempotent(rm_alice):
    CustomerFactory.create_batch(3, relationship_manager=rm_alice)
    assert branch_figures_refresh() == 1
    CustomerFactory(relationship_manager=rm_alice)
    assert branch_figures_refresh() == 1  # overwrites, never duplicates
    assert BranchFigures.objects.get().customers == 4


def test_user_without_profile_sees_an_explanation(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("intern"))
    response = client.get("/")
    assert response.status_code == 200
    assert "no active staff profile" in response.content.decode()


def test_supervisor_home_query_count_is_constant(
    supervisor_client, branch_a, django_assert_num_queries
):
    for _ in range(8):
        rm = StaffFactory(user=UserFactory(), role=Role.RM, branch=branch_a).user
        CustomerFactory.create_batch(2, relationship_manager=rm)
    # session, user with staff profile, branch name, staff table with task counts, assigned
    # customer counts
    with django_assert_num_queries(5):
        assert supervisor_client.get("/").status_code == 200


def test_head_office_home_query_count_is_constant(head_office_client, django_assert_num_queries):
    for _ in range(6):
        rm = StaffFactory(user=UserFactory(), role=Role.RM).user
        CustomerFactory(relationship_manager=rm)
    branch_figures_refresh()
    # session, user with staff profile, branches with their figures
    with django_assert_num_queries(3):
        assert head_office_client.get("/").status_code == 200


def test_navigation_depends_on_role(alice_client, supervisor_client, head_office_client):
    rm_page = alice_client.get("/").content.decode()
    assert "My day" in rm_page
    assert "Administration" not in rm_page
    assert "My branch" in supervisor_client.get("/").content.decode()
    assert "Administration" in head_office_client.get("/").content.decode()


def test_rm_home_shows_tasks_due_and_customers_to_contact(alice_client, rm_alice):
    quiet = CustomerFactory(
        relationship_manager=rm_alice, segment=Customer.Segment.AFFLUENT, name="久未联系"
    )
    today = timezone.localdate()
    task = task_create(
        actor=rm_alice, customer=quiet, assignee=rm_alice, title="Call back", due_date=today
    )
    Task.objects.filter(pk=task.pk).update(due_date=today - dt.timedelta(days=1))  # a day on
    response = alice_client.get("/")
    assert response.context["board"].n_overdue == 1
    assert [c.pk for c in response.context["to_contact"]] == [quiet.pk]
    page = response.content.decode()
    assert "Call back" in page
    assert "久未联系" in page


def test_rm_home_query_count_is_constant(alice_client, rm_alice, django_assert_num_queries):
    today = timezone.localdate()
    for i in range(6):
        customer = CustomerFactory(relationship_manager=rm_alice, segment=Customer.Segment.HNW)
        task_create(
            actor=rm_alice,
            customer=customer,
            assignee=rm_alice,
            title=f"T{i}",
            due_date=today + dt.timedelta(days=i % 2),
        )
    Task.objects.filter(title__in=["T0", "T2"]).update(due_date=today - dt.timedelta(days=3))
    # session, user with staff, portfolio, task counts, overdue/today/upcoming rows, to contact,
    # branch name; then the day's alerts (counts, rows), cases (rows,
    # counts), campaign targets (rows, count), maturing holdings (rows, count), score history
    with django_assert_num_queries(18):
        assert alice_client.get("/").status_code == 200
