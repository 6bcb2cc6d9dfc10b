"""Default SLA policies (DOMAIN.md): acknowledge within 1 working day (high: 2 working hours);
resolve within 15 days (high: 5). Complaints follow the regulatory preset: extendable to 30
days with a recorded reason, then by a further 30 only with a supervisor's approval."""

from django.db import migrations

# (case type, severity): (ack, ack unit, resolve, resolve unit, with reason, with approval)
POLICIES = {}
for case_type in ("complaint", "inquiry", "service_request"):
    for severity in ("low", "normal", "high"):
        high = severity == "high"
        resolve = 5 if high else 15
        if case_type == "complaint":
            with_reason, with_approval = 30 - resolve, 30
        else:
            with_reason, with_approval = 0, 0
        POLICIES[(case_type, severity)] = (
            2 if high else 1,
            "working_hours" if high else "working_days",
            resolve,
            "calendar_days",
            with_reason,
            with_approval,
        )


def load(apps, schema_editor):
    SlaPolicy = apps.get_model("feedback", "SlaPolicy")
    for (case_type, severity), values in POLICIES.items():
        ack, ack_unit, resolve, resolve_unit, with_reason, with_approval = values
        SlaPolicy.objects.get_or_create(
            case_type=case_type,
            severity=severity,
            defaults={
                "acknowledge_within": ack,
                "acknowledge_unit": ack_unit,
                "resolve_within": resolve,
                "resolve_unit": resolve_unit,
                "pause_when_awaiting_customer": True,
                "extension_with_reason": with_reason,
                "extension_with_approval": with_approval,
                "warn_at_percent": 80,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
