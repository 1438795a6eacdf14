"""« Preuve de l'entretien à distance »: the proof of a held phone or video entretien (N §III « à distance »),
added or changed after its closing, when the participant's confirmation arrives. Per role, from the dossier's
card, then read back on the individual émargement sheet (pdftotext); the refusals, the concurrent change,
the entretiens that have no such page, and the history's author. Time frozen."""

import datetime
import re
import subprocess
import zoneinfo
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from parcours.models import ConfirmationDistance, RendezVous, RendezVousError, StatutRendezVous
from plie.acces.models import AccesDossier
from tests.factories import EntretienFactory
from tests.html import field_block, field_value
from tests.plie.test_query_counts import count_queries

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=PARIS)
S = StatutRendezVous
ROLES = ["coordination", "referent_a", "referent_b", "prescripteur", "bureau_insertion", "operateur", "financeur"]
MAY = {"coordination", "referent_a"}
MANQUANTE = "Preuve à produire : confirmation du participant manquante"


def at(day, hour=10, month=11):
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW)


def held(parcours, debut, **values):
    return EntretienFactory(
        parcours=parcours, debut=debut, statut="honore", duree_reelle_minutes=40, cloture_le=debut, **values
    )


@pytest.fixture
def telephone(named):
    """A phone entretien of the personas' parcours held yesterday at 14:00, closed before the participant's
    confirmation arrived: its means only."""
    return held(named.parcours, at(19, 14), modalite="telephone", lieu_precision="", moyen_distance="Appel au 05")


def url(rdv):
    return reverse("parcours:entretien_preuve", args=[rdv.parcours_id, rdv.pk])


def client_of(personas, who, client_for):
    return Client() if who == "anonymous" else client_for(getattr(personas, who))


def snapshot(client, rdv):
    content = client.get(url(rdv)).content.decode()
    return re.search(r'name="instantane" value="([^"]+)"', content).group(1)


def post(client, rdv, **values):
    data = {
        "instantane": snapshot(client, rdv),
        "moyen_distance": "Appel au 05 49 00 00 00",
        "confirmation_participant": "email",
        "confirmation_le": "2026-11-20",
        **values,
    }
    return client.post(url(rdv), data)


def text_of(content, tmp_path):
    path = tmp_path / "feuille.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def sheet(client, parcours, tmp_path):
    response = client.get(
        reverse("emargement:individuelle", args=[parcours.pk]), {"debut": "01/11/2026", "fin": "30/11/2026"}
    )
    assert response.status_code == 200
    return text_of(response.content, tmp_path)


# --- who may --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [*ROLES, "anonymous"])
def test_the_page_exists_only_for_the_referent_and_the_coordination(named, client_for, telephone, who):
    client = client_of(named, who, client_for)
    response = client.get(url(telephone))
    if who == "anonymous":
        assert response.status_code == 302 and "/compte/connexion/" in response["Location"]
    elif who in MAY:
        assert response.status_code == 200
        content = unescape(response.content.decode())
        assert "Preuve de l'entretien à distance" in content and "Vautrin-Lacombe".upper() in content.upper()
        assert "Sans feuille d'émargement signée, le FSE+ demande la preuve" in content
        assert field_value(field_block(content, "moyen_distance"), "moyen_distance") == "Appel au 05"
        for name in ("confirmation_participant", "confirmation_le"):
            field_block(content, name)
    else:
        assert response.status_code == 404
    # A POST from whom may not changes nothing (no token needed to be refused).
    if who not in MAY:
        pirate = {"moyen_distance": "Piraté", "confirmation_participant": "sms", "confirmation_le": "2026-11-20"}
        response = client.post(url(telephone), pirate)
        assert response.status_code in ({302, 403} if who == "anonymous" else {404})
        telephone.refresh_from_db()
        assert (telephone.moyen_distance, telephone.confirmation_participant) == ("Appel au 05", "")
    if who != "anonymous":
        rows = AccesDossier.objects.filter(utilisateur=getattr(named, who), objet_id=named.parcours.pk)
        assert rows.exists()
        assert all(r.refuse for r in rows) == (who not in MAY)


@pytest.mark.parametrize("who", sorted(MAY))
def test_saving_the_proof_puts_it_on_the_emargement_sheet(named, client_for, telephone, tmp_path, who):
    client = client_for(getattr(named, who))
    before = sheet(client, named.parcours, tmp_path)
    assert MANQUANTE in before

    response = post(client, telephone)
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("parcours:detail", args=[named.parcours.pk]) + "#entretiens-et-contacts"
    telephone.refresh_from_db()
    assert (telephone.statut, telephone.moyen_distance, telephone.confirmation_participant) == (
        S.HONORE,
        "Appel au 05 49 00 00 00",
        ConfirmationDistance.EMAIL,
    )
    assert telephone.confirmation_le == datetime.date(2026, 11, 20)
    message = unescape(client.get(response["Location"]).content.decode())
    assert "Preuve de l'entretien du 19/11/2026 enregistrée : confirmé par email le 20/11/2026." in message

    after = sheet(client, named.parcours, tmp_path)
    section = after[after.index("Entretiens à distance sans signature du participant : justificatifs") :]
    assert "confirmé par email du participant le 20/11/2026" in section
    assert "Appel au 05 49 00 00 00" in section
    assert "Preuve à produire" not in after


