"""BranchFigures moves to the dashboards app: the table is renamed, its rows kept; the model
leaves this app's state here and enters dashboards' in dashboards 0001."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0007_pending_import'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name='BranchFigures', table='dashboards_branchfigures'),
            ],
            state_operations=[
                migrations.DeleteModel(name='BranchFigures'),
            ],
        ),
    ]
