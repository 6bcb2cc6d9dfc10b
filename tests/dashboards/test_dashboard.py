"""/dashboard/: every figure counts exactly the records its drill-down lists, scope is 404
outside the viewer's branch, the query count does not grow with the data, periods and CSV
exports behave (issue 13)."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Branch
from crm.models import JobRun
from customers.models import AuditEntry, Customer
from dashboards import selectors
from dashboards.charts import sparkline
from dashboards.models import DailyFigure, StandingFigure
from dashboards.periods import CUSTOM, LAST_12_MONTHS, LAST_MONTH, QUARTER, Period, period_for
from dashboards.services import figures_refresh
from dashboards.tasks import figures_refresh_task
from feedback.models import Feedback
from products.models import Campaign, CampaignTarget
from tests.accounts.factories import BranchFactory, StaffFactory
from tests.customers.factories import CustomerFactory

User = get_user_model()


# -- Periods ----------------------------------------------------------------------------------


def test_periods_and_the_period_before_them():
    today = dt.date(2026, 11, 29)
    assert period_for("this_month", today) == Period(dt.date(2026, 11, 1), today)
    assert period_for(LAST_MONTH, today) == Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert period_for(QUARTER, today) == Period(dt.date(2026, 10, 1), today)
    assert period_for(LAST_12_MONTHS, today).start == dt.date(2025, 12, 1)
    assert period_for(LAST_MONTH, dt.date(2026, 1, 15)) == Period(
        dt.date(2025, 12, 1), dt.date(2025, 12, 31)
    )
    # Compared with the same stretch of the month before, the month before, the year before.
    assert period_for("this_month", today).previous() == Period(
        dt.date(2026, 10, 1), dt.date(2026, 10, 29)
    )
    assert period_for("this_month", dt.date(2026, 3, 31)).previous() == Period(
        dt.date(2026, 2, 1), dt.date(2026, 2, 28)
    )
    assert period_for(LAST_MONTH, today).previous() == Period(
        dt.date(2026, 9, 1), dt.date(2026, 9, 30)
    )
    assert period_for(LAST_12_MONTHS, today).previous() == Period(
        dt.date(2024, 12, 1), dt.date(2025, 11, 30)
    )
    custom = period_for(CUSTOM, today, dt.date(2026, 3, 1), dt.date(2026, 3, 10))
    assert custom.days == 10
    assert custom.previous() == Period(dt.date(2026, 2, 19), dt.date(2026, 2, 28))
    with pytest.raises(ValueError):
        period_for(CUSTOM, today, dt.date(2026, 3, 10), dt.date(2026, 3, 1))


def test_sparkline_skips_missing_scores_and_needs_two_points():
    assert sparkline([]) == ""
    assert sparkline([50]) == ""
    assert sparkline([None, 40, None]) == ""
    points = sparkline([0, None, 100]).split()
    assert len(points) == 2
    assert points[0].endswith(",22.0") and points[1].endswith(",2.0")  # low score at the bottom


# -- Figures against their drill-downs, on seeded data ---------------------------------------


@pytest.fixture
def demo(db):
    call_command("seed_demo", customers=600, seed=5, password="crm-demo")


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _listed(client: Client, link: str) -> int:
    """How many records the drill-down page lists (its paginator's count)."""
    response = client.get(link)
    assert response.status_code == 200, link
    if "/tasks/team/" in link:
        return response.context["board"].n_overdue
    return response.context["page"].paginator.count


def _figures(data: selectors.Dashboard):
    """Every (label, figure) of a dashboard that links to a list."""
    yield from (("alerts by age", f) for f in data.alerts_by_age)
    yield from (("alerts by rule", f) for f in data.alerts_by_rule)
    yield from (("cases", f) for f in data.cases.values())
    yield from (("cases opened", f) for f in data.cases_opened)
    yield "assessments expiring", data.assessments_expiring
    yield "overrides pending", data.overrides_pending
    yield from (("overrides", f) for f in data.overrides)
    yield "feedback", data.feedback.n
    yield "detractors", data.feedback.detractors
    for row in data.needs:
        yield f"need {row.code}", row.now
        yield f"need {row.code} before", row.before
    yield from ((f"status {r.status}", r.cases) for r in data.status_times)
    for funnel in data.funnels:
        yield from ((f"funnel {funnel.campaign.pk}", f) for f in funnel.stages)
    for row in data.staff:
        if row.alerts_open is not None:  # RMs only
            yield f"{row.staff.user} alerts", row.alerts_open
        yield f"{row.staff.user} tasks", row.tasks_overdue
        yield f"{row.staff.user} cases", row.cases_breached
    for row in data.branches:
        for key in ("alerts_open", "alerts_overdue", "cases_breached", "feedback"):
            yield f"{row['branch'].code} {key}", row[key]


@pytest.mark.parametrize(
    ("username", "branch_code", "days"),
    [("sup01", None, None), ("admin", None, None), ("admin", "B002", None), ("admin", None, 75)],
)
def test_each_figure_equals_the_records_its_drill_down_lists(demo, username, branch_code, days):
    """`days`: a custom period of that many days ending 10 days ago (months cut at both ends);
    None: the last 12 months."""
    client = _client(username)
    branch = Branch.objects.get(code=branch_code) if branch_code else None
    if username == "sup01":
        branch = User.objects.get(username="sup01").staff.branch
    today = timezone.localdate()
    period = period_for(LAST_12_MONTHS, today)
    if days:
        end = today - dt.timedelta(days=10)
        period = Period(end - dt.timedelta(days=days), end)
    data = selectors.branch_dashboard(branch=branch, period=period, today=today)
    checked = nonzero = 0
    for label, figure in _figures(data):
        assert figure.link, label
        assert _listed(client, figure.link) == figure.n, (label, figure.link)
        checked += 1
        nonzero += figure.n > 0
    assert checked > 40 and nonzero > 15  # the seed gives the figures something to count
    for month in data.feedback_months:  # the chart's points open their month's feedback
        assert _listed(client, month["link"]) == month["n"]


def test_the_page_shows_the_figures_with_their_links(demo):
    response = _client("sup01").get("/dashboard/?period=12_months")
    assert response.status_code == 200
    page = response.content.decode()
    data = response.context["data"]
    breached = data.cases["breached"]
    assert f'href="{breached.link.replace("&", "&amp;")}"' in page
    assert 'data-testid="staff-table"' in page and 'data-testid="as-of"' in page
    assert data.as_of is not None
    assert page.count('class="crm-chart') >= 6  # trends, distributions and funnels


# -- Scope ------------------------------------------------------------------------------------


def test_supervisor_cannot_open_another_branchs_dashboard_or_drill_downs(
    supervisor_client, branch_b, rm_alice
):
    other = branch_b.pk
    for url in [
        f"/dashboard/?branch={other}",
        f"/dashboard/export/staff.csv?branch={other}",
        f"/dashboard/need-changes/?branch={other}",
        f"/dashboard/assessments-expiring/?branch={other}",
        f"/cases/?branch={other}",
        f"/feedback/?branch={other}",
        f"/alerts/?branch={other}",
        f"/products/above-class/?branch={other}",
        "/dashboard/?branch=%C2%B2",  # not an id
    ]:
        assert supervisor_client.get(url).status_code == 404, url
    assert supervisor_client.get("/dashboard/").status_code == 200


def test_rms_have_no_dashboard(alice_client):
    """A page of a role answers 403 to a user without it, as /tasks/team/ does (no record
    whose existence a 403 could confirm); a branch outside scope stays 404 (below)."""
    assert alice_client.get("/dashboard/").status_code == 403
    assert alice_client.get("/dashboard/export/staff.csv").status_code == 403
    assert alice_client.get("/dashboard/need-changes/").status_code == 403
    assert alice_client.get("/tasks/team/").status_code == 403


def test_a_supervisor_asking_for_another_branchs_dashboard_gets_404(supervisor_client, branch_b):
    assert supervisor_client.get(f"/dashboard/?branch={branch_b.pk}").status_code == 404


def test_head_office_opens_any_branch(head_office_client, branch_a, branch_b):
    response = head_office_client.get(f"/dashboard/?branch={branch_b.pk}")
    assert response.status_code == 200
    assert response.context["data"].branch == branch_b
    response = head_office_client.get("/dashboard/")
    assert response.context["data"].branch is None
    codes = [row["branch"].code for row in response.context["data"].branches]
    assert codes == ["A01", "B01"]
    assert f'href="?branch={branch_b.pk}"' in response.content.decode()


# -- Constant queries ---------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_query_count_does_not_grow_with_the_data(demo):
    branch = User.objects.get(username="sup01").staff.branch
    urls = ["/dashboard/", "/dashboard/?period=12_months", "/"]
    pages = [(_client("sup01"), url) for url in urls] + [
        (_client("admin"), url) for url in [*urls, f"/dashboard/?branch={branch.pk}"]
    ]
    before = [_queries(client, url) for client, url in pages]
    # More staff, branches and campaigns: the same queries.
    for _ in range(3):
        StaffFactory(branch=branch)
    StaffFactory(branch=BranchFactory())
    campaign = Campaign.objects.filter(status=Campaign.Status.LAUNCHED).first()
    campaign.pk = None
    campaign.save()
    for customer in Customer.objects.filter(branch=branch)[:5]:
        CampaignTarget.objects.create(campaign=campaign, customer=customer, branch=branch)
    figures_refresh()
    after = [_queries(client, url) for client, url in pages]
    assert after == before
    assert max(after) <= 25


# -- Refresh ------------------------------------------------------------------------------------


def test_refresh_is_idempotent_and_leaves_a_job_run(supervisor, rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    Feedback.objects.create(
        customer=customer,
        branch=customer.branch,
        channel="branch_survey",
        staff=rm_alice,
        csat=5,
        nps=10,
        category="attitude",
    )
    figures_refresh_task.delay()
    first = sorted(DailyFigure.objects.values_list("figure", "day", "key", "n", "total"))
    standing = StandingFigure.objects.count()
    figures_refresh_task.delay()
    assert sorted(DailyFigure.objects.values_list("figure", "day", "key", "n", "total")) == first
    assert StandingFigure.objects.count() == standing
    assert {("feedback", "csat", 1, 5), ("feedback", "promoter", 1, 0)} <= {
        (f, k, n, t) for f, _d, k, n, t in first
    }
    assert JobRun.objects.filter(job="dashboard_figures", outcome="success").count() == 2


# -- Period form and CSV --------------------------------------------------------------------------


def test_an_incomplete_custom_period_says_so_and_shows_this_month(supervisor_client):
    response = supervisor_client.get("/dashboard/?period=custom&date_from=2026-03-01")
    assert response.status_code == 200
    assert "A custom period needs a start and an end date." in response.content.decode()
    assert response.context["data"].period.start.day == 1
    response = supervisor_client.get("/dashboard/?period=custom&date_from=0001-01-01&date_to=x")
    assert response.status_code == 200


def test_csv_export_is_formula_safe_and_logged(supervisor_client, supervisor, rm_alice):
    rm_alice.first_name, rm_alice.last_name = "=HYPERLINK(1)", ""
    rm_alice.save()
    response = supervisor_client.get("/dashboard/export/staff.csv?period=last_month")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    names = [row[1] for row in rows[1:]]
    assert "'=HYPERLINK(1)" in names
    entry = AuditEntry.objects.get(action="dashboard.exported")
    assert entry.actor == supervisor
    assert entry.detail["table"] == "staff"
    assert supervisor_client.get("/dashboard/export/secrets.csv").status_code == 404


def test_expiring_assessments_drill_down_lists_the_customers(supervisor_client, rm_alice):
    today = timezone.localdate()
    soon = CustomerFactory(
        relationship_manager=rm_alice,
        risk_class="C3",
        risk_assessed_on=today - dt.timedelta(days=350),
    )
    CustomerFactory(
        relationship_manager=rm_alice,
        risk_class="C3",
        risk_assessed_on=today - dt.timedelta(days=30),
    )
    CustomerFactory(
        relationship_manager=rm_alice,
        risk_class="C3",
        risk_assessed_on=today - dt.timedelta(days=350),
        status=Customer.Status.ARCHIVED,
    )
    figures_refresh()
    response = supervisor_client.get("/dashboard/")
    assert response.context["data"].assessments_expiring.n == 1
    listed = supervisor_client.get("/dashboard/assessments-expiring/")
    assert [c.pk for c in listed.context["page"]] == [soon.pk]


def test_out_of_scope_exports_are_404_and_bad_dates_say_what_is_wrong(
    supervisor_client, head_office_client
):
    assert supervisor_client.get("/dashboard/export/branches.csv").status_code == 404
    assert head_office_client.get("/dashboard/export/staff.csv").status_code == 404
    response = supervisor_client.get("/dashboard/?period=custom&date_from=2026-13-45&date_to=x")
    page = response.content.decode()
    assert "Enter a valid date." in page
    assert "needs a start and an end" not in page
    assert "Showing this month instead." in page


def test_negative_numbers_stay_numbers_in_csv():
    from customers.exporting import neutralise

    assert neutralise(-1) == "-1"
    assert neutralise("-12.5") == "-12.5"
    assert neutralise("-cmd|' /C calc'!A0") == "'-cmd|' /C calc'!A0"
    assert neutralise("=1+1") == "'=1+1"
