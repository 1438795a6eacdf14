"""Signatures on screen: an entretien's (participant then référent), a session's émargement (present
participants, animateurs). Who may collect, until when, what a valid drawing is; every refusal in
French with nothing saved and the drawing kept; the access log."""

import base64
import datetime
import hashlib
import io
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw

from parcours import signatures
from parcours.models import Signature
from parcours.models.signatures import IMAGE_MAX_OCTETS, SignatureError
from plie.acces.models import AccesDossier
from tests.factories import (
    AtelierFactory,
    EntretienFactory,
    PresenceAtelierFactory,
    ReferentFactory,
    SeanceAtelierFactory,
    SignatureFactory,
)

ROLES = ["coordination", "referent_a", "referent_b", "prescripteur", "bureau_insertion", "operateur", "financeur"]


def png(width=700, height=260, *, trait=True, mode="RGBA") -> bytes:
    image = Image.new(mode, (width, height), (255, 255, 255, 0) if mode == "RGBA" else (255, 255, 255))
    if trait:
        ImageDraw.Draw(image).line([(30, 200), (200, 40), (400, 220), (650, 30)], fill="black", width=5)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def data_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def errors(response):
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


@pytest.fixture
def entretien(personas):
    """Référent A's entretien with the persona, held an hour ago."""
    debut = timezone.now() - datetime.timedelta(hours=2)
    return EntretienFactory(parcours=personas.parcours, honore=True, debut=debut)


@pytest.fixture
def seance(personas):
    """A held session animated by référent A with référent B, the persona present."""
    atelier = AtelierFactory(animateur=personas.referent_a, co_animateur=personas.referent_b)
    return SeanceAtelierFactory(atelier=atelier, tenue=True)


@pytest.fixture
def presence(seance, personas):
    return PresenceAtelierFactory(seance=seance, parcours=personas.parcours)


def url_entretien(rdv):
    return reverse("parcours:entretien_signature", args=[rdv.parcours_id, rdv.pk])


def url_presence(presence):
    return reverse("parcours:seance_signature_presence", args=[presence.seance_id, presence.pk])


# --- the drawing ---------------------------------------------------------------------------------


def test_a_drawn_png_is_accepted():
    assert signatures.decoder_image(data_url(png())) == png()


@pytest.mark.parametrize(
    ("valeur", "message"),
    [
        ("", "Signez dans le cadre"),
        ("data:image/png;base64,", "n'est pas une image PNG"),
        ("data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xff").decode(), "n'est pas une image PNG"),
        (data_url(b"GIF89a not a png at all"), "n'est pas une image PNG"),
        (data_url(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50), "n'est pas une image PNG"),
        ("data:image/png;base64,!!!!", "n'est pas une image PNG"),
        (data_url(png(trait=False)), "Signez dans le cadre"),
        (data_url(png(mode="RGB", trait=False)), "Signez dans le cadre"),
        (data_url(png(20, 10)), "dimensions du cadre"),
        (data_url(png(5000, 200)), "dimensions du cadre"),
    ],
    ids=["empty", "no-data", "jpeg", "gif", "truncated-png", "bad-base64", "blank", "blank-white", "tiny", "huge"],
)
def test_what_is_not_a_signature_is_refused_in_french(valeur, message):
    with pytest.raises(SignatureError, match=message):
        signatures.decoder_image(valeur)


def test_a_too_heavy_png_is_refused():
    # Noise does not compress: a 400 × 200 RGBA PNG of random pixels is over 200 kB.
    import os

    image = Image.frombytes("RGBA", (400, 200), os.urandom(400 * 200 * 4))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    assert len(buffer.getvalue()) > IMAGE_MAX_OCTETS
    with pytest.raises(SignatureError, match="dépasse 200 ko"):
        signatures.decoder_image(data_url(buffer.getvalue()))


# --- an entretien: who, when --------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_who_reaches_an_entretiens_signatures(personas, client_for, entretien, who):
    response = client_for(getattr(personas, who)).get(url_entretien(entretien))
    expected = 200 if who in {"coordination", "referent_a"} else 404
    assert response.status_code == expected
    [row] = AccesDossier.objects.filter(utilisateur=getattr(personas, who))
    assert (row.objet_id, row.refuse) == (personas.parcours.pk, expected == 404)
    if expected == 200:
        assert "Signature de" in response.content.decode() and "data-signature-canvas" in response.content.decode()


