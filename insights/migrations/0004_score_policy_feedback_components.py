"""Score policy v2: the components that read feedback and cases (CSAT, NPS, complaints per 100
interactions, case SLA compliance) join the three of v1. Installed only over an unedited v1:
a policy head office has changed is left alone (they add the components in admin)."""

from django.db import migrations

POLICY_V2 = {
    "weights": {
        "csat": 20,
        "nps": 10,
        "complaints": 15,
        "case_sla": 15,
        "alert_responsiveness": 15,
        "follow_up_on_time": 15,
        "contact_coverage": 10,
    },
    "min_samples": {
        "csat": 5,
        "nps": 5,
        "complaints": 20,
        "case_sla": 3,
        "alert_responsiveness": 3,
        "follow_up_on_time": 5,
        "contact_coverage": 5,
    },
    "mappings": {
        "alert_responsiveness": {"best_hours": 24, "worst_hours": 240},
        "complaints": {"points_per_complaint_per_100": 20},
        "contact_coverage": {
            "segment_weights": {"mass": 1, "affluent": 2, "hnw": 3, "private": 4}
        },
    },
    "period_days": 90,
}


def load(apps, schema_editor):
    ScorePolicy = apps.get_model("insights", "ScorePolicy")
    ScorePolicyVersion = apps.get_model("insights", "ScorePolicyVersion")
    policy = ScorePolicy.objects.order_by("pk").first()
    if policy is None or policy.version != 1:
        return
    for name, value in POLICY_V2.items():
        setattr(policy, name, value)
    policy.version = 2
    policy.save()
    ScorePolicyVersion.objects.get_or_create(version=2, defaults=POLICY_V2)


class Migration(migrations.Migration):
    dependencies = [("insights", "0003_product_and_feedback_rules")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
