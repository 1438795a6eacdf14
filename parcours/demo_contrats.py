"""``make demo``'s diagnostics and contracts: what the référent wrote at the entry of each parcours.

Every parcours in accompaniment has its diagnostic in progress (freins graded) and its initial
diagnostic frozen at the signature; every parcours that entered has its signed contract (validated by the PLIE's team
where the référentiel says so), with the log rows the contract's machine writes; some parcours in
accueil have a draft. Bulk-written, one query per table. Called once from
:meth:`plie.demo.DemoBuilder.build`.
"""

import datetime

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from parcours.freins import Frein
from parcours.models import (
    AutonomieNumerique,
    Contrat,
    Diagnostic,
    Etat,
    EvenementContrat,
    FreinDiagnostic,
    NatureDiagnostic,
    NiveauFormation,
    NiveauFrein,
    StatutContrat,
)

ENTRES = {Etat.ACCOMPAGNEMENT, Etat.VEILLE, Etat.SORTIE_PROPOSEE, Etat.SORTI}
# The diagnostics of the parcours still open: a large demo's history of exits keeps its contracts
# only (twelve freins twice for each of 90 000 exits would make the bench's seeding take an hour).
AVEC_DIAGNOSTIC = {Etat.ACCOMPAGNEMENT, Etat.VEILLE, Etat.SORTIE_PROPOSEE}
METIERS = [
    ("Aide à domicile", "K1302"),
    ("Agent de propreté", "K2204"),
    ("Préparateur de commandes", "N1103"),
    ("Employé polyvalent de restauration", "G1603"),
    ("Agent d'accueil", "M1601"),
    ("Ouvrier du paysagisme", "A1203"),
    ("Vendeur en alimentation", "D1106"),
]
POTENTIELS = [
    "Ponctuelle, à l'aise à l'oral, expérience de garde d'enfants.",
    "Motivé, habile de ses mains, a travaillé sur les marchés.",
    "Bonne présentation, aime le contact, permis en cours.",
    "Sérieuse, expérience de 5 ans en restauration collective.",
]
NIVEAUX = [NiveauFrein.AUCUN] * 6 + [NiveauFrein.LEGER] * 3 + [NiveauFrein.FORT] * 2 + [NiveauFrein.BLOQUANT]
COMMENTAIRES = {
    Frein.MOBILITE: "Pas de permis, bus peu fréquents le matin.",
    Frein.LOGEMENT: "Hébergée chez un proche, demande de logement social en cours.",
    Frein.GARDE_ENFANTS: "Deux enfants de moins de 6 ans, pas de place en crèche.",
    Frein.NUMERIQUE: "N'a pas d'ordinateur ; un smartphone seulement.",
    Frein.RESSOURCES: "Dettes de loyer, dossier de surendettement à monter.",
}


def _moment(date, hour):
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time(hour, 0)))