def test_the_history_row_records_who_saved_the_proof(named, client_for, telephone):
    assert post(client_for(named.coordination), telephone).status_code == 302
    record = telephone.history.first()
    assert record.history_user == named.coordination
    assert (record.confirmation_participant, record.confirmation_le) == ("email", datetime.date(2026, 11, 20))
    # Not a transition: the state and its log are unchanged.
    assert not telephone.transitions.exclude(transition__in=["planifier", "honorer"]).exists()


def test_a_recorded_proof_may_be_changed_then_cleared(named, client_for, telephone):
    client = client_for(named.referent_a)
    assert post(client, telephone).status_code == 302
    content = unescape(client.get(url(telephone)).content.decode())
    assert 'value="email" selected' in content or 'value="email" selected=""' in content
    response = post(client, telephone, confirmation_participant="courrier", confirmation_le="2026-11-19")
    assert response.status_code == 302
    telephone.refresh_from_db()
    assert (telephone.confirmation_participant, telephone.confirmation_le) == ("courrier", datetime.date(2026, 11, 19))
    # Wrong entretien: emptied, the sheet asks for the proof again.
    response = post(client, telephone, moyen_distance="", confirmation_participant="", confirmation_le="")
    assert response.status_code == 302
    telephone.refresh_from_db()
    assert (telephone.moyen_distance, telephone.confirmation_participant, telephone.confirmation_le) == ("", "", None)


# --- bad input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"confirmation_le": ""}, "confirmation_le", "Indiquez la date de la confirmation du participant."),
        ({"confirmation_participant": ""}, "confirmation_participant", "Indiquez comment le participant a confirmé"),
        ({"confirmation_le": "2026-11-25"}, "confirmation_le", "La date de la confirmation ne peut être dans le futur"),
        ({"confirmation_le": "2026-11-18"}, "confirmation_le", "La confirmation suit l'entretien du 19/11/2026."),
        ({"confirmation_le": "32/13/2026"}, "confirmation_le", "Saisissez une date valide"),
        ({"moyen_distance": "x" * 300}, "moyen_distance", "au plus 100 caractères"),
        ({"confirmation_participant": "pigeon"}, "confirmation_participant", "Sélectionnez un choix valide"),
    ],
)
def test_a_wrong_proof_is_refused_next_to_its_field_nothing_lost(named, client_for, telephone, values, field, message):
    client = client_for(named.referent_a)
    response = post(client, telephone, **values)
    assert response.status_code == 200
    content = unescape(response.content.decode())
    assert message in field_block(content, field), field_block(content, field)
    assert "Le formulaire n'est pas enregistré" in content
    typed = {"moyen_distance": "Appel au 05 49 00 00 00", **values}["moyen_distance"]
    assert field_value(field_block(content, "moyen_distance"), "moyen_distance") == typed
    if field != "confirmation_le":
        assert field_value(field_block(content, "confirmation_le"), "confirmation_le") == values.get(
            "confirmation_le", "2026-11-20"
        )
    telephone.refresh_from_db()
    assert (telephone.moyen_distance, telephone.confirmation_participant, telephone.confirmation_le) == (
        "Appel au 05",
        "",
        None,
    )


def test_a_stale_form_is_refused_then_saved_on_a_second_submit(named, client_for, telephone):
    client = client_for(named.referent_a)
    token = snapshot(client, telephone)
    # Meanwhile the coordination records an SMS.
    RendezVous.objects.get(pk=telephone.pk).enregistrer_preuve(
        named.coordination, moyen_distance="Appel au 05", confirmation_participant="sms", confirmation_le=at(20).date()
    )
    data = {
        "instantane": token,
        "moyen_distance": "Appel au 05",
        "confirmation_participant": "email",
        "confirmation_le": "2026-11-20",
    }
    response = client.post(url(telephone), data)
    assert response.status_code == 200
    content = unescape(response.content.decode())
    assert "Quelqu'un d'autre a modifié cette fiche" in content
    assert "Confirmation du participant : (vide) → SMS du participant" in content
    assert "Confirmé le : (vide) → 20/11/2026" in content
    assert 'value="email" selected' in content  # what was typed is kept
    telephone.refresh_from_db()
    assert telephone.confirmation_participant == "sms"
    # After reading, the refreshed token saves.
    data["instantane"] = re.search(r'name="instantane" value="([^"]+)"', content).group(1)
    assert client.post(url(telephone), data).status_code == 302
    telephone.refresh_from_db()
    assert telephone.confirmation_participant == "email"


def test_a_tampered_token_is_refused(named, client_for, telephone):
    client = client_for(named.referent_a)
    response = client.post(
        url(telephone),
        {"instantane": "faux", "moyen_distance": "Visio", "confirmation_participant": "", "confirmation_le": ""},
    )
    assert response.status_code == 200
    assert "Le formulaire n'a pas pu être vérifié" in unescape(response.content.decode())
    telephone.refresh_from_db()
    assert telephone.moyen_distance == "Appel au 05"


