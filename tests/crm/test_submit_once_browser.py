"""The browser half of double-submit protection (static/js/submit-once.js), issue 7 item 3."""

import pytest

from tests.conftest import sign_in
from tests.customers.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUTTON_STATE = """() => {
  const b = document.querySelector('form[action*="/interactions/new/"] button[type=submit]');
  return [b.disabled, b.form.getAttribute('aria-busy')];
}"""


def test_a_second_click_while_the_first_save_is_slow_sends_nothing(live_server, page, rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice, name="王小明")
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.get_by_text("Log an interaction", exact=True).click()
    page.select_option("select[name=channel]", "phone")
    page.select_option("select[name=outcome]", "interested")
    page.fill("input[name=subject]", "Slow network call")

    # The server "answers" 204 No Content: the browser stays on the page, as it does while a
    # slow save is still running, and we can see what a second click would do.
    sent = []

    def answer(route):
        sent.append(route.request.method)
        route.fulfill(status=204)

    page.route("**/interactions/new/**", answer)
    page.get_by_role("button", name="Log interaction").click(no_wait_after=True)
    page.wait_for_timeout(300)
    assert page.evaluate(BUTTON_STATE) == [True, "true"]
    # Enter in a field, or a script submitting again, is ignored too.
    page.evaluate("document.querySelector('input[name=subject]').form.requestSubmit()")
    page.wait_for_timeout(300)
    assert sent == ["POST"]
