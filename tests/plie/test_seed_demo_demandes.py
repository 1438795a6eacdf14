"""The demo's requests for a decision, suspensions of the measure and remote proofs are believable and
consistent: each request passes the model's rules and carries the log its machine would have written,
every veille was entered through its accepted request, the suspensions are ones the service accepts,
and the remote entretiens held have their proof (most of them)."""

import datetime
import io

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parcours import demandes as service
from parcours.etapes import CategorieEtape, EtatEtape, types_de
from parcours.models import (
    TRANSITIONS_DEMANDE,
    Demande,
    Etape,
    Etat,
    Modalite,
    MotifSuspension,
    MotifVeille,
    Parcours,
    PeriodeVeille,
    RendezVous,
    StatutDemande,
    StatutRendezVous,
    SuspensionMesure,
    TransitionParcours,
    TypeDemande,
)
from plie.referentiel.services import load_preset

S, T = StatutDemande, TypeDemande
PARTICIPANTS = 200
DISTANTS = [Modalite.TELEPHONE, Modalite.VISIO]


@pytest.fixture
def prive(tmp_path, monkeypatch):
    """The bilans' private storage in a folder of the test (the field holds its storage since the model loaded)."""
    storage = FileSystemStorage(location=tmp_path / "prive")
    monkeypatch.setattr(Demande._meta.get_field("bilan"), "storage", storage)
    return storage


@pytest.fixture(params=["niort", "caen"])
def demo(request, db, communes, prive):
    referentiel = load_preset(request.param, activate=True)
    call_command("seed_demo", "--participants", str(PARTICIPANTS), stdout=io.StringIO())
    return referentiel


def test_every_request_passes_the_rules_and_carries_its_log(demo):
    demandes = list(Demande.objects.select_related("parcours").prefetch_related("transitions"))
    assert demandes
    now = timezone.now()
    for demande in demandes:
        demande.full_clean()  # the checks the database enforces, and the field rules
        assert demande.decision_en_cellule == service.en_cellule(demo, demande.type), demande.pk
        assert timezone.localdate(demande.demandee_le) >= demande.parcours.date_entree, demande.pk
        assert demande.demandee_le <= now and (demande.decide_le is None or demande.decide_le <= now)
        rows = sorted(demande.transitions.all(), key=lambda r: (r.date, r.pk))
        first = rows[0]
        assert (first.transition, first.statut_avant, first.statut_apres) == ("demander", "", S.DEMANDEE)
        assert first.auteur_id == demande.auteur_id, demande.pk
        # The service stamps both as it saves (a few milliseconds apart); the bulk seed, the same moment.
        assert datetime.timedelta(0) <= first.date - demande.demandee_le < datetime.timedelta(seconds=30)
        for row in rows:
            transition = TRANSITIONS_DEMANDE[row.transition]
            if transition.sources:
                assert row.statut_avant in transition.sources, (demande.pk, row.transition)
                assert row.statut_apres == transition.target_from(row.statut_avant), (demande.pk, row.transition)
            else:
                assert (row.statut_avant, row.statut_apres) == ("", transition.target)
        for before, after in zip(rows, rows[1:], strict=False):
            assert after.statut_avant == before.statut_apres
        assert rows[-1].statut_apres == demande.statut, demande.pk
        decision = {S.DEMANDEE: None, S.ACCEPTEE: "accepter", S.REFUSEE: "refuser", S.RETIREE: "retirer"}
        assert [r.transition for r in rows[1:]] == ([decision[demande.statut]] if decision[demande.statut] else [])
        if demande.statut in {S.ACCEPTEE, S.REFUSEE}:
            last = rows[-1]
            assert (last.auteur_id, last.date, last.motif) == (
                demande.decide_par_id,
                demande.decide_le,
                demande.motif_decision,
            )
        if demande.statut == S.REFUSEE:
            assert demande.motif_decision.strip()
        if demande.statut == S.RETIREE:
            assert rows[-1].auteur_id == demande.auteur_id and rows[-1].date > demande.demandee_le


