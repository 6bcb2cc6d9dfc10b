"""Survey links: signed, expiring, single-use (also under simultaneous submission), no
login, clear pages for bad links, rate-limited per address."""

import datetime as dt
import threading

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.models import Feedback, SurveyLink
from tests.interactions.factories import InteractionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def link_and_token(rm_alice, complaint_call):
    return services.survey_link_create(actor=rm_alice, interaction=complaint_call)


def answer_url(token):
    return reverse("feedback:survey_answer", args=[token])


def test_staff_get_a_link_and_a_server_side_qr_code(alice_client, complaint_call):
    response = alice_client.post(reverse("feedback:survey_link_create", args=[complaint_call.pk]))
    assert response.status_code == 200
    assert response.context["qr"].startswith("data:image/svg+xml")
    assert "/s/" in response.context["url"]
    link = SurveyLink.objects.get()
    assert abs(link.expires_at - link.created_at - dt.timedelta(days=14)) < dt.timedelta(seconds=1)


def test_staff_outside_scope_get_404(bob_client, complaint_call):
    url = reverse("feedback:survey_link_create", args=[complaint_call.pk])
    assert bob_client.post(url).status_code == 404


def test_customer_answers_once_without_login_in_chinese(link_and_token, rm_alice, complaint_call):
    _link, token = link_and_token
    client = Client()
    form = client.get(answer_url(token))
    assert form.status_code == 200 and "您对我们的服务满意吗" in form.content.decode()
    # Whatever the channel (a call, an e-mail): contact, not a visit; not necessarily today.
    assert "与我们联系" in form.content.decode() and "光临" not in form.content.decode()
    english = client.get(answer_url(token), {"lang": "en"})
    assert "How satisfied were you" in english.content.decode()
    done = client.post(answer_url(token), {"csat": "2", "nps": "3", "comment": "排队太久"})
    assert done.status_code == 200 and "谢谢" in done.content.decode()
    feedback = Feedback.objects.get()
    assert (feedback.csat, feedback.nps, feedback.staff) == (2, 3, rm_alice)
    assert feedback.interaction == complaint_call and feedback.recorded_by is None
    replay = client.post(answer_url(token), {"csat": "5"})
    assert replay.status_code == 410 and "已填写" in replay.content.decode()
    assert Feedback.objects.count() == 1


def test_bad_scores_save_nothing(link_and_token):
    _link, token = link_and_token
    client = Client()
    for data in (
        {"csat": "0"},
        {"csat": "6"},
        {"nps": "11"},
        {},
        {"csat": "3", "comment": "x" * 2001},
    ):
        response = client.post(answer_url(token), data)
        assert response.status_code == 200
    assert Feedback.objects.count() == 0
    assert SurveyLink.objects.get().used_at is None


def test_expired_tampered_and_unknown_links_get_clear_pages(link_and_token):
    link, token = link_and_token
    client = Client()
    assert client.get(answer_url(token[:-2] + "xx")).status_code == 404
    unknown = signing.dumps({"s": 999999}, salt=services.SURVEY_SALT)
    assert client.post(answer_url(unknown), {"csat": "5"}).status_code == 404
    assert client.get(answer_url("garbage")).status_code == 404
    SurveyLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = client.post(answer_url(token), {"csat": "5"})
    assert expired.status_code == 410 and "过期" in expired.content.decode()
    assert Feedback.objects.count() == 0


def test_rate_limit_per_client_address(link_and_token, settings, rm_alice, alices_customer):
    settings.SURVEY_RATE_LIMIT = 2
    tokens = [  # three interactions (one survey answer each)
        services.survey_link_create(
            actor=rm_alice, interaction=InteractionFactory(customer=alices_customer, staff=rm_alice)
        )[1]
        for _ in range(3)
    ]
    client = Client(REMOTE_ADDR="203.0.113.7")
    assert client.post(answer_url(tokens[0]), {"csat": "5"}).status_code == 200
    assert client.post(answer_url(tokens[1]), {"csat": "5"}).status_code == 200
    limited = client.post(answer_url(tokens[2]), {"csat": "5"})
    assert limited.status_code == 429
    other = Client(REMOTE_ADDR="198.51.100.1")
    assert other.post(answer_url(tokens[2]), {"csat": "5"}).status_code == 200
    assert Feedback.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_simultaneous_submissions_of_one_link_store_one_row(rm_alice, complaint_call):
    _link, token = services.survey_link_create(actor=rm_alice, interaction=complaint_call)
    barrier = threading.Barrier(4)
    statuses = []

    def submit():
        try:
            barrier.wait()
            statuses.append(Client().post(answer_url(token), {"csat": "4"}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 410, 410, 410]
    assert Feedback.objects.count() == 1


def test_the_link_pages_address_opened_with_get_goes_to_the_interaction(
    alice_client, bob_client, complaint_call
):
    """Reloading the survey link's page (or switching its language) GETs the action's
    address: the interaction's page, where a new link can be made; no link is made by a GET."""
    url = reverse("feedback:survey_link_create", args=[complaint_call.pk])
    response = alice_client.get(url)
    assert response.status_code == 302 and response["Location"] == complaint_call.get_absolute_url()
    assert not complaint_call.survey_links.exists()
    assert bob_client.get(url).status_code == 404
