"""Veille through requests and decisions (N §III.d, C §III.1.6.1), time frozen, for both référentiels.

Caen: at most 3 months, renewable once, validated by the PLIE team as soon as asked. Niort: no limit
stated, entry and end decided in cellule de suivi. The follow-up during veille: a contact at least every
interval, by phone or face to face.
"""

import datetime

import pytest
from django.utils import timezone

from parcours import alertes, demandes, rythme, veille
from parcours.models import (
    CanalContact,
    DemandeError,
    Etat,
    MotifVeille,
    Parcours,
    StatutDemande,
    TentativeContact,
    TransitionDemande,
    TransitionParcours,
    TypeDemande,
)
from plie.accounts.models import Role
from plie.referentiel.models import Referentiel
from tests.factories import EntretienFactory, ParcoursFactory, UserFactory

D = datetime.date
T = TypeDemande


@pytest.fixture
def paris_noon(time_machine):
    """Wednesday 03/03/2027, noon in Paris."""
    time_machine.move_to(datetime.datetime(2027, 3, 3, 12, 0, tzinfo=datetime.UTC), tick=False)
    return D(2027, 3, 3)


@pytest.fixture
def coordination(db):
    return UserFactory(role=Role.COORDINATION)


def _parcours():
    return ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, start=D(2026, 12, 21))  # entered on 04/01/2027


def _refresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def _veille(by, parcours, referentiel, debut, fin_prevue, motif=MotifVeille.EMPLOI_FORMATION):
    return demandes.demander(
        by, parcours, T.ENTREE_VEILLE, referentiel=referentiel, motif_veille=motif, debut=debut, fin_prevue=fin_prevue
    )


# --- Caen: 3 months at most, renewable once, the PLIE team validates ---------------------------


def test_caen_a_veille_of_3_months_is_accepted_by_the_team(caen, coordination, paris_noon):
    parcours = _parcours()
    demande = _veille(parcours.referent, parcours, caen, D(2027, 3, 8), D(2027, 6, 8))

    assert demande.statut == StatutDemande.DEMANDEE
    assert demande.decision_en_cellule is False  # C §III.1.6.1: asked to the PLIE team, which validates
    demandes.accepter(coordination, _refresh(demande), referentiel=caen, motif="Formation qualifiante")

    parcours = _refresh(parcours)
    assert parcours.etat == Etat.VEILLE
    periode = parcours.veille_en_cours()
    assert (periode.motif, periode.debut, periode.fin_prevue) == (
        MotifVeille.EMPLOI_FORMATION,
        D(2027, 3, 8),
        D(2027, 6, 8),
    )
    log = TransitionParcours.objects.get(parcours=parcours, transition="mettre_en_veille")
    assert log.demande_id == demande.pk and log.auteur == coordination
    assert "acceptée : Formation qualifiante" in log.motif
    demande = _refresh(demande)
    assert (demande.statut, demande.decide_par, demande.motif_decision) == (
        StatutDemande.ACCEPTEE,
        coordination,
        "Formation qualifiante",
    )
    assert list(TransitionDemande.objects.filter(demande=demande).order_by("date", "pk").values_list("transition")) == [
        ("demander",),
        ("accepter",),
    ]


def test_caen_a_veille_of_4_months_is_refused_when_asked_with_the_rule_quoted(caen, paris_noon):
    parcours = _parcours()

    with pytest.raises(DemandeError, match="ne peut excéder 3 mois, renouvelable 1 fois") as refused:
        _veille(parcours.referent, parcours, caen, D(2027, 3, 8), D(2027, 7, 8))

    assert refused.value.field == "fin_prevue"
    assert "au plus tard le 08/06/2027" in refused.value.message
    assert not parcours.demandes.exists()


def test_caen_a_renewal_is_accepted_once_and_refused_the_second_time(caen, coordination, paris_noon):
    parcours = _parcours()
    demandes.accepter(
        coordination, _veille(parcours.referent, parcours, caen, D(2027, 3, 8), D(2027, 6, 8)), referentiel=caen
    )
    parcours = _refresh(parcours)

    first = demandes.demander(
        parcours.referent, parcours, T.RENOUVELLEMENT_VEILLE, referentiel=caen, fin_prevue=D(2027, 9, 8)
    )
    demandes.accepter(coordination, first, referentiel=caen)
    parcours = _refresh(parcours)
    assert parcours.veille_en_cours().fin_prevue == D(2027, 9, 8)
    assert parcours.veille_en_cours().renouvellements == 1

    with pytest.raises(DemandeError, match="déjà été renouvelée une fois, et « une veille ne peut excéder 3 mois"):
        demandes.demander(
            parcours.referent, parcours, T.RENOUVELLEMENT_VEILLE, referentiel=caen, fin_prevue=D(2027, 10, 8)
        )
    assert parcours.demandes.filter(type=T.RENOUVELLEMENT_VEILLE).count() == 1