def test_every_veille_was_entered_through_its_accepted_request(demo):
    en_veille = Parcours.objects.filter(etat=Etat.VEILLE)
    assert en_veille.exists()
    acceptees = Demande.objects.filter(type=T.ENTREE_VEILLE, statut=S.ACCEPTEE)
    assert acceptees.count() == en_veille.count()
    assert set(acceptees.values_list("parcours", flat=True)) == set(en_veille.values_list("pk", flat=True))
    periodes = {p.parcours_id: p for p in PeriodeVeille.objects.filter(fin__isnull=True)}
    logs = {t.parcours_id: t for t in TransitionParcours.objects.filter(transition="mettre_en_veille")}
    assert logs.keys() == periodes.keys()
    for demande in acceptees.select_related("parcours"):
        periode = periodes[demande.parcours_id]
        assert (demande.motif_veille, demande.debut, demande.fin_prevue) == (
            periode.motif,
            periode.debut,
            periode.fin_prevue,
        )
        assert timezone.localdate(demande.decide_le) == periode.debut
        assert 1 <= (periode.debut - timezone.localdate(demande.demandee_le)).days <= 2
        assert demande.auteur_id == demande.parcours.referent_id
        assert logs[demande.parcours_id].demande_id == demande.pk
        assert demande.decide_le <= logs[demande.parcours_id].date  # the decision applied the transition
        if periode.motif in {MotifVeille.SANTE, MotifVeille.MATERNITE}:
            assert demande.justification == ""  # no free text on a health motive
    assert not TransitionParcours.objects.filter(demande__isnull=False).exclude(transition="mettre_en_veille").exists()


def test_some_requests_wait_some_were_refused_or_withdrawn(demo):
    accompagnes = Parcours.objects.filter(etat=Etat.ACCOMPAGNEMENT).count()
    attente = Demande.objects.filter(statut=S.DEMANDEE).exclude(type=T.RENOUVELLEMENT_MESURE)
    sur_accompagnes = attente.filter(parcours__etat=Etat.ACCOMPAGNEMENT)
    assert 2 <= sur_accompagnes.count() <= max(3, round(0.1 * accompagnes)), (sur_accompagnes.count(), accompagnes)
    assert sur_accompagnes.filter(type=T.ENTREE_VEILLE).count() >= sur_accompagnes.filter(type=T.REORIENTATION).count()
    assert sur_accompagnes.filter(type=T.REORIENTATION).exclude(justification="").exists()
    assert 1 <= attente.filter(type=T.FIN_VEILLE, parcours__etat=Etat.VEILLE).count() <= 5
    # Each waits on a parcours where it may be asked, one of each type at most.
    for demande in attente.select_related("parcours"):
        assert service.ouverte(demande.parcours, service.SORTES[demande.type], demo), demande.pk
    # A veille for an étape in employment or training is asked for a parcours in one.
    en_etape = set(
        Etape.objects.filter(
            type__in=types_de(CategorieEtape.EMPLOI, CategorieEtape.FORMATION),
            etat__in=[EtatEtape.PREVUE, EtatEtape.EN_COURS],
        ).values_list("parcours", flat=True)
    )
    veilles = attente.filter(type=T.ENTREE_VEILLE, motif_veille=MotifVeille.EMPLOI_FORMATION)
    assert veilles.exists() and set(veilles.values_list("parcours", flat=True)) <= en_etape
    refusees = Demande.objects.filter(statut=S.REFUSEE)
    assert 1 <= refusees.count() <= max(2, round(0.02 * accompagnes))
    assert not refusees.filter(motif_decision="").exists()
    assert Demande.objects.filter(statut=S.RETIREE).count() == 2
    assert Demande.objects.count() <= Parcours.objects.count() // 3


def test_niort_asks_a_few_measure_renewals_with_their_bilan_caen_none(demo, prive):
    renouvellements = Demande.objects.filter(type=T.RENOUVELLEMENT_MESURE).select_related("parcours")
    if not demo.duree_mesure_mois:
        assert not renouvellements.exists()
        return
    today = timezone.localdate()
    assert 1 <= renouvellements.count() <= 5
    for demande in renouvellements:
        assert demande.statut == S.DEMANDEE and demande.decision_en_cellule
        assert demande.objectifs.strip() and demande.bilan.name
        assert prive.exists(demande.bilan.name)
        parcours = demande.parcours
        assert parcours.etat == Etat.ACCOMPAGNEMENT
        # The bilan covers the measure in progress, which ends within a month.
        assert (demande.periode_debut, demande.periode_fin) == (parcours.date_debut_mesure, today)
        assert today <= parcours.date_fin_mesure - datetime.timedelta(days=parcours.jours_suspendus)
        assert parcours.date_fin_mesure <= today + datetime.timedelta(days=30)


def test_a_few_suspensions_within_the_measure_on_days_without_appointments(demo):
    suspensions = list(SuspensionMesure.objects.select_related("parcours"))
    assert 3 <= len(suspensions) <= 10
    assert sum(s.motif == MotifSuspension.MALADIE for s in suspensions) == 1
    assert all(s.motif in {MotifSuspension.CONGES, MotifSuspension.MALADIE} for s in suspensions)
    assert len({s.parcours_id for s in suspensions}) == len(suspensions)  # one each
    for suspension in suspensions:
        parcours = suspension.parcours
        assert parcours.etat == Etat.ACCOMPAGNEMENT
        assert parcours.jours_suspendus == suspension.jours
        assert parcours.date_entree < suspension.debut <= suspension.fin
        if demo.duree_mesure_mois:
            assert parcours.date_debut_mesure < suspension.debut
            assert suspension.fin <= parcours.date_fin_mesure - datetime.timedelta(days=suspension.jours)
        jours = RendezVous.objects.filter(parcours=parcours).exclude(statut=StatutRendezVous.ANNULE)
        assert not any(suspension.debut <= r.debut_local.date() <= suspension.fin for r in jours)
        assert suspension.history.count() == 1 and suspension.cree_par_id == parcours.referent_id
    today = timezone.localdate()
    assert any(s.fin < today for s in suspensions) and any(s.debut > today for s in suspensions)
    assert any(s.debut <= today <= s.fin for s in suspensions)


