"""The audit log is append-only, enforced by the database for every writer (issue 8 item 10).

A trigger refuses UPDATE and DELETE on customers_auditentry whoever asks (admin, shell, a bug);
the application's role also lacks those grants (crm.dbroles). TRUNCATE stays with the owner,
for `seed_demo --reset` on a demo database.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION crm_reject_audit_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER customers_auditentry_append_only
    BEFORE UPDATE OR DELETE ON customers_auditentry
    FOR EACH ROW EXECUTE FUNCTION crm_reject_audit_change();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS customers_auditentry_append_only ON customers_auditentry;
DROP FUNCTION IF EXISTS crm_reject_audit_change();
"""


class Migration(migrations.Migration):
    dependencies = [("customers", "0012_strip_bidi_controls")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
