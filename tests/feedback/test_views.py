"""Pages: /feedback/, /cases/, /cases/<id>/, opening a case from an interaction, scope."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.models import Case, Feedback, Notification
from feedback.watch import sla_watch
from tests.customers.factories import CustomerFactory
from tests.feedback.test_services import open_complaint
from tests.interactions.factories import InteractionFactory

pytestmark = pytest.mark.django_db


def record(actor, customer, **kw):
    values = {"channel": "branch_survey", "category": "waiting"}
    values.update(kw)
    return services.feedback_record(actor=actor, customer=customer, **values)


def test_feedback_list_figures_for_the_filtered_set(alice_client, rm_alice, alices_customer):
    for nps in (10, 9, 8, 3, 0):
        record(rm_alice, alices_customer, nps=nps, csat=4)
    record(rm_alice, alices_customer, csat=1)
    response = alice_client.get(reverse("feedback:feedback_list"))
    figures = response.context["figures"]
    assert (figures.n, figures.csat_n, figures.nps_n) == (6, 6, 5)
    assert figures.csat_avg == 3.5
    assert figures.nps == 0.0  # 2 promoters − 2 detractors of 5
    detractors = alice_client.get(reverse("feedback:feedback_list"), {"detractors": "on"})
    assert detractors.context["figures"].n == 2
    assert detractors.context["figures"].nps == -100.0


def test_feedback_list_shows_the_last_30_days_unless_asked_for_more(
    alice_client, rm_alice, alices_customer
):
    record(rm_alice, alices_customer, csat=5)
    record(rm_alice, alices_customer, csat=1, received_at=timezone.now() - dt.timedelta(days=45))
    url = reverse("feedback:feedback_list")
    recent = alice_client.get(url)
    assert recent.context["figures"].n == 1
    assert recent.context["form"]["date_from"].value()  # the default period is shown
    every = alice_client.get(url, {"date_from": "", "date_to": ""})
    assert every.context["figures"].n == 2
    one_customer = alice_client.get(url, {"customer": alices_customer.pk})
    assert one_customer.context["figures"].n == 2


def test_feedback_list_query_count_is_constant(
    alice_client, rm_alice, alices_customer, django_assert_num_queries
):
    for i in range(8):
        record(rm_alice, alices_customer, csat=1 + i % 5)
    # session, user with staff, figures (one aggregate), rows, filter choices (branches, staff)
    with django_assert_num_queries(6) as ctx:
        assert alice_client.get(reverse("feedback:feedback_list")).status_code == 200
    n = len(ctx.captured_queries)
    for i in range(8):
        record(rm_alice, alices_customer, nps=i)
    with django_assert_num_queries(n):
        alice_client.get(reverse("feedback:feedback_list"))


def test_feedback_outside_scope_is_not_listed(bob_client, rm_alice, alices_customer):
    record(rm_alice, alices_customer, csat=5)
    response = bob_client.get(reverse("feedback:feedback_list"))
    assert response.context["figures"].n == 0


def test_recording_feedback_from_the_customer_page(alice_client, alices_customer):
    url = reverse("feedback:feedback_create", args=[alices_customer.pk])
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    bad = alice_client.post(
        url, {"channel": "hotline", "received_at": now, "csat": "6", "category": "fees"}
    )
    assert bad.status_code == 200 and "from 1 to 5" in bad.content.decode()
    none = alice_client.post(url, {"channel": "hotline", "received_at": now, "category": "fees"})
    assert "CSAT or an NPS" in none.content.decode()
    assert Feedback.objects.count() == 0
    ok = alice_client.post(
        url, {"channel": "hotline", "received_at": now, "nps": "4", "category": "fees"}
    )
    assert ok.status_code == 302 and Feedback.objects.get().nps == 4


def test_feedback_form_for_a_customer_outside_scope_is_404(bob_client, alices_customer):
    url = reverse("feedback:feedback_create", args=[alices_customer.pk])
    assert bob_client.get(url).status_code == 404


def test_case_opened_from_a_complaint_interaction_is_prefilled(
    alice_client, alices_customer, complaint_call
):
    page = alice_client.get(
        reverse("customers:panel", args=[alices_customer.pk, "feedback"]), HTTP_HX_REQUEST="true"
    )
    url = reverse("feedback:case_create", args=[alices_customer.pk])
    assert f"{url}?interaction={complaint_call.pk}" in page.content.decode()
    form = alice_client.get(url, {"interaction": complaint_call.pk}).context["form"]
    assert form.initial["case_type"] == "complaint"
    assert form.initial["subject"] == "Card fee charged twice"
    response = alice_client.post(
        url,
        {
            "interaction": complaint_call.pk,
            "case_type": "complaint",
            "category": "fees",
            "severity": "normal",
            "channel": "phone",
            "subject": "Card fee charged twice",
            "description": "Charged twice.",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.interaction == complaint_call


def test_case_pages_and_actions(alice_client, rm_alice, alices_customer):
    case = open_complaint(rm_alice, alices_customer)
    page = alice_client.get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    assert [a for a, _label in page.context["actions"]] == ["acknowledge", "start"]
    assert page.context["clocks"].resolve.left > dt.timedelta(days=14)
    refused = alice_client.post(
        reverse("feedback:case_transition", args=[case.pk]),
        {"action": "close", "version": case.version},
    )
    assert refused.status_code == 400 and "cannot be moved" in refused.content.decode()
    ok = alice_client.post(
        reverse("feedback:case_transition", args=[case.pk]),
        {"action": "acknowledge", "version": case.version},
    )
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.ACKNOWLEDGED


def test_case_list_mine_and_branch_with_counts(
    alice_client, supervisor_client, rm_alice, rm_carol, alices_customer
):
    mine = open_complaint(rm_alice, alices_customer)
    carols = open_complaint(rm_carol, alices_customer)
    sla_watch(now=timezone.now() + dt.timedelta(days=16))
    alice = alice_client.get("/cases/")
    assert [c.pk for c in alice.context["page"].object_list] == [mine.pk]
    assert alice.context["counts"]["mine_breached"] == 1
    branch = supervisor_client.get("/cases/", {"scope": "branch", "breached": "on"})
    assert {c.pk for c in branch.context["page"].object_list} == {mine.pk, carols.pk}
    assert branch.context["counts"]["breached"] == 2


def test_case_list_query_count_is_constant(
    supervisor_client, rm_alice, alices_customer, django_assert_num_queries
):
    for _ in range(3):
        open_complaint(rm_alice, alices_customer)
    # session, user with staff, counts (one aggregate), paginator count, rows, branch choices
    with django_assert_num_queries(6) as ctx:
        supervisor_client.get("/cases/", {"scope": "branch"})
    n = len(ctx.captured_queries)
    for _ in range(6):
        open_complaint(rm_alice, CustomerFactory(relationship_manager=rm_alice))
    with django_assert_num_queries(n):
        supervisor_client.get("/cases/", {"scope": "branch"})


def test_cases_outside_scope_are_404(bob_client, rm_alice, alices_customer):
    case = open_complaint(rm_alice, alices_customer)
    assert bob_client.get(f"/cases/{case.pk}/").status_code == 404
    response = bob_client.post(
        reverse("feedback:case_transition", args=[case.pk]), {"action": "acknowledge", "version": 1}
    )
    assert response.status_code == 404
    assert (
        bob_client.get(reverse("feedback:case_create", args=[alices_customer.pk])).status_code
        == 404
    )
    assert bob_client.get("/cases/").context["page"].paginator.count == 0


def test_anonymous_users_are_sent_to_login(client):
    for url in ("/cases/", "/feedback/", "/cases/analytics/", "/notifications/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_rm_cannot_see_analytics(alice_client):
    assert alice_client.get("/cases/analytics/").status_code == 403


def test_analytics_median_and_p90_link_to_cases(supervisor_client, rm_alice, alices_customer):
    for hours in (1, 2, 10):
        case = open_complaint(rm_alice, alices_customer)
        change = case.status_changes.get()
        services.case_transition(actor=rm_alice, case=case, action="acknowledge")
        ack = case.status_changes.get(to_status="acknowledged")
        ack.at = change.at + dt.timedelta(hours=hours)
        ack.save(update_fields=["at"])
    response = supervisor_client.get("/cases/analytics/")
    assert response.status_code == 200
    table = response.context["tables"][0]
    all_types = table["rows"][0]
    new_cell = all_types["cells"][0]
    assert new_cell["figure"].n == 3
    assert new_cell["figure"].median == dt.timedelta(hours=2)
    assert dt.timedelta(hours=8) < new_cell["figure"].p90 < dt.timedelta(hours=10)
    assert new_cell["url"].startswith("/cases/?")
    behind = supervisor_client.get(new_cell["url"])
    assert behind.context["page"].paginator.count == 3


def test_notifications_list_and_unread_count(alice_client, rm_alice, supervisor, alices_customer):
    case = open_complaint(rm_alice, alices_customer)
    services.case_transition(actor=rm_alice, case=case, action="start")
    sla_watch(now=case.opened_at + dt.timedelta(days=12, minutes=1))
    assert alice_client.get("/notifications/unread.json").json() == {"unread": 1}
    alice_client.post("/notifications/")
    assert alice_client.get("/notifications/unread.json").json() == {"unread": 0}
    assert Notification.objects.get().read_at is not None


def test_case_page_shows_time_in_each_status(alice_client, rm_alice, alices_customer):
    case = open_complaint(rm_alice, alices_customer)
    services.case_transition(actor=rm_alice, case=case, action="acknowledge")
    opened = case.status_changes.get(to_status="new")
    opened.at -= dt.timedelta(hours=5)
    opened.save(update_fields=["at"])
    spent = dict(alice_client.get(f"/cases/{case.pk}/").context["time_in_status"])
    assert dt.timedelta(hours=5) <= spent["New"] < dt.timedelta(hours=5, minutes=1)
    assert spent["Acknowledged"] < dt.timedelta(minutes=1)


def test_analytics_and_notifications_query_counts_are_constant(
    supervisor_client, rm_alice, alices_customer, django_assert_num_queries
):
    open_complaint(rm_alice, alices_customer)
    with django_assert_num_queries(5) as ctx:
        supervisor_client.get("/cases/analytics/")
    n = len(ctx.captured_queries)
    for _ in range(5):
        case = open_complaint(rm_alice, CustomerFactory(relationship_manager=rm_alice))
        services.case_transition(actor=rm_alice, case=case, action="start")
    with django_assert_num_queries(n):
        supervisor_client.get("/cases/analytics/")
    sla_watch(now=timezone.now() + dt.timedelta(days=20))
    with django_assert_num_queries(3) as ctx:
        supervisor_client.get("/notifications/")
    assert len(ctx.captured_queries) == 3


def test_admin_lists_every_feedback_model(admin_client, rm_alice, alices_customer):
    case = open_complaint(rm_alice, alices_customer)
    for model in (
        "feedback",
        "case",
        "slapolicy",
        "holidayoverride",
        "branchhours",
        "surveylink",
        "notification",
    ):
        response = admin_client.get(f"/admin/feedback/{model}/")
        assert response.status_code == 200, model
    policies = admin_client.get("/admin/feedback/slapolicy/")
    assert len(policies.context["cl"].result_list) == 9
    page = admin_client.get(f"/admin/feedback/case/{case.pk}/change/")
    assert page.status_code == 200 and b'name="subject"' not in page.content  # read-only
    assert admin_client.get(f"/admin/feedback/case/{case.pk}/delete/").status_code == 403


def _token(response) -> str:
    return response.context["form"]["submission_token"].value()


def test_feedback_sent_twice_records_one_feedback(alice_client, alices_customer):
    url = reverse("feedback:feedback_create", args=[alices_customer.pk])
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    data = {
        "channel": "hotline",
        "received_at": now,
        "csat": "2",
        "category": "fees",
        "submission_token": _token(alice_client.get(url)),
    }
    first = alice_client.post(url, data)
    second = alice_client.post(url, data, follow=True)
    assert first.status_code == 302 and Feedback.objects.count() == 1
    assert "already been sent" in second.content.decode()


def test_case_form_sent_twice_opens_one_case(alice_client, alices_customer):
    url = reverse("feedback:case_create", args=[alices_customer.pk])
    data = {
        "case_type": "complaint",
        "category": "fees",
        "severity": "normal",
        "channel": "phone",
        "subject": "Card fee charged twice",
        "description": "Charged twice.",
        "submission_token": _token(alice_client.get(url)),
    }
    alice_client.post(url, data)
    second = alice_client.post(url, data)
    case = Case.objects.get()
    assert second.status_code == 302 and second["Location"] == f"/cases/{case.pk}/"


def test_interaction_page_offers_a_survey_link_and_the_complaints_case(
    alice_client, rm_alice, alices_customer, complaint_call
):
    page_url = reverse("interactions:detail", args=[complaint_call.pk])
    page = alice_client.get(page_url)
    html = page.content.decode()
    survey_url = reverse("feedback:survey_link_create", args=[complaint_call.pk])
    case_url = reverse("feedback:case_create", args=[alices_customer.pk])
    assert f'action="{survey_url}"' in html  # a POST form, with its CSRF token
    assert 'data-testid="create-survey-link"' in html
    [open_case] = [a for a in page.context["actions"] if a.testid == "open-case-from-interaction"]
    assert open_case.url == f"{case_url}?interaction={complaint_call.pk}"
    assert open_case.style == "danger"  # a complaint without a case: the primary action

    assert alice_client.post(survey_url).status_code == 200
    assert complaint_call.survey_links.count() == 1

    case = open_complaint(rm_alice, alices_customer, interaction=complaint_call)
    html = alice_client.get(page_url).content.decode()
    assert f'href="{reverse("feedback:case_detail", args=[case.pk])}"' in html
    assert f"Case #{case.pk}" in html
    assert f"?interaction={complaint_call.pk}" not in html  # not a second case


def test_interaction_page_of_another_outcome_offers_a_plain_open_case(
    alice_client, rm_alice, alices_customer
):
    call = InteractionFactory(customer=alices_customer, staff=rm_alice, outcome="interested")
    page = alice_client.get(reverse("interactions:detail", args=[call.pk]))
    styles = {a.testid: a.style for a in page.context["actions"]}
    assert styles == {
        "create-survey-link": "outline-secondary",
        "open-case-from-interaction": "outline-danger",
    }


def test_a_case_from_a_video_call_leaves_its_channel_to_the_user(alice_client, alices_customer):
    """Cases have no video or messaging channel: the form does not guess "Branch visit"; it
    asks, and refuses to open the case until a channel is chosen."""
    call = InteractionFactory(customer=alices_customer, channel="video", outcome="complaint")
    url = reverse("feedback:case_create", args=[alices_customer.pk])
    form = alice_client.get(url, {"interaction": call.pk}).context["form"]
    assert form.initial["channel"] == ""
    data = {
        "interaction": call.pk,
        "case_type": "complaint",
        "category": "fees",
        "severity": "normal",
        "subject": "Fee",
        "description": "Charged twice.",
    }
    refused = alice_client.post(url, {**data, "channel": ""})
    assert refused.status_code == 200 and "channel" in refused.context["form"].errors
    assert not Case.objects.exists()
    phone = InteractionFactory(customer=alices_customer, channel="phone")
    assert alice_client.get(url, {"interaction": phone.pk}).context["form"].initial["channel"] == (
        "phone"
    )


def test_the_case_and_feedback_forms_list_staff_by_name(alice_client, rm_alice, alices_customer):
    """As everywhere else in the product: 张三, not the user name zhangsan."""
    rm_alice.first_name, rm_alice.last_name = "王丽", ""  # as staff are named (crm.names)
    rm_alice.save(update_fields=["last_name", "first_name"])
    for url in (
        reverse("feedback:case_create", args=[alices_customer.pk]),
        reverse("feedback:feedback_create", args=[alices_customer.pk]),
    ):
        form = alice_client.get(url).context["form"]
        for name in ("about_staff", "assignee", "staff"):
            if name in form.fields:
                labels = [label for _value, label in form.fields[name].choices]
                assert "王丽" in labels and rm_alice.username not in labels, (url, name)
