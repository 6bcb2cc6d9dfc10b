"""No page scrolls sideways on a phone (390 px), in English or Chinese (issue 7.14).

The pages are those a crawler reaches from each role's home page in the seeded demo, one of
each kind; each is opened in Chromium at 390 px and must not be wider than the screen.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tests.crm.test_crawl import SKIP, crawl

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
User = get_user_model()

PHONE = {"width": 390, "height": 844}
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _pages_of(username: str) -> list[str]:
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=username))
    statuses = crawl(
        client,
        max_pages=40,
        same_shape=1,
        skip=(*SKIP, "/admin/", "/customers/export", "/customers/access-log/export"),
    )
    return [url for url, status in statuses.items() if status == 200 and "export" not in url]


def test_no_page_is_wider_than_a_phone(live_server, browser):
    call_command("seed_demo", customers=300, seed=5, password="crm-demo")
    too_wide = []
    for username in ["rm001", "sup01", "admin"]:
        urls = _pages_of(username)
        assert len(urls) > 5, urls
        for language in ["en", "zh-hans"]:
            context = browser.new_context(viewport=PHONE, locale="en-US")
            context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            page = context.new_page()
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", "crm-demo")
            page.click("main form [type=submit]")
            page.wait_for_url(f"{live_server.url}/")
            for url in urls:
                page.goto(live_server.url + url)
                overflow = page.evaluate(OVERFLOW)
                if overflow > 0:
                    too_wide.append((username, language, url, overflow))
            context.close()
    assert not too_wide, f"pages wider than 390 px (user, language, page, extra px): {too_wide}"
