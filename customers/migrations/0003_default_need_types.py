from django.db import migrations

NEED_TYPES = [
    ("liquidity", "Liquidity"),
    ("capital_preservation", "Capital preservation"),
    ("wealth_growth", "Wealth growth"),
    ("retirement", "Retirement"),
    ("education", "Education funding"),
    ("home_purchase", "Home purchase"),
    ("protection", "Protection / insurance"),
    ("wealth_transfer", "Wealth transfer"),
    ("credit", "Credit / financing"),
    ("business_banking", "Business banking"),
]


def load(apps, schema_editor):
    NeedType = apps.get_model("customers", "NeedType")
    for order, (code, name) in enumerate(NEED_TYPES, start=1):
        NeedType.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_needs_events_balances_audit")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