def test_caen_a_renewal_longer_than_3_months_is_refused(caen, coordination, paris_noon):
    parcours = _parcours()
    demandes.accepter(
        coordination, _veille(parcours.referent, parcours, caen, D(2027, 3, 8), D(2027, 6, 8)), referentiel=caen
    )

    with pytest.raises(DemandeError, match="Nouvelle fin au plus tard le 08/09/2027"):
        demandes.demander(
            parcours.referent, _refresh(parcours), T.RENOUVELLEMENT_VEILLE, referentiel=caen, fin_prevue=D(2027, 9, 9)
        )


def test_a_rule_broken_meanwhile_is_refused_at_the_decision_and_nothing_changes(caen, coordination, paris_noon):
    """The limit tightened between the request and the decision: the transition's guard says no."""
    parcours = _parcours()
    demande = _veille(parcours.referent, parcours, caen, D(2027, 3, 8), D(2027, 6, 8))
    Referentiel.objects.filter(pk=caen.pk).update(veille_duree_max_mois=2)

    with pytest.raises(DemandeError, match="ne peut excéder 2 mois"):
        demandes.accepter(coordination, demande, referentiel=Referentiel.objects.get(pk=caen.pk))

    assert _refresh(demande).statut == StatutDemande.DEMANDEE
    assert _refresh(parcours).etat == Etat.ACCOMPAGNEMENT


# --- Niort: no limit, decided in cellule ---------------------------------------------------------


def test_niort_sets_no_veille_limit_and_has_it_decided_in_cellule(niort, coordination, paris_noon):
    parcours = _parcours()
    demande = _veille(parcours.referent, parcours, niort, D(2027, 3, 8), D(2028, 3, 8))  # a year: no limit stated

    assert demande.decision_en_cellule is True
    assert list(parcours.demandes.en_cellule()) == [demande]
    demandes.accepter(coordination, demande, referentiel=niort)
    fin = demandes.demander(
        parcours.referent, _refresh(parcours), T.FIN_VEILLE, referentiel=niort, date_effet=D(2027, 5, 10)
    )
    assert fin.decision_en_cellule is True
    demandes.accepter(coordination, fin, referentiel=niort)

    parcours = _refresh(parcours)
    assert parcours.etat == Etat.ACCOMPAGNEMENT
    assert parcours.periodes_veille.get().fin == D(2027, 5, 10)


def test_a_second_waiting_request_of_the_same_type_is_refused(niort, paris_noon):
    parcours = _parcours()
    _veille(parcours.referent, parcours, niort, D(2027, 3, 8), D(2027, 6, 8))

    with pytest.raises(DemandeError, match="attend déjà une décision"):
        _veille(parcours.referent, _refresh(parcours), niort, D(2027, 3, 9), D(2027, 6, 8))


def test_a_veille_cannot_start_inside_one_already_lived(niort, coordination, paris_noon):
    parcours = _parcours()
    demandes.accepter(
        coordination, _veille(parcours.referent, parcours, niort, D(2027, 1, 11), D(2027, 2, 11)), referentiel=niort
    )
    fin = demandes.demander(
        parcours.referent, _refresh(parcours), T.FIN_VEILLE, referentiel=niort, date_effet=D(2027, 2, 1)
    )
    demandes.accepter(coordination, fin, referentiel=niort)

    with pytest.raises(DemandeError, match="deux veilles ne se chevauchent pas") as refused:
        _veille(parcours.referent, _refresh(parcours), niort, D(2027, 2, 1), D(2027, 4, 1))  # the end day was veille
    assert refused.value.field == "debut"


def test_refusing_needs_a_reason_and_leaves_the_parcours(niort, coordination, paris_noon):
    parcours = _parcours()
    demande = _veille(parcours.referent, parcours, niort, D(2027, 3, 8), D(2027, 6, 8))

    with pytest.raises(DemandeError, match="raison du refus"):
        demandes.refuser(coordination, demande, motif="  ")
    demandes.refuser(coordination, _refresh(demande), motif="La formation n'a pas commencé")

    demande = _refresh(demande)
    assert (demande.statut, demande.motif_decision) == (StatutDemande.REFUSEE, "La formation n'a pas commencé")
    assert _refresh(parcours).etat == Etat.ACCOMPAGNEMENT


def test_a_stale_request_is_not_decided(niort, coordination, paris_noon):
    parcours = _parcours()
    demande = _veille(parcours.referent, parcours, niort, D(2027, 3, 8), D(2027, 6, 8))
    copy = _refresh(demande)
    demandes.retirer(parcours.referent, demande)

    with pytest.raises(DemandeError, match="vient d'être modifiée"):
        demandes.accepter(coordination, copy, referentiel=niort)
    assert _refresh(parcours).etat == Etat.ACCOMPAGNEMENT


def test_only_its_author_or_the_coordination_withdraws_a_request(niort, coordination, paris_noon):
    parcours = _parcours()
    demande = _veille(parcours.referent, parcours, niort, D(2027, 3, 8), D(2027, 6, 8))
    other = UserFactory(role=Role.REFERENT)

    with pytest.raises(DemandeError, match="Seul l'auteur"):
        demandes.retirer(other, demande)
    demandes.retirer(coordination, _refresh(demande))
    assert _refresh(demande).statut == StatutDemande.RETIREE


