"""The navigation bar: which item the current page highlights, and its links."""

import re

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix


def _highlighted(html: str) -> list[str]:
    """The labels of the highlighted items of the role navigation."""
    nav = html.split('data-testid="role-nav"', 1)[1].split("</ul>", 1)[0]
    return [
        label.strip()
        for label in re.findall(r'class="nav-link active"\s+href="[^"]*">\s*([^<]+?)\s*<', nav)
    ]


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
        ("feedback:notifications", []),
    ],
)
def test_the_navigation_highlights_the_section_of_the_page(
    head_office_client, url_name, highlighted
):
    html = head_office_client.get(reverse(url_name)).content.decode()
    assert _highlighted(html) == highlighted


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
