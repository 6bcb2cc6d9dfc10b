"""Rule 9 looks only at needs the customer still has (active, priority ≥ 50): its settings gain
`min_priority` as version 2, unless head office has already changed the rule."""

from django.db import migrations


def load(apps, schema_editor):
    AlertRule = apps.get_model("insights", "AlertRule")
    AlertRuleVersion = apps.get_model("insights", "AlertRuleVersion")
    rule = AlertRule.objects.filter(code="unmet_need", version=1).first()
    if rule is None or "min_priority" in rule.params:
        return
    rule.params = {**rule.params, "min_priority": 50}
    rule.version = 2
    rule.save()
    AlertRuleVersion.objects.get_or_create(
        rule=rule,
        version=2,
        defaults={
            "enabled": rule.enabled,
            "severity": rule.severity,
            "params": rule.params,
            "ack_working_days": rule.ack_working_days,
            "expire_after_days": rule.expire_after_days,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("insights", "0004_score_policy_feedback_components")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
