from __future__ import annotations

import functools

from django.conf import settings
from django.urls import get_script_prefix, reverse

from accounts.models import Role, role_of
from accounts.sessions import idle_warning_lead_seconds

# The navigation bar's links (templates/includes/navbar.html): item → URL name.
NAV_LINKS = {
    "home": "home",
    "dashboard": "dashboards:dashboard",
    "customers": "customers:list",
    "products": "products:list",
    "campaigns": "products:campaigns",
    "tasks": "interactions:task_list",
    "cases": "feedback:case_list",
    "feedback": "feedback:feedback_list",
    "alerts": "insights:alert_list",
    "scores": "insights:score_list",
    "to_contact": "interactions:to_contact",
    "admin": "admin:index",
    "set_language": "set_language",
    "notifications": "feedback:notifications",
    "notifications_unread": "feedback:notifications_unread",
    "password_change": "password_change",
    "logout": "logout",
}


@functools.cache
def nav_urls(script_prefix: str) -> dict[str, str]:
    """NAV_LINKS reversed, once per process: reversing a URL costs about as much as
    rendering the rest of the navigation bar, and these never change while the site runs
    under a given prefix (`script_prefix`, which `reverse` reads, is the cache's key)."""
    return {item: reverse(name) for item, name in NAV_LINKS.items()}


# The sections the navigation bar highlights: item → the beginnings of the paths (after the
# script prefix) of the pages that belong to it. A page belongs to the item of the longest
# beginning its path has, so a section's pages are found wherever a view lives: an
# interaction is a customer's record, and campaigns sit under products. The home page
# belongs to "home" alone. tests/accounts/test_navigation.py checks every item's own link
# falls in its section.
NAV_SECTIONS = {
    "dashboard": ("/dashboard/",),
    "customers": ("/customers/", "/interactions/"),
    "products": ("/products/",),
    "campaigns": ("/products/campaigns/", "/products/campaign-targets/"),
    "tasks": ("/tasks/",),
    "cases": ("/cases/",),
    "feedback": ("/feedback/",),
    "alerts": ("/alerts/",),
    "scores": ("/scores/",),
    "to_contact": ("/to-contact/",),
    "notifications": ("/notifications/",),
}
# (beginning, item), longest beginning first.
_NAV_PREFIXES = sorted(
    ((prefix, item) for item, prefixes in NAV_SECTIONS.items() for prefix in prefixes),
    key=lambda pair: -len(pair[0]),
)


def nav_section(path_info: str) -> str | None:
    """The navigation item the page at `path_info` belongs to, or None (the sign-in page,
    a customer's survey, ...). String comparisons only: no query, no URL resolving."""
    if path_info == "/":
        return "home"
    return next((item for prefix, item in _NAV_PREFIXES if path_info.startswith(prefix)), None)


def nav_active(request) -> dict[str, bool]:
    """Which navigation item the current page belongs to (highlighted in the bar, with
    aria-current): {item: True} for that one item, or {}."""
    section = nav_section(getattr(request, "path_info", ""))
    return {section: True} if section is not None else {}


def role(request):
    """The signed-in user's role, for the role-aware navigation, with the navigation's
    links (`nav_urls`) and which of them the current page belongs to (`nav_active`)."""
    user = getattr(request, "user", None)
    current = role_of(user) if user is not None else None
    return {
        "user_role": current,
        "is_head_office": current == Role.HEAD_OFFICE,
        "is_supervisor": current == Role.SUPERVISOR,
        "is_rm": current == Role.RM,
        "nav_urls": nav_urls(get_script_prefix()),
        "nav_active": nav_active(request),
    }


@functools.cache
def _idle_warning_urls(script_prefix: str) -> tuple[str, str]:
    """The idle warning's two endpoints, reversed once per process (as `nav_urls`)."""
    return reverse("session_status"), reverse("session_keepalive")


def idle_warning(request):
    """What the idle warning (static/js/idle-warning.js) needs on a signed-in page: the idle
    length, how long before its end to warn (accounts.sessions.idle_warning_lead_seconds) and
    the endpoints to ask and to keep the session alive. Nothing for a visitor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    status_url, keepalive_url = _idle_warning_urls(get_script_prefix())
    return {
        "idle_warning": {
            "idle_seconds": settings.SESSION_COOKIE_AGE,
            "lead_seconds": idle_warning_lead_seconds(),
            "status_url": status_url,
            "keepalive_url": keepalive_url,
        }
    }
