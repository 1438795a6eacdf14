"""The coordination's « Convocations » settings: saved, refused next to the field, counted and previewed
as the SMS will leave (plie/referentiel/convocations.py)."""

import datetime
from html import unescape

import pytest

from plie.conflits import SNAPSHOT_FIELD
from plie.referentiel.forms import ConvocationsForm
from plie.referentiel.models import Referentiel
from tests.conftest import Personas
from tests.html import field_block, field_value, page

URL = "/referentiel/convocations/"
APERCU = "/referentiel/convocations/apercu/"


def posted(referentiel, **changes):
    form = ConvocationsForm(instance=referentiel)
    data = {name: ("" if form[name].value() is None else form[name].value()) for name in form.fields}
    data["convocation_heure"] = f"{referentiel.convocation_heure:%H:%M}"
    data.update(changes)
    return data


@pytest.mark.parametrize("name", Personas.NAMES)
def test_only_the_coordination_reaches_the_settings(named, client_for, name):
    client = client_for(getattr(named, name))
    expected = 200 if name == "coordination" else 403
    assert client.get(URL).status_code == expected
    assert client.post(URL, posted(Referentiel.objects.active())).status_code == (302 if expected == 200 else 403)
    assert client.post(APERCU, {"sms_modele": "x", "sms_expediteur": "PLIE"}).status_code == expected
    nav = page(client, "/")
    assert (f'href="{URL}"' in nav) is (name == "coordination")


def test_the_page_states_the_reply_mode_and_previews_the_sms(named, client_for):
    content = unescape(page(client_for(named.coordination), URL))
    assert "Votre expéditeur est un nom : les participants répondent par le lien" in content
    assert "Confirmez ou annulez : http" in content  # the default template, filled
    assert "Empechement" in content and "Empêchement" in content  # the template as typed, the SMS transliterated


def test_a_valid_post_saves_with_the_phone_normalised(named, client_for):
    referentiel = Referentiel.objects.active()
    client = client_for(named.coordination)
    data = posted(
        referentiel,
        convocation_delai_jours="1",
        convocation_heure="09:30",
        sms_expediteur="33644630000",
        telephone_contact="05 49 12 34 56",
        sms_modele="PLIE : {objet} le {date} à {heure}. {reponse}",
    )
    response = client.post(URL, data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    referentiel.refresh_from_db()
    assert referentiel.convocation_delai_jours == 1
    assert referentiel.convocation_heure == datetime.time(9, 30)
    assert referentiel.telephone_contact == "+33549123456"
    assert referentiel.sms_modele == "PLIE : {objet} le {date} à {heure}. {reponse}"
    content = unescape(page(client, URL))
    assert "Les réglages des convocations sont enregistrés." in content
    assert "un numéro : ils peuvent répondre OUI/NON par SMS" in content
    assert "Répondez OUI pour confirmer" in content


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("convocation_delai_jours", "8", "inférieure ou égale à 7"),
        ("convocation_delai_jours", "0", "supérieure ou égale à 1"),
        ("sms_expediteur", "PLIE Niort", "L'expéditeur tient en 11 lettres ou chiffres au plus"),
        ("sms_expediteur", "PLIENIORTAIS", "11 caractères"),
        ("telephone_contact", "12", "numéro"),
        ("sms_modele", "Bonjour {prenom}, {date}", "Variable inconnue : {prenom}."),
        ("sms_modele", "Le {date à {heure}", "Une accolade est ouverte sans être fermée"),
        ("sms_modele", "x" * 481, "481"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_kept(named, client_for, field, typed, message):
    referentiel = Referentiel.objects.active()
    before = Referentiel.objects.filter(pk=referentiel.pk).values().get()
    response = client_for(named.coordination).post(URL, posted(referentiel, **{field: typed}))
    assert response.status_code == 200
    block = unescape(field_block(response.content.decode(), field))
    assert message in block
    assert unescape(field_value(block, field)) == typed
    assert Referentiel.objects.filter(pk=referentiel.pk).values().get() == before


def apercu(client, modele, expediteur="PLIE"):
    response = client.post(APERCU, {"sms_modele": modele, "sms_expediteur": expediteur, "telephone_contact": ""})
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_a_gsm7_text_is_counted_in_septets(named, client_for):
    content = apercu(client_for(named.coordination), "PLIE : RDV le {date} a {heure}. Tel {telephone} [gratuit]")
    # « PLIE : RDV le 08/12/2026 a 14h30. Tel 05 49 00 00 00 [gratuit] »: 62 characters, the brackets
    # of the extension table two septets each: 64, one SMS.
    assert "<strong>64 caractères</strong>, <strong>1 SMS</strong>, encodage <strong>GSM-7</strong> ; 96 " in content
    assert "a 14h30. Tel 05 49 00 00 00 [gratuit]</pre>" in content
    assert "UCS-2" not in content and "Remplacés" not in content


def test_a_french_accent_outside_gsm7_is_transliterated_and_stays_gsm7(named, client_for):
    content = apercu(client_for(named.coordination), "Être à l'heure le {date} : {heure}")
    assert ">Etre à l'heure le " in content  # ê replaced, à kept (it is in GSM-7)
    assert "Remplacés à l'envoi pour rester en GSM-7 : Ê → E" in content
    assert "encodage <strong>GSM-7</strong>" in content
    assert "<strong>36 caractères</strong>" in content


@pytest.mark.parametrize(("caractere", "unites"), [("😊", 2), ("中", 1)])
def test_a_character_outside_gsm7_forces_ucs2(named, client_for, caractere, unites):
    modele = f"{caractere} Le {{date}} à {{heure}}. {{reponse}}"
    content = apercu(client_for(named.coordination), modele)
    assert "encodage <strong>UCS-2</strong>" in content
    assert f"« {caractere} »" in content  # named as what forces UCS-2
    texte = content.split('id="apercu-texte">')[1].split("</pre>")[0]
    longueur = len(texte) + unites - 1
    segments = 1 if longueur <= 70 else -(-longueur // 67)
    assert f"<strong>{longueur} caractères</strong>, <strong>{segments} SMS</strong>" in content
    assert segments > 1  # the link alone pushes it past one UCS-2 SMS


def test_an_unknown_placeholder_is_refused_in_the_preview(named, client_for):
    content = apercu(client_for(named.coordination), "Bonjour {nom}, {motif}")
    assert "Variable inconnue : {motif}, {nom}." in content
    assert "apercu-texte" not in content


def test_a_concurrent_change_is_refused_and_keeps_what_was_typed(named, client_for):
    referentiel = Referentiel.objects.active()
    client = client_for(named.coordination)
    form = client.get(URL).context["form"]
    data = posted(referentiel, **{SNAPSHOT_FIELD: form[SNAPSHOT_FIELD].value()}, sms_expediteur="PLIECAEN")
    Referentiel.objects.filter(pk=referentiel.pk).update(sms_expediteur="AUTRE")
    response = client.post(URL, data)
    assert response.status_code == 200
    content = unescape(response.content.decode())
    assert "Quelqu'un d'autre a modifié cette fiche pendant que vous la modifiiez" in content
    assert "Expéditeur des SMS : PLIE → AUTRE" in content
    assert field_value(field_block(content, "sms_expediteur"), "sms_expediteur") == "PLIECAEN"
    referentiel.refresh_from_db()
    assert referentiel.sms_expediteur == "AUTRE"
    response = client.post(URL, {**data, SNAPSHOT_FIELD: response.context["form"].data[SNAPSHOT_FIELD]})
    assert response.status_code == 302
    referentiel.refresh_from_db()
    assert referentiel.sms_expediteur == "PLIECAEN"
