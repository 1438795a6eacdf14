# The lists' orderings on an index each: the queue on one status, « Mes prescriptions », the bureau
# insertion's validations (issue 8 §5).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("prescriptions", "0006_criteres_point_at_referentiel"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="prescription",
            name="prescriptio_statut_e14323_idx",
        ),
        migrations.AddIndex(
            model_name="prescription",
            index=models.Index(fields=["statut", "envoyee_le", "id"], name="prescription_statut_envoi_idx"),
        ),
        migrations.AddIndex(
            model_name="prescription",
            index=models.Index(
                models.F("prescripteur"),
                models.Case(
                    models.When(statut__in=["acceptee", "refusee"], then=models.Value(1)), default=models.Value(0)
                ),
                models.OrderBy(models.F("envoyee_le"), descending=True),
                models.OrderBy(models.F("modifie_le"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="prescription_mine_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="validationprescription",
            index=models.Index(fields=["organisme", "avis", "-avis_le", "demandee_le"], name="validation_file_idx"),
        ),
    ]
