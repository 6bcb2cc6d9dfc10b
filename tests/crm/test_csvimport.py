"""The CSV import framework (crm/csvimport.py) and the bad cells of issue 8 items 4 and 5."""

import datetime as dt
import logging
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse

from accounts.models import Branch
from crm.csvimport import (
    CSV_FIELD_LIMIT,
    MAX_CELL_CHARS,
    CsvImporter,
    ImportReport,
    cell_clean,
    cell_date,
    cell_decimal,
    import_commit,
    import_dry_run,
    pending_upload_commit,
    pending_upload_store,
)
from crm.models import PendingUpload
from customers.importing import CUSTOMER_OPTIONAL, CUSTOMER_REQUIRED, CustomerImporter
from customers.models import AuditEntry, BalanceSnapshot, Customer
from tests.customers.factories import CustomerFactory, national_id_for

HEADER = "customer_number,name,date_of_birth,national_id,branch_code,address"


def _row(n: int, branch, address="上海市浦东新区世纪大道1号") -> str:
    born = dt.date(1980, 1, 1) + dt.timedelta(days=n)
    national_id = national_id_for(born, n)
    return f"63{n:010d},客户{n},{born.isoformat()},{national_id},{branch.code},{address}"


# -- Reading: line numbers ---------------------------------------------------------------------


def test_line_numbers_count_quoted_cells_that_span_lines(head_office, branch_a):
    text = "\n".join(
        [
            HEADER,
            _row(1, branch_a, address='"浦东新区\n世纪大道1号\n3楼"'),  # lines 2–4
            _row(2, branch_a).replace(branch_a.code, "NOPE"),  # line 5
            "",  # line 6, blank
            _row(3, branch_a, address='"两行\n地址"').replace("客户3", ""),  # lines 7–8
        ]
    )
    report = import_dry_run(CustomerImporter(actor=head_office), text)
    assert [e.line for e in report.errors] == [5, 7]
    assert report.rows == 3


def test_missing_columns_stop_the_file_on_line_1(head_office):
    report = import_dry_run(CustomerImporter(actor=head_office), "customer_number,name\n1,x\n")
    assert [(e.line, e.message) for e in report.errors] == [
        (1, "Missing columns: date_of_birth, national_id, branch_code")
    ]


# -- The cell cleaner --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("a\x00b", "NUL character"),
        ("\x00", "NUL character"),
        ("bell\x07", "control character"),
        ("esc\x1b[31m", "control character"),
        ("c1\x85c1", "control character"),
        ("x" * (MAX_CELL_CHARS + 1), f"longer than {MAX_CELL_CHARS}"),
    ],
)
def test_the_cell_cleaner_refuses_what_cannot_be_stored(value, message):
    with pytest.raises(ValidationError, match=message):
        cell_clean(value, "address")


def test_the_cell_cleaner_keeps_text_and_line_breaks():
    assert cell_clean("  浦东新区\n世纪大道\t1号 ", "address") == "浦东新区\n世纪大道\t1号"
    assert cell_clean(None, "address") == ""


@pytest.mark.parametrize(
    "value",
    [
        *("NaN", "sNaN", "-sNaN", "nan", "Infinity", "-Infinity", "inf", "1e5", "1E400", "0x1F"),
        *("²", "①", "１２３", "١٢٣", "1,23", "1.2.3", "--1", "1 000", "12.", ".5"),
    ],
)
def test_amounts_are_plain_ascii_numbers(value):
    with pytest.raises(ValidationError, match=r"deposits: .* is not an amount"):
        cell_decimal(value, "deposits")


def test_amounts_in_range():
    assert cell_decimal("12,345.6", "deposits") == Decimal("12345.60")
    assert cell_decimal("", "deposits") == Decimal("0.00")
    with pytest.raises(ValidationError, match="cannot be negative"):
        cell_decimal("-1", "deposits")
    with pytest.raises(ValidationError, match="at most 14 digits and 2 decimals"):
        cell_decimal("1.234", "deposits")
    with pytest.raises(ValidationError, match="at most 14 digits and 2 decimals"):
        cell_decimal("1" + "0" * 14, "deposits")


@pytest.mark.parametrize("value", ["２０２４-01-01", "2024-02-30", "0001-01-01", "yesterday"])
def test_dates_are_iso_and_plausible(value):
    with pytest.raises(ValidationError, match="as_of: "):
        cell_date(value, "as_of")


