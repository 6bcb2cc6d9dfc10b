"""Personas: the people the access policy talks about (STYLE.md §10)."""

import importlib
import os

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.utils import translation

from accounts.models import Role
from tests.accounts.factories import BranchFactory, StaffFactory, UserFactory

PASSWORD = "correct horse battery"

# Data migrations that load reference data (need types …) the code expects to exist.
REFERENCE_DATA_MIGRATIONS = [
    "customers.migrations.0003_default_need_types",
    "products.migrations.0002_default_questionnaire",
    "feedback.migrations.0002_default_sla_policies",
    "insights.migrations.0002_default_rules_and_policy",
    "insights.migrations.0003_product_and_feedback_rules",
    "insights.migrations.0004_score_policy_feedback_components",
    "insights.migrations.0005_unmet_need_priority",
]
DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _default_language():
    """Start every test in the default language (English). A request through the test client
    leaves its language active in the thread (LocaleMiddleware activates, nothing resets), so
    a test after a Chinese page would otherwise read Chinese messages."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Put reference data back for every database test.

    Migrations load it once, but a transactional test (browser, real worker) ends with a flush
    that empties every table, and --reuse-db keeps the emptied database for the next run.
    """
    uses_db = request.node.get_closest_marker("django_db") or DB_FIXTURES & set(
        request.fixturenames
    )
    if not uses_db:
        return
    request.getfixturevalue("django_db_setup")  # the test database, never the real one
    with request.getfixturevalue("django_db_blocker").unblock():
        for module in REFERENCE_DATA_MIGRATIONS:
            importlib.import_module(module).load(apps, None)


@pytest.fixture
def branch_a(db):
    return BranchFactory(code="A01", name="浦东支行", city="上海")


@pytest.fixture
def branch_b(db):
    return BranchFactory(code="B01", name="天河支行", city="广州")


def _staff(username, role, branch):
    return StaffFactory(user=UserFactory(username=username), role=role, branch=branch).user


@pytest.fixture
def rm_alice(branch_a):
    """An RM in branch A; owns customers in most tests."""
    return _staff("alice", Role.RM, branch_a)


@pytest.fixture
def rm_carol(branch_a):
    """Another RM in Alice's branch."""
    return _staff("carol", Role.RM, branch_a)


@pytest.fixture
def rm_bob(branch_b):
    """An RM in another branch: everything of branch A is out of his scope."""
    return _staff("bob", Role.RM, branch_b)


@pytest.fixture
def supervisor(branch_a):
    return _staff("sam", Role.SUPERVISOR, branch_a)


@pytest.fixture
def head_office(db):
    user = StaffFactory(user=UserFactory(username="hilda"), role=Role.HEAD_OFFICE, branch=None).user
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(rm_alice):
    return _client_for(rm_alice)


@pytest.fixture
def bob_client(rm_bob):
    return _client_for(rm_bob)


@pytest.fixture
def supervisor_client(supervisor):
    return _client_for(supervisor)


@pytest.fixture
def head_office_client(head_office):
    return _client_for(head_office)


@pytest.fixture
def csrf_client():
    """A client that enforces CSRF like a browser-facing server does."""
    return Client(enforce_csrf_checks=True)


# -- Browser tests: Debian's chromium driven by Playwright (never a downloaded browser) -------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is needed: apt-get install chromium")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures
    # and the live server stay synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _watched_tab(browser, **context_options):
    """A fresh browser tab in a new context; after the test, it fails if the page broke the
    Content-Security-Policy."""
    context = browser.new_context(timezone_id="Asia/Shanghai", **context_options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield page
    context.close()
    assert not csp_errors, f"Content-Security-Policy violations: {csp_errors}"


@pytest.fixture
def page(browser):
    """A fresh browser tab in English (CSP violations fail the test)."""
    yield from _watched_tab(browser, locale="en-US")


@pytest.fixture
def phone_page(browser):
    """A fresh tab in Chinese on a 390 px phone screen (CSP violations fail the test)."""
    yield from _watched_tab(browser, locale="zh-CN", viewport={"width": 390, "height": 844})


def sign_in(page, live_server, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form [type=submit]")
    page.wait_for_url(f"{live_server.url}/")
