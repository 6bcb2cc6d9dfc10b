# Pending import files move to crm.PendingUpload (the import framework, crm/csvimport.py);
# uploads waiting for their commit are carried over.

from django.db import migrations


def carry_over(apps, schema_editor):
    old = apps.get_model("customers", "PendingImport")
    new = apps.get_model("crm", "PendingUpload")
    new.objects.bulk_create(
        new(
            token=p.token,
            uploaded_by_id=p.uploaded_by_id,
            kind=p.kind,
            name=p.name,
            content=p.content,
            created_at=p.created_at,
        )
        for p in old.objects.all()
    )


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0013_audit_append_only"),
        ("crm", "0004_pending_upload"),
    ]

    operations = [
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.DeleteModel(name="PendingImport"),
    ]
