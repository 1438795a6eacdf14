"""The participant's criteria point at referentiel.CriterePublic, and parcours forgets the model.

State only: the table, the through tables and their criterepublic_id columns are unchanged.
Runs after the prescriptions did the same, so that no field still points at parcours.CriterePublic
when it leaves the state.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("parcours", "0011_diagnostic"),
        ("prescriptions", "0006_criteres_point_at_referentiel"),
        ("referentiel", "0005_criterepublic_from_parcours"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="historicalparticipant_criteres",
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
                    model_name="participant",
                    name="criteres",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="participants",
                        to="referentiel.criterepublic",
                        verbose_name="critères de public",
                    ),
                ),
                migrations.DeleteModel(name="CriterePublic"),
            ],
            database_operations=[],
        ),
    ]
