"""The contract signed at the entry: who reads and writes it, the earliest appointment, the signatures,
the entry in accompaniment, the PLIE team's validation (Caen), the PDF."""

import datetime
import subprocess
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from parcours.models import (
    Contrat,
    Diagnostic,
    Etat,
    EvenementContrat,
    NatureDiagnostic,
    StatutContrat,
    StatutRendezVous,
)
from plie.acces.models import AccesDossier, Action
from plie.accounts.models import Role
from plie.referentiel.services import load_preset
from tests.factories import ParcoursFactory, ParticipantFactory, RendezVousFactory, UserFactory
from tests.html import field_block, field_value, page

TODAY = datetime.date(2026, 3, 2)
ALL = (
    "coordination",
    "referent_a",
    "referent_b",
    "prescripteur",
    "autre_prescripteur",
    "prescripteur_ailleurs",
    "bureau_insertion",
    "operateur",
    "financeur",
)
DRAFT = {
    "objectifs": "Retrouver un emploi d'aide à domicile à temps partiel.",
    "actions_prevues": "Première étape : PMSMP dans un SAAD de Niort en avril.",
    "engagements_participant": "Venir aux rendez-vous, prévenir en cas d'absence.",
    "engagements_referent": "Un rendez-vous tous les quinze jours, mise en relation avec les employeurs.",
    "date_debut": "2026-03-02",
    "duree_mois": "6",
}


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Paris")))


def held(parcours, n):
    """``n`` appointments held: the first one, then entretiens."""
    for i in range(n):
        debut = timezone.now() - datetime.timedelta(days=n - i)
        RendezVousFactory(
            parcours=parcours,
            objet="premier_rdv" if i == 0 else "entretien",
            debut=debut,
            statut=StatutRendezVous.HONORE,
            duree_reelle_minutes=60,
            cloture_le=debut + datetime.timedelta(hours=1),
            lieu__commune__nom="Niort",
        )


@pytest.fixture
def accueilli(named):
    parcours = ParcoursFactory(
        etat=Etat.ACCUEIL,
        referent=named.referent_a,
        prescripteur=named.prescripteur,
        start=TODAY - datetime.timedelta(days=30),
        participant=ParticipantFactory(nom_usage="Le Goff", prenoms="Nolwenn", criteres=["brsa"]),
    )
    return parcours


def url(parcours, suffix=""):
    return f"/parcours/{parcours.pk}/contrat/{suffix}"


def write(client, parcours, **changes):
    """Post the draft form as the page shows it (with its snapshot of what the person saw, once saved)."""
    response = client.get(url(parcours, "rediger/"))
    data = {**DRAFT, **changes}
    if response.status_code == 200 and 'name="instantane"' in response.content.decode():
        data["instantane"] = field_value(response.content.decode(), "instantane")
    return client.post(url(parcours, "rediger/"), data)


# --- who -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ALL)
def test_the_referent_and_the_coordination_read_and_write_the_contract(named, client_for, accueilli, who):
    client = client_for(getattr(named, who))
    may = who in {"coordination", "referent_a"}
    assert client.get(url(accueilli)).status_code == (200 if may else 404)
    assert client.get(url(accueilli, "rediger/")).status_code == (200 if may else 404)
    assert client.get(url(accueilli, "pdf/")).status_code == 404  # no contract yet, or not theirs
    response = write(client, accueilli)
    assert response.status_code == (302 if may else 404)
    assert Contrat.objects.filter(parcours=accueilli).exists() == may


@pytest.mark.parametrize("rup", [True, False])
def test_the_bureau_insertion_reads_the_contract_of_a_rup_parcours_only(named, client_for, accueilli, rup):
    type(accueilli).objects.filter(pk=accueilli.pk).update(rup=rup)
    bi = client_for(named.bureau_insertion)
    assert bi.get(url(accueilli)).status_code == (200 if rup else 404)
    assert bi.get(url(accueilli, "rediger/")).status_code == 404
    assert write(bi, accueilli).status_code == 404