def test_the_participant_then_the_referent_sign_an_entretien(personas, client_for, entretien):
    client = client_for(personas.referent_a)
    url = url_entretien(entretien)
    page = client.get(url).content.decode()
    assert 'name="signataire" value="participant"' in page
    response = client.post(url, {"cible": entretien.pk, "signataire": "participant", "image": data_url(png())})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'name="signataire" value="referent"' in page and "Signature du participant enregistrée" in page
    client.post(url, {"cible": entretien.pk, "signataire": "referent", "image": data_url(png())})
    participant, referent = Signature.objects.filter(rendez_vous=entretien).order_by("id")
    assert (participant.signataire, participant.referent, participant.recueillie_par) == (
        "participant",
        None,
        personas.referent_a,
    )
    assert (referent.signataire, referent.referent) == ("referent", personas.referent_a)
    assert bytes(referent.image) == png()
    session_key = client.session.session_key
    assert participant.session_empreinte == hashlib.sha256(session_key.encode()).hexdigest() != session_key
    assert "ont signé cet entretien" in client.get(url).content.decode()
    assert timezone.now() - participant.signe_le < datetime.timedelta(minutes=1)


def test_a_signature_is_never_changed(entretien, personas):
    signature = SignatureFactory(rendez_vous=entretien, recueillie_par=personas.referent_a)
    signature.image = png(300, 100)
    with pytest.raises(SignatureError, match="ne se modifie pas"):
        signature.save()


def test_faire_signer_while_in_time_then_signatures(personas, client_for, entretien):
    ancien = EntretienFactory(
        parcours=personas.parcours, honore=True, debut=timezone.now() - datetime.timedelta(days=5)
    )
    for url in (f"/parcours/{personas.parcours.pk}/", f"/parcours/{personas.parcours.pk}/entretiens/"):
        html = unescape(client_for(personas.referent_a).get(url).content.decode())
        assert re.search(re.escape(url_entretien(entretien)) + r'">Faire signer<', html), url
        assert re.search(re.escape(url_entretien(ancien)) + r'">Signatures<', html), url


def test_the_dossier_links_a_held_entretien_to_its_signatures(personas, client_for, entretien):
    link = url_entretien(entretien)
    assert link in client_for(personas.referent_a).get(f"/parcours/{personas.parcours.pk}/").content.decode()
    assert (
        link in client_for(personas.coordination).get(f"/parcours/{personas.parcours.pk}/entretiens/").content.decode()
    )
    prevu = EntretienFactory(parcours=personas.parcours, debut=timezone.now() + datetime.timedelta(days=3))
    assert (
        url_entretien(prevu)
        not in client_for(personas.referent_a).get(f"/parcours/{personas.parcours.pk}/").content.decode()
    )


def test_an_entretien_is_signed_until_the_end_of_the_next_day(personas, entretien, time_machine):
    lendemain = timezone.localdate(entretien.debut) + datetime.timedelta(days=1)
    time_machine.move_to(timezone.make_aware(datetime.datetime.combine(lendemain, datetime.time(23, 59))))
    signatures.signer_entretien(entretien, "participant", png(), personas.referent_a, "cle")
    time_machine.move_to(
        timezone.make_aware(datetime.datetime.combine(lendemain, datetime.time(23, 59))) + datetime.timedelta(minutes=2)
    )
    with pytest.raises(SignatureError, match=f"jusqu'au {lendemain:%d/%m/%Y}"):
        signatures.signer_entretien(entretien, "referent", png(), personas.referent_a, "cle")
    assert Signature.objects.count() == 1


def test_an_entretien_not_held_is_not_signed(personas, client_for):
    manque = EntretienFactory(
        parcours=personas.parcours, absent=True, debut=timezone.now() - datetime.timedelta(hours=3)
    )
    client = client_for(personas.referent_a)
    assert "Seul un entretien honoré se signe" in errors(client.get(url_entretien(manque)))
    response = client.post(
        url_entretien(manque), {"cible": manque.pk, "signataire": "participant", "image": data_url(png())}
    )
    assert response.status_code == 200 and "Seul un entretien honoré se signe" in errors(response)
    assert not Signature.objects.exists()


# --- an entretien: bad input, nothing lost -------------------------------------------------------


def test_a_second_signature_of_the_participant_is_refused(personas, client_for, entretien):
    client = client_for(personas.referent_a)
    first = {"cible": entretien.pk, "signataire": "participant", "image": data_url(png())}
    client.post(url_entretien(entretien), first)
    response = client.post(url_entretien(entretien), {**first, "image": data_url(png(600, 200))})
    assert response.status_code == 200
    assert "Le participant a déjà signé cet entretien." in errors(response)
    [kept] = Signature.objects.all()
    assert bytes(kept.image) == png()


