"""The proof of a remote entretien (N §III « à distance »: « En l'absence d'une feuille d'émargement
signée, des justificatifs conformes aux attentes du FSE doivent être produits »): recorded when a phone
or video entretien is closed (absent from the form face to face), then printed on the individual
émargement sheet for each remote entretien the participant did not sign, or the proof still to produce."""

import datetime
import re
import subprocess
import zoneinfo
from html import unescape

import pytest
from django.urls import reverse

from parcours.models import ConfirmationDistance, RendezVous, RendezVousError, StatutRendezVous
from tests.factories import EntretienFactory, SignatureFactory
from tests.html import field_block, field_value

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=PARIS)
S = StatutRendezVous
AIDE = (
    "Sans feuille d'émargement signée, le FSE+ demande la preuve de l'entretien à distance : moyen utilisé et "
    "confirmation du participant"
)


def at(day, hour=10, month=11):
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW)


@pytest.fixture
def telephone(named):
    """A phone entretien of the personas' parcours, yesterday at 14:00, still planned: to be closed."""
    return EntretienFactory(
        parcours=named.parcours, debut=at(19, 14), modalite="telephone", lieu_precision="", duree_minutes=45
    )


@pytest.fixture
def presentiel(named):
    return EntretienFactory(parcours=named.parcours, debut=at(19, 9))


def close_url(rdv):
    return reverse("parcours:entretien_clore", args=[rdv.parcours_id, rdv.pk])


def close_data(client, rdv, **values):
    content = client.get(close_url(rdv)).content.decode()
    snapshot = re.search(r'name="instantane" value="([^"]+)"', content).group(1)
    return {"instantane": snapshot, "statut": S.HONORE, "duree_reelle_minutes": "40", **values}


# --- the closing form ---------------------------------------------------------------------------------


def test_a_remote_entretiens_closing_form_asks_for_its_proof(named, client_for, telephone):
    content = unescape(client_for(named.referent_a).get(close_url(telephone)).content.decode())
    assert "Preuve de l'entretien à distance" in content and AIDE in content
    for name in ("moyen_distance", "confirmation_participant", "confirmation_le"):
        field_block(content, name)
    assert "Email du participant" in content and "Courrier signé du participant" in content


def test_a_face_to_face_closing_form_has_no_proof_fields(named, client_for, presentiel):
    content = unescape(client_for(named.referent_a).get(close_url(presentiel)).content.decode())
    assert "Preuve de l'entretien à distance" not in content
    for name in ("moyen_distance", "confirmation_participant", "confirmation_le"):
        assert f'name="{name}"' not in content


def test_the_proof_is_recorded_with_the_closing(named, client_for, telephone):
    client = client_for(named.referent_a)
    data = close_data(
        client,
        telephone,
        moyen_distance="Appel au 05 49 00 00 00",
        confirmation_participant="email",
        confirmation_le="2026-11-20",
    )
    response = client.post(close_url(telephone), data)
    assert response.status_code == 302, response.content.decode()
    telephone.refresh_from_db()
    assert (telephone.statut, telephone.moyen_distance, telephone.confirmation_participant) == (
        S.HONORE,
        "Appel au 05 49 00 00 00",
        ConfirmationDistance.EMAIL,
    )
    assert telephone.confirmation_le == datetime.date(2026, 11, 20)


def test_a_remote_entretien_may_be_closed_before_the_confirmation_arrives(named, client_for, telephone):
    client = client_for(named.referent_a)
    response = client.post(close_url(telephone), close_data(client, telephone, moyen_distance="Téléphone fixe"))
    assert response.status_code == 302
    telephone.refresh_from_db()
    assert (telephone.moyen_distance, telephone.confirmation_participant, telephone.confirmation_le) == (
        "Téléphone fixe",
        "",
        None,
    )


