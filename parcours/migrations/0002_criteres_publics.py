from django.db import migrations

# The eligibility criteria both seeds name (N §III.1, C §III.1.1-2). RQTH is disability data:
# marked sensitive, hidden from prescripteurs' and funders' views.
CRITERES = [
    ("brsa", "Bénéficiaire du RSA (BRSA)", False),
    ("deld", "Demandeur d'emploi de longue durée (DELD)", False),
    ("rqth", "Travailleur handicapé (RQTH / BOETH)", True),
    ("ass", "Allocation de solidarité spécifique (ASS)", False),
    ("minima_sociaux", "Autre minimum social", False),
    ("qpv", "Résident d'un quartier prioritaire (QPV)", False),
    ("jeune", "Jeune de moins de 26 ans", False),
    ("senior", "Senior de 50 ans et plus", False),
    ("pauvrete", "En situation ou menacé de pauvreté (après validation en cellule)", False),
]


def create_criteres(apps, schema_editor):
    CriterePublic = apps.get_model("parcours", "CriterePublic")
    for ordre, (code, libelle, sensible) in enumerate(CRITERES, start=1):
        CriterePublic.objects.update_or_create(
            code=code, defaults={"libelle": libelle, "ordre": ordre, "sensible": sensible}
        )


def delete_criteres(apps, schema_editor):
    apps.get_model("parcours", "CriterePublic").objects.filter(code__in=[c[0] for c in CRITERES]).delete()


class Migration(migrations.Migration):
    dependencies = [("parcours", "0001_initial")]

    operations = [migrations.RunPython(create_criteres, delete_criteres)]
