"""Admin change-history pages keep the strict CSP: no inline style (issue 8 item 12)."""

import re

import pytest
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.services import role_groups_sync
from customers.services import customer_update
from tests.conftest import sign_in
from tests.customers.factories import CustomerFactory
from tests.interactions.factories import InteractionFactory, TaskFactory

INLINE = re.compile(r"\sstyle=|<style\b|\son[a-z]+=")


def _one_of_each(rm):
    customer = CustomerFactory(relationship_manager=rm)
    customer_update(actor=rm, customer=customer, fields={"occupation": "教师"})  # a second version
    return [
        customer,
        InteractionFactory(customer=customer, staff=rm),
        TaskFactory(customer=customer),
    ]


def test_every_history_page_is_free_of_inline_style(rm_alice, head_office, head_office_client):
    head_office.groups.add(role_groups_sync())
    objects = {type(o): o for o in _one_of_each(rm_alice)}
    history_admins = [
        model
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, SimpleHistoryAdmin)
    ]
    assert set(history_admins) <= set(objects), "add an object of each history model here"
    for model in history_admins:
        meta = model._meta
        url = f"/admin/{meta.app_label}/{meta.model_name}/{objects[model].pk}/history/"
        response = head_office_client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert not INLINE.search(body), (url, INLINE.search(body).group(0))
        assert "css/admin_history.css" in body
        assert ">None<" not in re.sub(r"\s+", "", body), url  # a record without a reason: "—"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_history_page_raises_no_csp_violation_in_chromium(
    live_server, page, rm_alice, head_office
):
    head_office.groups.add(role_groups_sync())
    customer = _one_of_each(rm_alice)[0]
    sign_in(page, live_server, head_office.username)
    page.goto(f"{live_server.url}/admin/customers/customer/{customer.pk}/history/")
    assert page.locator("p.history-paginator").count() == 1
    assert (
        page.locator("p.history-paginator").evaluate("e => getComputedStyle(e).borderTopStyle")
        == "none"
    )
    # The `page` fixture fails the test on any Content-Security-Policy violation.