def seed_contrats(rng, today, referentiel, plans):
    """``plans``: (parcours, état, référent) of the demo. Returns the number of contracts written."""
    diagnostics, contrats = [], []
    for parcours, etat, referent in plans:
        entree = parcours.date_entree
        if etat in ENTRES and entree:
            if etat in AVEC_DIAGNOSTIC:
                diagnostics.append((parcours, referent, entree))
            contrats.append((parcours, referent, entree, True))
        elif etat == Etat.ACCUEIL and parcours.date_premier_rdv and rng.random() < 0.4:
            diagnostics.append((parcours, referent, None))
            contrats.append((parcours, referent, parcours.date_premier_rdv, False))

    rows = []
    for parcours, referent, entree in diagnostics:
        metier, rome = rng.choice(METIERS)
        fields = {
            "date_entretien": parcours.date_premier_rdv,
            "duree_entretien_minutes": rng.choice([45, 60, 75, 90]),
            "potentiels": rng.choice(POTENTIELS),
            "souhaits_metiers": metier,
            "code_rome": rome if rng.random() < 0.7 else "",
            "niveau_formation": rng.choice(NiveauFormation.values),
            "permis_conduire": rng.random() < 0.45,
            "autonomie_numerique": rng.choice(AutonomieNumerique.values),
            "modifie_par": referent,
        }
        fields["vehicule"] = fields["permis_conduire"] and rng.random() < 0.6
        rows.append(Diagnostic(parcours=parcours, nature=NatureDiagnostic.EN_COURS, **fields))
        if entree:
            rows.append(
                Diagnostic(parcours=parcours, nature=NatureDiagnostic.INITIAL, fige_le=_moment(entree, 11), **fields)
            )
    rows = bulk_create_with_history(rows, Diagnostic, batch_size=2000)
    if rows and rows[0].pk is None:  # databases without RETURNING ids
        saved = {(d.parcours_id, d.nature): d for d in Diagnostic.objects.all()}
        rows = [saved[(d.parcours_id, d.nature)] for d in rows]
    freins, initial = [], {}
    for diagnostic in rows:
        if diagnostic.nature == NatureDiagnostic.INITIAL:
            initial[diagnostic.parcours_id] = diagnostic
    for diagnostic in rows:
        if diagnostic.nature != NatureDiagnostic.EN_COURS:
            continue
        niveaux = {theme: rng.choice(NIVEAUX) for theme in Frein}
        for theme, niveau in niveaux.items():
            commentaire = COMMENTAIRES.get(theme, "") if niveau in {NiveauFrein.FORT, NiveauFrein.BLOQUANT} else ""
            freins.append(FreinDiagnostic(diagnostic=diagnostic, theme=theme, niveau=niveau, commentaire=commentaire))
            frozen = initial.get(diagnostic.parcours_id)
            if frozen is not None:
                # Since the entry, some freins were lifted: the initial one kept them higher.
                before = NiveauFrein.FORT if niveau == NiveauFrein.LEGER and rng.random() < 0.5 else niveau
                freins.append(FreinDiagnostic(diagnostic=frozen, theme=theme, niveau=before, commentaire=commentaire))
    bulk_create_with_history(freins, FreinDiagnostic, batch_size=5000)

    contracts, events = [], []
    for parcours, referent, date, signe in contrats:
        statut = StatutContrat.BROUILLON
        if signe:
            statut = StatutContrat.VALIDE if referentiel.cer_validation_equipe else StatutContrat.SIGNE
        contracts.append(
            Contrat(
                parcours=parcours,
                statut=statut,
                objectifs="Construire un projet professionnel réaliste et retrouver un emploi durable.",
                actions_prevues="Première étape : période d'immersion (PMSMP) dans le métier visé.",
                engagements_participant="Venir aux rendez-vous, prévenir en cas d'empêchement, chercher activement.",
                engagements_referent="Un rendez-vous au rythme du PLIE, mise en relation avec les employeurs.",
                date_debut=date,
                date_signature=date if signe else None,
                signe_par_referent=referent if signe else None,
                decision_le=_moment(date, 16) if statut == StatutContrat.VALIDE else None,
            )
        )
    contracts = bulk_create_with_history(contracts, Contrat, batch_size=2000)
    if contracts and contracts[0].pk is None:
        contracts = list(Contrat.objects.order_by("id"))[-len(contracts) :]
    for contrat, (_parcours, referent, date, signe) in zip(contracts, contrats, strict=True):
        events.append(
            EvenementContrat(
                contrat=contrat,
                transition="rediger",
                statut_apres=StatutContrat.BROUILLON,
                auteur=referent,
                date=_moment(date, 9),
            )
        )
        if signe:
            events.append(
                EvenementContrat(
                    contrat=contrat,
                    transition="signer",
                    statut_avant=StatutContrat.BROUILLON,
                    statut_apres=StatutContrat.SIGNE,
                    auteur=referent,
                    date=_moment(date, 10),
                )
            )
        if contrat.statut == StatutContrat.VALIDE:
            events.append(
                EvenementContrat(
                    contrat=contrat,
                    transition="valider_integration",
                    statut_avant=StatutContrat.SIGNE,
                    statut_apres=StatutContrat.VALIDE,
                    date=_moment(date, 16),
                )
            )
    EvenementContrat.objects.bulk_create(events, batch_size=5000)
    return len(contracts)
