"""Withdraw from the head-office group the rights that let it grant itself more (issue 8 item 1).

Editing groups (its own included) or permission rows let a head-office user add any permission
to the group it belongs to; deleting users is not how the bank ends an account (deactivate).
"""

from django.db import migrations

WITHHELD = [
    ("auth", "add_group"),
    ("auth", "change_group"),
    ("auth", "delete_group"),
    ("auth", "add_permission"),
    ("auth", "change_permission"),
    ("auth", "delete_permission"),
    ("auth", "delete_user"),
]


def withdraw(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Head office").first()
    if group is None:
        return
    for app_label, codename in WITHHELD:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(withdraw, migrations.RunPython.noop)]
