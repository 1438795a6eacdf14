"""The prescription's criteria point at referentiel.CriterePublic: state only.

Same table, same through table and same column (criterepublic_id, named after the model, whose
name does not change): nothing to do in the database.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("prescriptions", "0005_indexes_queue_contacts"),
        ("referentiel", "0005_criterepublic_from_parcours"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="historicalprescription_criteres",
                    name="criterepublic",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="referentiel.criterepublic",
                    ),
                ),
                migrations.AlterField(
                    model_name="prescription",
                    name="criteres",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="prescriptions",
                        to="referentiel.criterepublic",
                        verbose_name="critères de public",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
