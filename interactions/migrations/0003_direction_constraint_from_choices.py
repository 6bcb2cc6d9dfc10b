"""The direction constraint is now built from Interaction.Direction's values (issue 9.3);
the list's order changed, not its meaning, so only Django's state changes: no table scan of
the interactions to validate an identical constraint."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('interactions', '0002_plausible_dates'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(
                    model_name='interaction',
                    name='interaction_direction_valid',
                ),
                migrations.AddConstraint(
                    model_name='interaction',
                    constraint=models.CheckConstraint(condition=models.Q(('direction__in', ['outbound', 'inbound'])), name='interaction_direction_valid'),
                ),
            ],
            database_operations=[],
        ),
    ]
