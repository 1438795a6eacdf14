from django.db import migrations

from plie.referentiel.criteres import CRITERES, ensure_criteres


def create_criteres(apps, schema_editor):
    ensure_criteres(apps.get_model("parcours", "CriterePublic"))


def delete_criteres(apps, schema_editor):
    apps.get_model("parcours", "CriterePublic").objects.filter(code__in=[c[0] for c in CRITERES]).delete()


class Migration(migrations.Migration):
    dependencies = [("parcours", "0001_initial")]

    operations = [migrations.RunPython(create_criteres, delete_criteres)]
