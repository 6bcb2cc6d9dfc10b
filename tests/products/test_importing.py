"""Holdings from core banking: dry run, per-line errors, all-or-nothing, idempotent re-import,
scope, the upload page and manage.py import_holdings."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from crm.csvimport import import_commit, import_dry_run
from customers.models import AuditEntry, Customer
from products.importing import HoldingImporter
from products.models import Holding
from tests.customers.factories import CustomerFactory
from tests.products.factories import product_on_shelf

pytestmark = pytest.mark.django_db

HEADER = "reference,customer_number,product_code,principal,start_date,maturity_date,status\n"


@pytest.fixture
def setting(rm_alice, rm_bob):
    alice = CustomerFactory(relationship_manager=rm_alice, customer_number="CIF000001")
    bob = CustomerFactory(relationship_manager=rm_bob, customer_number="CIF000002")
    product = product_on_shelf("R3", code="WMP-CY180")
    return alice, bob, product


def _importer(user):
    return HoldingImporter(actor=user, customers=Customer.objects.visible_to(user))


def test_a_good_file_imports_and_reimports_idempotently(supervisor, setting):
    alice, _bob, product = setting
    text = HEADER + (
        'HT-1,CIF000001,wmp-cy180,"50,000.00",2026-01-05,2026-07-04,active\n'
        "HT-2,CIF000001,WMP-CY180,20000,2026-02-01,,\n"
    )
    dry = import_dry_run(_importer(supervisor), text)
    assert (dry.rows, dry.created, dry.errors) == (2, 2, [])
    assert not Holding.objects.exists()
    report = import_commit(_importer(supervisor), text)
    assert report.committed and report.created == 2
    holding = Holding.objects.get(reference="HT-1")
    assert holding.principal == Decimal("50000.00") and holding.customer == alice
    assert holding.currency == "CNY" and holding.product == product
    again = import_commit(_importer(supervisor), text)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = import_commit(_importer(supervisor), text.replace("20000", "25000"))
    assert changed.updated == 1
    assert Holding.objects.count() == 2
    assert AuditEntry.objects.filter(action="holdings.imported").count() == 3


def test_bad_rows_are_reported_by_line_and_nothing_is_written(supervisor, setting):
    text = HEADER + (
        "HT-1,CIF000001,WMP-CY180,1000,2026-01-05,,\n"
        "HT-2,CIF000001,NOPE-1,1000,2026-01-05,,\n"
        "HT-3,CIF000001,WMP-CY180,-5,2026-01-05,,\n"
        "HT-4,CIF000002,WMP-CY180,1000,2026-01-05,,\n"
        "HT-5,CIF000001,WMP-CY180,1000,2026-01-05,2025-01-01,\n"
        "HT-1,CIF000001,WMP-CY180,1000,2026-01-05,,\n"
    )
    report = import_commit(_importer(supervisor), text)
    assert not report.committed
    errors = {e.line: e.message for e in report.errors}
    assert "“NOPE-1” is not in the product catalogue" in errors[3]
    assert "principal" in errors[4]
    assert "no customer “CIF000002” in your scope" in errors[5]  # Bob's branch
    assert "maturity_date" in errors[6]
    assert "appears twice" in errors[7]
    assert 2 not in errors
    assert not Holding.objects.exists()


def test_missing_columns_stop_the_file(supervisor, setting):
    report = import_dry_run(_importer(supervisor), "reference,customer_number\nX,Y\n")
    assert "Missing columns" in report.errors[0].message


def test_upload_page_dry_run_then_commit(supervisor_client, supervisor, setting):
    content = (HEADER + "HT-9,CIF000001,WMP-CY180,1000,2026-01-05,,\n").encode()
    response = supervisor_client.post(
        reverse("products:holding_import"),
        {"file": SimpleUploadedFile("h.csv", content, content_type="text/csv")},
    )
    assert response.status_code == 200
    token = response.context["token"]
    assert response.context["report"].created == 1 and not Holding.objects.exists()
    done = supervisor_client.post(reverse("products:holding_import_commit"), {"token": token})
    assert done.status_code == 302
    assert Holding.objects.filter(reference="HT-9").exists()
    again = supervisor_client.post(reverse("products:holding_import_commit"), {"token": token})
    assert again.status_code == 404  # a double submit imports once
    assert Holding.objects.count() == 1


def test_rms_cannot_import(alice_client):
    assert alice_client.get(reverse("products:holding_import")).status_code == 403


def test_import_holdings_command(tmp_path, setting, head_office):
    path = tmp_path / "holdings.csv"
    path.write_text(HEADER + "HT-7,CIF000002,WMP-CY180,3000,2026-03-01,,\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_holdings", str(path), "--user", head_office.username, stdout=out)
    assert "Dry run" in out.getvalue() and not Holding.objects.exists()
    call_command("import_holdings", str(path), "--commit", "--user", "hilda", stdout=out)
    assert Holding.objects.get(reference="HT-7").principal == Decimal("3000.00")
    path.write_text(HEADER + "HT-8,CIF000002,NOPE,3000,2026-03-01,,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 row"):
        call_command("import_holdings", str(path), "--commit", "--user", "hilda", stdout=out)
