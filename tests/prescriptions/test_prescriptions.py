"""Prescriptions, from the prescripteur's fiche to the coordination's decision, as each role sees them."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from parcours.models import Etat, Parcours, Participant, TransitionParcours
from plie.accounts.models import LieuAccompagnement, PrescripteurKind, Role
from plie.notifications.models import Notification
from plie.referentiel.models import Referentiel
from plie.territoire.models import Commune
from prescriptions import decisions, dedoublonnage, validations
from prescriptions.models import Avis, CandidatEcarte, Organisme, Prescription, ValidationPrescription
from prescriptions.workflow import PrescriptionError, Statut
from tests.factories import (
    ParcoursFactory,
    ParticipantFactory,
    PrescriptionFactory,
    ReferentFactory,
    StructureFactory,
    UserFactory,
)
from tests.snapshots import instantane


@pytest.fixture
def plie(personas, communes):
    """The personas in the real territory: référent A receives in Niort, référent B in Chauray."""
    niort, chauray = Commune.objects.get(insee="79191"), Commune.objects.get(insee="79081")
    personas.niort, personas.chauray = niort, chauray
    for referent, commune in ((personas.referent_a, niort), (personas.referent_b, chauray)):
        lieu = LieuAccompagnement.objects.create(nom=f"Permanence {commune.nom}", commune=commune)
        referent.referent_profile.lieux.add(lieu)
    bi = personas.bureau_insertion
    bi.structure.type_prescripteur = PrescripteurKind.BUREAU_INSERTION
    bi.structure.email = "bi@departement.example"
    bi.structure.save()
    return personas


def fiche(**overrides):
    """What a prescripteur types in the form, complete."""
    data = {
        "nom_usage": "N’Diaye",
        "nom_naissance": "",
        "prenoms": "Awa",
        "sexe": "F",
        "date_naissance": "1990-03-14",
        "telephone_mobile": "06 71 23 45 67",
        "telephone_fixe": "",
        "email": "awa.ndiaye@example.org",
        "adresse": "4 rue Brisson",
        "code_postal": "79000",
        "commune": "",
        "commune_autre": "",
        "situation": "demandeur_emploi",
        "inscrit_france_travail": "True",
        "date_inscription_france_travail": "2023-02-01",
        "motifs": "Sans emploi depuis deux ans, souhaite se former dans l'aide à la personne.",
        "freins": ["mobilite", "sante"],
        "souhaite_assister_premier_rdv": "on",
        "envoyer": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def valider(prescription, organisme=Organisme.FRANCE_TRAVAIL):
    now = timezone.now()
    ValidationPrescription.objects.create(
        prescription=prescription, organisme=organisme, demandee_le=now, avis=Avis.FAVORABLE, avis_le=now
    )
    prescription.refresh_from_db()


def brsa_id():
    from plie.referentiel.models import CriterePublic

    return CriterePublic.objects.get(code="brsa").pk


# --- the prescripteur's fiche -------------------------------------------------------------------


def test_submission_shows_every_error_at_once_and_keeps_what_was_typed(plie, client_for):
    client = client_for(plie.prescripteur)
    response = client.post(
        "/prescriptions/nouvelle/",
        fiche(
            prenoms="",
            date_naissance="",
            telephone_mobile="06 12",
            motifs="",
            inscrit_france_travail="",
            date_inscription_france_travail="",
            commune="",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {
        "prenoms",
        "date_naissance",
        "telephone_mobile",
        "motifs",
        "inscrit_france_travail",
        "commune",
    }
    assert "Numéro de téléphone invalide" in errors["telephone_mobile"][0]
    content = response.content.decode()
    assert 'value="N’Diaye"' in content and "06 12" in content
    assert Prescription.objects.count() == 0


def test_a_draft_is_saved_incomplete_then_sent(plie, client_for):
    client = client_for(plie.prescripteur)
    response = client.post("/prescriptions/nouvelle/", {"nom_usage": "Martin", "brouillon": "1"})
    draft = Prescription.objects.get()
    assert response.status_code == 302 and draft.statut == Statut.BROUILLON and draft.envoyee_le is None
    # Nobody but its author sees a draft.
    assert client_for(plie.coordination).get(f"/prescriptions/{draft.pk}/").status_code == 404

    url = f"/prescriptions/{draft.pk}/modifier/"
    response = client.post(url, fiche(commune=plie.niort.pk, **instantane(client, url)))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.statut == Statut.ENVOYEE and draft.envoyee_le is not None
    assert draft.telephone_mobile == "+33671234567"
    assert draft.evenements.get().type == "envoyer"
    assert client.get(f"/prescriptions/{draft.pk}/modifier/").status_code == 302  # sent: no more edits


def test_rup_only_for_an_rsa_beneficiary(plie, client_for):
    response = client_for(plie.prescripteur).post(
        "/prescriptions/nouvelle/", fiche(commune=plie.niort.pk, rup_demande="on")
    )
    assert "ne se demande que pour un bénéficiaire du RSA" in response.context["form"].errors["rup_demande"][0]


def test_the_fiche_offers_only_the_communes_of_the_territory(plie, client_for):
    """Niort's référentiel covers the Niort agglomeration: Caen is not offered, and refused if posted."""
    client = client_for(plie.prescripteur)
    offered = client.get("/prescriptions/nouvelle/").context["form"].fields["commune"].queryset
    territoire = Commune.objects.in_epcis(Referentiel.objects.active().epci_sirens)
    assert set(offered) == set(territoire) and plie.niort in set(offered)
    caen = Commune.objects.get(insee="14118")
    assert caen not in set(offered)
    typed = fiche(commune=caen.pk, nom_usage="Caradec")
    response = client.post("/prescriptions/nouvelle/", typed)
    assert response.status_code == 200
    assert response.context["form"].errors["commune"] == [
        "Cette commune n'est pas sur le territoire du PLIE : choisissez-en une de la liste, "
        "ou saisissez-la dans « Autre commune »."
    ]
    assert 'value="Caradec"' in response.content.decode()  # nothing typed is lost
    assert not Prescription.objects.filter(nom_usage__iexact="Caradec").exists()
    response = client.post("/prescriptions/nouvelle/", fiche(commune="", commune_autre="Caen", nom_usage="Caradec"))
    assert response.status_code == 302


