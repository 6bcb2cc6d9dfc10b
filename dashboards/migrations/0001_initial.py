"""BranchFigures, moved from customers (customers 0008 renamed its table, rows kept)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('customers', '0008_move_branch_figures_to_dashboards'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='BranchFigures',
                    fields=[
                        ('branch', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='figures', serialize=False, to='accounts.branch', verbose_name='branch')),
                        ('customers', models.PositiveIntegerField(verbose_name='customers (not archived)')),
                        ('staff', models.PositiveIntegerField(verbose_name='active staff')),
                        ('computed_at', models.DateTimeField(verbose_name='computed at')),
                    ],
                    options={
                        'verbose_name': 'branch figures',
                        'verbose_name_plural': 'branch figures',
                    },
                ),
            ],
        ),
    ]
