"""Search finds people however they are typed, on PostgreSQL and on SQLite (the demo's default).

Run on SQLite too: ``DATABASE_URL=sqlite:////tmp/lists.sqlite3 pytest tests/plie/test_recherche.py``.
"""

import datetime
import importlib
import io

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from parcours.models import Etat, Participant
from plie.acces.models import AccesDossier, Action, TypeObjet
from plie.accounts.models import Invitation, Role, User, cle_compte
from plie.identite import cle_recherche, remplir_cles
from prescriptions.models import Avis, Organisme, Prescription, ValidationPrescription
from tests.factories import ParcoursFactory, ParticipantFactory, PrescriptionFactory, UserFactory

pytestmark = pytest.mark.django_db


def noms(response):
    return response.content.decode()


# --- the key ------------------------------------------------------------------------------------


def test_key_is_the_duplicate_rule_normalisation_filled_on_save():
    participant = ParticipantFactory(nom_usage="BENSAÏD", nom_naissance="N’Diaye-Lœuf", prenoms="André")
    assert participant.cle_recherche == "bensaid n diaye loeuf andre"
    participant.prenoms = "Élodie"
    participant.save(update_fields=["prenoms"])  # the key follows even a partial save
    participant.refresh_from_db()
    assert participant.cle_recherche == "bensaid n diaye loeuf elodie"


def test_bulk_writes_fill_the_key(personas):
    bulk = ParticipantFactory.build(nom_usage="ÉTIENNE", prenoms="Zoé")
    (created,) = Participant.objects.bulk_create([bulk])
    assert Participant.objects.get(nom_usage="ÉTIENNE").cle_recherche == "etienne zoe"
    created = Participant.objects.get(nom_usage="ÉTIENNE")
    created.nom_usage = "Hélène"
    Participant.objects.bulk_update([created], ["nom_usage"])
    assert Participant.objects.get(pk=created.pk).cle_recherche == "helene zoe"
    prescription = PrescriptionFactory.build(
        nom_usage="Çelik",
        prenoms="Aïcha",
        prescripteur=personas.prescripteur,
        structure=personas.prescripteur.structure,
    )
    Prescription.objects.bulk_create([prescription])
    assert Prescription.objects.get(nom_usage="Çelik").cle_recherche == "celik aicha"


def test_the_data_migration_fills_existing_rows():
    participant = ParticipantFactory(nom_usage="Lefèvre", prenoms="Anaïs")
    Participant.objects.filter(pk=participant.pk).update(cle_recherche="")  # a row from before the key
    remplir_cles("parcours", "Participant")(django_apps, None)
    assert Participant.objects.get(pk=participant.pk).cle_recherche == cle_recherche(participant) == "lefevre anais"


def test_trigram_index_on_postgresql_only():
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "parcours_participant")
    if connection.vendor == "postgresql":
        assert indexes["participant_cle_trgm"]["type"] == "gin"
    else:  # SQLite migrated without it
        assert "participant_cle_trgm" not in indexes


def test_one_nom_complet_for_both():
    participant = ParticipantFactory.build(nom_usage="Martin", nom_naissance="Dupré", prenoms="Léa", sexe="F")
    prescription = PrescriptionFactory.build(nom_usage="Martin", nom_naissance="Dupré", prenoms="Léa", sexe="F")
    assert participant.nom_complet == prescription.nom_complet == "MARTIN (née DUPRÉ) Léa"
    assert PrescriptionFactory.build(nom_usage="", prenoms="", brouillon=True).nom_complet == ""


# --- the lists ----------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["andre", "ANDRE", "André", "bensaid", "BENSAÏD", "andre bensaid"])
def test_queue_finds_people_however_typed(personas, client_for, typed):
    PrescriptionFactory(nom_usage="BENSAÏD", prenoms="ANDRÉ", prescripteur=personas.prescripteur)
    PrescriptionFactory(nom_usage="Martin", prenoms="Claire", prescripteur=personas.prescripteur)
    page = noms(client_for(personas.coordination).get(reverse("prescriptions:queue"), {"q": typed}))
    assert "BENSAÏD" in page and "MARTIN" not in page


