"""Needs, need changes and risk assessments are records the bank must keep: PROTECT instead
of CASCADE (issue 9.3). Django enforces on_delete, so no SQL changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0009_plausible_dates'),
    ]

    operations = [
        migrations.AlterField(
            model_name='customerneed',
            name='customer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='needs', to='customers.customer', verbose_name='customer'),
        ),
        migrations.AlterField(
            model_name='needchange',
            name='need',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='changes', to='customers.customerneed', verbose_name='need'),
        ),
        migrations.AlterField(
            model_name='riskassessment',
            name='customer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='risk_assessments', to='customers.customer', verbose_name='customer'),
        ),
    ]
