"""Remote accompaniment by derogation (N §III « à distance »): asked only when the latest diagnostic
found the person digitally autonomous; otherwise the request is refused, telling to ask a veille saying
the person cannot come, which warns every active coordination user (a reorientation is to study)."""

import datetime

import pytest

from parcours import demandes
from parcours.diagnostic import diagnostic_en_cours, figer
from parcours.models import (
    AutonomieNumerique,
    Demande,
    DemandeError,
    Diagnostic,
    MotifVeille,
    NatureDiagnostic,
    StatutDemande,
    TransitionParcours,
)
from plie.accounts.models import Role
from plie.notifications.models import Notification
from tests.factories import UserFactory

JUSTIFICATION = "Elle habite à 40 km et n'a pas de véhicule le temps de sa convalescence."


def autonomie(parcours, by, valeur, nature=NatureDiagnostic.EN_COURS):
    diagnostic = diagnostic_en_cours(parcours, by)
    Diagnostic.objects.filter(pk=diagnostic.pk).update(autonomie_numerique=valeur)
    if nature != NatureDiagnostic.EN_COURS:
        figer(parcours, nature, by)


def derogation(personas, niort):
    return demandes.demander(
        personas.referent_a, personas.parcours, "derogation_distance", referentiel=niort, justification=JUSTIFICATION
    )


def test_the_rule_asks_a_digitally_autonomous_person():
    assert {AutonomieNumerique.AUTONOME} == demandes.AUTONOMIE_SUFFISANTE


@pytest.mark.parametrize(
    ("valeur", "evaluee"),
    [
        (None, "pas encore évaluée"),
        (AutonomieNumerique.AVEC_AIDE, "autonome avec de l'aide"),
        (AutonomieNumerique.NON_AUTONOME, "pas autonome"),
    ],
)
def test_a_derogation_is_refused_without_sufficient_digital_autonomy(personas, niort, valeur, evaluee):
    if valeur:
        autonomie(personas.parcours, personas.referent_a, valeur)
    with pytest.raises(DemandeError) as refus:
        derogation(personas, niort)
    assert refus.value.field == "justification"
    assert f"« {evaluee} »" in refus.value.message
    # What to do instead: the veille, saying the person cannot come.
    assert "ne peut pas venir" in refus.value.message and "mise en veille" in refus.value.message
    assert not Demande.objects.exists()


def test_the_latest_diagnostic_decides(personas, niort):
    """Autonomous at the CER's signature (the initial copy), no longer in the diagnostic since: refused."""
    parcours, referent = personas.parcours, personas.referent_a
    autonomie(parcours, referent, AutonomieNumerique.AUTONOME, nature=NatureDiagnostic.INITIAL)
    # Edited since (a save: its date moves, as the diagnostic's form does).
    en_cours = Diagnostic.objects.get(parcours=parcours, nature=NatureDiagnostic.EN_COURS)
    en_cours.autonomie_numerique = AutonomieNumerique.NON_AUTONOME
    en_cours.save()
    with pytest.raises(DemandeError, match="pas autonome"):
        derogation(personas, niort)
    en_cours.autonomie_numerique = AutonomieNumerique.AUTONOME
    en_cours.save()
    assert derogation(personas, niort).autonomie_numerique == AutonomieNumerique.AUTONOME


def test_a_derogation_without_justification_is_refused_on_its_field(personas, niort):
    autonomie(personas.parcours, personas.referent_a, AutonomieNumerique.AUTONOME)
    with pytest.raises(DemandeError) as refus:
        demandes.demander(
            personas.referent_a, personas.parcours, "derogation_distance", referentiel=niort, justification="  "
        )
    assert refus.value.field == "justification"


def test_an_accepted_derogation_puts_the_parcours_at_a_distance_through_its_transition(personas, niort):
    parcours = personas.parcours
    autonomie(parcours, personas.referent_a, AutonomieNumerique.AUTONOME)
    demande = derogation(personas, niort)
    assert (demande.statut, demande.autonomie_numerique, demande.justification) == (
        StatutDemande.DEMANDEE,
        AutonomieNumerique.AUTONOME,
        JUSTIFICATION,
    )
    assert not parcours.a_distance
    demandes.accepter(personas.coordination, demande, referentiel=niort, motif="Accord de la coordination.")
    demande.refresh_from_db()
    parcours.refresh_from_db()
    assert demande.statut == StatutDemande.ACCEPTEE and demande.decide_par == personas.coordination
    assert parcours.a_distance
    [transition] = TransitionParcours.objects.filter(parcours=parcours, transition="accorder_distance")
    assert transition.demande == demande
    assert transition.auteur == personas.coordination
    assert "Accord de la coordination." in transition.motif
    # Granted once: a second request is no longer open.
    assert "derogation_distance" not in {s.type for s in demandes.possibles(parcours, niort)}
    with pytest.raises(DemandeError, match="déjà accordé à cette personne"):
        derogation(personas, niort)


def test_a_veille_saying_the_person_cannot_come_warns_every_active_coordination_user(personas, niort):
    autre = UserFactory(role=Role.COORDINATION)
    partie = UserFactory(role=Role.COORDINATION, is_active=False)
    debut = personas.parcours.date_entree + datetime.timedelta(days=20)
    demande = demandes.demander(
        personas.referent_a,
        personas.parcours,
        "entree_veille",
        referentiel=niort,
        motif_veille=MotifVeille.INDISPONIBILITE,
        debut=debut,
        fin_prevue=debut + datetime.timedelta(days=60),
        presentiel_impossible=True,
        justification="Pas d'accompagnement à distance possible.",
    )
    assert demande.presentiel_impossible
    notifications = Notification.objects.order_by("destinataire_id")
    assert {n.destinataire for n in notifications} == {personas.coordination, autre}
    assert partie not in {n.destinataire for n in notifications}
    nom = personas.parcours.participant.nom_complet
    for n in notifications:
        assert n.titre == f"{nom} ne peut pas venir aux entretiens"
        assert "réorientation" in n.message
        assert n.lien.endswith(f"/{demande.pk}/")


def test_a_veille_the_person_can_come_to_warns_nobody(personas, niort):
    debut = personas.parcours.date_entree + datetime.timedelta(days=20)
    demandes.demander(
        personas.referent_a,
        personas.parcours,
        "entree_veille",
        referentiel=niort,
        motif_veille=MotifVeille.EMPLOI_FORMATION,
        debut=debut,
        fin_prevue=debut + datetime.timedelta(days=60),
    )
    assert not Notification.objects.exists()
