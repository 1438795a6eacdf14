"""The eligibility criteria both seeds name (N §III.1, C §III.1.1-2): reference rows.

Created by a data migration and again after every ``flush`` (post_migrate), like Django's own
content types, so that no database, test or demo ever lacks them. RQTH is disability data:
marked sensitive, hidden from prescripteurs' and funders' views.
"""

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


def ensure_criteres(model):
    """Create the missing criteria; existing rows (maybe relabelled by an admin) are kept."""
    existing = set(model.objects.values_list("code", flat=True))
    model.objects.bulk_create(
        [
            model(code=code, libelle=libelle, ordre=ordre, sensible=sensible)
            for ordre, (code, libelle, sensible) in enumerate(CRITERES, start=1)
            if code not in existing
        ]
    )
