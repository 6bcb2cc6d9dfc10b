"""Opening a case, recording feedback and answering a survey answer within 3 s, with no 5xx,
while a real Redis (cache and broker) is stopped or hung; what they queued (the assignee's
e-mail) waits in the outbox and goes out once Redis is back."""

import signal
import time

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from crm.models import OutboxMessage
from feedback import services
from feedback.models import Case, Feedback
from tests.crm.test_outbox import publishing_to
from tests.crm.test_outbox_worker import PrivateRedis, dispatch_until_empty

BUDGET = 3.0
pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_server(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def on_private_redis(redis_server):
    cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    # override_settings resets the cache connections (Django's setting_changed handler).
    with override_settings(CACHES=cache), publishing_to(redis_server.url):
        yield redis_server


def timed(call):
    started = time.monotonic()
    response = call()
    elapsed = time.monotonic() - started
    assert elapsed < BUDGET, f"the write took {elapsed:.1f} s"
    assert response.status_code < 500
    return response


def writes(rm_alice, supervisor, customer, interaction):
    client = Client()
    client.force_login(rm_alice)
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    case = timed(
        lambda: client.post(
            reverse("feedback:case_create", args=[customer.pk]),
            {
                "case_type": "complaint",
                "category": "fees",
                "severity": "normal",
                "channel": "phone",
                "subject": "Fee charged twice",
                "description": "Charged twice.",
                "assignee": supervisor.pk,
            },
        )
    )
    assert case.status_code == 302
    feedback = timed(
        lambda: client.post(
            reverse("feedback:feedback_create", args=[customer.pk]),
            {"channel": "hotline", "received_at": now, "csat": "2", "category": "fees"},
        )
    )
    assert feedback.status_code == 302
    _link, token = services.survey_link_create(actor=rm_alice, interaction=interaction)
    survey = timed(
        lambda: Client().post(reverse("feedback:survey_answer", args=[token]), {"nps": "3"})
    )
    assert survey.status_code == 200
    assert Case.objects.count() == 1 and Feedback.objects.count() == 2


def test_redis_stopped(on_private_redis, rm_alice, supervisor, alices_customer, complaint_call):
    supervisor.email = "sam@bank.example"
    supervisor.save(update_fields=["email"])
    on_private_redis.stop()
    writes(rm_alice, supervisor, alices_customer, complaint_call)
    mails = OutboxMessage.objects.filter(task_name="feedback.tasks.notifications_email_task")
    assert mails.filter(dispatched_at=None).count() == 1  # the assignee's mail
    # (the writes also queue immediate alert runs: insights.tasks.alerts_scan_customers_task)
    on_private_redis.start()
    dispatch_until_empty()
    assert len(mail.outbox) == 0  # not eager: a worker would send it; run it as one would
    message = mails.get()
    from feedback.tasks import notifications_email_task

    notifications_email_task.apply(kwargs=message.kwargs)
    notifications_email_task.apply(kwargs=message.kwargs)  # a redelivery sends nothing more
    assert len(mail.outbox) == 1 and "assigned to you" in mail.outbox[0].subject


def test_redis_hung(on_private_redis, rm_alice, supervisor, alices_customer, complaint_call):
    on_private_redis.process.send_signal(signal.SIGSTOP)
    try:
        writes(rm_alice, supervisor, alices_customer, complaint_call)
    finally:
        on_private_redis.process.send_signal(signal.SIGCONT)