def test_deleting_a_draft_asks_first(plie, client_for):
    draft = PrescriptionFactory(brouillon=True, prescripteur=plie.prescripteur)
    client = client_for(plie.prescripteur)
    assert "Supprimer le brouillon ?" in client.get(f"/prescriptions/{draft.pk}/supprimer/").content.decode()
    assert Prescription.objects.filter(pk=draft.pk).exists()
    client.post(f"/prescriptions/{draft.pk}/supprimer/")
    assert not Prescription.objects.filter(pk=draft.pk).exists()
    sent = PrescriptionFactory(prescripteur=plie.prescripteur)
    assert client.post(f"/prescriptions/{sent.pk}/supprimer/").status_code == 404


# --- the coordination's steps ---------------------------------------------------------------------


def test_whole_flow_through_the_pages(plie, client_for, django_capture_on_commit_callbacks):
    """Sent, checked, validated by FT and the BI, accepted: participant, parcours and every message."""
    prescripteur = plie.prescripteur
    client_for(prescripteur).post(
        "/prescriptions/nouvelle/",
        fiche(commune=plie.chauray.pk, criteres=[brsa_id()], rup_demande="on"),
    )
    prescription = Prescription.objects.get()
    coordination = client_for(plie.coordination)

    queue = coordination.get("/prescriptions/a-traiter/").content.decode()
    assert "N’DIAYE Awa" in queue or "N&#x27;DIAYE" in queue or "N’DIAYE" in queue

    page = coordination.get(f"/prescriptions/{prescription.pk}/").content.decode()
    assert "Validation à demander." in page
    with django_capture_on_commit_callbacks(execute=True):
        for organisme in (Organisme.FRANCE_TRAVAIL, Organisme.BUREAU_INSERTION):
            coordination.post(f"/prescriptions/{prescription.pk}/validation/{organisme}/demander/")
    prescription.refresh_from_db()
    assert prescription.statut == Statut.EN_EXAMEN
    assert any("validation demandée" in m.subject for m in mail.outbox)
    assert Notification.objects.filter(destinataire=plie.bureau_insertion).exists()

    # France Travail's agreement is recorded by the coordination; the BI's only by the BI itself.
    assert coordination.get(f"/prescriptions/{prescription.pk}/validation/bureau_insertion/avis/").status_code == 404
    coordination.post(
        f"/prescriptions/{prescription.pk}/validation/france_travail/avis/",
        {"avis": "favorable", "interlocuteur": "M. Roux, conseiller FT"},
    )
    bi = client_for(plie.bureau_insertion)
    assert "N’DIAYE" in bi.get("/prescriptions/validations/").content.decode()
    bi.post(f"/prescriptions/{prescription.pk}/validation/bureau_insertion/avis/", {"avis": "favorable"})
    assert set(prescription.validations.values_list("avis", flat=True)) == {Avis.FAVORABLE}

    proposal = coordination.get(f"/prescriptions/{prescription.pk}/acceptation/")
    ranks = [p.referent for p in proposal.context["propositions"]]
    assert ranks[:2] == [plie.referent_b, plie.referent_a]  # Chauray is closer to Chauray
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = coordination.post(
            f"/prescriptions/{prescription.pk}/acceptation/",
            {"referent": plie.referent_a.pk, "justification": "Elle travaille à Niort."},
        )
    assert response.status_code == 302
    prescription.refresh_from_db()
    parcours = prescription.parcours
    assert prescription.statut == Statut.ACCEPTEE
    assert (parcours.etat, parcours.referent, parcours.prescripteur, parcours.rup) == (
        Etat.ORIENTE,
        plie.referent_a,
        prescripteur,
        True,
    )
    assert parcours.participant.telephone_mobile == "+33671234567"
    assert set(parcours.participant.codes_criteres()) == {"brsa"}
    log = TransitionParcours.objects.get(parcours=parcours)
    assert log.transition == "orienter" and "Rang 2" in log.motif and "Niort" in log.motif
    assert (log.etat_avant, log.etat_apres, log.auteur) == ("", Etat.ORIENTE, plie.coordination)
    journal = coordination.get(f"/parcours/{parcours.pk}/").content.decode()
    assert "Désigner le référent" in journal and "Orienté (référent désigné)" in journal

    by_subject = {m.subject: m for m in mail.outbox}
    assert set(by_subject) == {  # no name in a subject, which mail servers log and show everywhere
        f"PLIE : nouvelle orientation (parcours n° {parcours.pk})",
        f"PLIE : prescription n° {prescription.pk} acceptée",
        f"PLIE : référent unique de parcours désigné (prescription n° {prescription.pk})",
    }
    assert by_subject[f"PLIE : prescription n° {prescription.pk} acceptée"].to == [prescripteur.email]
    rup = by_subject[f"PLIE : référent unique de parcours désigné (prescription n° {prescription.pk})"]
    assert plie.referent_a.get_full_name() in rup.body
    assert set(rup.to) == {plie.bureau_insertion.email, "bi@departement.example"}
    assert Notification.objects.filter(destinataire=plie.referent_a, titre__contains="N’DIAYE").exists()

    mine = client_for(prescripteur).get("/prescriptions/").content.decode()
    assert "Acceptée" in mine and plie.referent_a.get_full_name() in mine


