"""The demo's atelier expenses: for each référent, a few of this year's expenses in the référentiel's
categories, most validated at a past team meeting, some to validate, one refused with its motive (the
first référent, the demo's own, has one of each), each with its log; nothing where the référentiel sets
no budget (Caen). Receipts are left out: the demo writes no file in the private storage."""

import datetime
from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from financement.depenses import categories, montant_budget
from financement.models import DepenseAtelier, StatutDepense, TransitionDepense
from parcours.models import Atelier

S = StatutDepense
FOURNISSEURS = {
    "déplacement": ["SNCF", "Tan Mobilités", "Taxi Niortais"],
    "réception": ["Boulangerie du Marais", "Café de la Brèche", "Carrefour Market"],
    "matériels": ["Bureau Vallée", "Papeterie Saint-Jean", "Action"],
    "prestations": ["Théâtre Jean Richard", "Coach Emploi 79", "Association Mots et Merveilles"],
}
OBJETS = ["Atelier CV", "Atelier numérique", "Sortie découverte des métiers", "Atelier confiance en soi"]
MOTIF_REFUS = "Dépense sans lien avec un atelier collectif : à prendre sur le budget de fonctionnement."


def _fournisseur(rng, categorie):
    for mot, noms in FOURNISSEURS.items():
        if mot in categorie.lower():
            return rng.choice(noms)
    return rng.choice([n for noms in FOURNISSEURS.values() for n in noms])


def seed_depenses(rng, today, referentiel, referents, coordination) -> int:
    """Returns the number of expenses written."""
    permises = categories(referentiel)
    if not permises or not referents:
        return 0
    debut_annee = datetime.date(today.year, 1, 1)
    rows, plans = [], []
    for index, referent in enumerate(referents):
        budget = montant_budget(referent.referent_profile.etp, referentiel)
        plafond = budget * Decimal("0.8")  # room left: the demo référent can add one
        atelier = Atelier.objects.animes_par(referent).first()
        statuts = [S.VALIDEE, S.VALIDEE, S.REFUSEE, S.A_VALIDER] if index == 0 else []
        statuts += rng.choices([S.VALIDEE, S.A_VALIDER], weights=[3, 1], k=rng.randint(0, 3))
        engage = Decimal("0")
        for statut in statuts:
            montant = Decimal(rng.randint(800, 9000)) / 100
            if statut != S.REFUSEE and engage + montant > plafond:
                continue
            if statut != S.REFUSEE:
                engage += montant
            # To validate: entered since the last meeting; decided: before it.
            recul = rng.randint(0, 20) if statut == S.A_VALIDER else rng.randint(25, 120)
            date = max(debut_annee, today - datetime.timedelta(days=recul))
            categorie = rng.choice(permises)
            decide_le = None
            if statut != S.A_VALIDER:
                jour = min(today, date + datetime.timedelta(days=rng.randint(5, 20)))
                decide_le = timezone.make_aware(datetime.datetime.combine(jour, datetime.time(11)))
            rows.append(
                DepenseAtelier(
                    referent=referent,
                    date=date,
                    montant=montant,
                    categorie=categorie,
                    fournisseur=_fournisseur(rng, categorie),
                    objet=rng.choice(OBJETS),
                    atelier=atelier if atelier is not None and rng.random() < 0.7 else None,
                    statut=statut,
                    motif_refus=MOTIF_REFUS if statut == S.REFUSEE else "",
                    decide_par=coordination if decide_le else None,
                    decide_le=decide_le,
                    cree_par=referent,
                )
            )
            plans.append((referent, date, decide_le, statut))
    rows = bulk_create_with_history(rows, DepenseAtelier, batch_size=2000)
    if rows and rows[0].pk is None:  # databases without RETURNING ids
        rows = list(DepenseAtelier.objects.order_by("id"))[-len(plans) :]
    logs = []
    for depense, (referent, date, decide_le, statut) in zip(rows, plans, strict=True):
        saisie = timezone.make_aware(datetime.datetime.combine(date, datetime.time(17)))
        logs.append(
            TransitionDepense(
                depense=depense, transition="saisir", statut_apres=S.A_VALIDER, auteur=referent, date=saisie
            )
        )
        if decide_le is not None:
            logs.append(
                TransitionDepense(
                    depense=depense,
                    transition="valider" if statut == S.VALIDEE else "refuser",
                    statut_avant=S.A_VALIDER,
                    statut_apres=statut,
                    auteur=coordination,
                    motif=MOTIF_REFUS if statut == S.REFUSEE else "",
                    date=max(decide_le, saisie),
                )
            )
    TransitionDepense.objects.bulk_create(logs, batch_size=5000)
    return len(rows)
