"""At phone width (390 px), in English and Chinese: the alert and customer lists do not scroll
sideways (their rows stack), and a long unbroken word a user typed (a 200-character subject)
wraps instead of widening the page."""

import pytest

from customers.models import LifeEvent
from insights.engine import alerts_scan
from tests.conftest import sign_in
from tests.customers.factories import CustomerFactory
from tests.interactions.factories import InteractionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# Sideways scrolling of the page, or of any box inside it (a .table-responsive scrolls itself).
WIDEST_OVERFLOW = """() => Math.max(
  document.documentElement.scrollWidth - document.documentElement.clientWidth,
  ...[...document.querySelectorAll('main *')]
    .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
    .map(e => e.scrollWidth - e.clientWidth))"""


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_lists_and_long_user_text_fit_a_phone(live_server, browser, supervisor, rm_alice, language):
    from django.utils import timezone

    customers = CustomerFactory.create_batch(3, relationship_manager=rm_alice)
    for customer in customers:
        LifeEvent.objects.create(
            customer=customer, kind="childbirth", event_date=timezone.localdate()
        )
    alerts_scan(kind="full")
    long_word = "X" * 200
    interaction = InteractionFactory(
        customer=customers[0], staff=rm_alice, subject=long_word, notes="Y" * 300
    )
    context = browser.new_context(viewport=PHONE, locale="en-US", timezone_id="Asia/Shanghai")
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    try:
        sign_in(page, live_server, "sam")
        for path in (
            "/alerts/",
            "/customers/",
            interaction.get_absolute_url(),
            customers[0].get_absolute_url(),
        ):
            page.goto(f"{live_server.url}{path}")
            overflow = page.evaluate(WIDEST_OVERFLOW)
            assert overflow <= 0, f"{path} ({language}) scrolls {overflow}px sideways at 390 px"
        # Every column is still reachable: the stacked rows keep each cell's label.
        page.goto(f"{live_server.url}/customers/")
        assert page.locator("td[data-label]").first.is_visible()
    finally:
        context.close()