def test_acceptance_waits_for_the_validations(plie):
    prescription = PrescriptionFactory(commune=plie.niort)
    with pytest.raises(PrescriptionError, match="Validation France Travail"):
        decisions.accepter(prescription, plie.coordination, plie.referent_a, referentiel=Referentiel.objects.active())
    prescription.refresh_from_db()
    assert (
        prescription.statut == Statut.ENVOYEE
        and not Parcours.objects.filter(participant__nom_usage=prescription.nom_usage).exists()
    )
    validation = validations.demander_validation(
        prescription, plie.coordination, Organisme.FRANCE_TRAVAIL, Referentiel.objects.active()
    )
    validations.rendre_avis(validation, plie.coordination, Avis.DEFAVORABLE, commentaire="Déjà suivie en CEJ")
    prescription.refresh_from_db()
    with pytest.raises(PrescriptionError, match="défavorable"):
        decisions.accepter(prescription, plie.coordination, plie.referent_a, referentiel=Referentiel.objects.active())


def test_caen_needs_no_validation_but_a_france_travail_registration(personas, caen, communes, client_for):
    caen_commune = Commune.objects.get(insee="14118")
    prescription = PrescriptionFactory(
        commune=caen_commune, inscrit_france_travail=False, date_inscription_france_travail=None, criteres=["brsa"]
    )
    checks = {v.code: v for v in decisions.checklist(prescription, caen)}
    assert "validation_france_travail" not in checks and "validation_bureau_insertion" not in checks
    assert checks["france_travail"].resultat == "a_verifier"
    with pytest.raises(PrescriptionError, match="Confirmez avoir vérifié"):
        decisions.accepter(
            prescription, personas.coordination, personas.referent_a, referentiel=Referentiel.objects.active()
        )
    prescription.refresh_from_db()
    parcours = decisions.accepter(
        prescription,
        personas.coordination,
        personas.referent_a,
        confirme=True,
        referentiel=Referentiel.objects.active(),
    )
    assert parcours.etat == Etat.ORIENTE


def test_checklist_says_what_the_data_says(plie, niort):
    outside = Commune.objects.get(insee="14118")  # Caen: another PLIE's territory
    prescription = PrescriptionFactory(
        commune=outside,
        criteres=[],
        date_inscription_france_travail=timezone.localdate() - datetime.timedelta(days=400),
    )
    checks = {v.code: v for v in decisions.checklist(prescription, niort)}
    assert checks["territoire"].resultat == "echec" and "Caen" in checks["territoire"].constat
    # DELD is derived from the registration date (≥ 12 months), never typed.
    assert checks["criteres"].resultat == "ok" and "DELD déduit" in checks["criteres"].constat
    assert checks["validation_bureau_insertion"].resultat == "ok"  # no RSA: nothing to validate

    prescription = PrescriptionFactory(
        commune=plie.niort, criteres=["pauvrete"], inscrit_france_travail=False, date_inscription_france_travail=None
    )
    checks = {v.code: v for v in decisions.checklist(prescription, niort)}
    assert checks["criteres"].resultat == "a_verifier" and "cellule" in checks["criteres"].constat

    prescription = PrescriptionFactory(
        commune=None,
        commune_autre="Bordeaux",
        criteres=["qpv"],
        inscrit_france_travail=False,
        date_inscription_france_travail=None,
    )
    checks = {v.code: v for v in decisions.checklist(prescription, niort)}
    assert checks["criteres"].resultat == "echec" and "Résident d'un quartier prioritaire" in checks["criteres"].constat
    assert checks["territoire"].resultat == "echec" and "Bordeaux" in checks["territoire"].constat


