"""parcours.demandes as the pages use it, and the permission rules of the requests."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from parcours import demandes
from parcours.models import Demande, DemandeError, Etat, StatutDemande, TransitionDemande, TypeDemande
from plie import permissions
from plie.referentiel.models import Referentiel
from tests.conftest import Personas
from tests.factories import DemandeFactory, ParcoursFactory, ReferentFactory

T = TypeDemande


def veille(by, parcours, *, mois=1, referentiel=None, **faits):
    debut = timezone.localdate()
    return demandes.demander(
        by,
        parcours,
        T.ENTREE_VEILLE,
        referentiel=referentiel or Referentiel.objects.active(),
        motif_veille=faits.pop("motif_veille", "emploi_formation"),
        debut=debut,
        fin_prevue=debut + relativedelta(months=mois),
        **faits,
    )


# --- permissions, per role ------------------------------------------------------------------------------

RULES = {
    # who: (request, decide, withdraw their own / the référent's, view)
    "coordination": (True, True, True, True),
    "referent_a": (True, False, True, True),
    "referent_b": (False, False, False, False),
    "prescripteur": (False, False, False, False),
    "bureau_insertion": (False, False, False, False),
    "operateur": (False, False, False, False),
    "financeur": (False, False, False, False),
}


@pytest.mark.parametrize(("who", "expected"), RULES.items())
def test_the_rules_per_role(personas, who, expected):
    user = getattr(personas, who)
    demande = DemandeFactory(parcours=personas.parcours)  # by référent A
    assert (
        permissions.can_request_demande(user, personas.parcours),
        permissions.can_decide_demande(user, demande),
        permissions.can_withdraw_demande(user, demande),
        permissions.can_view_demandes(user, personas.parcours),
    ) == expected
    assert permissions.can_decide_demande(user) is (who == "coordination")


def test_the_rules_for_an_anonymous_visitor(personas):
    from django.contrib.auth.models import AnonymousUser

    anonyme = AnonymousUser()
    demande = DemandeFactory(parcours=personas.parcours)
    assert not permissions.can_request_demande(anonyme, personas.parcours)
    assert not permissions.can_decide_demande(anonyme, demande)
    assert not permissions.can_withdraw_demande(anonyme, demande)
    assert not permissions.can_view_demandes(anonyme, personas.parcours)


def test_nothing_is_decided_or_withdrawn_once_decided_and_nothing_asked_on_a_closed_parcours(personas):
    demande = DemandeFactory(parcours=personas.parcours)
    demandes.refuser(personas.coordination, demande, motif="Non")
    assert not permissions.can_decide_demande(personas.coordination, demande)
    assert not permissions.can_withdraw_demande(personas.coordination, demande)
    assert not permissions.can_withdraw_demande(personas.referent_a, demande)
    sorti = ParcoursFactory(etat=Etat.SORTI, referent=personas.referent_a)
    assert not permissions.can_request_demande(personas.referent_a, sorti)
    assert not permissions.can_request_demande(personas.coordination, sorti)


# --- the service ----------------------------------------------------------------------------------------


def test_asking_logs_the_request_and_copies_who_decides(personas):
    demande = veille(personas.referent_a, personas.parcours)
    assert demande.statut == StatutDemande.DEMANDEE and demande.decision_en_cellule  # Niort: in cellule
    [row] = TransitionDemande.objects.all()
    assert (row.transition, row.statut_avant, row.statut_apres, row.auteur) == (
        "demander",
        "",
        StatutDemande.DEMANDEE,
        personas.referent_a,
    )


def test_in_caen_the_plie_team_decides_and_a_veille_is_three_months_at_most(caen):
    personas = Personas()
    demande = veille(personas.referent_a, personas.parcours, mois=3)
    assert not demande.decision_en_cellule
    autre = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=personas.referent_a)
    with pytest.raises(DemandeError) as refus:
        veille(personas.referent_a, autre, mois=4)
    assert refus.value.field == "fin_prevue" and "3 mois" in refus.value.message


def test_the_possible_types_follow_the_state_and_leave_the_waiting_ones_out(personas):
    referentiel = Referentiel.objects.active()
    types = {s.type for s in demandes.possibles(personas.parcours, referentiel)}
    assert T.ENTREE_VEILLE in types and T.REORIENTATION in types
    assert T.FIN_VEILLE not in types and T.RENOUVELLEMENT_VEILLE not in types
    sans = {s.type for s in demandes.possibles(personas.parcours, referentiel, en_attente=[T.ENTREE_VEILLE])}
    assert sans == types - {T.ENTREE_VEILLE}
    en_veille = ParcoursFactory(etat=Etat.VEILLE, referent=personas.referent_a)
    assert {T.FIN_VEILLE, T.RENOUVELLEMENT_VEILLE} <= {s.type for s in demandes.possibles(en_veille, referentiel)}


def test_accepting_an_end_of_veille_resumes_the_accompaniment(personas):
    parcours = ParcoursFactory(etat=Etat.VEILLE, referent=personas.referent_a)
    veille_en_cours = parcours.veille_en_cours()
    reprise = veille_en_cours.debut + datetime.timedelta(days=5)
    demande = demandes.demander(
        personas.referent_a, parcours, T.FIN_VEILLE, referentiel=Referentiel.objects.active(), date_effet=reprise
    )
    demandes.accepter(personas.coordination, demande, referentiel=Referentiel.objects.active())
    parcours.refresh_from_db()
    veille_en_cours.refresh_from_db()
    assert parcours.etat == Etat.ACCOMPAGNEMENT and veille_en_cours.fin == reprise
    assert parcours.transitions.get(transition="reprendre_accompagnement").demande == demande


def test_withdrawing_is_its_authors_or_the_coordinations(personas):
    demande = veille(personas.referent_a, personas.parcours)
    autre = ReferentFactory()
    with pytest.raises(DemandeError):
        demandes.retirer(autre, demande)
    demande.refresh_from_db()
    demandes.retirer(personas.referent_a, demande, motif="Plus utile")
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.RETIREE
    assert list(demande.transitions.order_by("id").values_list("transition", flat=True)) == ["demander", "retirer"]
    # Withdrawn: the same type may be asked again.
    personas.parcours.refresh_from_db()
    assert veille(personas.referent_a, personas.parcours).statut == StatutDemande.DEMANDEE
    assert Demande.objects.count() == 2


def test_a_stale_request_is_refused(personas):
    demande = veille(personas.referent_a, personas.parcours)
    copie = Demande.objects.get(pk=demande.pk)
    demandes.refuser(personas.coordination, demande, motif="Non")
    with pytest.raises(DemandeError) as refus:
        demandes.accepter(personas.coordination, copie, referentiel=Referentiel.objects.active())
    assert refus.value.message == "Cette demande vient d'être modifiée par quelqu'un d'autre : rechargez la page."
