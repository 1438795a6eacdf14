"""The public criteria join the référentiel (they were parcours.CriterePublic): state only.

The table and its rows stay where they are; this migration only tells Django that the model
now lives here, on the existing table. parcours 0009 then re-points the M2M fields and forgets
its own copy; 0006 below gives the table the référentiel's name.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("referentiel", "0004_bounded_values"),
        ("parcours", "0002_criteres_publics"),  # the table exists and holds the criteria
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CriterePublic",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("code", models.SlugField(max_length=30, unique=True, verbose_name="code")),
                        ("libelle", models.CharField(max_length=150, verbose_name="libellé")),
                        ("ordre", models.PositiveSmallIntegerField(default=0, verbose_name="ordre")),
                    ],
                    options={
                        "verbose_name": "critère de public",
                        "verbose_name_plural": "critères de public",
                        "ordering": ["ordre", "libelle"],
                        "db_table": "parcours_criterepublic",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