def test_complement_returns_the_prescription_with_the_question(plie, client_for, django_capture_on_commit_callbacks):
    prescription = PrescriptionFactory(prescripteur=plie.prescripteur, commune=plie.niort)
    coordination = client_for(plie.coordination)
    response = coordination.post(f"/prescriptions/{prescription.pk}/complement/", {"question": ""})
    assert response.context["form"].errors["question"]
    with django_capture_on_commit_callbacks(execute=True):
        coordination.post(
            f"/prescriptions/{prescription.pk}/complement/", {"question": "Quel est son niveau de français ?"}
        )
    prescription.refresh_from_db()
    assert prescription.statut == Statut.COMPLEMENT_DEMANDE
    assert mail.outbox[-1].to == [plie.prescripteur.email] and "niveau de français" in mail.outbox[-1].body

    prescripteur = client_for(plie.prescripteur)
    assert (
        "Quel est son niveau de français ?" in prescripteur.get(f"/prescriptions/{prescription.pk}/").content.decode()
    )
    form = prescripteur.get(f"/prescriptions/{prescription.pk}/modifier/").context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, [])}
    data["commune"] = plie.niort.pk
    data["criteres"] = [c.pk for c in prescription.criteres.all()]
    data["envoyer"] = "1"
    response = prescripteur.post(f"/prescriptions/{prescription.pk}/modifier/", data)
    assert "Répondez à la question" in response.context["form"].errors["reponse_complement"][0]
    data["reponse_complement"] = "Bon niveau à l'oral."
    assert prescripteur.post(f"/prescriptions/{prescription.pk}/modifier/", data).status_code == 302
    prescription.refresh_from_db()
    assert prescription.statut == Statut.ENVOYEE and prescription.reponse_complement == "Bon niveau à l'oral."


def test_refusal_with_a_reason_tells_the_prescripteur(plie, client_for, django_capture_on_commit_callbacks):
    prescription = PrescriptionFactory(prescripteur=plie.prescripteur)
    coordination = client_for(plie.coordination)
    response = coordination.post(f"/prescriptions/{prescription.pk}/refus/", {"motif_refus": "", "commentaire": "x"})
    assert response.context["form"].errors["motif_refus"]
    with django_capture_on_commit_callbacks(execute=True):
        coordination.post(
            f"/prescriptions/{prescription.pk}/refus/",
            {"motif_refus": "hors_territoire", "commentaire": "Réside à Bordeaux."},
        )
    prescription.refresh_from_db()
    assert prescription.statut == Statut.REFUSEE and prescription.decidee_par == plie.coordination
    assert not Participant.objects.filter(nom_usage=prescription.nom_usage).exists()  # nothing kept of a refusal
    assert "hors du territoire" in mail.outbox[-1].body and "Bordeaux" in mail.outbox[-1].body
    page = client_for(plie.prescripteur).get(f"/prescriptions/{prescription.pk}/").content.decode()
    assert "Réside hors du territoire du PLIE" in page


# --- duplicates --------------------------------------------------------------------------------


def test_duplicate_must_be_resolved_and_a_link_makes_a_re_entry(plie, client_for):
    known = ParticipantFactory(nom_usage="Le Gall", prenoms="Éloïse", date_naissance=datetime.date(1979, 5, 2))
    ParcoursFactory(participant=known, etat=Etat.SORTI)
    prescription = PrescriptionFactory(
        nom_usage="LEGALL", prenoms="Eloise", date_naissance=datetime.date(1979, 5, 2), commune=plie.niort
    )
    coordination = client_for(plie.coordination)
    assert "doublon possible" in coordination.get("/prescriptions/a-traiter/").content.decode()
    page = coordination.get(f"/prescriptions/{prescription.pk}/doublons/").content.decode()
    assert "correspondance forte" in page and "Même date de naissance" in page

    validations.demander_validation(
        prescription, plie.coordination, Organisme.FRANCE_TRAVAIL, Referentiel.objects.active()
    )
    validation = prescription.validations.get()
    validations.rendre_avis(validation, plie.coordination, Avis.FAVORABLE)
    prescription.refresh_from_db()
    with pytest.raises(PrescriptionError, match="doublon possible"):
        decisions.accepter(prescription, plie.coordination, plie.referent_a, referentiel=Referentiel.objects.active())
    prescription.refresh_from_db()

    coordination.post(f"/prescriptions/{prescription.pk}/doublons/rattacher/{known.pk}/")
    prescription.refresh_from_db()
    assert prescription.participant == known
    parcours = decisions.accepter(
        prescription, plie.coordination, plie.referent_a, referentiel=Referentiel.objects.active()
    )
    assert parcours.participant == known and known.parcours.count() == 2  # a re-entry, not a second person
    assert Participant.objects.filter(date_naissance=datetime.date(1979, 5, 2)).count() == 1


def test_declared_different_person_lets_a_new_participant_be_created(plie, client_for):
    homonym = ParticipantFactory(nom_usage="Martin", prenoms="Nicolas", date_naissance=datetime.date(1985, 1, 1))
    prescription = PrescriptionFactory(
        nom_usage="Martin", prenoms="Nicolas", date_naissance=datetime.date(1985, 1, 1), commune=plie.niort
    )
    client_for(plie.coordination).post(f"/prescriptions/{prescription.pk}/doublons/ecarter/participant/{homonym.pk}/")
    assert CandidatEcarte.objects.filter(prescription=prescription, participant=homonym).exists()
    valider(prescription)
    prescription.refresh_from_db()
    parcours = decisions.accepter(
        prescription, plie.coordination, plie.referent_b, referentiel=Referentiel.objects.active()
    )
    assert parcours.participant != homonym