def test_a_cell_over_the_csv_field_limit_is_an_error_on_its_line(head_office, branch_a):
    huge = "x" * (CSV_FIELD_LIMIT + 10)
    text = "\n".join([HEADER, _row(1, branch_a, address=huge), _row(2, branch_a)])
    report = import_dry_run(CustomerImporter(actor=head_office), text)
    assert [e.line for e in report.errors] == [2]
    assert "longer than" in report.errors[0].message
    assert report.created == 1  # the next line is still read and checked


def test_a_nul_byte_fails_the_dry_run_and_the_commit_writes_nothing(head_office, branch_a):
    text = "\n".join([HEADER, _row(1, branch_a), _row(2, branch_a, address="a\x00b")])
    dry = import_dry_run(CustomerImporter(actor=head_office), text)
    assert [(e.line, "NUL" in e.message) for e in dry.errors] == [(3, True)]
    report = import_commit(CustomerImporter(actor=head_office), text)
    assert not report.committed
    assert not Customer.objects.exists()
    assert not AuditEntry.objects.filter(action="customer.imported").exists()


# -- Commit ------------------------------------------------------------------------------------


class BranchImporter(CsvImporter):
    """A minimal importer, as a new app would write one: branches by code."""

    kind = "branches"
    required = ["code", "name"]

    def check(self, batch, report):
        report.created += len(batch)
        return [Branch(code=row["code"], name=row["name"], city="上海") for row in batch]

    def write(self, plan):
        Branch.objects.bulk_create(plan)

    def audit(self, report):
        AuditEntry.objects.create(action="branch.imported", detail=report.totals())


def test_a_new_importer_needs_only_check_write_and_audit(db):
    report = import_commit(BranchImporter(actor=None), "code,name\nZ01,新网点\nZ02,又一个\n")
    assert report.committed
    assert set(Branch.objects.values_list("code", flat=True)) == {"Z01", "Z02"}
    assert AuditEntry.objects.get(action="branch.imported").detail["created"] == 2


def test_a_database_refusal_shows_a_reference_and_logs_no_values(db, caplog):
    Branch.objects.create(code="CANARY77", name="已有", city="上海")
    with caplog.at_level(logging.INFO):
        report = import_commit(BranchImporter(actor=None), "code,name\nCANARY77,重复\n")
    assert not report.committed
    assert report.reference
    (error,) = report.errors
    assert report.reference in error.message
    assert "CANARY" not in error.message
    assert report.reference in caplog.text
    assert "CANARY" not in caplog.text
    assert Branch.objects.count() == 1  # nothing written
    assert not AuditEntry.objects.filter(action="branch.imported").exists()


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_writer_at_commit_gives_the_user_a_reference_not_the_row(
    supervisor, branch_a, caplog
):
    """The dry run passed; meanwhile someone else saves the same national ID (not yet
    committed when the import checks). PostgreSQL's refusal quotes the ID; the user and the log
    get a reference."""
    born = dt.date(1980, 1, 2)
    national_id = national_id_for(born, 1)
    text = "\n".join([HEADER, _row(1, branch_a)])
    upload = pending_upload_store(
        actor=supervisor, kind="customers", name="c.csv", content=text.encode()
    )
    inserted, release = threading.Event(), threading.Event()

    def other_writer():
        try:
            with transaction.atomic():
                CustomerFactory(national_id=national_id, branch=branch_a, name="另一个人")
                inserted.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_writer)
    thread.start()
    assert inserted.wait(10)
    threading.Timer(1.0, release.set).start()  # commits while our insert waits on it
    try:
        with caplog.at_level(logging.INFO):
            upload_back, report = pending_upload_commit(
                importer=CustomerImporter(actor=supervisor, branch=branch_a),
                token=str(upload.token),
            )
    finally:
        release.set()
        thread.join()
    assert upload_back is not None and not report.committed
    assert report.reference in report.errors[0].message
    assert national_id not in report.errors[0].message
    assert national_id not in caplog.text and "客户1" not in caplog.text
    assert Customer.objects.count() == 1  # only the other writer's
    assert PendingUpload.objects.filter(pk=upload.pk).exists()  # still there to retry


