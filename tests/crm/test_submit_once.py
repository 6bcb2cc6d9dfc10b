"""Double submit → one record (issue 7 item 3): the shared one-time form token
(crm/submit_once.py) on every create form, checked in the service."""

import datetime as dt
import re
import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from crm.models import SubmittedForm
from crm.submit_once import AlreadySubmitted, submission_claim, submissions_purge
from customers import services as customer_services
from customers.models import Customer, CustomerNeed, LifeEvent, NeedChange, RiskAssessment
from interactions import services as interaction_services
from interactions.models import Interaction, Task
from tests.customers.factories import CustomerFactory, national_id_for, need_type
from tests.interactions.test_views import create_url, form_data

TOKEN = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def alices_customer(rm_alice):
    return CustomerFactory(relationship_manager=rm_alice, name="王小明")


def _token_of(html: str, action: str) -> str:
    """The submission token of the form posting to `action` on a rendered page."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', html, re.S)
    assert form, f"no form posting to {action}"
    token = re.search(r'name="submission_token" value="([0-9a-f]{32})"', form.group(0))
    assert token, f"the form posting to {action} has no one-time token"
    return token.group(1)


def test_log_interaction_sent_twice_makes_one_interaction_and_one_task(
    alice_client, alices_customer
):
    page = alice_client.get(create_url(alices_customer)).content.decode()
    token = re.search(r'name="submission_token" value="([0-9a-f]{32})"', page).group(1)
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    data = form_data(
        submission_token=token,
        follow_up_title="Send the fund sheet",
        follow_up_due=due,
        product_codes="",  # products discussed must be catalogue products; none here
    )
    first = alice_client.post(create_url(alices_customer), data)
    second = alice_client.post(create_url(alices_customer), data, follow=True)
    interaction = Interaction.objects.get()
    assert Task.objects.count() == 1
    assert first.status_code == 302
    # The second submission shows the record the first one created.
    assert second.redirect_chain[-1][0] == interaction.get_absolute_url()
    assert "had already been sent" in second.content.decode()


def test_a_fresh_form_gets_a_fresh_token(alice_client, alices_customer):
    first = alice_client.get(create_url(alices_customer)).content.decode()
    second = alice_client.get(create_url(alices_customer)).content.decode()
    pattern = r'name="submission_token" value="([0-9a-f]{32})"'
    assert re.search(pattern, first).group(1) != re.search(pattern, second).group(1)


def test_a_form_shown_again_with_errors_keeps_its_token_and_can_then_be_sent(
    alice_client, alices_customer
):
    data = form_data(submission_token=TOKEN, subject="", product_codes="")
    assert alice_client.post(create_url(alices_customer), data).status_code == 200
    assert not SubmittedForm.objects.exists()  # nothing saved, nothing claimed
    data["subject"] = "Second try"
    assert alice_client.post(create_url(alices_customer), data).status_code == 302
    assert Interaction.objects.count() == 1


def test_every_create_form_on_the_customer_page_carries_a_token(alice_client, alices_customer):
    pk = alices_customer.pk
    for panel, action in [
        ("log-interaction", reverse("interactions:create", args=[pk])),
        ("customer-need", reverse("customers:need_record", args=[pk])),
        ("customer-life-event", reverse("customers:life_event_record", args=[pk])),
    ]:
        html = alice_client.get(f"/customers/{pk}/", {"panel": panel}).content.decode()
        _token_of(html, action)
    for url in [reverse("interactions:task_create", args=[pk]), reverse("customers:create")]:
        page = alice_client.get(url).content.decode()
        assert re.search(r'name="submission_token" value="[0-9a-f]{32}"', page), url


def _create_twice(create):
    create(submission_token=TOKEN)
    with pytest.raises(AlreadySubmitted) as raised:
        create(submission_token=TOKEN)
    return raised.value


def test_each_create_service_claims_its_token_once(rm_alice, alices_customer):
    """Every create service, called as a replayed request would call it."""
    today = timezone.localdate()
    c = alices_customer
    born = dt.date(1990, 3, 7)
    cases = [
        (
            lambda **kw: customer_services.customer_create(
                actor=rm_alice,
                customer_number="CIF0000099",
                name="李雷",
                date_of_birth=born,
                national_id=national_id_for(born, 99),
                branch=rm_alice.staff.branch,
                relationship_manager=rm_alice,
                **kw,
            ),
            lambda: Customer.objects.filter(customer_number="CIF0000099").count(),
        ),
        (
            lambda **kw: customer_services.life_event_record(
                actor=rm_alice, customer=c, kind="marriage", event_date=today, **kw
            ),
            lambda: LifeEvent.objects.count(),
        ),
        (
            lambda **kw: customer_services.risk_assessment_record(
                actor=rm_alice, customer=c, risk_class="C3", assessed_on=today, score=55, **kw
            ),
            lambda: RiskAssessment.objects.count(),
        ),
        (
            lambda **kw: customer_services.customer_need_record(
                actor=rm_alice, customer=c, need_type=need_type("education"), priority=70, **kw
            ),
            lambda: NeedChange.objects.count() + CustomerNeed.objects.count(),
        ),
        (
            lambda **kw: interaction_services.task_create(
                actor=rm_alice, customer=c, title="Call back", due_date=today, **kw
            ),
            lambda: Task.objects.count(),
        ),
    ]
    for index, (create, count) in enumerate(cases):
        token = f"{index:032x}"
        create(submission_token=token)
        before = count()
        with pytest.raises(AlreadySubmitted) as raised:
            create(submission_token=token)
        assert count() == before
        assert raised.value.url.startswith(f"/customers/{c.pk}/") or raised.value.url.startswith(
            "/customers/"
        )


def test_tokens_belong_to_their_user(rm_alice, rm_carol, alices_customer):
    today = timezone.localdate()
    for actor in (rm_alice, rm_carol):
        interaction_services.task_create(
            actor=actor, customer=alices_customer, title="x", due_date=today, submission_token=TOKEN
        )
    assert Task.objects.count() == 2


def test_old_claims_are_purged(rm_alice):
    SubmittedForm.objects.create(user=rm_alice, token="a", kind="k")
    later = timezone.now() + dt.timedelta(days=8)
    assert submissions_purge(now=later) == 1


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_the_same_instant_make_one_record(rm_alice):
    """The second request arrives while the first is still saving: it waits, then is told."""
    claimed, release = threading.Event(), threading.Event()
    outcome: dict = {}

    def first():
        try:
            with transaction.atomic():
                submission_claim(actor=rm_alice, token=TOKEN, kind="test")
                claimed.set()
                release.wait(10)
        finally:
            connection.close()

    def second():
        claimed.wait(10)
        try:
            with transaction.atomic():
                submission_claim(actor=rm_alice, token=TOKEN, kind="test")
            outcome["second"] = "created"
        except AlreadySubmitted:
            outcome["second"] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    claimed.wait(10)
    threading.Timer(0.5, release.set).start()  # the second is blocked on the first meanwhile
    for thread in threads:
        thread.join(15)
    assert outcome == {"second": "refused"}
    assert SubmittedForm.objects.count() == 1
