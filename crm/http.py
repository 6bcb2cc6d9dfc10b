"""Request helpers shared by every app's views."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request: HttpRequest, default: str) -> str:
    """A same-site `next` from the form or query string, else `default`.

    `//elsewhere.example/` starts with a slash too: only Django's host check keeps a crafted
    link from sending staff to another site after they act.
    """
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