def test_a_contract_is_written_only_once_received_and_before_the_exit(named, client_for):
    client = client_for(named.referent_a)
    for etat in (Etat.ORIENTE, Etat.SORTIE_PROPOSEE, Etat.SORTI):
        parcours = ParcoursFactory(etat=etat, referent=named.referent_a)
        assert client.get(url(parcours, "rediger/")).status_code == 404
        assert "Rédiger le contrat" not in page(client, url(parcours))


# --- the draft -----------------------------------------------------------------------------------


def test_writing_the_draft_logs_it_and_keeps_what_was_typed_on_bad_input(named, client_for, accueilli):
    client = client_for(named.referent_a)
    response = write(client, accueilli, duree_mois="40")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Un contrat dure au plus 36 mois." in field_block(html, "duree_mois")
    assert unescape(field_value(field_block(html, "objectifs"), "objectifs")) == DRAFT["objectifs"]
    assert not Contrat.objects.exists()
    assert write(client, accueilli, objectifs="").status_code == 200
    assert write(client, accueilli, objectifs="x" * 2001).status_code == 200

    assert write(client, accueilli).status_code == 302
    contrat = Contrat.objects.get()
    assert (contrat.statut, contrat.objectifs, contrat.duree_mois) == (StatutContrat.BROUILLON, DRAFT["objectifs"], 6)
    event = EvenementContrat.objects.get()
    assert (event.transition, event.statut_avant, event.statut_apres, event.auteur) == (
        "rediger",
        "",
        StatutContrat.BROUILLON,
        named.referent_a,
    )
    # A second draft edits the first one.
    assert write(client, accueilli, objectifs="Nouveaux objectifs").status_code == 302
    assert list(Contrat.objects.values_list("objectifs", flat=True)) == ["Nouveaux objectifs"]


def test_editing_the_draft_detects_a_concurrent_change(named, client_for, accueilli):
    referent, coordination = client_for(named.referent_a), client_for(named.coordination)
    write(referent, accueilli)
    mine = page(referent, url(accueilli, "rediger/"))
    token = field_value(mine, "instantane") if 'name="instantane"' in mine else None
    assert token
    assert write(coordination, accueilli, objectifs="Objectifs de la coordination").status_code == 302
    response = referent.post(url(accueilli, "rediger/"), {**DRAFT, "objectifs": "Les miens", "instantane": token})
    assert response.status_code == 200
    assert "Quelqu&#x27;un d&#x27;autre a modifié cette fiche" in response.content.decode()
    assert Contrat.objects.get().objectifs == "Objectifs de la coordination"


# --- the earliest appointment (N §III.c) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "rsa", "honores", "signed"),
    [
        ("niort", False, 1, False),
        ("niort", False, 2, True),
        ("niort", True, 1, True),
        ("caen", False, 1, True),
        ("caen", False, 0, False),
    ],
)
def test_the_contract_is_signed_from_the_referentiel_s_appointment(
    named, client_for, accueilli, preset, rsa, honores, signed
):
    load_preset(preset, activate=True)
    client = client_for(named.referent_a)
    write(client, accueilli, cer_conditionne_rsa="on" if rsa else "")
    held(accueilli, honores)
    response = client.post(url(accueilli, "signer/"), {"date_signature": TODAY.isoformat()})
    contrat = Contrat.objects.get()
    assert (contrat.statut == StatutContrat.SIGNE) == signed
    if not signed:
        html = response.content.decode()
        assert response.status_code == 200
        assert "Le contrat se signe à partir du rendez-vous n°" in html
        assert contrat.date_signature is None


def test_signing_freezes_the_diagnostic_and_starts_the_accompaniment_in_niort(named, client_for, accueilli):
    client = client_for(named.referent_a)
    write(client, accueilli)
    held(accueilli, 2)
    page(client, f"/parcours/{accueilli.pk}/diagnostic/")  # the diagnostic in progress exists
    assert client.post(url(accueilli, "signer/"), {"date_signature": TODAY.isoformat()}).status_code == 302
    accueilli.refresh_from_db()
    contrat = Contrat.objects.get()
    assert (contrat.statut, contrat.date_signature, contrat.signe_par_referent) == (
        StatutContrat.SIGNE,
        TODAY,
        named.referent_a,
    )
    assert (accueilli.etat, accueilli.date_entree) == (Etat.ACCOMPAGNEMENT, TODAY)
    assert accueilli.transitions.filter(transition="demarrer_accompagnement", auteur=named.referent_a).exists()
    assert Diagnostic.objects.filter(parcours=accueilli, nature=NatureDiagnostic.INITIAL).count() == 1
    assert not mail.outbox and not named.parcours.rup  # no RUP: the bureau insertion is not asked