def test_a_double_submitted_commit_imports_once(supervisor_client, supervisor, branch_a):
    content = "\n".join([HEADER, _row(1, branch_a)]).encode()
    response = supervisor_client.post(
        reverse("customers:import"),
        {"kind": "customers", "file": SimpleUploadedFile("c.csv", content, "text/csv")},
    )
    token = response.context["token"]
    first = supervisor_client.post(reverse("customers:import_commit"), {"token": token})
    second = supervisor_client.post(reverse("customers:import_commit"), {"token": token})
    assert first.status_code == 302
    assert second.status_code == 404  # nothing left to commit
    assert Customer.objects.count() == 1
    assert AuditEntry.objects.filter(action="customer.imported").count() == 1
    again = pending_upload_commit(
        importer=CustomerImporter(actor=supervisor, branch=branch_a), token=token
    )
    assert again == (None, None)


# -- Fuzz: every column of every import, through the page, never a 5xx -------------------------

HOSTILE = [
    "\x00",
    "a\x00b",
    "NaN",
    "sNaN",
    "-Infinity",
    "Infinity",
    "1e400",
    "²",
    "①",
    "１２３",
    "\u202e",
    "\x1b[2J",
    "0x1F",
    "-0",
    "9" * 40,
    '"',
    "\\N",
    "2024-02-30",
    "0001-01-01",
    "9999-12-31",
    "x" * (MAX_CELL_CHARS + 1),
    "x" * (CSV_FIELD_LIMIT + 1),
]


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _customer_file(column: str, branch, rm) -> str:
    header = [*CUSTOMER_REQUIRED, *CUSTOMER_OPTIONAL]
    lines = [",".join(header)]
    for n, value in enumerate(HOSTILE, start=1):
        born = dt.date(1980, 1, 1) + dt.timedelta(days=n)
        row = {
            "customer_number": f"64{n:010d}",
            "name": f"客户{n}",
            "date_of_birth": born.isoformat(),
            "national_id": national_id_for(born, n),
            "branch_code": branch.code,
            "rm_employee_number": rm.staff.employee_number,
        }
        row[column] = value
        lines.append(",".join(_quote(row.get(name, "")) for name in header))
    return "\n".join(lines) + "\n"


def _balance_file(column: str, customer) -> str:
    lines = ["customer_number,as_of,deposits,investments,loans"]
    for n, value in enumerate(HOSTILE, start=1):
        row = {
            "customer_number": customer.customer_number,
            "as_of": (dt.date(2024, 1, 1) + dt.timedelta(days=n)).isoformat(),
            "deposits": "1",
            "investments": "2",
            "loans": "3",
        }
        row[column] = value
        lines.append(",".join(_quote(v) for v in row.values()))
    return "\n".join(lines) + "\n"


def _upload_and_commit(client, kind: str, text: str) -> ImportReport:
    response = client.post(
        reverse("customers:import"),
        {"kind": kind, "file": SimpleUploadedFile("f.csv", text.encode(), "text/csv")},
    )
    assert response.status_code == 200, response.status_code
    report = response.context["report"]
    commit = client.post(reverse("customers:import_commit"), {"token": response.context["token"]})
    assert commit.status_code < 500
    return report


@pytest.mark.parametrize("column", CUSTOMER_REQUIRED + CUSTOMER_OPTIONAL)
def test_fuzz_every_customer_column(head_office_client, branch_a, rm_alice, column):
    report = _upload_and_commit(
        head_office_client, "customers", _customer_file(column, *[branch_a, rm_alice])
    )
    errors = {e.line for e in report.errors}
    assert errors <= set(range(2, len(HOSTILE) + 2))
    # NUL, the control characters and the over-long cells are refused on their own lines.
    for value in ("\x00", "a\x00b", "\x1b[2J", "x" * (CSV_FIELD_LIMIT + 1)):
        assert HOSTILE.index(value) + 2 in errors, (column, value)
    assert not Customer.objects.exists()  # every file has errors: nothing written


@pytest.mark.parametrize("column", ["customer_number", "as_of", "deposits", "investments", "loans"])
def test_fuzz_every_balance_column(head_office_client, rm_alice, column):
    customer = CustomerFactory(relationship_manager=rm_alice)
    report = _upload_and_commit(head_office_client, "balances", _balance_file(column, customer))
    errors = {e.line for e in report.errors}
    for value in ("\x00", "NaN", "sNaN", "Infinity", "²", "①", "x" * (CSV_FIELD_LIMIT + 1)):
        assert HOSTILE.index(value) + 2 in errors, (column, value)
    assert not BalanceSnapshot.objects.exists()