def test_a_person_with_an_open_parcours_cannot_enter_twice(plie, niort):
    known = ParticipantFactory(nom_usage="Dubois", prenoms="Léa", date_naissance=datetime.date(1992, 2, 2))
    ParcoursFactory(participant=known, etat=Etat.ACCOMPAGNEMENT, referent=plie.referent_b)
    prescription = PrescriptionFactory(nom_usage="Dubois", prenoms="Lea", date_naissance=datetime.date(1992, 2, 2))
    dedoublonnage.rattacher(prescription, plie.coordination, known)
    checks = {v.code: v for v in decisions.checklist(prescription, niort)}
    assert checks["doublons"].resultat == "echec" and plie.referent_b.get_full_name() in checks["doublons"].constat


def test_pending_prescriptions_are_candidates_too(plie):
    first = PrescriptionFactory(nom_usage="Diallo", prenoms="Mamadou", date_naissance=datetime.date(1970, 7, 7))
    second = PrescriptionFactory(nom_usage="Mamadou", prenoms="Diallo", date_naissance=datetime.date(1970, 7, 7))
    [candidat] = dedoublonnage.candidats(second)
    assert candidat.objet == first and "Nom et prénom inversés" in candidat.correspondance.raisons


def test_phone_is_a_weaker_signal(plie):
    ParticipantFactory(
        nom_usage="Bernard", prenoms="Paul", date_naissance=datetime.date(1960, 1, 1), telephone_mobile="+33611111111"
    )
    prescription = PrescriptionFactory(nom_usage="Bernard", prenoms="Julie", telephone_mobile="+33611111111")
    [candidat] = dedoublonnage.candidats(prescription)
    assert candidat.correspondance.force == "faible"
    assert dedoublonnage.doublons_possibles([prescription]) == set()  # the queue flags strong ones only


# --- who may do what ---------------------------------------------------------------------------

ROLES = [
    "coordination",
    "referent_a",
    "prescripteur",
    "autre_prescripteur",
    "bureau_insertion",
    "operateur",
    "financeur",
]


def expected(table):
    return [pytest.param(who, table[who], id=who) for who in ROLES]


@pytest.mark.parametrize(
    ("who", "status"),
    expected(
        {
            "coordination": 200,
            "referent_a": 404,
            "prescripteur": 200,
            "autre_prescripteur": 404,
            "bureau_insertion": 200,
            "operateur": 404,
            "financeur": 404,
        }
    ),
)
def test_detail_page_per_role(plie, client_for, who, status):
    """An RSA referral sent by the prescripteur: the BI sees it, the colleague does not."""
    prescription = PrescriptionFactory(
        prescripteur=plie.prescripteur, criteres=["brsa", "rqth"], freins=["sante", "logement"]
    )
    response = client_for(getattr(plie, who)).get(f"/prescriptions/{prescription.pk}/")
    assert response.status_code == status
    if status == 200:
        content = response.content.decode()
        assert "Logement" in content
        # Health and disability: the author and the coordination only.
        assert ("Santé" in content) is (who != "bureau_insertion")
        assert ("RQTH" in content) is (who != "bureau_insertion")


@pytest.mark.parametrize(
    ("who", "status"),
    expected(
        {
            "coordination": 200,
            "referent_a": 403,
            "prescripteur": 403,
            "autre_prescripteur": 403,
            "bureau_insertion": 403,
            "operateur": 403,
            "financeur": 403,
        }
    ),
)
@pytest.mark.parametrize(
    "page", ["a-traiter/", "{pk}/doublons/", "{pk}/complement/", "{pk}/refus/", "{pk}/acceptation/"]
)
def test_coordination_pages_per_role(plie, client_for, who, status, page):
    prescription = PrescriptionFactory(prescripteur=plie.prescripteur, criteres=["brsa"])
    response = client_for(getattr(plie, who)).get("/prescriptions/" + page.format(pk=prescription.pk))
    if "{pk}" in page and who in {"referent_a", "autre_prescripteur", "operateur", "financeur"}:
        status = 404  # they may not even know the prescription exists
    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    expected(
        {
            "coordination": 403,
            "referent_a": 403,
            "prescripteur": 200,
            "autre_prescripteur": 200,
            "bureau_insertion": 200,
            "operateur": 403,
            "financeur": 403,
        }
    ),
)
@pytest.mark.parametrize("page", ["", "nouvelle/"])
def test_prescripteur_pages_per_role(plie, client_for, who, status, page):
    assert client_for(getattr(plie, who)).get(f"/prescriptions/{page}").status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    expected(
        {
            "coordination": 403,
            "referent_a": 403,
            "prescripteur": 403,
            "autre_prescripteur": 403,
            "bureau_insertion": 200,
            "operateur": 403,
            "financeur": 403,
        }
    ),
)
def test_bureau_insertion_queue_per_role(plie, client_for, who, status):
    assert client_for(getattr(plie, who)).get("/prescriptions/validations/").status_code == status


