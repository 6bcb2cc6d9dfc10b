"""403/404/500 pages in the app's layout and the user's language, with a way back (7.8)."""

import logging
import re

import pytest
from django.test import Client

from tests.customers.factories import CustomerFactory

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _assert_layout(html: str) -> None:
    assert 'data-testid="error-page"' in html
    assert 'class="navbar' in html  # the app's navigation, not a bare page
    assert 'href="/"' in html  # a way back


def test_out_of_scope_customer_is_a_404_page_in_chinese(bob_client, rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    response = bob_client.get(f"/customers/{customer.pk}/", **ZH)
    assert response.status_code == 404
    html = response.content.decode()
    _assert_layout(html)
    assert "找不到页面" in html
    assert '<html lang="zh-hans">' in html


def test_forbidden_page_explains_and_links_back_to_the_referring_page(alice_client):
    response = alice_client.get("/tasks/team/", HTTP_REFERER="http://testserver/customers/", **ZH)
    assert response.status_code == 403
    html = response.content.decode()
    _assert_layout(html)
    assert "您无权执行此操作" in html
    assert 'href="http://testserver/customers/"' in html


def test_forbidden_page_never_links_back_to_another_site(alice_client):
    response = alice_client.get("/tasks/team/", HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in response.content.decode()


def test_expired_form_token_is_explained_in_the_layout(rm_alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(rm_alice)
    response = client.post("/customers/new/", {})
    assert response.status_code == 403
    html = response.content.decode()
    _assert_layout(html)
    assert "This form has expired" in html


@pytest.mark.urls("tests.crm.error_urls")
def test_server_error_shows_a_reference_logged_with_the_traceback(rm_alice, caplog):
    client = Client(raise_request_exception=False)
    client.force_login(rm_alice)
    with caplog.at_level(logging.ERROR, logger="crm.errors"):
        response = client.get("/boom/", **ZH)
    assert response.status_code == 500
    html = response.content.decode()
    _assert_layout(html)
    assert "出错了" in html
    reference = re.search(r'user-select-all">([A-Z2-9]{8})<', html).group(1)
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and logged[0].exc_info[0] is RuntimeError
