"""``make demo``'s étapes: a few étapes from the PLIE's catalogue on the parcours in accompaniment.

Bulk-written (one query per table), with the log row each transition would have written. Called once
from :meth:`plie.demo.DemoBuilder.build`.
"""

import datetime

from simple_history.utils import bulk_create_with_history

from parcours.etapes import EtatEtape, TypeEtape
from parcours.models import Etape, Etat, EvenementEtape
from plie.territoire.models import CategorieRessource, RessourceTerritoire

ETATS_AVEC_ETAPES = {Etat.ACCOMPAGNEMENT, Etat.VEILLE, Etat.SORTIE_PROPOSEE}
# The kind of étape a ressource of each category usually makes.
TYPES_PAR_CATEGORIE = {
    CategorieRessource.FORMATION: [TypeEtape.FORMATION_PREQUALIFIANTE, TypeEtape.FORMATION_QUALIFIANTE],
    CategorieRessource.PROJET_PROFESSIONNEL: [TypeEtape.IMMERSION, TypeEtape.PROJET_PROFESSIONNEL],
    CategorieRessource.EMPLOI: [TypeEtape.CLAUSE_INSERTION, TypeEtape.EMPLOI_IAE, TypeEtape.EMPLOI_CLASSIQUE],
    CategorieRessource.AUTRE: [TypeEtape.OPERATION_PLIE],
}
SANS = [TypeEtape.REMOBILISATION, TypeEtape.PROJET_PROFESSIONNEL]  # an étape without a ressource
DAY = datetime.timedelta(days=1)


def seed_etapes(rng, today, referentiel, plans):
    """``plans``: (parcours, état, référent) of the demo. Returns the number of étapes written."""
    ressources = list(RessourceTerritoire.objects.du_referentiel(referentiel).actives().order_by("id"))
    etapes, journaux = [], []
    for parcours, etat, referent in plans:
        if etat not in ETATS_AVEC_ETAPES or not parcours.date_entree:
            continue
        entree = parcours.date_entree
        # The diagnostic opens every parcours; then one or two étapes, from the catalogue when it has some.
        fin_diag = min(entree + datetime.timedelta(days=rng.randint(14, 35)), today)
        plan = [(TypeEtape.DIAGNOSTIC, None, entree, fin_diag)]
        debut = fin_diag + DAY * rng.randint(0, 20)
        for _ in range(rng.randint(1, 2)):
            ressource = rng.choice(ressources) if ressources and rng.random() < 0.8 else None
            types = TYPES_PAR_CATEGORIE.get(ressource.categorie, [TypeEtape.LEVEE_FREIN]) if ressource else None
            type_ = (
                rng.choice(types) if types else rng.choice([TypeEtape.REMOBILISATION, TypeEtape.PROJET_PROFESSIONNEL])
            )
            plan.append((type_, ressource, debut, debut + DAY * rng.randint(20, 180)))
            debut += DAY * rng.randint(10, 60)
        for type_, ressource, start, end in plan:
            etapes.append((_etape(rng, today, parcours, referent, type_, ressource, start, end), referent))
    written = bulk_create_with_history([e for e, _ in etapes], Etape, batch_size=2000)
    if written and written[0].pk is None:  # databases without RETURNING ids
        written = list(Etape.objects.order_by("id"))[-len(etapes) :]
    for etape, (_, referent) in zip(written, etapes, strict=True):
        journaux += _journal(etape, referent)
    EvenementEtape.objects.bulk_create(journaux, batch_size=5000)
    return len(written)


def _etape(rng, today, parcours, referent, type_, ressource, start, end):
    if start > today:
        etat, fin = EtatEtape.PREVUE, None
    elif end <= today:
        etat, fin = (EtatEtape.ABANDONNEE if rng.random() < 0.1 else EtatEtape.REALISEE), end
    else:
        etat, fin = EtatEtape.EN_COURS, None
    return Etape(
        parcours=parcours,
        type=type_,
        etat=etat,
        ressource=ressource,
        date_debut=start,
        date_fin_prevue=end,
        date_fin=fin,
        cree_par=referent,
    )


def _journal(etape, referent):
    def row(name, before, after, date, motif=""):
        when = datetime.datetime.combine(date, datetime.time(10), tzinfo=datetime.UTC)
        return EvenementEtape(
            etape=etape, transition=name, etat_avant=before, etat_apres=after, auteur=referent, date=when, motif=motif
        )

    rows = [row("planifier", "", EtatEtape.PREVUE, etape.date_debut - DAY * 7)]
    if etape.etat != EtatEtape.PREVUE:
        rows.append(row("commencer", EtatEtape.PREVUE, EtatEtape.EN_COURS, etape.date_debut))
    if etape.etat == EtatEtape.REALISEE:
        rows.append(row("terminer", EtatEtape.EN_COURS, EtatEtape.REALISEE, etape.date_fin))
    if etape.etat == EtatEtape.ABANDONNEE:
        rows.append(row("abandonner", EtatEtape.EN_COURS, EtatEtape.ABANDONNEE, etape.date_fin, "Motif non précisé."))
    return rows
