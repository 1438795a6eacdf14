# The parcours list filtered on one state walks an index in its order (issue 8 §5).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("parcours", "0013_contrat"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="parcours",
            index=models.Index(fields=["etat", "-date_prescription", "-id"], name="parcours_etat_date_presc_idx"),
        ),
    ]
