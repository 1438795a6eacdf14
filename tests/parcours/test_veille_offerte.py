"""When an étape emploi or formation begins, the référent is offered a veille request (N §III.d), not forced."""

import datetime

import pytest
from django.utils import timezone

from parcours import demandes
from parcours.models import Etat, MotifVeille, PeriodeVeille
from tests.factories import EtapeFactory

pytestmark = pytest.mark.django_db

OFFRE = "Demander la mise en veille"


def test_a_training_begun_offers_a_veille_request_prefilled_with_its_dates(named, client_for):
    parcours = named.parcours
    parcours.refresh_from_db()
    assert parcours.etat == Etat.ACCOMPAGNEMENT
    today = timezone.localdate()
    etape = EtapeFactory(
        parcours=parcours,
        type="formation_qualifiante",
        date_debut=today - datetime.timedelta(days=2),
        date_fin_prevue=today + datetime.timedelta(days=90),
    )

    page = client_for(named.referent_a).get(f"/parcours/{parcours.pk}/").content.decode()
    assert "L'étape « Formation qualifiante » a commencé le" in page
    assert f"/demandes/parcours/{parcours.pk}/entree_veille/?etape={etape.pk}" in page

    form = client_for(named.referent_a).get(f"/demandes/parcours/{parcours.pk}/entree_veille/?etape={etape.pk}")
    assert form.status_code == 200
    initial = form.context["form"].initial
    assert (initial["motif_veille"], initial["debut"], initial["fin_prevue"]) == (
        MotifVeille.EMPLOI_FORMATION,
        etape.date_debut,
        etape.date_fin_prevue,
    )
    # Another parcours's étape, or junk, prefills nothing.
    other = EtapeFactory()
    for junk in [str(other.pk), "abc", "9" * 30]:
        response = client_for(named.referent_a).get(f"/demandes/parcours/{parcours.pk}/entree_veille/?etape={junk}")
        assert response.status_code == 200 and "motif_veille" not in response.context["form"].initial


def test_the_offer_is_for_the_referent_and_the_coordination_only(named, client_for):
    EtapeFactory(parcours=named.parcours, type="emploi_classique")
    for who, shown in [
        ("referent_a", True),
        ("coordination", True),
        ("bureau_insertion", False),
        ("prescripteur", False),
    ]:
        response = client_for(getattr(named, who)).get(f"/parcours/{named.parcours.pk}/")
        assert (OFFRE in response.content.decode()) is shown, who


def test_no_offer_for_a_preparatory_etape_nor_once_asked_nor_after_the_veille(named, client_for, niort):
    parcours = named.parcours
    preparatoire = EtapeFactory(parcours=parcours, type="remobilisation")
    assert OFFRE not in client_for(named.referent_a).get(f"/parcours/{parcours.pk}/").content.decode()

    etape = EtapeFactory(parcours=parcours, type="formation_qualifiante")
    parcours.refresh_from_db()
    demande = demandes.demander(
        named.referent_a,
        parcours,
        "entree_veille",
        referentiel=niort,
        motif_veille=MotifVeille.EMPLOI_FORMATION,
        debut=etape.date_debut,
        fin_prevue=etape.date_debut + datetime.timedelta(days=60),
    )
    assert OFFRE not in client_for(named.referent_a).get(f"/parcours/{parcours.pk}/").content.decode()

    # A veille lived and ended after that étape began: the étape is not offered again.
    demandes.retirer(named.referent_a, demande)
    PeriodeVeille.objects.create(
        parcours=parcours,
        motif=MotifVeille.EMPLOI_FORMATION,
        debut=etape.date_debut,
        fin_prevue=etape.date_debut + datetime.timedelta(days=30),
        fin=etape.date_debut + datetime.timedelta(days=1),
    )
    assert demandes.etape_pour_veille(parcours, [preparatoire, etape], list(parcours.periodes_veille.all())) is None
    assert OFFRE not in client_for(named.referent_a).get(f"/parcours/{parcours.pk}/").content.decode()
