"""Alerts carry their customer's branch (a supervisor's /alerts/ without joining customers).

The branch is filled from the customers, then kept in step by a trigger: when a customer's
branch changes — by the form, an import, the admin or SQL — their alerts move with them, in the
same statement's transaction, so scope (Alert.objects.visible_to) never disagrees with the
customer's branch.
"""

import django.db.models.deletion
from django.db import migrations, models

BACKFILL = """
UPDATE insights_alert a SET branch_id = c.branch_id
FROM customers_customer c WHERE c.id = a.customer_id
"""

FOLLOW_BRANCH = """
CREATE FUNCTION insights_alert_follow_branch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE insights_alert SET branch_id = NEW.branch_id WHERE customer_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER customers_customer_alerts_follow_branch
AFTER UPDATE OF branch_id ON customers_customer
FOR EACH ROW WHEN (OLD.branch_id IS DISTINCT FROM NEW.branch_id)
EXECUTE FUNCTION insights_alert_follow_branch();
"""

FOLLOW_BRANCH_REVERSE = """
DROP TRIGGER IF EXISTS customers_customer_alerts_follow_branch ON customers_customer;
DROP FUNCTION IF EXISTS insights_alert_follow_branch();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("customers", "0014_pending_import_moves_to_crm"),
        ("insights", "0007_alert_severity_rank"),
    ]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="branch",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.branch",
                verbose_name="branch",
            ),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="alert",
            name="branch",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.branch",
                verbose_name="branch",
            ),
        ),
        migrations.AddIndex(
            model_name="alert",
            index=models.Index(
                models.F("branch"),
                models.OrderBy(models.F("severity_rank"), descending=True),
                models.F("created_at"),
                models.F("id"),
                condition=models.Q(("status__in", ["open", "acknowledged"])),
                name="alert_branch_open_idx",
            ),
        ),
        migrations.RunSQL(FOLLOW_BRANCH, FOLLOW_BRANCH_REVERSE),
    ]