@pytest.mark.parametrize("date", ["2026-03-03", "2026-01-01", "pas une date"])
def test_a_signature_date_in_the_future_or_before_the_first_appointment_is_refused(named, client_for, accueilli, date):
    client = client_for(named.referent_a)
    write(client, accueilli)
    held(accueilli, 2)
    response = client.post(url(accueilli, "signer/"), {"date_signature": date})
    assert response.status_code == 200
    block = field_block(response.content.decode(), "date_signature")
    assert any(m in block for m in ["jour à venir", "ne peut précéder le premier rendez-vous", "date valide"])
    assert Contrat.objects.get().statut == StatutContrat.BROUILLON


def test_a_rup_contract_goes_to_the_bureau_insertion_which_signs_it(
    named, client_for, accueilli, django_capture_on_commit_callbacks
):
    type(accueilli).objects.filter(pk=accueilli.pk).update(rup=True)
    accueilli.refresh_from_db()
    referent, bi = client_for(named.referent_a), client_for(named.bureau_insertion)
    write(referent, accueilli)
    held(accueilli, 2)
    assert bi.get(url(accueilli, "contresigner/")).status_code == 404  # not signed yet
    with django_capture_on_commit_callbacks(execute=True):
        assert referent.post(url(accueilli, "signer/"), {"date_signature": TODAY.isoformat()}).status_code == 302
    (email,) = [m for m in mail.outbox if "contrat à signer" in m.subject]
    assert email.subject == f"PLIE : contrat à signer (parcours n° {accueilli.pk})"
    assert "Le Goff" not in email.subject and "LE GOFF Nolwenn" in email.body
    assert named.bureau_insertion.email in email.to
    assert referent.get(url(accueilli, "contresigner/")).status_code == 404  # the BI's own signature
    assert "Signer pour le bureau insertion" in page(bi, url(accueilli))
    assert bi.post(url(accueilli, "contresigner/"), {}).status_code == 302
    contrat = Contrat.objects.get()
    assert (contrat.signe_bi_par, contrat.signe_bi) == (named.bureau_insertion, True)
    assert bi.get(url(accueilli, "contresigner/")).status_code == 404  # once
    response = bi.post(url(accueilli, "contresigner/"), {})
    assert response.status_code == 200 and "déjà signé" in response.content.decode()


# --- Caen: the PLIE's team validates the integration ---------------------------------------------


@pytest.fixture
def signe_a_caen(named, client_for, accueilli):
    load_preset("caen", activate=True)
    referent = client_for(named.referent_a)
    write(referent, accueilli)
    held(accueilli, 1)
    assert referent.post(url(accueilli, "signer/"), {"date_signature": TODAY.isoformat()}).status_code == 302
    accueilli.refresh_from_db()
    assert accueilli.etat == Etat.ACCUEIL  # the entry waits for the team
    return accueilli


def test_caen_the_team_validates_and_the_entry_dates_from_the_signature(named, client_for, signe_a_caen):
    assert client_for(named.referent_a).get(url(signe_a_caen, "valider_integration/")).status_code == 404
    coordination = client_for(named.coordination)
    assert coordination.post(url(signe_a_caen, "valider_integration/"), {}).status_code == 302
    signe_a_caen.refresh_from_db()
    assert (signe_a_caen.etat, signe_a_caen.date_entree) == (Etat.ACCOMPAGNEMENT, TODAY)
    assert Contrat.objects.get().statut == StatutContrat.VALIDE


