"""Every user-facing message has its Simplified Chinese translation, and stays so."""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
IGNORE = [".venv", "var", "staticfiles", "tests", "node_modules", "docs", "scripts"]


@pytest.fixture(scope="module")
def fresh_catalogue():
    """The committed catalogue merged with every string in the code today (makemessages).

    makemessages writes into the project's own locale/ whatever LOCALE_PATHS says, so the
    catalogue is merged in place, read, and put back exactly as it was.
    """
    if not shutil.which("xgettext"):
        pytest.fail("GNU gettext is needed for this test: apt-get install gettext")
    committed = PO.read_bytes()
    try:
        call_command(
            "makemessages",
            locale=["zh_Hans"],
            ignore_patterns=IGNORE,
            no_obsolete=True,
            verbosity=0,
        )
        return polib.pofile(str(PO))
    finally:
        PO.write_bytes(committed)


def test_every_message_is_translated(fresh_catalogue):
    missing = [e.msgid for e in fresh_catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in fresh_catalogue.fuzzy_entries()]
    assert not missing, f"untranslated: {missing[:20]} — run `make messages` and translate"
    assert not fuzzy, f"fuzzy (needs review): {fuzzy[:20]}"


def test_compiled_catalogue_matches_the_source():
    source = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural
        for e in polib.pofile(str(PO))
        if e.translated() and not e.obsolete
    }
    compiled = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural
        for e in polib.mofile(str(PO.with_suffix(".mo")))
    }
    compiled.pop((None, ""), None)  # the header
    assert source == compiled, "locale/…/django.mo is stale — run `make messages`"


def test_gettext_is_never_imported_under_another_name():
    """makemessages only finds _(), gettext() and friends: an alias hides its strings."""
    pattern = re.compile(r"from django\.utils\.translation import .*\bas (?!_\b)\w+")
    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for app in ("accounts", "crm", "customers", "interactions")
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py")
        if pattern.search(path.read_text())
    ]
    assert offenders == []


def test_default_reference_data_reads_in_chinese(db):
    from django.utils import translation

    from customers.models import NeedType

    education = NeedType.objects.get(code="education")
    with translation.override("zh-hans"):
        assert str(education) == "教育金"
    assert str(education) == "Education funding"


def test_our_catalogue_does_not_reuse_a_word_of_djangos_with_another_meaning(
    client, django_user_model
):
    """Our catalogue wins over Django's: a msgid we share with admin or simple-history must
    mean the same there. "Today" (admin's date filter) read "今日到期" (due today), staff's
    "active" (在职, employed) named need types and user accounts, "Created" (an alert's
    creation time) labelled history records, "Comment" (feedback) the reason of a change."""
    from django.utils import translation
    from django.utils.translation import gettext, pgettext

    from customers.models import NeedType

    with translation.override("zh-hans"):
        assert gettext("Today") == "今天"
        assert pgettext("staff", "active") == "在职"
        assert str(NeedType._meta.get_field("is_active").verbose_name) == "有效"
        assert gettext("Created") == "已创建"  # simple-history's "+" record
        assert pgettext("time", "Created") == "创建时间"
        assert pgettext("change reason", "Comment") == "备注"
    client.force_login(django_user_model.objects.create_superuser("root", password="x" * 12))
    client.cookies["django_language"] = "zh-hans"
    body = client.get("/admin/customers/needchange/").content.decode()
    assert "今天" in body and "今日到期" not in body


def test_closed_reads_as_closed_except_for_a_product_no_longer_on_sale():
    """One English word, two meanings: a case, a campaign or an alert is 已关闭; a product
    version is 已停售 (no longer on sale)."""
    from django.utils import translation

    from feedback.models import CaseStatus
    from products.models import Campaign, ProductVersion

    with translation.override("zh-hans"):
        assert str(CaseStatus.CLOSED.label) == str(Campaign.Status.CLOSED.label) == "已关闭"
        assert str(ProductVersion.Status.CLOSED.label) == "已停售"
