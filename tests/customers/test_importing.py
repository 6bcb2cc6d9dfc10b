"""Core-banking imports: dry run, per-line errors, all or nothing, idempotent, scoped."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from crm.csvimport import pending_upload_for, pending_upload_store
from crm.models import JobRun, PendingUpload
from crm.tasks import pending_uploads_purge_task
from customers.importing import import_balances, import_customers
from customers.models import AuditEntry, BalanceSnapshot, Customer
from tests.customers.factories import CustomerFactory, national_id_for

HEADER = (
    "customer_number,name,date_of_birth,national_id,branch_code,phone,segment,rm_employee_number"
)


def _line(n: int, branch, rm=None, **over) -> str:
    born = over.get("born", dt.date(1980, 1, 1) + dt.timedelta(days=n))
    values = {
        "customer_number": f"63{n:010d}",
        "name": f"客户{n}",
        "date_of_birth": born.isoformat(),
        "national_id": national_id_for(born, n),
        "branch_code": branch.code,
        "phone": "13800138000",
        "segment": "mass",
        "rm": rm.staff.employee_number if rm else "",
    } | {k: v for k, v in over.items() if k != "born"}
    return ",".join(values.values())


def _csv(*lines: str) -> io.StringIO:
    return io.StringIO("\n".join([HEADER, *lines]) + "\n")


def test_dry_run_writes_nothing(head_office, branch_a, rm_alice):
    report = import_customers(
        actor=head_office, lines=_csv(_line(1, branch_a, rm_alice)), commit=False
    )
    assert (report.rows, report.created, report.errors) == (1, 1, [])
    assert not Customer.objects.exists()


def test_errors_have_line_numbers_and_nothing_is_written(head_office, branch_a, rm_alice):
    lines = _csv(
        _line(1, branch_a, rm_alice),
        _line(2, branch_a, rm_alice, national_id="110105198001031235"),
        _line(3, branch_a, rm_alice, phone="555"),
        _line(4, branch_a, rm_alice, branch_code="NOPE"),
        _line(1, branch_a, rm_alice),  # the same customer number again
    )
    report = import_customers(actor=head_office, lines=lines, commit=True)
    assert not report.committed
    by_line = {e.line: e.message for e in report.errors}
    assert set(by_line) == {3, 4, 5, 6}
    assert "national_id" in by_line[3]
    assert "phone" in by_line[4]
    assert "NOPE" in by_line[5]
    assert "twice" in by_line[6]
    assert not Customer.objects.exists()  # all or nothing


def test_reimport_changes_nothing_and_updates_upsert(head_office, branch_a, rm_alice):
    text = "\n".join([HEADER, _line(1, branch_a, rm_alice), _line(2, branch_a, rm_alice)])
    first = import_customers(actor=head_office, lines=io.StringIO(text), commit=True)
    assert first.committed and first.created == 2
    stamps = dict(Customer.objects.values_list("customer_number", "updated_at"))
    again = import_customers(actor=head_office, lines=io.StringIO(text), commit=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert dict(Customer.objects.values_list("customer_number", "updated_at")) == stamps
    changed = text.replace("客户2", "客户贰")
    third = import_customers(actor=head_office, lines=io.StringIO(changed), commit=True)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 1)
    customer = Customer.objects.get(name="客户贰")
    assert "贰" in customer.search_bigrams
    assert customer.history.count() == 2  # created by the first import, changed by the third
    assert AuditEntry.objects.filter(action="customer.imported").count() == 3


def test_supervisor_imports_only_into_own_branch(supervisor, branch_a, branch_b, rm_alice):
    lines = _csv(_line(1, branch_a, rm_alice), _line(2, branch_b))
    report = import_customers(actor=supervisor, lines=lines, commit=True, branch=branch_a)
    assert [e.line for e in report.errors] == [3]
    assert not Customer.objects.exists()


def test_missing_columns_are_reported_on_line_1(head_office):
    report = import_customers(
        actor=head_office, lines=io.StringIO("customer_number,name\n1,x\n"), commit=False
    )
    assert report.errors[0].line == 1
    assert "national_id" in report.errors[0].message


def test_balances_upsert_and_validate(head_office, rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    number = customer.customer_number
    text = (
        "customer_number,as_of,deposits,investments,loans\n"
        f"{number},2025-01-31,1000.50,200,0\n"
        f"{number},2025-02-28,1100,210,0\n"
    )
    report = import_balances(actor=head_office, lines=io.StringIO(text), commit=True)
    assert report.committed and report.created == 2
    again = import_balances(actor=head_office, lines=io.StringIO(text), commit=True)
    assert again.unchanged == 2 and BalanceSnapshot.objects.count() == 2
    future = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    bad = (
        "customer_number,as_of,deposits,investments,loans\n"
        f"{number},2025-03-31,-5,0,0\n"
        f"999999999,2025-03-31,1,0,0\n"
        f"{number},{future},1,0,0\n"
    )
    report = import_balances(actor=head_office, lines=io.StringIO(bad), commit=True)
    assert [e.line for e in report.errors] == [2, 3, 4]
    assert BalanceSnapshot.objects.count() == 2


def test_balances_of_customers_out_of_scope_are_refused(rm_bob, rm_alice):
    customer = CustomerFactory(relationship_manager=rm_alice)
    text = (
        "customer_number,as_of,deposits,investments,loans\n"
        f"{customer.customer_number},2025-01-31,1,1,1\n"
    )
    report = import_balances(
        actor=rm_bob,
        lines=io.StringIO(text),
        commit=True,
        customers=Customer.objects.visible_to(rm_bob),
    )
    assert report.errors and not BalanceSnapshot.objects.exists()


def test_upload_page_dry_run_then_commit(supervisor_client, branch_a, rm_alice):
    content = "\n".join([HEADER, _line(1, branch_a, rm_alice)]).encode()
    response = supervisor_client.post(
        reverse("customers:import"),
        {"kind": "customers", "file": SimpleUploadedFile("c.csv", content, "text/csv")},
    )
    assert response.status_code == 200
    assert response.context["report"].created == 1
    assert not Customer.objects.exists()
    token = response.context["token"]
    response = supervisor_client.post(reverse("customers:import_commit"), {"token": token})
    assert response.status_code == 302
    assert Customer.objects.get().branch == branch_a


def test_upload_page_shows_line_errors(head_office_client, branch_a):
    content = "\n".join([HEADER, _line(1, branch_a, phone="12")]).encode()
    response = head_office_client.post(
        reverse("customers:import"),
        {"kind": "customers", "file": SimpleUploadedFile("c.csv", content, "text/csv")},
    )
    assert [e.line for e in response.context["report"].errors] == [2]
    assert 'data-testid="import-commit"' not in response.content.decode()


def test_commit_token_of_another_session_is_404(head_office_client):
    response = head_office_client.post(reverse("customers:import_commit"), {"token": "abc"})
    assert response.status_code == 404


def test_pending_upload_lives_in_the_database_for_its_uploader_only(
    supervisor_client, head_office_client, branch_a, rm_alice
):
    """Any web server can commit it (no local file), but only the person who uploaded it."""
    content = "\n".join([HEADER, _line(1, branch_a, rm_alice)]).encode()
    response = supervisor_client.post(
        reverse("customers:import"),
        {"kind": "customers", "file": SimpleUploadedFile("c.csv", content, "text/csv")},
    )
    token = response.context["token"]
    assert bytes(PendingUpload.objects.get(token=token).content) == content
    stranger = head_office_client.post(reverse("customers:import_commit"), {"token": token})
    assert stranger.status_code == 404
    assert not Customer.objects.exists()
    supervisor_client.post(reverse("customers:import_commit"), {"token": token})
    assert Customer.objects.count() == 1
    assert not PendingUpload.objects.exists()  # gone once committed


def test_uploads_never_committed_are_purged_after_a_day(supervisor, branch_a):
    old = pending_upload_store(actor=supervisor, kind="customers", name="a.csv", content=b"x")
    PendingUpload.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=25)
    )
    fresh = pending_upload_store(actor=supervisor, kind="customers", name="b.csv", content=b"y")
    assert list(PendingUpload.objects.all()) == [fresh]  # storing purged the stale one
    assert pending_upload_for(actor=supervisor, token=str(old.token)) is None
    PendingUpload.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    pending_uploads_purge_task.delay()
    assert not PendingUpload.objects.exists()
    assert JobRun.objects.get(job="pending_uploads_purge").rows == 1


def test_management_commands(tmp_path, branch_a, rm_alice):
    path = tmp_path / "customers.csv"
    path.write_text("\n".join([HEADER, _line(1, branch_a, rm_alice)]) + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_customers", str(path), stdout=out)
    assert "Dry run" in out.getvalue() and not Customer.objects.exists()
    call_command("import_customers", str(path), "--commit", stdout=out)
    assert Customer.objects.count() == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([HEADER, _line(2, branch_a, phone="1")]) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 row"):
        call_command("import_customers", str(bad), "--commit", stdout=out, stderr=io.StringIO())
    balances = tmp_path / "balances.csv"
    balances.write_text(
        "customer_number,as_of,deposits,investments,loans\n630000000001,2025-01-31,1,2,3\n"
    )
    call_command("import_balances", str(balances), "--commit", stdout=out)
    assert BalanceSnapshot.objects.count() == 1


def test_an_imported_risk_class_is_an_assessment_and_the_latest_sets_the_class(
    head_office, branch_a, rm_alice
):
    """Issue 9 item 1: the class comes only from assessments — one imported from core banking
    is recorded as one (no questionnaire score), once, and an older one does not replace it."""
    from customers.models import RiskAssessment

    header = HEADER + ",risk_class,risk_assessed_on"

    def csv_with(*extra: str):
        line = _line(1, branch_a, rm_alice)
        return io.StringIO("\n".join([header, *(f"{line},{e}" for e in extra)]) + "\n")

    report = import_customers(actor=head_office, lines=csv_with("C3,2026-06-01"), commit=True)
    assert report.committed, report.errors
    customer = Customer.objects.get()
    assert (customer.risk_class, customer.risk_assessed_on) == ("C3", dt.date(2026, 6, 1))
    assessment = RiskAssessment.objects.get(customer=customer)
    assert (assessment.risk_class, assessment.score, assessment.assessed_by) == (
        "C3",
        None,
        head_office,
    )
    import_customers(actor=head_office, lines=csv_with("C3,2026-06-01"), commit=True)
    assert RiskAssessment.objects.filter(customer=customer).count() == 1  # idempotent
    import_customers(actor=head_office, lines=csv_with("C5,2025-01-01"), commit=True)
    customer.refresh_from_db()
    assert customer.risk_class == "C3"  # an older assessment joins the history only
    assert RiskAssessment.objects.filter(customer=customer).count() == 2
    report = import_customers(actor=head_office, lines=csv_with("C4,"), commit=True)
    assert not report.committed
    assert "needs the date it was assessed" in str(report.errors)
