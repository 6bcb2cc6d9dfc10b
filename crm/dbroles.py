"""The application's PostgreSQL role: least privilege, and an append-only audit log (issue 8
item 10).

The tables belong to the role that runs migrations (the owner). Web servers, workers and beat
connect as a separate login role that may read and write rows but not change the schema, not
truncate, and never UPDATE or DELETE an audit entry. `python manage.py db_app_role` applies
these grants (run it as the owner after every `migrate`: new tables are covered by default
privileges too); `--print` shows the SQL for a database administrator. The README's
deployment section quotes it.
"""

from __future__ import annotations

from psycopg import sql

# Tables the application may only append to. A trigger (customers migration
# 0011_audit_append_only) refuses UPDATE/DELETE for every role; the grants add a second wall.
APPEND_ONLY_TABLES = ["customers_auditentry"]


def app_role_statements(*, role: str, database: str, password: str | None = None) -> list:
    """The SQL (psycopg `sql.Composed`) that creates or refreshes `role` with the app's grants."""
    r, db = sql.Identifier(role), sql.Identifier(database)
    statements = [
        sql.SQL(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {name}) THEN "
            "CREATE ROLE {role} LOGIN; END IF; END $$"
        ).format(name=sql.Literal(role), role=r),
        sql.SQL(
            "ALTER ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
        ).format(role=r),
    ]
    if password:
        statements.append(
            sql.SQL("ALTER ROLE {role} PASSWORD {pw}").format(role=r, pw=sql.Literal(password))
        )
    statements += [
        sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {role}").format(db=db, role=r),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {role}").format(role=r),
        sql.SQL(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
        ).format(role=r),
        sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}").format(
            role=r
        ),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
            "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}"
        ).format(role=r),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
            "GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}"
        ).format(role=r),
    ]
    for table in APPEND_ONLY_TABLES:
        statements.append(
            sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {role}").format(
                table=sql.Identifier(table), role=r
            )
        )
    return statements