def test_mes_prescriptions_finds_people_however_typed(personas, client_for):
    PrescriptionFactory(nom_usage="Bensaïd", prenoms="Éloïse", prescripteur=personas.prescripteur)
    PrescriptionFactory(nom_usage="Martin", prenoms="Claire", prescripteur=personas.prescripteur)
    page = noms(client_for(personas.prescripteur).get(reverse("prescriptions:mine"), {"q": "eloise bensaid"}))
    assert "BENSAÏD" in page and "MARTIN" not in page
    page = noms(client_for(personas.prescripteur).get(reverse("prescriptions:mine"), {"q": "zzz"}))
    assert "Aucune prescription ne correspond à cette recherche." in page


def test_parcours_list_finds_people_however_typed(personas, client_for):
    ParcoursFactory(
        etat=Etat.ACCOMPAGNEMENT,
        referent=personas.referent_a,
        participant=ParticipantFactory(nom_usage="D’Hérouville", prenoms="Gaëlle"),
    )
    client = client_for(personas.coordination)
    page = noms(client.get(reverse("parcours:list"), {"q": "d herouville gaelle"}))
    assert "D’HÉROUVILLE" in page
    assert personas.parcours.participant.nom_usage.upper() not in page
    page = noms(client.get(reverse("parcours:list"), {"q": "herouv"}))  # a part of the name is enough
    assert "D’HÉROUVILLE" in page
    page = noms(client.get(reverse("parcours:list"), {"q": "personne-inconnue"}))
    assert "Aucun parcours ne correspond à cette recherche." in page


def test_parcours_list_finds_people_by_their_commune_however_typed(personas, client_for):
    from plie.territoire.models import Commune

    echire = Commune.objects.create(insee="79109", nom="Échiré", codes_postaux="79410", departement="79")
    ParcoursFactory(
        etat=Etat.ACCOMPAGNEMENT,
        referent=personas.referent_a,
        participant=ParticipantFactory(nom_usage="Habitante", prenoms="Léa", commune=echire),
    )
    client = client_for(personas.coordination)
    for typed in ("echire", "ÉCHIRÉ", "echi lea"):
        page = noms(client.get(reverse("parcours:list"), {"q": typed}))
        assert "HABITANTE" in page, typed
        assert personas.parcours.participant.nom_usage.upper() not in page, typed


def test_bureau_insertion_validations_find_people_however_typed(personas, client_for):
    now = timezone.now()
    for nom in ("Müller", "Martin"):
        prescription = PrescriptionFactory(nom_usage=nom, prenoms="Inès", criteres=["brsa"])
        ValidationPrescription.objects.create(
            prescription=prescription, organisme=Organisme.BUREAU_INSERTION, demandee_le=now, avis=Avis.EN_ATTENTE
        )
    client = client_for(personas.bureau_insertion)
    page = noms(client.get(reverse("prescriptions:validations"), {"q": "muller ines"}))
    assert "MÜLLER" in page and "MARTIN" not in page
    page = noms(client.get(reverse("prescriptions:validations"), {"q": "muller", "avis": "rendus"}))
    assert "MÜLLER" not in page and "Aucune validation ne correspond à cette recherche." in page


def test_access_log_finds_files_by_the_persons_name(personas, client_for):
    cible = ParcoursFactory(
        etat=Etat.ACCOMPAGNEMENT, participant=ParticipantFactory(nom_usage="Ségolène", prenoms="Noël")
    )
    autre = personas.parcours
    prescription = PrescriptionFactory(nom_usage="SÉGOLÈNE", prenoms="Noël")
    for type_objet, pk in (
        (TypeObjet.PARCOURS, cible.pk),
        (TypeObjet.PARCOURS, autre.pk),
        (TypeObjet.PRESCRIPTION, prescription.pk),
    ):
        AccesDossier.objects.create(
            utilisateur=personas.referent_b,
            utilisateur_libelle="Témoin",
            type_objet=type_objet,
            objet_id=pk,
            action=Action.CONSULTATION,
            chemin="/",
        )
    client = client_for(personas.coordination)
    page = noms(client.get(reverse("acces:journal"), {"dossier": "segolene noel"}))
    assert f"n° {cible.pk}" in page and f"n° {prescription.pk}<" in page
    assert f"Parcours n° {autre.pk}<" not in page
    page = noms(client.get(reverse("acces:journal"), {"dossier": "inconnu"}))
    assert "Aucun accès ne correspond à cette recherche." in page