def test_remote_entretiens_held_have_their_means_and_most_a_confirmation(demo):
    held = RendezVous.objects.filter(statut=StatutRendezVous.HONORE, modalite__in=DISTANTS)
    assert held.count() > 20
    assert not held.filter(moyen_distance="").exists()
    confirmes = held.exclude(confirmation_participant="")
    assert 0.7 * held.count() <= confirmes.count() < held.count()  # some « Preuve à produire »
    for rdv in confirmes:
        assert rdv.confirmation_le == rdv.debut_local.date()
        rdv.verifier_preuve(
            moyen_distance=rdv.moyen_distance,
            confirmation_participant=rdv.confirmation_participant,
            confirmation_le=rdv.confirmation_le,
        )
    recent = timezone.now() - datetime.timedelta(days=9)
    assert not confirmes.filter(debut__gte=recent).exists()  # the last days' confirmations still awaited
    others = RendezVous.objects.exclude(statut=StatutRendezVous.HONORE, modalite__in=DISTANTS)
    assert not others.exclude(moyen_distance="", confirmation_participant="").exists()


TABLES = ("parcours_demande", "parcours_historicaldemande", "parcours_transitiondemande", "parcours_suspensionmesure")
UPDATED = ('UPDATE "parcours_rendezvous"', 'UPDATE "parcours_transitionparcours"')
# The queries of parcours.demo_demandes (52 at 200 and at 600 participants), with some margin: not one a row.
MAX_QUERIES = 60


def _ours(sql):
    return any(f'"{t}"' in sql for t in TABLES) or sql.startswith(UPDATED)


@pytest.mark.parametrize("participants", [200, 600])
def test_the_seeding_is_bulk_whatever_the_number_of_participants(niort, communes, prive, participants):
    """The requests, suspensions and proofs take no more queries for 600 participants than for 200: bulk
    inserts and updates, and the fixed handful of service calls (the renewals and suspensions, capped)."""
    with CaptureQueriesContext(connection) as queries:
        call_command("seed_demo", "--participants", str(participants), stdout=io.StringIO())
    ours = [q["sql"] for q in queries.captured_queries if _ours(q["sql"])]
    assert len(ours) <= MAX_QUERIES, len(ours)
    assert Demande.objects.count() > 20


def test_the_seeded_requests_show_on_their_pages(demo, client_for):
    """The coordination's « Demandes à traiter », each request's page and the dossiers show the seeded rows."""
    from django.urls import reverse

    from plie.accounts.models import Role, User
    from plie.demo import DEMO_DOMAIN

    coordination = client_for(User.objects.get(email=f"coordination@{DEMO_DOMAIN}"))
    page = coordination.get(reverse("demandes:a_traiter"))
    assert page.status_code == 200
    assert "Mise en veille" in page.content.decode()
    for demande in Demande.objects.order_by("statut", "type", "pk").distinct("statut", "type"):
        assert coordination.get(reverse("demandes:detail", args=[demande.pk])).status_code == 200, demande.type
        dossier = coordination.get(reverse("parcours:detail", args=[demande.parcours_id]))
        assert dossier.status_code == 200, demande.type
    for suspension in SuspensionMesure.objects.all()[:2]:
        assert coordination.get(reverse("parcours:detail", args=[suspension.parcours_id])).status_code == 200
    referent = User.objects.filter(role=Role.REFERENT, demandes_faites__statut=S.DEMANDEE).first()
    assert client_for(referent).get("/").status_code == 200


def test_the_printed_referent_login_has_a_request_waiting_and_a_suspension(demo):
    from plie.accounts.models import User
    from plie.demo import DEMO_DOMAIN

    referent = User.objects.get(email=f"referent@{DEMO_DOMAIN}")
    assert Demande.objects.filter(auteur=referent, statut=S.DEMANDEE).exists()
    assert SuspensionMesure.objects.filter(parcours__referent=referent).exists()
    if demo.duree_mesure_mois:
        assert Demande.objects.filter(auteur=referent, type=T.RENOUVELLEMENT_MESURE).exists()
