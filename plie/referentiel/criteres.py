"""The eligibility criteria both seeds name (N §III.1, C §III.1.1-2): reference rows of
:class:`plie.referentiel.models.CriterePublic`.

Created by a data migration and again after every ``flush`` (post_migrate), like Django's own
content types, so that no database, test or demo ever lacks them. RQTH is disability data:
it is declared sensitive in :mod:`plie.sensitive`, the one declaration.
"""

CRITERES = [
    ("brsa", "Bénéficiaire du RSA (BRSA)"),
    ("deld", "Demandeur d'emploi de longue durée (DELD)"),
    ("rqth", "Travailleur handicapé (RQTH / BOETH)"),
    ("ass", "Allocation de solidarité spécifique (ASS)"),
    ("minima_sociaux", "Autre minimum social"),
    ("qpv", "Résident d'un quartier prioritaire (QPV)"),
    ("jeune", "Jeune de moins de 26 ans"),
    ("senior", "Senior de 50 ans et plus"),
    ("pauvrete", "En situation ou menacé de pauvreté (après validation en cellule)"),
]


def ensure_criteres(model):
    """Create the missing criteria; existing rows (maybe relabelled by an admin) are kept."""
    existing = set(model.objects.values_list("code", flat=True))
    model.objects.bulk_create(
        [
            model(code=code, libelle=libelle, ordre=ordre)
            for ordre, (code, libelle) in enumerate(CRITERES, start=1)
            if code not in existing
        ]
    )
