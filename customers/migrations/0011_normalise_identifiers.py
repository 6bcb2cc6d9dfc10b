"""Put stored customers in the normalised form of crm/identifiers.py (issue 7, items 4 and 5).

Names, phones, ID and customer numbers, e-mail, address and occupation are rewritten the way
every entry path now writes them, and the name search keys are recomputed without name
separators. Without this, saving an unchanged form would change an imported address that
holds a line break, and 买买提艾力 would not find 买买提·艾力.

Batched by primary key (BATCH rows per transaction; the migration is not atomic, so a
million-row table is never locked as a whole and an interrupted run resumes harmlessly);
only rows whose values change are written. No history rows: nothing about the customer
changed, only its spelling in the database.
"""

import itertools

from django.db import migrations, transaction

from crm import identifiers

BATCH = 5000
FIELDS = {
    "customer_number": identifiers.customer_number,
    "name": identifiers.person_name,
    "national_id": identifiers.national_id,
    "phone": identifiers.phone,
    "email": identifiers.email,
    "address": identifiers.single_line,
    "occupation": identifiers.single_line,
}


def _grams(name: str) -> list[str]:
    chars = list(identifiers.name_key(name))
    grams = set(chars)
    grams.update(a + b for a, b in itertools.pairwise(chars))
    return sorted(grams)


def normalise(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    last_id = 0
    while True:
        with transaction.atomic():
            rows = list(
                Customer.objects.filter(pk__gt=last_id)
                .order_by("pk")
                .only("pk", "search_bigrams", *FIELDS)[:BATCH]
            )
            if not rows:
                return
            last_id = rows[-1].pk
            changed = []
            for row in rows:
                dirty = False
                for name, fn in FIELDS.items():
                    value = fn(getattr(row, name))
                    if value != getattr(row, name):
                        setattr(row, name, value)
                        dirty = True
                grams = _grams(row.name)
                if grams != list(row.search_bigrams):
                    row.search_bigrams = grams
                    dirty = True
                if dirty:
                    changed.append(row)
            if changed:
                Customer.objects.bulk_update(changed, [*FIELDS, "search_bigrams"])


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("customers", "0010_protect_kept_records")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop, elidable=True)]
