import os

import pytest

from customers.models import Customer, NeedType
from tests.customers.factories import CustomerFactory

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be
# usable from it in the browser tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def alices_customer(rm_alice):
    return CustomerFactory(
        relationship_manager=rm_alice, name="王小明", segment=Customer.Segment.AFFLUENT
    )


# The need types come from a data migration; get_or_create keeps these fixtures working after
# a transactional (live-server) test has emptied the tables.
@pytest.fixture
def education(db):
    return NeedType.objects.get_or_create(
        code="education", defaults={"name": "Education funding", "sort_order": 5}
    )[0]


@pytest.fixture
def retirement(db):
    return NeedType.objects.get_or_create(
        code="retirement", defaults={"name": "Retirement", "sort_order": 4}
    )[0]


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=BROWSER_ARGS
        )
        context = browser.new_context(locale="en-US", timezone_id="Asia/Shanghai")
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()
