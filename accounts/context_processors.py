from __future__ import annotations

import functools

from django.urls import get_script_prefix, reverse

from accounts.models import Role, role_of

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


def nav_active(request) -> dict[str, bool]:
    """Which navigation items the current page belongs to (highlighted in the bar)."""
    match = getattr(request, "resolver_match", None)
    app, name = (match.app_name, match.url_name) if match is not None else ("", "")
    return {
        "home": name == "home",
        "dashboard": app == "dashboards",
        "customers": app == "customers",
        "products": app == "products" and name == "list",
        "campaigns": name in ("campaigns", "campaign_detail"),
        "tasks": name == "task_list",
        "cases": name == "case_list",
        "feedback": name == "feedback_list",
        "alerts": app == "insights" and name not in ("score_list", "score_detail"),
        "scores": name in ("score_list", "score_detail"),
        "to_contact": name == "to_contact",
    }


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
