"""Rules 4, 6, 7 and 9 of DOMAIN.md, which read holdings, recommendations (products) and
feedback and complaints (feedback)."""

from django.db import migrations

RULES = [
    # code, name, severity, ack working days, expire after days, params
    (
        "maturity",
        "Holding maturing",
        "high",
        2,
        30,
        {"lead_days": 30, "needs": ["wealth_growth", "capital_preservation"]},
    ),
    ("suitability_review", "Suitability review", "high", 2, 60, {"needs": []}),
    ("unmet_need", "Unmet need", "medium", 3, 45, {"follow_up_days": 14, "lookback_days": 60}),
    (
        "retention_risk",
        "Retention risk",
        "high",
        1,
        30,
        {"nps_max": 6, "csat_max": 2, "lookback_days": 30, "needs": []},
    ),
]


def load(apps, schema_editor):
    AlertRule = apps.get_model("insights", "AlertRule")
    AlertRuleVersion = apps.get_model("insights", "AlertRuleVersion")
    for code, name, severity, ack, expire, params in RULES:
        rule, _ = AlertRule.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "severity": severity,
                "ack_working_days": ack,
                "expire_after_days": expire,
                "params": params,
                "version": 1,
            },
        )
        AlertRuleVersion.objects.get_or_create(
            rule=rule,
            version=rule.version,
            defaults={
                "enabled": rule.enabled,
                "severity": rule.severity,
                "params": rule.params,
                "ack_working_days": rule.ack_working_days,
                "expire_after_days": rule.expire_after_days,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("insights", "0002_default_rules_and_policy")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
