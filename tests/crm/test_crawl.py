"""Every page linked from the seeded demo opens, for every role (issue 7 item 1).

A bounded crawler signs in as an RM, a branch supervisor and head office, follows same-site
links from the home page breadth-first and fails on any 5xx. Seeded data is written in bulk
(no history rows, no audit trail), which is what UI-made test data never exercises.
"""

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from interactions.models import Interaction

User = get_user_model()

MAX_PAGES_PER_ROLE = 220
SAME_SHAPE_LIMIT = 3  # /customers/1/, /customers/2/, /customers/3/ — then other kinds of page
SKIP = ("/static/", "/accounts/logout", "/i18n/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _shape(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted(p.split("=")[0] for p in parts.query.split("&") if p)
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def crawl(
    client: Client,
    start: str = "/",
    *,
    max_pages: int = MAX_PAGES_PER_ROLE,
    same_shape: int = SAME_SHAPE_LIMIT,
    skip: tuple[str, ...] = SKIP,
) -> dict[str, int]:
    """Status of each page reached from `start` by same-site links (bounded)."""
    seen: dict[str, int] = {}
    shapes: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < max_pages:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Links()
        parser.feed(response.content.decode())
        for href in parser.hrefs:
            href = urldefrag(href).url
            if not href.startswith("/") or href.startswith("//") or href.startswith(skip):
                continue
            if href in seen:
                continue
            shape = _shape(href)
            if shapes.get(shape, 0) >= same_shape:
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append(href)
    return seen


@pytest.fixture
def demo(db):
    call_command("seed_demo", customers=600, seed=3, password="crm-demo")


@pytest.mark.parametrize("username", ["rm001", "sup01", "admin"])
def test_every_page_linked_from_the_demo_opens(demo, username):
    client = Client(raise_request_exception=False)  # collect every failing page, not the first
    client.force_login(User.objects.get(username=username))
    statuses = crawl(client)
    errors = {url: status for url, status in statuses.items() if status >= 500}
    assert not errors, f"{username}: server errors on {errors}"
    # The crawl reached the kinds of page the fault hid behind, not just the home page.
    assert any(re.match(r"^/customers/\d+/$", url) for url in statuses)
    if username != "admin":
        assert any(re.match(r"^/interactions/\d+/$", url) for url in statuses), statuses


def test_seeded_interaction_and_its_edit_link_open(demo):
    """The example of the issue: a seeded interaction (no history rows) and its author."""
    interaction = Interaction.objects.order_by("-created_at").first()
    client = Client()
    client.force_login(interaction.staff)
    response = client.get(f"/interactions/{interaction.pk}/")
    assert response.status_code == 200
    assert "recorded (seeded or imported" in response.content.decode()