# --- entretiens without this page -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        {"statut": "honore", "duree_reelle_minutes": 40, "cloture_le": at(19, 14)},  # face to face
        {"modalite": "visio", "lieu_precision": ""},  # planned
        {"modalite": "telephone", "lieu_precision": "", "statut": "absent", "cloture_le": at(19, 14)},
        {"modalite": "visio", "lieu_precision": "", "statut": "annule", "cloture_le": at(19, 14)},
    ],
    ids=["presentiel", "prevu", "absent", "annule"],
)
@pytest.mark.parametrize("who", sorted(MAY))
def test_no_page_for_a_face_to_face_or_not_held_entretien(named, client_for, values, who):
    rdv = EntretienFactory(parcours=named.parcours, debut=at(19, 14), **values)
    client = client_for(getattr(named, who))
    assert client.get(url(rdv)).status_code == 404
    response = client.post(url(rdv), {"moyen_distance": "Visio", "confirmation_participant": "email"})
    assert response.status_code == 404
    rdv.refresh_from_db()
    assert (rdv.moyen_distance, rdv.confirmation_participant) == ("", "")


def test_an_entretien_of_another_parcours_is_not_found_under_this_one(named, client_for, telephone):
    other = held(
        EntretienFactory(parcours__referent=named.referent_a).parcours, at(19, 9), modalite="visio", lieu_precision=""
    )
    response = client_for(named.referent_a).get(
        reverse("parcours:entretien_preuve", args=[named.parcours.pk, other.pk])
    )
    assert response.status_code == 404


def test_the_model_refuses_a_proof_on_a_face_to_face_entretien(named):
    rdv = held(named.parcours, at(19, 9))
    with pytest.raises(RendezVousError, match="tenu par téléphone ou en visioconférence") as refus:
        rdv.enregistrer_preuve(named.referent_a, confirmation_participant="email", confirmation_le=at(20).date())
    assert refus.value.field == "moyen_distance"
    rdv.refresh_from_db()
    assert rdv.confirmation_participant == ""


# --- reachable from the dossier -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_the_dossier_shows_the_proof_and_its_link_for_whom_may(named, client_for, telephone, who):
    confirme = held(
        named.parcours,
        at(18, 11),
        modalite="visio",
        lieu_precision="",
        moyen_distance="Teams",
        confirmation_participant="courrier",
        confirmation_le=datetime.date(2026, 11, 19),
    )
    held(named.parcours, at(17, 9))  # face to face: no proof line
    client = client_for(getattr(named, who))
    response = client.get(reverse("parcours:detail", args=[named.parcours.pk]))
    if who not in MAY | {"prescripteur"}:  # who does not see the dossier at all
        assert response.status_code == 404
        return
    assert response.status_code == 200
    content = unescape(response.content.decode())
    assert "Preuve à produire" in content
    assert "Preuve : confirmé par courrier signé le 19/11/2026" in content
    ajouter = f'href="{url(telephone)}"'
    modifier = f'href="{url(confirme)}"'
    if who in MAY:
        assert ajouter in content and modifier in content
        assert "Ajouter la preuve" in content and "Modifier la preuve" in content
    else:
        assert ajouter not in content and modifier not in content
        assert "Ajouter la preuve" not in content and "Modifier la preuve" not in content


def test_the_full_list_of_rendez_vous_links_to_the_proof(named, client_for, telephone):
    content = unescape(
        client_for(named.referent_a).get(reverse("parcours:entretiens", args=[named.parcours.pk])).content.decode()
    )
    assert "Preuve à produire" in content and f'href="{url(telephone)}"' in content


def test_the_closing_page_of_a_held_remote_entretien_links_to_its_proof(named, client_for, telephone):
    response = client_for(named.referent_a).get(
        reverse("parcours:entretien_clore", args=[named.parcours.pk, telephone.pk])
    )
    content = unescape(response.content.decode())
    assert "Ce rendez-vous est déjà clos" in content and "Preuve à produire." in content
    assert f'href="{url(telephone)}">Ajouter la preuve</a>' in content


@pytest.mark.parametrize("who", sorted(MAY))
def test_the_proof_lines_cost_no_query_on_the_dossier(named, client_for, telephone, who):
    client = client_for(getattr(named, who))
    dossier = reverse("parcours:detail", args=[named.parcours.pk])
    client.get(dossier)  # warm the caches (référentiel, session)
    small, _ = count_queries(client, dossier)
    for day in range(10, 17):
        held(
            named.parcours,
            at(day, 9),
            modalite="visio" if day % 2 else "telephone",
            lieu_precision="",
            confirmation_participant="sms" if day % 2 else "",
            confirmation_le=at(day).date() if day % 2 else None,
        )
    large, response = count_queries(client, dossier)
    content = unescape(response.content.decode())
    assert (content.count("Modifier la preuve"), content.count("Ajouter la preuve")) == (3, 5)
    assert len(large) == len(small), f"{len(small)} then {len(large)} queries:\n" + "\n".join(large)