def test_colleague_cannot_edit_and_referent_sees_the_fiche_of_their_participant(plie, client_for):
    draft = PrescriptionFactory(brouillon=True, prescripteur=plie.prescripteur)
    assert client_for(plie.autre_prescripteur).get(f"/prescriptions/{draft.pk}/modifier/").status_code == 404
    prescription = PrescriptionFactory(prescripteur=plie.prescripteur, commune=plie.niort, freins=["sante"])
    valider(prescription)
    decisions.accepter(prescription, plie.coordination, plie.referent_a, referentiel=Referentiel.objects.active())
    content = client_for(plie.referent_a).get(f"/prescriptions/{prescription.pk}/").content.decode()
    assert "Santé" in content
    assert client_for(plie.referent_b).get(f"/prescriptions/{prescription.pk}/").status_code == 404


def test_bureau_insertion_sees_only_rsa_referrals(plie, client_for):
    rsa = PrescriptionFactory(criteres=["brsa"])
    other = PrescriptionFactory(criteres=["deld"])
    visible = set(Prescription.objects.visible_to(plie.bureau_insertion))
    assert rsa in visible and other not in visible
    validations.demander_validation(rsa, plie.coordination, Organisme.BUREAU_INSERTION, Referentiel.objects.active())
    # Another BI-role user of a structure that is not the bureau insertion cannot give the avis.
    outsider = UserFactory(role=Role.PRESCRIPTEUR, structure=StructureFactory(prescripteur=True))
    assert client_for(outsider).get(f"/prescriptions/{rsa.pk}/validation/bureau_insertion/avis/").status_code == 404


def test_bad_input_never_breaks_a_page(plie, client_for):
    prescription = PrescriptionFactory(prescripteur=plie.prescripteur)
    coordination = client_for(plie.coordination)
    for url in [
        "/prescriptions/a-traiter/?statut=zzz&structure=abc&commune=-1&critere=%00&page=x",
        f"/prescriptions/{prescription.pk}/validation/nimporte/demander/",
        f"/prescriptions/{prescription.pk}/doublons/ecarter/participant/999999/",
    ]:
        response = coordination.post(url) if "demander" in url or "ecarter" in url else coordination.get(url)
        assert response.status_code in {200, 404}, url
    response = coordination.post(f"/prescriptions/{prescription.pk}/acceptation/", {"referent": "abc"})
    assert response.status_code == 200 and response.context["form"].errors["referent"]
    response = client_for(plie.prescripteur).post(
        "/prescriptions/nouvelle/", fiche(date_naissance="31/02/1990", code_postal="7900A", commune="999999")
    )
    errors = response.context["form"].errors
    assert {"date_naissance", "code_postal", "commune"} <= set(errors)
    assert re.search("Saisissez une date valide|date valide", errors["date_naissance"][0])


@pytest.mark.parametrize("who", ROLES)
def test_coordination_actions_are_refused_to_others(plie, client_for, who):
    """Every POST of the coordination, tried by each role: only the coordination changes anything."""
    known = ParticipantFactory(nom_usage="Garnier", prenoms="Inès", date_naissance=datetime.date(1980, 3, 3))
    prescription = PrescriptionFactory(
        prescripteur=plie.prescripteur,
        nom_usage="Garnier",
        prenoms="Ines",
        date_naissance=datetime.date(1980, 3, 3),
        criteres=["brsa"],
    )
    client = client_for(getattr(plie, who))
    pk = prescription.pk
    responses = [
        client.post(f"/prescriptions/{pk}/validation/france_travail/demander/"),
        client.post(f"/prescriptions/{pk}/doublons/rattacher/{known.pk}/"),
        client.post(f"/prescriptions/{pk}/doublons/ecarter/participant/{known.pk}/"),
        client.post(f"/prescriptions/{pk}/complement/", {"question": "?"}),
        client.post(f"/prescriptions/{pk}/refus/", {"motif_refus": "autre"}),
        client.post(f"/prescriptions/{pk}/acceptation/", {"referent": plie.referent_a.pk, "confirme": "on"}),
    ]
    prescription.refresh_from_db()
    if who == "coordination":
        assert all(r.status_code == 302 for r in responses)
        assert prescription.statut == Statut.REFUSEE  # the refusal came before the acceptance
        return
    # Those who see the prescription get 403; the others do not even learn it exists.
    expected = 403 if who in {"prescripteur", "bureau_insertion"} else 404
    assert {r.status_code for r in responses} == {expected}
    assert prescription.statut == Statut.ENVOYEE
    assert not prescription.validations.exists() and prescription.participant is None
    assert not CandidatEcarte.objects.exists()