def test_a_veille_request_waits_for_an_accompanied_parcours(niort, paris_noon):
    parcours = ParcoursFactory(etat=Etat.ACCUEIL, start=D(2027, 2, 1))

    assert T.ENTREE_VEILLE not in {s.type for s in demandes.possibles(parcours, niort)}
    with pytest.raises(DemandeError, match="ne peut être demandée"):
        _veille(parcours.referent, parcours, niort, D(2027, 3, 8), D(2027, 6, 8))


# --- during veille: the follow-up, and the rhythm moved by its length ----------------------------


def _suivi(parcours, referentiel, today):
    parcours = Parcours.objects.get(pk=parcours.pk)
    return veille.suivi(
        parcours,
        referentiel,
        veilles=list(parcours.periodes_veille.all()),
        rendez_vous=list(parcours.rendez_vous.all()),
        contacts=list(parcours.tentatives_contact.all()),
        today=today,
    )


def test_the_follow_up_during_veille_alerts_after_the_interval_without_contact(niort, coordination, time_machine):
    time_machine.move_to(datetime.datetime(2027, 3, 3, 12, 0, tzinfo=datetime.UTC), tick=False)
    parcours = _parcours()
    demandes.accepter(
        coordination, _veille(parcours.referent, parcours, niort, D(2027, 3, 8), D(2027, 9, 8)), referentiel=niort
    )

    # Niort's interval: none of its own, the rhythm's 30 days after the first months.
    assert veille.intervalle_suivi(niort) == 30
    suivi = _suivi(parcours, niort, D(2027, 4, 7))
    assert (suivi.echeance, suivi.en_retard) == (D(2027, 4, 7), False)
    suivi = _suivi(parcours, niort, D(2027, 4, 9))
    assert suivi.en_retard and suivi.jours_de_retard == 2
    [alerte] = alertes.suivi_veille(suivi)
    assert alerte.titre == "Suivi pendant la veille en retard de 2 jours"
    assert "aucun contact depuis le début de la veille, le 08/03/2027" in alerte.detail

    # A phone call that reached the person counts; one that did not, does not.
    TentativeContact.objects.create(
        parcours=parcours,
        date=timezone.make_aware(datetime.datetime(2027, 4, 8, 10)),
        canal=CanalContact.TELEPHONE,
        abouti=False,
    )
    assert _suivi(parcours, niort, D(2027, 4, 9)).en_retard
    TentativeContact.objects.create(
        parcours=parcours,
        date=timezone.make_aware(datetime.datetime(2027, 4, 8, 11)),
        canal=CanalContact.TELEPHONE,
        abouti=True,
    )
    suivi = _suivi(parcours, niort, D(2027, 4, 9))
    assert (suivi.dernier_contact, suivi.echeance, suivi.en_retard) == (D(2027, 4, 8), D(2027, 5, 8), False)
    assert alertes.suivi_veille(suivi) == []


def test_the_referentiel_interval_of_follow_up_wins_over_the_rhythm(caen, coordination, paris_noon):
    Referentiel.objects.filter(pk=caen.pk).update(veille_suivi_intervalle_jours=15)
    caen = Referentiel.objects.get(pk=caen.pk)
    parcours = _parcours()
    demandes.accepter(
        coordination, _veille(parcours.referent, parcours, caen, D(2027, 3, 8), D(2027, 5, 8)), referentiel=caen
    )

    assert _suivi(parcours, caen, D(2027, 3, 24)).echeance == D(2027, 3, 23)
    assert _suivi(parcours, caen, D(2027, 3, 24)).en_retard


def test_out_of_veille_there_is_no_follow_up(niort, paris_noon):
    assert _suivi(_parcours(), niort, D(2027, 3, 3)) is None


def test_the_end_of_veille_moves_the_rhythm_due_date_by_its_length(niort, coordination, paris_noon):
    parcours = _parcours()
    # Held on 01/03: under Niort's first three months, the next one is due 15 days later, on 16/03.
    EntretienFactory(parcours=parcours, honore=True, debut=timezone.make_aware(datetime.datetime(2027, 3, 1, 10)))
    before = rythme.echeance(Parcours.objects.get(pk=parcours.pk), niort, D(2027, 3, 3))
    assert before.date == D(2027, 3, 16)
    demandes.accepter(
        coordination, _veille(parcours.referent, parcours, niort, D(2027, 3, 4), D(2027, 6, 4)), referentiel=niort
    )
    fin = demandes.demander(
        parcours.referent, _refresh(parcours), T.FIN_VEILLE, referentiel=niort, date_effet=D(2027, 4, 3)
    )
    demandes.accepter(coordination, fin, referentiel=niort)

    after = rythme.echeance(Parcours.objects.get(pk=parcours.pk), niort, D(2027, 4, 3))
    assert after.date == before.date + datetime.timedelta(days=31)  # from 04/03 to 03/04 included