def test_a_signature_posted_for_another_entretien_is_refused(personas, client_for, entretien):
    other = EntretienFactory(
        parcours=personas.parcours, honore=True, debut=timezone.now() - datetime.timedelta(hours=5)
    )
    drawing = data_url(png())
    response = client_for(personas.referent_a).post(
        url_entretien(entretien), {"cible": other.pk, "signataire": "participant", "image": drawing}
    )
    assert response.status_code == 200
    assert "tracée pour un autre entretien" in errors(response)
    assert f'value="{drawing}"' in response.content.decode()  # the drawing is shown again on the pad
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("", "Signez dans le cadre avant d'enregistrer."),
        (data_url(png(trait=False)), "Signez dans le cadre avant d'enregistrer."),
        (data_url(b"pas une image"), "n'est pas une image PNG"),
        ("x" * (IMAGE_MAX_OCTETS * 2), "dépasse 200 ko"),
    ],
    ids=["empty", "blank", "not-png", "too-big"],
)
def test_a_bad_drawing_is_refused_next_to_the_pad(personas, client_for, entretien, image, message):
    response = client_for(personas.referent_a).post(
        url_entretien(entretien), {"cible": entretien.pk, "signataire": "participant", "image": image}
    )
    assert response.status_code == 200
    html = errors(response)
    assert re.search(r'id="signature-erreur">[^<]*' + re.escape(message), html), html[-3000:]
    assert "is-invalid" in html and 'name="image" value=""' in html
    assert not Signature.objects.exists()


def test_a_referent_may_not_collect_on_anothers_parcours(personas, entretien):
    with pytest.raises(SignatureError, match="référent du parcours"):
        signatures.signer_entretien(entretien, "participant", png(), personas.referent_b, "cle")


# --- a session -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [*ROLES, "animateur_ailleurs"])
def test_who_reaches_a_sessions_sheet(personas, client_for, presence, who):
    user = ReferentFactory() if who == "animateur_ailleurs" else getattr(personas, who)
    url = reverse("parcours:seance_signatures", args=[presence.seance_id])
    response = client_for(user).get(url)
    # The animateurs (A and B in binôme) and the coordination.
    expected = 200 if who in {"coordination", "referent_a", "referent_b"} else 404
    assert response.status_code == expected
    rows = list(AccesDossier.objects.filter(utilisateur=user))
    if expected == 200:
        html = response.content.decode()
        assert personas.parcours.participant.nom_complet in html
        assert url_presence(presence) in html and "Faire signer" in html
        assert [(r.objet_id, r.refuse) for r in rows] == [(personas.parcours.pk, False)]
    else:
        assert [(r.objet_id, r.refuse) for r in rows] == [(None, True)]


def test_the_sheet_lists_only_the_present_and_both_animateurs(personas, client_for, seance, presence):
    absent = PresenceAtelierFactory(seance=seance, statut="absent_injustifie")
    html = client_for(personas.referent_b).get(reverse("parcours:seance_signatures", args=[seance.pk])).content.decode()
    assert absent.parcours.participant.nom_complet not in html
    for animateur in (personas.referent_a, personas.referent_b):
        assert reverse("parcours:seance_signature_animateur", args=[seance.pk, animateur.pk]) in html


def test_a_participant_signs_their_attendance(personas, client_for, presence):
    client = client_for(personas.referent_b)
    page = client.get(url_presence(presence)).content.decode()
    assert personas.parcours.participant.nom_complet in page and "data-signature-canvas" in page
    response = client.post(url_presence(presence), {"cible": presence.pk, "image": data_url(png())})
    assert response.status_code == 302
    [signature] = Signature.objects.all()
    assert (signature.presence, signature.signataire, signature.recueillie_par) == (
        presence,
        "participant",
        personas.referent_b,
    )
    html = client.get(reverse("parcours:seance_signatures", args=[presence.seance_id])).content.decode()
    assert "Signé le" in html
    assert AccesDossier.objects.filter(utilisateur=personas.referent_b, objet_id=personas.parcours.pk).count() == 3


def test_an_animateur_signs_the_session(personas, client_for, seance):
    url = reverse("parcours:seance_signature_animateur", args=[seance.pk, personas.referent_b.pk])
    response = client_for(personas.referent_a).post(url, {"cible": personas.referent_b.pk, "image": data_url(png())})
    assert response.status_code == 302
    [signature] = Signature.objects.all()
    assert (signature.seance, signature.referent, signature.recueillie_par) == (
        seance,
        personas.referent_b,
        personas.referent_a,
    )
    response = client_for(personas.referent_a).post(url, {"cible": personas.referent_b.pk, "image": data_url(png())})
    assert "a déjà signé cette séance" in errors(response)
    assert Signature.objects.count() == 1


def test_someone_who_does_not_animate_is_not_an_animateur_of_the_session(personas, client_for, seance):
    url = reverse("parcours:seance_signature_animateur", args=[seance.pk, personas.coordination.pk])
    assert client_for(personas.coordination).get(url).status_code == 404
    with pytest.raises(SignatureError, match="Seuls les animateurs de l'atelier"):
        signatures.signer_seance(seance, personas.coordination, png(), personas.coordination, "cle")