@pytest.mark.parametrize(
    ("who", "organisme", "status"),
    [
        pytest.param("coordination", "france_travail", 200, id="coordination-ft"),
        pytest.param("coordination", "bureau_insertion", 404, id="coordination-bi"),
        pytest.param("bureau_insertion", "bureau_insertion", 200, id="bi-bi"),
        pytest.param("bureau_insertion", "france_travail", 404, id="bi-ft"),
        pytest.param("prescripteur", "france_travail", 404, id="prescripteur-ft"),
        pytest.param("prescripteur", "bureau_insertion", 404, id="prescripteur-bi"),
        pytest.param("referent_a", "france_travail", 404, id="referent"),
        pytest.param("operateur", "france_travail", 404, id="operateur"),
        pytest.param("financeur", "bureau_insertion", 404, id="financeur"),
    ],
)
def test_avis_page_per_role(plie, client_for, who, organisme, status):
    prescription = PrescriptionFactory(prescripteur=plie.prescripteur, criteres=["brsa"])
    for o in (Organisme.FRANCE_TRAVAIL, Organisme.BUREAU_INSERTION):
        validations.demander_validation(prescription, plie.coordination, o, Referentiel.objects.active())
    client = client_for(getattr(plie, who))
    assert client.get(f"/prescriptions/{prescription.pk}/validation/{organisme}/avis/").status_code == status
    response = client.post(f"/prescriptions/{prescription.pk}/validation/{organisme}/avis/", {"avis": "favorable"})
    validation = prescription.validations.get(organisme=organisme)
    assert (validation.avis == Avis.FAVORABLE) is (status == 200)
    if status == 200:
        assert validation.avis_par == getattr(plie, who) and response.status_code == 302


def test_avis_form_keeps_input_and_refuses_a_second_avis(plie, client_for):
    prescription = PrescriptionFactory(criteres=["brsa"])
    validations.demander_validation(
        prescription, plie.coordination, Organisme.BUREAU_INSERTION, Referentiel.objects.active()
    )
    bi = client_for(plie.bureau_insertion)
    url = f"/prescriptions/{prescription.pk}/validation/bureau_insertion/avis/"
    response = bi.post(url, {"avis": "peut-être", "commentaire": "Dossier RSA à jour"})
    assert response.context["form"].errors["avis"] and "Dossier RSA à jour" in response.content.decode()
    bi.post(url, {"avis": "defavorable", "commentaire": "Orientation sociale d'abord"})
    assert bi.get(url).status_code == 302  # already given: back to the prescription
    checks = {v.code: v for v in decisions.checklist(prescription, _active())}
    assert checks["validation_bureau_insertion"].resultat == "echec"


def _active():
    from plie.referentiel.models import Referentiel

    return Referentiel.objects.active()


@pytest.mark.parametrize("who", ROLES)
def test_notifications_are_personal(plie, client_for, who):
    from plie.notifications.services import notifier

    mine = notifier(getattr(plie, who), "Pour moi", lien="/prescriptions/")
    other = notifier(plie.referent_b, "Pas pour vous")
    client = client_for(getattr(plie, who))
    content = client.get("/notifications/").content.decode()
    assert "Pour moi" in content and "Pas pour vous" not in content
    assert client.post(f"/notifications/{other.pk}/ouvrir/").status_code == 404
    response = client.post(f"/notifications/{mine.pk}/ouvrir/")
    assert response.status_code == 302 and response["Location"] == "/prescriptions/"
    mine.refresh_from_db()
    assert mine.lue_le is not None
    assert client.get(f"/notifications/{mine.pk}/ouvrir/").status_code == 405


def test_notification_links_stay_on_the_site(plie, client_for):
    from plie.notifications.services import notifier

    notification = notifier(plie.coordination, "Piège", lien="https://ailleurs.example/")
    response = client_for(plie.coordination).post(f"/notifications/{notification.pk}/ouvrir/")
    assert response["Location"] == "/notifications/"


def test_emails_are_plain_text_with_names_as_typed(plie, django_capture_on_commit_callbacks):
    prescription = PrescriptionFactory(prescripteur=plie.prescripteur, nom_usage="D'Almeida", prenoms="Zoé & Léa")
    with django_capture_on_commit_callbacks(execute=True):
        decisions.refuser(prescription, plie.coordination, "autre", "Orientation <ASE> plus adaptée")
    [message] = mail.outbox
    assert "D'ALMEIDA Zoé & Léa" not in message.subject and "D'ALMEIDA Zoé & Léa" in message.body
    assert "Orientation <ASE> plus adaptée" in message.body and "&" + "#x27;" not in message.body