def test_a_proof_posted_for_a_face_to_face_entretien_is_ignored(named, client_for, presentiel):
    client = client_for(named.referent_a)
    data = close_data(
        client, presentiel, moyen_distance="Visio", confirmation_participant="sms", confirmation_le="2026-11-20"
    )
    assert client.post(close_url(presentiel), data).status_code == 302
    presentiel.refresh_from_db()
    assert (presentiel.statut, presentiel.moyen_distance, presentiel.confirmation_participant) == (S.HONORE, "", "")
    assert presentiel.confirmation_le is None


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"confirmation_participant": "sms"}, "confirmation_le", "Indiquez la date de la confirmation"),
        ({"confirmation_le": "2026-11-20"}, "confirmation_participant", "Indiquez comment le participant a confirmé"),
        (
            {"confirmation_participant": "email", "confirmation_le": "2026-11-18"},
            "confirmation_le",
            "La confirmation suit l'entretien du 19/11/2026",
        ),
        (
            {"confirmation_participant": "email", "confirmation_le": "2026-11-25"},
            "confirmation_le",
            "ne peut être dans le futur",
        ),
        ({"confirmation_le": "32/13/2026"}, "confirmation_le", "Saisissez une date valide"),
        ({"moyen_distance": "x" * 101}, "moyen_distance", "au plus 100 caractères"),
        (
            {"statut": "absent", "duree_reelle_minutes": "", "moyen_distance": "Visio"},
            "moyen_distance",
            "pour un entretien tenu",
        ),
    ],
)
def test_a_wrong_proof_is_refused_next_to_its_field_nothing_lost(named, client_for, telephone, values, field, message):
    client = client_for(named.referent_a)
    data = close_data(client, telephone, sujet="Point emploi", notes="Mes notes", **values)
    response = client.post(close_url(telephone), data)
    assert response.status_code == 200
    content = unescape(response.content.decode())
    assert message in field_block(content, field), field_block(content, field)
    assert field_value(field_block(content, "sujet"), "sujet") == "Point emploi"
    assert field_value(field_block(content, "notes"), "notes") == "Mes notes"
    if "moyen_distance" in values:
        assert field_value(field_block(content, "moyen_distance"), "moyen_distance") == values["moyen_distance"]
    telephone.refresh_from_db()
    assert (telephone.statut, telephone.confirmation_participant) == (S.PREVU, "")


def test_the_model_refuses_a_proof_on_a_face_to_face_entretien(named, presentiel):
    presentiel.parcours = named.parcours
    with pytest.raises(RendezVousError, match="feuille d'émargement signée") as refus:
        presentiel.honorer(named.referent_a, 45, preuve={"moyen_distance": "Visio"})
    assert refus.value.field == "moyen_distance"
    assert RendezVous.objects.get(pk=presentiel.pk).statut == S.PREVU


# --- the individual émargement sheet ------------------------------------------------------------------


def text_of(content, tmp_path):
    path = tmp_path / "feuille.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def held(parcours, debut, **values):
    return EntretienFactory(
        parcours=parcours, debut=debut, statut="honore", duree_reelle_minutes=40, cloture_le=debut, **values
    )


def test_the_sheet_lists_each_unsigned_remote_entretien_with_its_proof(named, client_for, tmp_path):
    parcours = named.parcours
    held(
        parcours,
        at(3),
        modalite="visio",
        lieu_precision="",
        moyen_distance="Visio Teams",
        confirmation_participant="email",
        confirmation_le=datetime.date(2026, 11, 4),
    )
    held(parcours, at(6), modalite="telephone", lieu_precision="", moyen_distance="Appel au domicile")
    held(
        parcours,
        at(9),
        modalite="telephone",
        lieu_precision="",
        moyen_distance="Appel",
        confirmation_participant="courrier",
        confirmation_le=datetime.date(2026, 11, 12),
    )
    signe = held(parcours, at(12), modalite="visio", lieu_precision="", moyen_distance="Visio signée")
    SignatureFactory(rendez_vous=signe, recueillie_par=named.referent_a)
    held(parcours, at(13))  # face to face: its signature is the proof
    EntretienFactory(parcours=parcours, debut=at(16), modalite="telephone", lieu_precision="", absent=True)

    response = client_for(named.referent_a).get(
        reverse("emargement:individuelle", args=[parcours.pk]), {"debut": "01/11/2026", "fin": "30/11/2026"}
    )
    assert response.status_code == 200
    text = text_of(response.content, tmp_path)
    section = text[text.index("Entretiens à distance sans signature du participant : justificatifs") :]
    for expected in [
        "03/11/2026 10:00",
        "40 min",
        "En visioconférence",
        "Visio Teams",
        "confirmé par email du participant le 04/11/2026",
        "06/11/2026",
        "Par téléphone",
        "Appel au domicile",
        "Preuve à produire : confirmation du participant manquante",
        "confirmé par courrier signé du participant le 12/11/2026",
    ]:
        assert expected in section, expected
    # Signed, face to face or missed: no proof asked.
    for absent in ["Visio signée", "12/11/2026 10:00", "13/11/2026", "16/11/2026"]:
        assert absent not in section, absent
    assert section.count("Preuve à produire") == 1


def test_a_sheet_without_remote_entretiens_has_no_proof_section(named, client_for, tmp_path):
    held(named.parcours, at(3))
    response = client_for(named.referent_a).get(
        reverse("emargement:individuelle", args=[named.parcours.pk]), {"debut": "01/11/2026", "fin": "30/11/2026"}
    )
    assert "justificatifs" not in text_of(response.content, tmp_path)