def test_a_signature_posted_for_another_participant_is_refused(personas, client_for, seance, presence):
    other = PresenceAtelierFactory(seance=seance)
    drawing = data_url(png())
    response = client_for(personas.referent_a).post(url_presence(presence), {"cible": other.pk, "image": drawing})
    assert response.status_code == 200
    assert "tracée pour un autre participant" in errors(response)
    assert f'value="{drawing}"' in response.content.decode()
    assert not Signature.objects.exists()


def test_a_presence_of_another_session_is_not_found(personas, client_for, presence):
    elsewhere = PresenceAtelierFactory(seance=SeanceAtelierFactory(atelier=presence.seance.atelier, tenue=True))
    url = reverse("parcours:seance_signature_presence", args=[presence.seance_id, elsewhere.pk])
    assert client_for(personas.referent_a).get(url).status_code == 404


def test_no_signature_once_the_sheet_is_locked(personas, client_for, seance, presence):
    seance.emargement_clos_le = timezone.now()
    seance.emargement_clos_par = personas.referent_a
    seance.save()
    client = client_for(personas.referent_a)
    sheet = errors(client.get(reverse("parcours:seance_signatures", args=[seance.pk])))
    assert "L'émargement de cette séance est clos depuis le" in sheet and "Faire signer" not in sheet
    drawing = data_url(png())
    response = client.post(url_presence(presence), {"cible": presence.pk, "image": drawing})
    assert response.status_code == 200
    assert "plus aucune signature n'y est ajoutée" in errors(response)
    assert f'value="{drawing}"' in response.content.decode()
    assert not Signature.objects.exists()


def test_no_signature_before_the_session_is_held(personas, seance, presence):
    seance.statut = "prevue"
    seance.save()
    with pytest.raises(SignatureError, match="une fois la séance tenue"):
        signatures.signer_presence(presence, png(), personas.referent_a, "cle")


def test_an_absent_participant_does_not_sign(personas, seance):
    absent = PresenceAtelierFactory(seance=seance, parcours=personas.parcours, statut="absent_justifie")
    with pytest.raises(SignatureError, match="Seule une personne présente signe"):
        signatures.signer_presence(absent, png(), personas.referent_a, "cle")


def test_a_second_signature_of_an_attendance_is_refused(personas, client_for, presence):
    client = client_for(personas.coordination)
    client.post(url_presence(presence), {"cible": presence.pk, "image": data_url(png())})
    response = client.post(url_presence(presence), {"cible": presence.pk, "image": data_url(png(500, 200))})
    assert response.status_code == 200
    assert "Ce participant a déjà signé sa présence à cette séance." in errors(response)
    [kept] = Signature.objects.all()
    assert bytes(kept.image) == png()


def test_the_database_refuses_a_second_signature_raced_from_another_device(personas, presence, monkeypatch):
    SignatureFactory(presence=presence, recueillie_par=personas.referent_a)
    # The check before the insert saw nothing (the other device's row came just after it).
    monkeypatch.setattr(Signature.objects, "filter", lambda **kw: Signature.objects.none())
    with pytest.raises(SignatureError, match="déjà signé"):
        signatures.signer_presence(presence, png(), personas.referent_a, "cle")
    assert Signature.objects.all().count() == 1


@pytest.mark.parametrize("who", [*ROLES, "animateur_ailleurs"])
def test_who_reaches_a_participants_and_an_animateurs_pad(personas, client_for, presence, who):
    user = ReferentFactory() if who == "animateur_ailleurs" else getattr(personas, who)
    client = client_for(user)
    allowed = who in {"coordination", "referent_a", "referent_b"}
    pads = [
        url_presence(presence),
        reverse("parcours:seance_signature_animateur", args=[presence.seance_id, personas.referent_a.pk]),
    ]
    for url in pads:
        assert client.get(url).status_code == (200 if allowed else 404), url
    # The participant's pad is logged as an access to their parcours (refused: to no one in particular).
    rows = [(r.objet_id, r.refuse) for r in AccesDossier.objects.filter(utilisateur=user)]
    assert rows == ([(personas.parcours.pk, False)] if allowed else [(None, True)])
    if not allowed:
        for url, cible in zip(pads, [presence.pk, personas.referent_a.pk], strict=True):
            assert client.post(url, {"cible": cible, "image": data_url(png())}).status_code == 404
        assert not Signature.objects.exists()


@pytest.mark.parametrize("who", ["referent_b", "prescripteur", "bureau_insertion", "operateur", "financeur"])
def test_others_post_no_signature_on_an_entretien(personas, client_for, entretien, who):
    response = client_for(getattr(personas, who)).post(
        url_entretien(entretien), {"cible": entretien.pk, "signataire": "participant", "image": data_url(png())}
    )
    assert response.status_code == 404
    assert not Signature.objects.exists()