def test_a_new_identity_in_a_complement_calls_for_a_new_duplicate_check(plie, client_for):
    known = ParticipantFactory(nom_usage="Roux", prenoms="Sami", date_naissance=datetime.date(1975, 4, 4))
    prescription = PrescriptionFactory(
        prescripteur=plie.prescripteur, nom_usage="Roux", prenoms="Sami", date_naissance=datetime.date(1975, 4, 4)
    )
    dedoublonnage.rattacher(prescription, plie.coordination, known)
    decisions.demander_complement(prescription, plie.coordination, "Date de naissance exacte ?")
    prescripteur = client_for(plie.prescripteur)
    form = prescripteur.get(f"/prescriptions/{prescription.pk}/modifier/").context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, [])}
    data.update(
        criteres=[c.pk for c in prescription.criteres.all()],
        commune_autre="Niort",
        reponse_complement="Né en 1976, erreur de saisie.",
        envoyer="1",
    )
    same_identity = dict(data)
    assert prescripteur.post(f"/prescriptions/{prescription.pk}/modifier/", same_identity).status_code == 302
    prescription.refresh_from_db()
    assert prescription.participant == known  # nothing about the person changed: the check holds

    decisions.demander_complement(prescription, plie.coordination, "Et la date ?")
    # The complement request changed the fiche (the answer is reset): the form is read again.
    data.update(instantane(prescripteur, f"/prescriptions/{prescription.pk}/modifier/"), date_naissance="1976-04-04")
    assert prescripteur.post(f"/prescriptions/{prescription.pk}/modifier/", data).status_code == 302
    prescription.refresh_from_db()
    assert prescription.participant is None and prescription.identite_verifiee_le is None
    assert prescription.date_naissance == datetime.date(1976, 4, 4)


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("action", ["modifier", "supprimer"])
def test_a_draft_is_its_authors_alone(plie, client_for, who, action):
    draft = PrescriptionFactory(brouillon=True, prescripteur=plie.prescripteur, nom_usage="Brouillon")
    client = client_for(getattr(plie, who))
    assert client.get(f"/prescriptions/{draft.pk}/{action}/").status_code == (200 if who == "prescripteur" else 404)
    snapshot = instantane(client, f"/prescriptions/{draft.pk}/modifier/") if who == "prescripteur" else {}
    response = client.post(f"/prescriptions/{draft.pk}/{action}/", {"nom_usage": "Autre", "brouillon": "1", **snapshot})
    draft_left = Prescription.objects.filter(pk=draft.pk).first()
    if who == "prescripteur":
        assert response.status_code == 302
        assert (draft_left is None) if action == "supprimer" else (draft_left.nom_usage == "Autre")
    else:
        assert response.status_code == 404 and draft_left.nom_usage == "Brouillon"


def test_only_the_validations_the_referentiel_asks_can_be_requested(
    plie, client_for, django_capture_on_commit_callbacks
):
    """The bureau insertion never hears of someone who is not an RSA beneficiary."""
    prescription = PrescriptionFactory(criteres=["deld"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(plie.coordination).post(
            f"/prescriptions/{prescription.pk}/validation/bureau_insertion/demander/", follow=True
        )
    assert "ne prévoit pas cette validation" in response.content.decode()
    assert not prescription.validations.exists() and not mail.outbox
    assert not Notification.objects.filter(destinataire=plie.bureau_insertion).exists()


@pytest.mark.parametrize("who", ["coordination", "referent_a", "prescripteur"])
def test_the_parcours_page_leads_to_its_fiche(plie, client_for, who):
    prescription = PrescriptionFactory(prescripteur=plie.prescripteur, commune=plie.niort)
    valider(prescription)
    parcours = decisions.accepter(
        prescription, plie.coordination, plie.referent_a, referentiel=Referentiel.objects.active()
    )
    content = client_for(getattr(plie, who)).get(f"/parcours/{parcours.pk}/").content.decode()
    assert f'href="/prescriptions/{prescription.pk}/"' in content
    # A parcours from before online referrals simply has no fiche.
    assert (
        "fiche de prescription"
        not in client_for(getattr(plie, who)).get(f"/parcours/{plie.parcours.pk}/").content.decode()
    )


def test_the_queue_flags_only_referrals_still_open(plie):
    ParticipantFactory(nom_usage="Petit", prenoms="Jade", date_naissance=datetime.date(1999, 9, 9))
    pending = PrescriptionFactory(nom_usage="Petit", prenoms="Jade", date_naissance=datetime.date(1999, 9, 9))
    refused = PrescriptionFactory(nom_usage="Petit", prenoms="Jade", date_naissance=datetime.date(1999, 9, 9))
    decisions.refuser(refused, plie.coordination, "deja_accompagne")
    assert dedoublonnage.doublons_possibles([pending, refused]) == {pending.pk}


def test_the_proposal_shows_the_best_ranked_and_all_on_demand(plie, client_for):
    """Past a screen of référents, the 15 best ranked, a link to all; one further down stays choosable."""
    from prescriptions.views.coordination import PROPOSITIONS_AFFICHEES

    for _ in range(PROPOSITIONS_AFFICHEES):
        ReferentFactory(structure=plie.referent_a.structure)
    prescription = PrescriptionFactory(prescripteur=plie.prescripteur)
    coordination = client_for(plie.coordination)
    url = f"/prescriptions/{prescription.pk}/acceptation/"
    total = PROPOSITIONS_AFFICHEES + 2
    short = coordination.get(url)
    assert len(short.context["propositions"]) == PROPOSITIONS_AFFICHEES
    assert f'<a href="?tous=1">voir les {total} référents</a>' in short.content.decode()
    every = coordination.get(url + "?tous=1")
    assert len(every.context["propositions"]) == total
    last = every.context["propositions"][-1].referent
    # Sent back with an error, the référent ticked further down is shown, still ticked.
    refused = coordination.post(url, {"referent": last.pk, "justification": "x" * 2001})
    assert refused.status_code == 200 and refused.context["form"].errors["justification"]
    assert len(refused.context["propositions"]) == total
    assert f'value="{last.pk}" id="id_referent_{total - 1}" checked' in refused.content.decode()