def test_caen_a_refused_integration_needs_a_motif_and_cancels_the_parcours(named, client_for, signe_a_caen):
    coordination = client_for(named.coordination)
    response = coordination.post(url(signe_a_caen, "refuser_integration/"), {"motif": "  "})
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in field_block(response.content.decode(), "motif")
    assert coordination.post(url(signe_a_caen, "refuser_integration/"), {"motif": "Hors critères"}).status_code == 302
    signe_a_caen.refresh_from_db()
    contrat = Contrat.objects.get()
    assert (contrat.statut, contrat.motif_refus) == (StatutContrat.REFUSE, "Hors critères")
    assert signe_a_caen.etat == Etat.ANNULE
    assert "Intégration refusée par l'équipe du PLIE : Hors critères" in signe_a_caen.motif_cloture


def test_niort_has_no_team_validation(named, client_for, accueilli):
    client = client_for(named.referent_a)
    write(client, accueilli)
    held(accueilli, 2)
    client.post(url(accueilli, "signer/"), {"date_signature": TODAY.isoformat()})
    coordination = client_for(named.coordination)
    assert "Valider l&#x27;intégration" not in page(coordination, url(accueilli))
    response = coordination.post(url(accueilli, "valider_integration/"), {})
    assert response.status_code == 200
    assert "l&#x27;entrée compte à la signature" in response.content.decode()


# --- the PDF -------------------------------------------------------------------------------------


def test_the_pdf_reads_back_with_names_objectives_dates_and_signatures(named, client_for, accueilli, tmp_path):
    type(accueilli).objects.filter(pk=accueilli.pk).update(rup=True)
    client = client_for(named.referent_a)
    write(client, accueilli)
    held(accueilli, 2)
    client.post(url(accueilli, "signer/"), {"date_signature": TODAY.isoformat()})
    response = client.get(url(accueilli, "pdf/"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "contrat.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(text.split())  # lines wrap where the page is narrow
    for expected in [
        "PLIE DU NIORTAIS",
        "Contrat d'engagement réciproque",
        "LE GOFF Nolwenn",
        named.referent_a.get_full_name(),
        "Retrouver un emploi d'aide à domicile",
        "PMSMP dans un SAAD",
        "6 mois, du 02/03/2026 au 02/09/2026",
        "signé le 02/03/2026",
        "Signatures",
        "Pour le bureau insertion",
        "(référent unique de parcours)",
    ]:
        assert expected in text, expected
    assert AccesDossier.objects.filter(objet_id=accueilli.pk, action=Action.TELECHARGEMENT, refuse=False).exists()


def test_the_parcours_page_shows_the_contract_card_to_whom_may_read_it(named, client_for, accueilli):
    assert f"/parcours/{accueilli.pk}/contrat/" in page(client_for(named.referent_a), f"/parcours/{accueilli.pk}/")
    content = page(client_for(named.prescripteur), f"/parcours/{accueilli.pk}/")
    assert f"/parcours/{accueilli.pk}/contrat/" not in content
    financeur = UserFactory(role=Role.FINANCEUR)
    assert client_for(financeur).get(url(accueilli, "pdf/")).status_code == 404


def test_the_contract_card_bears_the_name_the_referentiel_gives_it(named, client_for, accueilli):
    import re

    def card_title():
        content = page(client_for(named.referent_a), f"/parcours/{accueilli.pk}/")
        return re.search(r'id="titre-contrat">([^<]+)<', content).group(1)

    niort_name = card_title()
    load_preset("caen", activate=True)
    caen_name = card_title()
    assert (unescape(niort_name), unescape(caen_name)) == (
        load_preset("niort").cer_libelle,
        load_preset("caen").cer_libelle,
    )
    assert niort_name != caen_name


def test_without_an_active_referentiel_the_contract_pages_say_so_instead_of_failing(named, client_for, accueilli):
    from plie.referentiel.models import Referentiel

    Referentiel.objects.update(actif=False)
    client = client_for(named.referent_a)
    for suffix in ("", "rediger/", "pdf/", "signer/"):
        assert client.get(url(accueilli, suffix)).status_code == 404, suffix
