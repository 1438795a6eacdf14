"""The criteria's table and content type take the référentiel's name.

The table: parcours_criterepublic → referentiel_criterepublic. A rename keeps the rows and the
ids; PostgreSQL's foreign keys from the through tables follow the table, whatever its name.

The content type: relabelled rather than left stale, so that the permissions given on the
criteria (view_criterepublic…) and the admin's log of their changes follow the model. A new
database has no content type yet (post_migrate creates them after): nothing to do there.
"""

from django.db import migrations


def relabel_content_type(source, target):
    def run(apps, schema_editor):
        content_types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
        if not content_types.filter(app_label=target, model="criterepublic").exists():
            content_types.filter(app_label=source, model="criterepublic").update(app_label=target)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("referentiel", "0005_criterepublic_from_parcours"),
        ("parcours", "0012_criterepublic_moves_to_referentiel"),  # parcours.CriterePublic has left the state
    ]

    operations = [
        migrations.AlterModelTable(name="criterepublic", table=None),
        migrations.RunPython(
            relabel_content_type("parcours", "referentiel"), relabel_content_type("referentiel", "parcours")
        ),
    ]
