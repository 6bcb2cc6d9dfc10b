"""The navigation bar: which item the current page highlights, and its links."""

import re

import pytest
from django.urls import clear_script_prefix, get_script_prefix, reverse, set_script_prefix

from accounts.context_processors import NAV_SECTIONS, nav_section, nav_urls
from tests.customers.factories import CustomerFactory
from tests.interactions.factories import interaction_logged
from tests.products.factories import ProductFactory


def _highlighted(html: str) -> list[str]:
    """The labels of the highlighted items of the navigation bar; each one, and no other,
    is marked as the current page for assistive technologies."""
    nav = html.split('aria-label="Main navigation"', 1)[1].split("</nav>", 1)[0]
    link = r'<a class="nav-link( active)?"\s+(aria-current="page"\s+)?href="[^"]*"[^>]*>'
    links = re.findall(link + r"\s*([^<]+?)\s*<", nav)
    assert links, "no navigation links found"
    assert all(bool(active) == bool(current) for active, current, _ in links)
    return [label for active, _, label in links if active]


@pytest.mark.parametrize(
    ("url_name", "highlighted"),
    [
        ("home", ["Home"]),
        ("dashboards:dashboard", ["Dashboard"]),
        ("customers:list", ["Customers"]),
        ("customers:access_log", ["Customers"]),
        ("products:list", ["Products"]),
        ("products:campaigns", ["Campaigns"]),
        ("interactions:task_list", ["Tasks"]),
        ("feedback:case_list", ["Cases"]),
        ("insights:alert_list", ["Alerts"]),
        ("insights:score_list", ["Scores"]),
        ("feedback:notifications", ["Notifications"]),
        ("products:overrides", ["Products"]),
        ("products:holding_import", ["Products"]),
        ("products:campaign_create", ["Campaigns"]),
        ("interactions:team_tasks", ["Tasks"]),
        ("feedback:case_analytics", ["Cases"]),
        ("insights:alert_precision", ["Alerts"]),
        ("dashboards:need_changes", ["Dashboard"]),
    ],
)
def test_the_navigation_highlights_the_section_of_the_page(
    head_office_client, url_name, highlighted
):
    response = head_office_client.get(reverse(url_name))
    assert response.status_code == 200
    assert _highlighted(response.content.decode()) == highlighted


def test_a_records_page_highlights_the_section_it_belongs_to(alice_client, rm_alice):
    """An interaction is a customer's record; a product's page is under Products."""
    customer = CustomerFactory(relationship_manager=rm_alice)
    interaction = interaction_logged(rm_alice, customer)
    product = ProductFactory()
    for url, highlighted in [
        (customer.get_absolute_url(), ["Customers"]),
        (reverse("interactions:detail", args=[interaction.pk]), ["Customers"]),
        (reverse("interactions:edit", args=[interaction.pk]), ["Customers"]),
        (reverse("products:detail", args=[product.pk]), ["Products"]),
    ]:
        response = alice_client.get(url)
        assert response.status_code == 200, url
        assert _highlighted(response.content.decode()) == highlighted, url


def test_the_team_tasks_page_highlights_tasks_for_a_supervisor(supervisor_client):
    html = supervisor_client.get(reverse("interactions:team_tasks")).content.decode()
    assert _highlighted(html) == ["Tasks"]


@pytest.mark.parametrize("item", sorted(NAV_SECTIONS))
def test_every_items_own_link_is_in_its_section(item):
    assert nav_section(nav_urls(get_script_prefix())[item]) == item


def test_pages_outside_the_sections_highlight_nothing():
    assert nav_section("/") == "home"
    for path in ("/accounts/login/", "/s/abc/", "/admin/", "/customersx/", "/healthz"):
        assert nav_section(path) is None, path


def test_an_rm_sees_their_own_score_and_contact_list_highlighted(alice_client):
    html = alice_client.get(reverse("insights:score_list"), follow=True).content.decode()
    assert _highlighted(html) == ["My score"]
    html = alice_client.get(reverse("interactions:to_contact")).content.decode()
    assert _highlighted(html) == ["To contact"]


def test_the_links_follow_the_prefix_the_site_is_served_under(alice_client):
    """The navigation's URLs are reversed once per process and prefix (SCRIPT_NAME, which
    the WSGI handler sets; the test client does not)."""
    assert 'href="/customers/"' in alice_client.get("/").content.decode()
    set_script_prefix("/crm/")
    try:
        html = alice_client.get("/").content.decode()
    finally:
        clear_script_prefix()
    assert 'href="/crm/customers/"' in html
    assert 'href="/customers/"' not in html
