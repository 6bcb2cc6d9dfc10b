"""The default alert rules of DOMAIN.md ("Background work") and the default score policy.

Values are copied here, not imported: a migration must not depend on code that changes later.
"""

from django.db import migrations

RULES = [
    # code, name, severity, ack working days, expire after days, params
    (
        "life_event",
        "Life event",
        "medium",
        2,
        60,
        {
            "window_days": 90,
            "needs": {
                "marriage": ["home_purchase", "protection"],
                "childbirth": ["education", "protection"],
                "school": ["education"],
                "university": ["education", "liquidity"],
                "home_purchase": ["credit", "home_purchase"],
                "job_change": ["liquidity", "retirement"],
                "retirement": ["retirement", "capital_preservation"],
                "relocation": ["home_purchase", "liquidity"],
                "inheritance": ["wealth_transfer", "wealth_growth"],
                "business_start": ["business_banking", "credit"],
            },
        },
    ),
    (
        "large_inflow",
        "Large inflow",
        "high",
        1,
        30,
        {
            "min_increase_pct": 50,
            "min_increase_amount": 100000,
            "baseline_days": 90,
            "max_age_days": 45,
            "needs": ["wealth_growth"],
        },
    ),
    (
        "aum_outflow",
        "AUM outflow",
        "high",
        1,
        30,
        {
            "min_drop_pct": 30,
            "min_baseline": 10000,
            "baseline_days": 90,
            "max_age_days": 45,
            "needs": ["capital_preservation", "wealth_growth"],
        },
    ),
    ("risk_expiry", "Risk assessment expiring", "medium", 5, 60, {"lead_days": 30, "needs": []}),
    (
        "contact_gap",
        "Contact gap",
        "medium",
        3,
        30,
        {"gap_days": 90, "segments": ["affluent", "hnw", "private"], "needs": []},
    ),
    (
        "age_milestone",
        "Age milestone",
        "low",
        5,
        90,
        {
            "lead_days": 90,
            "grace_days": 30,
            "milestones": {"55": ["retirement"], "60": ["retirement", "capital_preservation"]},
        },
    ),
]

POLICY = {
    "weights": {"follow_up_on_time": 35, "contact_coverage": 35, "alert_responsiveness": 30},
    "min_samples": {"follow_up_on_time": 5, "contact_coverage": 5, "alert_responsiveness": 3},
    "mappings": {
        "alert_responsiveness": {"best_hours": 24, "worst_hours": 240},
        "contact_coverage": {
            "segment_weights": {"mass": 1, "affluent": 2, "hnw": 3, "private": 4}
        },
    },
    "period_days": 90,
}


def load(apps, schema_editor):
    AlertRule = apps.get_model("insights", "AlertRule")
    AlertRuleVersion = apps.get_model("insights", "AlertRuleVersion")
    for code, name, severity, ack, expire, params in RULES:
        rule, created = AlertRule.objects.get_or_create(
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
    ScorePolicy = apps.get_model("insights", "ScorePolicy")
    ScorePolicyVersion = apps.get_model("insights", "ScorePolicyVersion")
    policy = ScorePolicy.objects.order_by("pk").first()
    if policy is None:
        policy = ScorePolicy.objects.create(version=1, **POLICY)
    ScorePolicyVersion.objects.get_or_create(
        version=policy.version,
        defaults={
            "weights": policy.weights,
            "min_samples": policy.min_samples,
            "mappings": policy.mappings,
            "period_days": policy.period_days,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_alerts_and_scores")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
