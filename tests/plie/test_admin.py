"""The Django admin: every registered model's pages open, and every model of ours is registered."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalChanges

from financement.models import InstantaneEtats
from parcours.accueil import fixer_premier_rdv, noter_tentative
from parcours.models import AbsenceReferent, Etape, Etat
from plie.accounts import second_factor
from plie.accounts.invitations import inviter
from plie.accounts.models import Invitation, Role, User
from plie.notifications.models import EvenementFournisseur
from plie.referentiel.models import Referentiel
from plie.territoire.models import RessourceTerritoire
from prescriptions import decisions, dedoublonnage, validations
from prescriptions.models import Avis, Organisme
from tests.conftest import verified_login
from tests.factories import LieuFactory, ParcoursFactory, PrescriptionFactory

OUR_APPS = [
    "accounts",
    "territoire",
    "referentiel",
    "notifications",
    "prescriptions",
    "parcours",
    "sorties",
    "financement",
    "acces",
]
# Append-only: the admin shows these rows and never adds one (plie/acces/admin.py).
REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
# Records nobody adds by hand: axes' records of logins, and the append-only access log.
READ_ONLY = {"axes.AccessAttempt", "axes.AccessLog", "acces.AccesDossier", "parcours.EvenementContrat"}
# Made through their rules only (parcours.ateliers: a series with its sessions, invitations within the
# capacity, attendance on a held session).
READ_ONLY |= {
    "parcours.Atelier",
    "parcours.SeanceAtelier",
    "parcours.InscriptionAtelier",
    "parcours.PresenceAtelier",
    # Written once on screen (parcours.signatures); built by the Celery task (parcours.tasks).
    "parcours.Signature",
    "parcours.LotEmargement",
    # Asked and decided through parcours.demandes; recorded through parcours.suspensions.
    "parcours.Demande",
    "parcours.TransitionDemande",
    "parcours.SuspensionMesure",
    # Written with their cause (parcours.convocations, the outbox) and by the provider's webhooks.
    "parcours.Convocation",
    "notifications.Message",
    "notifications.EvenementFournisseur",
}


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(
        email="admin@exemple.fr", password="mot-de-passe-admin-2026", first_name="Ada", last_name="Admin"
    )


@pytest.fixture
def admin_client(superuser):
    return verified_login(Client(), superuser)


@pytest.fixture
def data(personas, communes):
    """At least one row in most tables, so that changelists render rows, not an empty table."""
    ParcoursFactory(etat=Etat.VEILLE, referent=personas.referent_a)
    personas.parcours.proposer_sortie(
        by=personas.referent_a, date_sortie_prevue=personas.parcours.date_entree, motif="Emploi trouvé"
    )
    LieuFactory()
    Group.objects.create(name="Relecteurs")
    second_factor.confirm_app_device(second_factor.pending_app_device(personas.coordination))  # app + backup codes
    Client().post("/compte/connexion/", {"username": "test@exemple.fr", "password": "faux"})  # an AccessAttempt
    Client().force_login(personas.referent_a)  # an AccessLog
    InstantaneEtats.objects.create(date=timezone.localdate(), etat=Etat.ACCOMPAGNEMENT, nombre=1)
    inviter(
        Invitation(
            email="nouvelle@ccas.example",
            first_name="Nora",
            last_name="Petit",
            role=Role.PRESCRIPTEUR,
            structure=personas.prescripteur.structure,
            invite_par=personas.coordination,
        )
    )
    # A referral with its validation, a duplicate set aside and its log; then accepted (messages, notifications).
    prescription = PrescriptionFactory(prescripteur=personas.prescripteur, nom_usage="Test", prenoms="Admin")
    other = PrescriptionFactory(nom_usage="Test", prenoms="Admin", date_naissance=prescription.date_naissance)
    dedoublonnage.ecarter(prescription, personas.coordination, other)
    validation = validations.demander_validation(
        prescription, personas.coordination, Organisme.FRANCE_TRAVAIL, Referentiel.objects.active()
    )
    validations.rendre_avis(validation, personas.coordination, Avis.FAVORABLE)
    prescription.refresh_from_db()
    parcours = decisions.accepter(
        prescription,
        personas.coordination,
        personas.referent_a,
        confirme=True,
        referentiel=Referentiel.objects.active(),
    )
    noter_tentative(parcours, personas.referent_a, "telephone", commentaire="Messagerie")
    fixer_premier_rdv(
        parcours,
        personas.referent_a,
        timezone.now() + timezone.timedelta(days=3),
        lieu_precision="Au CCAS",
    )
    EvenementFournisseur.objects.create(fournisseur="brevo", cle="evt-admin", genre="statut")
    # An étape from the catalogue, begun: two log rows.
    etape = Etape.planifier(
        personas.referent_a,
        personas.parcours,
        type="levee_frein",
        date_debut=timezone.localdate(),
        ressource=RessourceTerritoire.objects.first(),
    )
    etape.commencer(personas.referent_a, timezone.localdate())
    # A diagnostic and a contract (its log row comes with it).
    from parcours.cer import rediger
    from parcours.diagnostic import diagnostic_en_cours

    diagnostic_en_cours(personas.parcours, personas.referent_a)
    rediger(
        ParcoursFactory(etat=Etat.ACCUEIL, referent=personas.referent_a),
        personas.referent_a,
        objectifs="Objectifs",
        actions_prevues="Première étape",
        engagements_participant="Venir",
        engagements_referent="Recevoir",
        date_debut=timezone.localdate(),
        duree_mois=6,
    )
    # A référent's day of training in their agenda.
    AbsenceReferent.objects.create(
        referent=personas.referent_a, debut=timezone.localdate(), fin=timezone.localdate(), nature="formation"
    )
    # An atelier expense entered, with its log row.
    from financement.depenses import ajouter
    from financement.models import DepenseAtelier

    ajouter(
        DepenseAtelier(
            referent=personas.referent_a,
            date=timezone.localdate(),
            montant=Decimal("12.50"),
            categorie="Frais de réception",
            fournisseur="Test",
        ),
        personas.referent_a,
    )
    # An atelier held last week, the personas' parcours present (a session, its log, an invitation).
    from parcours import ateliers

    atelier = ateliers.creer_serie(
        personas.referent_a,
        theme="Atelier test",
        animateur=personas.referent_a,
        capacite=8,
        premiere_date=timezone.localdate() - timezone.timedelta(days=7),
        heure_debut=datetime.time(9, 30),
        heure_fin=datetime.time(12, 0),
        lieu_precision="Salle",
    )
    ateliers.inviter(atelier, personas.referent_a, [personas.parcours])
    ateliers.noter_presences(
        atelier.seances.get(), personas.referent_a, [ateliers.LignePresence(personas.parcours.pk, "present")]
    )
    # A signature drawn on screen, and a batch of émargement sheets asked for.
    from tests.factories import EntretienFactory, LotEmargementFactory, SignatureFactory

    SignatureFactory(rendez_vous=EntretienFactory(parcours=parcours, honore=True), recueillie_par=personas.referent_a)
    LotEmargementFactory(referent=personas.referent_a)
    # A veille asked and refused, and the participant's leave suspending the measure.
    from parcours import demandes, suspensions

    suivi = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=personas.referent_a)

    demande = demandes.demander(
        personas.referent_a,
        suivi,
        "entree_veille",
        referentiel=Referentiel.objects.active(),
        motif_veille="emploi_formation",
        debut=timezone.localdate(),
        fin_prevue=timezone.localdate() + timezone.timedelta(days=30),
    )
    demandes.refuser(personas.coordination, demande, motif="La formation n'a pas commencé.")
    suivi.refresh_from_db()
    suspensions.enregistrer(
        personas.referent_a,
        suivi,
        motif="conges",
        debut=suivi.date_entree + timezone.timedelta(days=1),
        fin=suivi.date_entree + timezone.timedelta(days=3),
    )
    # The coordination opens the file: a row in the access log.
    coordination = verified_login(Client(), personas.coordination)
    assert coordination.get(f"/parcours/{parcours.pk}/").status_code == 200
    return personas


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def model_id(model):
    return model._meta.label


@pytest.mark.parametrize("model", REGISTERED, ids=model_id)
def test_changelist(admin_client, data, model):
    response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 0


@pytest.mark.parametrize("model", REGISTERED, ids=model_id)
def test_changelist_search(admin_client, data, model):
    response = admin_client.get(admin_url(model, "changelist") + "?q=test")
    assert response.status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=model_id)
def test_add_page(admin_client, data, model):
    response = admin_client.get(admin_url(model, "add"))
    assert response.status_code == (403 if model._meta.label in READ_ONLY else 200)


@pytest.mark.parametrize("model", REGISTERED, ids=model_id)
def test_change_page_of_an_existing_row(admin_client, data, model):
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, "the data fixture leaves this table empty"
    response = admin_client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200


def test_admin_index_lists_our_apps(admin_client):
    content = admin_client.get("/admin/").content.decode()
    assert "Administration du PLIE" in content
    for label in OUR_APPS:
        assert f"/admin/{label}/" in content


def test_admin_is_closed_to_a_coordination_account(personas, client_for):
    response = client_for(personas.coordination).get("/admin/parcours/parcours/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def is_history_model(model):
    """simple_history's Historical* models, including the m2m history (HistoricalParticipant_criteres)."""
    return issubclass(model, HistoricalChanges)


def our_concrete_models():
    return [
        model
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models()
        if not model._meta.abstract
        and not model._meta.proxy
        and not model._meta.auto_created
        and not is_history_model(model)
    ]


def test_history_models_are_recognised():
    """The filter leaves out the history tables and the m2m through tables, and nothing else."""
    models = [m for label in OUR_APPS for m in apps.get_app_config(label).get_models()]
    left_out = {m._meta.label for m in models} - {m._meta.label for m in our_concrete_models()}
    assert "parcours.HistoricalParcours" in left_out
    assert "parcours.HistoricalParticipant_criteres" in left_out  # the m2m history of participants
    assert all(label.split(".")[1].startswith("Historical") for label in left_out)
    assert "parcours.Parcours" in {m._meta.label for m in our_concrete_models()}


def test_every_model_of_ours_is_registered():
    missing = sorted(m._meta.label for m in our_concrete_models() if not admin.site.is_registered(m))
    assert missing == []


def test_every_app_of_ours_has_models():
    assert {model._meta.app_label for model in our_concrete_models()} == set(OUR_APPS)
