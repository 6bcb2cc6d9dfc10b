"""Forms read in Chinese: no label, choice, legend, button or help text rendered from an
untranslated model value or message (issue 7.7).

Each page with a form is rendered in zh-hans; any text in those elements that still holds
an English word fails, naming the page and the text. This is what caught need names shown
from the database in English in the log-interaction panel and the interaction edit form.
"""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from interactions.models import Interaction
from tests.customers.factories import CustomerFactory
from tests.interactions.factories import InteractionFactory, TaskFactory

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
CHECKED = {"label", "option", "legend", "button", "th", "summary", "h1", "h2", "small"}
# Abbreviations and codes that stay Latin in Chinese banking (and the personas' user names).
ALLOWED = {"CIF", "CSV", "UTF", "AUM", "SLA", "CSAT", "NPS", "alice", "carol", "sam", "hilda"}
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
CODE = re.compile(r"`[^`]*`")  # a command to type (`manage.py import_customers`) stays as is


class _Texts(HTMLParser):
    """(tag, text) of every checked element, and of elements with class form-text."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.texts: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag in CHECKED or "form-text" in classes.split():
            self.stack.append(tag)
        elif self.stack and tag not in {"br", "input", "img"}:
            self.stack.append("")

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if any(self.stack) and data.strip():
            self.texts.append((next(t for t in reversed(self.stack) if t), data.strip()))


def english_words(html: str) -> list[tuple[str, str]]:
    parser = _Texts()
    parser.feed(html.split("<main", 1)[1])  # the page's own content, not the navigation
    return [
        (tag, text)
        for tag, text in parser.texts
        if any(w not in ALLOWED for w in ENGLISH_WORD.findall(CODE.sub("", text)))
    ]


@pytest.fixture
def pages(rm_alice, supervisor, alices_customer_with_history):
    customer = alices_customer_with_history
    interaction = Interaction.objects.get(customer=customer)
    task = TaskFactory(customer=customer, assignee=rm_alice, due_date=timezone.localdate())
    return {
        "alice": [
            reverse("customers:detail", args=[customer.pk]),
            reverse("interactions:create", args=[customer.pk]),
            reverse("interactions:edit", args=[interaction.pk]),
            reverse("interactions:detail", args=[interaction.pk]),
            reverse("interactions:task_create", args=[customer.pk]),
            reverse("interactions:task_cancel", args=[task.pk]),
            reverse("interactions:task_reschedule", args=[task.pk]),
            reverse("interactions:task_list"),
            reverse("customers:edit", args=[customer.pk]),
            reverse("customers:create"),
            reverse("customers:archive", args=[customer.pk]),
            reverse("customers:list"),
        ],
        "sam": [
            reverse("customers:list"),
            reverse("customers:access_log"),
            reverse("customers:import"),
            reverse("interactions:team_tasks"),
        ],
    }


@pytest.fixture
def alices_customer_with_history(rm_alice, education):
    customer = CustomerFactory(relationship_manager=rm_alice, name="王小明")
    interaction = InteractionFactory(customer=customer, staff=rm_alice, subject="理财回访")
    interaction.needs.set([education])
    return customer


@pytest.fixture
def education(db):
    from tests.customers.factories import need_type

    return need_type("education")


def test_form_pages_have_no_english_left_in_chinese(pages, alice_client, supervisor_client):
    found = {}
    for who, client in (("alice", alice_client), ("sam", supervisor_client)):
        for url in pages[who]:
            response = client.get(url, **ZH)
            assert response.status_code == 200, url
            words = english_words(response.content.decode())
            if words:
                found[url] = words
    assert not found, f"English in Chinese pages: {found}"


def test_the_check_catches_a_need_name_from_the_database(alice_client, education):
    """The test's own test: an English need name rendered as a choice is caught."""
    html = '<main><label for="x">Education funding</label><option>教育金</option></main>'
    assert english_words(html) == [("label", "Education funding")]
    assert english_words("<main><label>客户号 (CIF)</label></main>") == []


def test_a_new_interactions_only_history_entry_says_logged(alice_client, rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    alice_client.post(
        reverse("interactions:create", args=[customer.pk]),
        {
            "channel": "phone",
            "direction": "outbound",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "subject": "First call",
            "outcome": "interested",
        },
    )
    interaction = Interaction.objects.get()
    history = alice_client.get(interaction.get_absolute_url()).context["history"]
    assert [v.kind for v in history] == ["+"]
    html = alice_client.get(interaction.get_absolute_url(), **ZH).content.decode()
    assert "已记录" in html or "记录" in html


def test_amounts_have_thousands_separators_in_chinese():
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.utils import translation

    with translation.override("zh-hans"):
        assert intcomma(2711675) == "2,711,675"


def test_durations_read_as_lengths_of_time_in_chinese():
    from django.utils import translation
    from django.utils.timesince import timesince

    now = timezone.now()
    with translation.override("zh-hans"):
        text = timesince(now - dt.timedelta(days=185), now)
    assert "个月" in text


def test_a_life_event_shows_no_time_of_day(alice_client, rm_alice):
    from customers.models import LifeEvent

    customer = CustomerFactory(relationship_manager=rm_alice)
    LifeEvent.objects.create(
        customer=customer, kind="marriage", event_date=dt.date(2024, 5, 1), recorded_by=rm_alice
    )
    html = alice_client.get(customer.get_absolute_url()).content.decode()
    assert "2024-05-01" in html
    assert "2024-05-01 00:00" not in html
