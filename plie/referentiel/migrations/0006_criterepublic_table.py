"""The criteria's table takes the référentiel's name (parcours_criterepublic → referentiel_criterepublic).

A rename keeps the rows and the ids; PostgreSQL's foreign keys from the through tables follow
the table, whatever its name.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("referentiel", "0005_criterepublic_from_parcours"),
        ("parcours", "0009_criterepublic_moves_to_referentiel"),  # parcours.CriterePublic has left the state
    ]

    operations = [
        migrations.AlterModelTable(name="criterepublic", table=None),
    ]
