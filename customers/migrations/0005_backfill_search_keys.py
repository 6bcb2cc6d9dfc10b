from django.db import migrations

# Fills the search keys of customers that existed before 0004 (customers/search.py has the
# same rules in Python: lower-cased name without white space, its characters and bigrams).
BACKFILL = r"""
UPDATE customers_customer c
SET id_last4 = upper(right(c.national_id, 4)),
    search_bigrams = ARRAY(
        SELECT DISTINCT g FROM (
            SELECT substr(n.s, i, 1) AS g FROM generate_series(1, length(n.s)) AS i
            UNION
            SELECT substr(n.s, i, 2) FROM generate_series(1, length(n.s) - 1) AS i
        ) AS grams ORDER BY g
    )::varchar(2)[]
FROM (SELECT id, lower(regexp_replace(name, '\s', '', 'g')) AS s FROM customers_customer) AS n
WHERE n.id = c.id AND c.search_bigrams = '{}'
"""


class Migration(migrations.Migration):
    dependencies = [("customers", "0004_search_history_constraints")]

    operations = [migrations.RunSQL(BACKFILL, migrations.RunSQL.noop)]
