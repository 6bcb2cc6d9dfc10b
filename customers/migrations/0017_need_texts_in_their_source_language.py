"""The texts the system writes when an interaction discusses a need are now stored in their
English source form and shown in the reader's language (customers.models.needs.need_text).
Rows written before, in Chinese by a user working in Chinese, are put in that form too; rows
in English already are. What staff typed is not touched."""

from django.db import migrations

FORWARD = r"""
UPDATE customers_needchange
   SET reason = 'Discussed in interaction #' || substring(reason FROM '^在客户互动 #(\d+) 中提及$')
 WHERE reason ~ '^在客户互动 #\d+ 中提及$';
UPDATE customers_customerneed
   SET evidence = 'Discussed in interaction: '
                  || substring(evidence FROM '^在客户互动中提及：(.*)$')
 WHERE evidence ~ '^在客户互动中提及：';
"""


class Migration(migrations.Migration):
    dependencies = [("customers", "0016_foreign_key_indexes_covered_by_composites")]

    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
