"""Least privilege in the database and an append-only audit log (issue 8 item 10)."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from psycopg import errors

from crm.dbroles import APPEND_ONLY_TABLES
from customers.models import AuditEntry
from customers.services import audit_record

ROLE = "crm_test_app"


def test_the_audit_log_refuses_update_and_delete_for_everyone(db, rm_alice):
    entry = audit_record(actor=rm_alice, action="customer.viewed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="customer.edited")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM customers_auditentry")
    entry.refresh_from_db()
    assert entry.action == "customer.viewed"
    audit_record(actor=rm_alice, action="customer.viewed")  # appending still works
    assert AuditEntry.objects.count() == 2


@pytest.fixture
def app_role(db):
    call_command("db_app_role", ROLE)
    yield ROLE
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {ROLE}")
        cursor.execute(f"DROP ROLE {ROLE}")


def _as(role: str, sql: str, params=()):
    """Run `sql` as `role` inside a savepoint (a failure rolls the role switch back with it)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {role}")
        cursor.execute(sql, params)
        rows = cursor.fetchall() if cursor.description else None
        cursor.execute("RESET ROLE")
        return rows


def test_the_app_role_is_no_superuser_and_may_only_append_audit_rows(app_role, rm_alice):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = %s", [ROLE]
        )
        assert cursor.fetchone() == (False, False, False)
    entry = audit_record(actor=rm_alice, action="customer.viewed")
    # Reads and ordinary writes work.
    assert _as(app_role, "SELECT count(*) FROM customers_customer") == [(0,)]
    _as(
        app_role,
        "INSERT INTO customers_auditentry (at, action, target_type, detail) "
        "VALUES (now(), 'customer.viewed', '', '{}')",
    )
    # The audit log: no UPDATE, DELETE or TRUNCATE grant (the trigger is a second wall).
    for statement in (
        "UPDATE customers_auditentry SET action = 'x'",
        "DELETE FROM customers_auditentry",
        "TRUNCATE customers_auditentry CASCADE",
    ):
        with pytest.raises(DatabaseError) as raised:
            _as(app_role, statement)
        assert isinstance(raised.value.__cause__, errors.InsufficientPrivilege), statement
    # Nor may it change the schema.
    with pytest.raises(DatabaseError):
        _as(app_role, "ALTER TABLE customers_customer ADD COLUMN x int")
    assert AuditEntry.objects.filter(pk=entry.pk, action="customer.viewed").exists()


def test_the_grants_cover_every_append_only_table(capsys, db):
    call_command("db_app_role", "crm_app", "--print")
    printed = capsys.readouterr().out
    assert "NOSUPERUSER" in printed
    for table in APPEND_ONLY_TABLES:
        assert f'REVOKE UPDATE, DELETE, TRUNCATE ON "{table}" FROM "crm_app"' in printed
