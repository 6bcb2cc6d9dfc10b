"""Strip bidirectional control characters already stored in customers' text (issue 8 item 11).

New input is cleaned on the way in (crm.text); this cleans what arrived before, set-based and
only on the rows that hold such a character.
"""

from django.db import migrations

PATTERN = "[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]"
COLUMNS = ["name", "address", "occupation"]


def _sql(table: str) -> str:
    sets = ", ".join(f"{c} = regexp_replace({c}, '{PATTERN}', '', 'g')" for c in COLUMNS)
    where = " OR ".join(f"{c} ~ '{PATTERN}'" for c in COLUMNS)
    return f"UPDATE {table} SET {sets} WHERE {where}"


class Migration(migrations.Migration):
    dependencies = [("customers", "0011_normalise_identifiers")]

    operations = [
        migrations.RunSQL(_sql("customers_customer"), migrations.RunSQL.noop),
        migrations.RunSQL(_sql("customers_historicalcustomer"), migrations.RunSQL.noop),
    ]
