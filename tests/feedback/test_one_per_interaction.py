"""One case and one survey answer per interaction: a second "Open a case" from the same
interaction, or a second survey link answered, is refused — also when two tabs (or two
customers' phones) send at the same moment."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from feedback import services
from feedback.models import Case, Feedback, SurveyLink
from tests.feedback.test_services import open_complaint
from tests.interactions.factories import InteractionFactory

pytestmark = pytest.mark.django_db


def case_form_url(interaction):
    return (
        reverse("feedback:case_create", args=[interaction.customer_id])
        + f"?interaction={interaction.pk}"
    )


def case_data(response):
    return {
        "case_type": "complaint",
        "category": "fees",
        "severity": "normal",
        "channel": "phone",
        "subject": "Card fee charged twice",
        "description": "Charged twice.",
        "submission_token": response.context["form"]["submission_token"].value(),
    }


def answer_url(token):
    return reverse("feedback:survey_answer", args=[token])


# -- One case per interaction ----------------------------------------------------------------


def test_a_second_case_from_one_interaction_is_refused_naming_the_first(
    rm_alice, alices_customer, complaint_call
):
    first = open_complaint(rm_alice, alices_customer, interaction=complaint_call)
    with pytest.raises(ValidationError) as refused:
        open_complaint(rm_alice, alices_customer, interaction=complaint_call)
    [message] = refused.value.message_dict["interaction"]
    assert f"Case #{first.pk} was already opened from this interaction" in message
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as refused_zh:
            open_complaint(rm_alice, alices_customer, interaction=complaint_call)
        assert f"案件 #{first.pk}" in refused_zh.value.message_dict["interaction"][0]
    assert list(Case.objects.values_list("pk", flat=True)) == [first.pk]


def test_cases_not_tied_to_an_interaction_are_unaffected(rm_alice, alices_customer, complaint_call):
    open_complaint(rm_alice, alices_customer, interaction=complaint_call)
    open_complaint(rm_alice, alices_customer)
    open_complaint(rm_alice, alices_customer)
    other_call = InteractionFactory(customer=alices_customer, staff=rm_alice)
    open_complaint(rm_alice, alices_customer, interaction=other_call)
    assert Case.objects.count() == 4


def test_case_form_of_an_interaction_with_a_case_links_to_it_instead(
    alice_client, rm_alice, alices_customer, complaint_call
):
    url = case_form_url(complaint_call)
    stale_tab = alice_client.get(url)  # a form loaded before the case was opened
    case = open_complaint(rm_alice, alices_customer, interaction=complaint_call)
    page = alice_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="interaction-has-case"' in html
    assert f'href="{reverse("feedback:case_detail", args=[case.pk])}"' in html
    assert f"Case #{case.pk}" in html
    assert 'name="submission_token"' not in html  # no form to send
    assert 'name="subject"' not in html
    resent = alice_client.post(url, case_data(stale_tab))
    assert resent.status_code == 409
    assert 'data-testid="interaction-has-case"' in resent.content.decode()
    assert Case.objects.count() == 1
    chinese = alice_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert f"已从此客户互动受理了案件：案件 #{case.pk}" in chinese.content.decode()


def test_case_form_without_an_interaction_still_opens_cases(
    alice_client, rm_alice, alices_customer, complaint_call
):
    open_complaint(rm_alice, alices_customer, interaction=complaint_call)
    url = reverse("feedback:case_create", args=[alices_customer.pk])
    assert alice_client.post(url, case_data(alice_client.get(url))).status_code == 302
    assert Case.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_tabs_opening_a_case_from_one_interaction_open_one(
    rm_alice, alices_customer, complaint_call
):
    url = case_form_url(complaint_call)
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(rm_alice)
    forms = [case_data(client.get(url)) for client in clients]  # two tabs, two tokens
    barrier = threading.Barrier(2)
    statuses = []

    def submit(client, data):
        try:
            barrier.wait()
            statuses.append(client.post(url, data).status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=submit, args=pair) for pair in zip(clients, forms, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [302, 409]
    assert Case.objects.filter(interaction=complaint_call).count() == 1


# -- One survey answer per interaction -------------------------------------------------------


def test_answering_one_link_closes_the_interactions_other_links(rm_alice, complaint_call):
    _first, first_token = services.survey_link_create(actor=rm_alice, interaction=complaint_call)
    _second, second_token = services.survey_link_create(actor=rm_alice, interaction=complaint_call)
    services.survey_submit(token=first_token, csat=5, nps=9, client="203.0.113.1")
    with pytest.raises(services.SurveyError) as used:
        services.survey_submit(token=second_token, csat=1, nps=0, client="203.0.113.2")
    assert used.value.code == "used"
    assert Feedback.objects.filter(interaction=complaint_call).count() == 1
    page = Client().get(answer_url(second_token))
    assert page.status_code == 410 and "已填写" in page.content.decode()
    refused = Client().post(answer_url(second_token), {"csat": "1"})
    assert refused.status_code == 410
    assert Feedback.objects.count() == 1


def test_another_interactions_survey_is_unaffected(rm_alice, alices_customer, complaint_call):
    _link, token = services.survey_link_create(actor=rm_alice, interaction=complaint_call)
    services.survey_submit(token=token, csat=5, nps=9, client="203.0.113.1")
    other_call = InteractionFactory(customer=alices_customer, staff=rm_alice)
    _link, other = services.survey_link_create(actor=rm_alice, interaction=other_call)
    services.survey_submit(token=other, csat=3, nps=7, client="203.0.113.1")
    assert Feedback.objects.count() == 2


def test_no_new_survey_link_once_the_interaction_was_answered(
    alice_client, rm_alice, complaint_call
):
    page_url = reverse("interactions:detail", args=[complaint_call.pk])
    create_url = reverse("feedback:survey_link_create", args=[complaint_call.pk])
    assert 'data-testid="create-survey-link"' in alice_client.get(page_url).content.decode()
    _link, token = services.survey_link_create(actor=rm_alice, interaction=complaint_call)
    services.survey_submit(token=token, csat=4, nps=8, client="203.0.113.1")

    html = alice_client.get(page_url).content.decode()
    assert 'data-testid="create-survey-link"' not in html and create_url not in html
    assert 'data-testid="open-case-from-interaction"' in html  # the other button stays
    with pytest.raises(ValidationError, match="already answered a survey"):
        services.survey_link_create(actor=rm_alice, interaction=complaint_call)
    refused = alice_client.post(create_url, follow=True)
    assert refused.redirect_chain == [(page_url, 302)]
    assert "already answered a survey for this interaction" in refused.content.decode()
    chinese = alice_client.post(create_url, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "客户已填写过此客户互动的问卷" in chinese.content.decode()
    assert SurveyLink.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_answers_to_two_links_of_one_interaction_store_one_row(
    rm_alice, complaint_call
):
    tokens = [
        services.survey_link_create(actor=rm_alice, interaction=complaint_call)[1] for _ in range(4)
    ]
    barrier = threading.Barrier(len(tokens))
    statuses = []

    def submit(token):
        try:
            barrier.wait()
            statuses.append(Client().post(answer_url(token), {"csat": "4"}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=[token]) for token in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 410, 410, 410]
    assert Feedback.objects.filter(interaction=complaint_call).count() == 1
    assert SurveyLink.objects.filter(used_at__isnull=False).count() == 1