def test_mes_prescriptions_open_first_then_by_date_sent(personas, client_for):
    now = timezone.now()
    day = datetime.timedelta(days=1)
    prescripteur = personas.prescripteur
    PrescriptionFactory(nom_usage="Ancienne", prescripteur=prescripteur, envoyee_le=now - 9 * day)
    PrescriptionFactory(nom_usage="Recente", prescripteur=prescripteur, envoyee_le=now - day)
    PrescriptionFactory(nom_usage="Brouillon", prescripteur=prescripteur, brouillon=True)
    PrescriptionFactory(
        nom_usage="Refusee",
        prescripteur=prescripteur,
        envoyee_le=now,
        statut="refusee",
        motif_refus="hors_territoire",
        decidee_le=now,
    )
    page = noms(client_for(prescripteur).get(reverse("prescriptions:mine")))
    order = [page.index(nom) for nom in ("BROUILLON", "RECENTE", "ANCIENNE", "REFUSEE")]
    assert order == sorted(order)


def test_the_demo_seeds_the_key_in_bulk(niort, communes):
    """The demo (and ``make bench``, which seeds through it) writes in bulk: every row gets its key."""
    call_command("seed_demo", "--participants", "40", stdout=io.StringIO())
    assert Participant.objects.exists() and Prescription.objects.exists()
    for model in (Participant, Prescription):
        for row in model.objects.all():
            assert row.cle_recherche == cle_recherche(row), row.pk


# --- the account lists --------------------------------------------------------------------------


def test_an_accounts_key_holds_its_names_and_email_address_however_saved(personas):
    user = UserFactory(first_name="André", last_name="Bensaïd", email="A.Bensaid@Exemple.fr")
    assert user.cle_recherche == "andre bensaid a bensaid exemple fr"
    user.last_name = "N’Diaye"
    user.save(update_fields=["last_name"])
    assert User.objects.get(pk=user.pk).cle_recherche == "andre n diaye a bensaid exemple fr"
    User.objects.filter(pk=user.pk).update(cle_recherche="")  # an account from before the key
    migration = importlib.import_module("plie.accounts.migrations.0005_cle_recherche_comptes")
    migration.remplir(django_apps, None)
    assert User.objects.get(pk=user.pk).cle_recherche == cle_compte(user)


@pytest.mark.parametrize("typed", ["andre", "ANDRÉ", "bensaid", "andre bensaid"])
def test_the_users_list_finds_accounts_however_typed(personas, client_for, typed):
    UserFactory(first_name="André", last_name="BENSAÏD")
    UserFactory(first_name="Claire", last_name="Martin")
    page = noms(client_for(personas.coordination).get(reverse("user_list"), {"q": typed}))
    assert "BENSAÏD" in page and "Martin" not in page


def test_the_invitations_list_finds_invitations_however_typed(personas, client_for):
    now = timezone.now()
    for n, (prenom, nom) in enumerate((("Hélène", "Lefèvre"), ("Claire", "Martin"))):
        Invitation.objects.create(
            email=f"invitee{n}@exemple.fr",
            first_name=prenom,
            last_name=nom,
            role=Role.PRESCRIPTEUR,
            structure=personas.prescripteur.structure,
            token_hash=f"{n}" * 64,
            expire_le=now + datetime.timedelta(days=7),
        )
    page = noms(client_for(personas.coordination).get(reverse("invitation_list"), {"q": "helene lefevre"}))
    assert "Lefèvre" in page and "Martin" not in page


def test_the_referents_list_finds_referents_however_typed(personas, client_for):
    personas.referent_a.first_name, personas.referent_a.last_name = "Zoé", "Dupré-Lœuf"
    personas.referent_a.save()
    page = noms(client_for(personas.coordination).get(reverse("referents"), {"q": "zoe dupre loeuf"}))
    assert "Dupré-Lœuf" in page and personas.referent_b.last_name not in page
