"""Headers and markup that let the browser enforce what the server intends."""

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_pages_carry_a_strict_content_security_policy(alice_client):
    response = alice_client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_session_and_csrf_cookies_are_http_only(client, rm_alice):
    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "correct horse battery"}
    )
    assert response.cookies[settings.SESSION_COOKIE_NAME]["httponly"]
    assert settings.CSRF_COOKIE_HTTPONLY


def test_templates_have_no_inline_script_or_style():
    """The policy allows neither, so they would silently not work in the browser."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\bstyle=", text):
            offenders.append(str(path.relative_to(TEMPLATES)))
        if re.search(r"\son[a-z]+=\"", text):  # onclick=… and friends
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == []
