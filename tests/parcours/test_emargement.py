"""The émargement sheets of a parcours and of an atelier session: read back from the PDF (pdftotext), the
signatures seen in their boxes (pdftoppm), who may print them, the access log, constant queries."""

import datetime
import re
import subprocess
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parcours.models import TentativeContact
from plie import pdf
from plie.acces.models import AccesDossier, Action, TypeObjet
from tests.conftest import Personas
from tests.factories import (
    AtelierFactory,
    ContactFactory,
    EntretienFactory,
    InscriptionAtelierFactory,
    ParcoursFactory,
    ParticipantFactory,
    PresenceAtelierFactory,
    SeanceAtelierFactory,
    SignatureFactory,
)

PARIS = ZoneInfo("Europe/Paris")
NOVEMBRE = {"debut": "01/11/2026", "fin": "30/11/2026"}
ROLES = Personas.NAMES


def at(day, hour=10, minute=0, month=11):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(at(20))


@pytest.fixture
def mois(named):
    """Référent A's participant's November: every kind of contact, and some that must not show."""
    parcours = named.parcours
    rows = {
        "honore": EntretienFactory(
            parcours=parcours,
            debut=at(3),
            statut="honore",
            duree_reelle_minutes=45,
            cloture_le=at(3, 11),
            sujet="Préparer un entretien d'embauche",
        ),
        "absent": EntretienFactory(parcours=parcours, debut=at(10, 14), absent=True),
        "excuse": EntretienFactory(parcours=parcours, debut=at(17), statut="excuse", cloture_le=at(16)),
        "prevu": EntretienFactory(parcours=parcours, debut=at(24, 9, 30), duree_minutes=60, sujet="Bilan du mois"),
        "annule": EntretienFactory(parcours=parcours, debut=at(12), statut="annule", sujet="Rendez-vous annulé"),
        "octobre": EntretienFactory(parcours=parcours, debut=at(20, month=10), honore=True, sujet="Hors période"),
    }
    atelier = AtelierFactory(
        animateur=named.referent_a, theme="Techniques de recherche", premiere_date=datetime.date(2026, 11, 5)
    )
    rows["seance"] = SeanceAtelierFactory(atelier=atelier, numero=1, tenue=True)
    rows["presence"] = PresenceAtelierFactory(seance=rows["seance"], parcours=parcours)
    seance_2 = SeanceAtelierFactory(atelier=atelier, numero=2, debut=at(19, 9, 30), fin=at(19, 12), tenue=True)
    rows["absence_atelier"] = PresenceAtelierFactory(seance=seance_2, parcours=parcours, statut="absent_injustifie")
    ContactFactory(
        parcours=parcours,
        date=at(6, 11),
        canal="telephone",
        abouti=True,
        objet="Relance candidature",
        duree_minutes=15,
    )
    ContactFactory(
        parcours=parcours, date=at(7, 16), canal="email", abouti=True, objet="Envoi d'offres", duree_minutes=10
    )
    ContactFactory(
        parcours=parcours,
        date=at(8, 9),
        canal="partenaire",
        partenaire="Mme Roux, CCAS de Chauray",
        abouti=True,
        objet="Point logement",
        duree_minutes=30,
    )
    return rows


def signer(named, mois):
    """The entretien held signed by both, the atelier attendance by the participant, the session by its animateur."""
    SignatureFactory(rendez_vous=mois["honore"], recueillie_par=named.referent_a)
    SignatureFactory(
        rendez_vous=mois["honore"], signataire="referent", referent=named.referent_a, recueillie_par=named.referent_a
    )
    SignatureFactory(presence=mois["presence"], recueillie_par=named.referent_a)
    SignatureFactory(
        seance=mois["seance"], signataire="referent", referent=named.referent_a, recueillie_par=named.referent_a
    )


def url(name, parcours):
    return reverse(f"emargement:{name}", args=[parcours.pk])


def get_pdf(client, address, params=None):
    response = client.get(address, params or {})
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content) if response.streaming else response.content


def text_of(content, tmp_path, first=None, last=None):
    path = tmp_path / "feuille.pdf"
    path.write_bytes(content)
    pages = (["-f", str(first)] if first else []) + (["-l", str(last)] if last else [])
    out = subprocess.run(
        ["pdftotext", "-raw", *pages, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(out.split())  # lines wrap where a cell is narrow


def images_in(content, tmp_path):
    path = tmp_path / "images.pdf"
    path.write_bytes(content)
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    # Two header lines; a PNG with transparency is listed twice, as an image and its soft mask.
    return sum(1 for line in listing.splitlines()[2:] if line.split()[2] == "image")


# --- the individual sheet, read back ------------------------------------------------------------


def test_the_individual_sheet_lists_every_contact_of_the_period(named, client_for, mois, tmp_path):
    signer(named, mois)
    content = get_pdf(client_for(named.referent_a), url("individuelle", named.parcours), NOVEMBRE)
    text = text_of(content, tmp_path)
    for expected in [
        "PLIE DU NIORTAIS",
        "Feuille d'émargement individuelle",
        "Du 01/11/2026 au 30/11/2026",
        "VAUTRIN-LACOMBE Ysaline",
        named.referent_a.get_full_name(),
        # the entretiens: held (its duration), missed, excused, still planned
        "03/11/2026",
        "Préparer un entretien d'embauche",
        "45 min",
        "10/11/2026",
        "Absence non justifiée",
        "17/11/2026",
        "Absence excusée",
        "24/11/2026",
        "Bilan du mois",
        "Prévu",
        # the ateliers: present for 2 h 30, then absent
        "05/11/2026",
        "Techniques de recherche",
        "2 h 30",
        "19/11/2026",
        # the other contacts, remote
        "06/11/2026",
        "Téléphone",
        "Relance candidature",
        "15 min",
        "07/11/2026",
        "Email",
        "Envoi d'offres",
        "10 min",
        "À distance",
        "Absent(e)",
        # what was attended (45 + 150 + 15 + 10 minutes), and the absences
        "3 h 40",
        "3 absences",
        "Signature du participant",
        "Signature du référent",
        "Page 1 / 1",
        "Union européenne (Fonds social européen plus, FSE+)",
        # the frise of the parcours above the table, its legend read back
        "Échéance à venir",
    ]:
        assert expected in text, expected
    for absent in ["Hors période", "Rendez-vous annulé", "Mme Roux", "Point logement", "20/10/2026"]:
        assert absent not in text, absent
    assert text.count("Absence non justifiée") == 2  # the entretien and the atelier
    # The signatures drawn on screen are in the PDF: the entretien's two, the attendance's, the session's.
    assert images_in(content, tmp_path) == 4


def test_a_sheet_printed_before_any_signature_has_blank_boxes(named, client_for, mois, tmp_path):
    content = get_pdf(client_for(named.referent_a), url("individuelle", named.parcours), NOVEMBRE)
    assert images_in(content, tmp_path) == 0
    text = text_of(content, tmp_path)
    assert "Signature du participant" in text and "Prévu" in text


def test_without_a_period_the_sheet_is_the_current_month(named, client_for, mois, tmp_path):
    text = text_of(get_pdf(client_for(named.coordination), url("individuelle", named.parcours)), tmp_path)
    assert "Du 01/11/2026 au 30/11/2026" in text and "Préparer un entretien d'embauche" in text


def test_a_long_sheet_numbers_its_pages_and_repeats_the_table_header(named, client_for, tmp_path):
    for day in range(1, 31):
        for hour in (9, 14):
            ContactFactory(parcours=named.parcours, date=at(day, hour), canal="sms", objet=f"Rappel {day}-{hour}")
    content = get_pdf(client_for(named.referent_a), url("individuelle", named.parcours), NOVEMBRE)
    first, last = text_of(content, tmp_path, 1, 1), text_of(content, tmp_path, 2, 2)
    pages = re.search(r"Page 1 / (\d)", first)
    assert pages and int(pages[1]) >= 2
    assert f"Page 2 / {pages[1]}" in last
    assert "Signature du participant" in last and "Motif, objet" in last  # the header, again
    assert "Union européenne" in last  # the funders, on every page
    assert "Rappel 1-9" in first and "Rappel 30-14" in text_of(content, tmp_path)


# --- the signature seen in its box --------------------------------------------------------------

DPI = 100


def _png(content, tmp_path, name):
    from PIL import Image

    path = tmp_path / f"{name}.pdf"
    path.write_bytes(content)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", "-f", "1", "-l", "1", str(path), str(path)[:-4]])
    [png] = tmp_path.glob(f"{name}-*.png")
    return Image.open(png).convert("L")


def _words(content, tmp_path):
    """(word, xMin, yMin, xMax, yMax) in points, from pdftotext -bbox."""
    path = tmp_path / "mots.pdf"
    path.write_bytes(content)
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [(unescape(w), float(a), float(b), float(c), float(d)) for a, b, c, d, w in re.findall(pattern, html)]


def _dark_pixels(image, box_pt):
    x0, y0, x1, y1 = (round(v * DPI / 72) for v in box_pt)
    return sum(image.crop((x0, y0, x1, y1)).histogram()[:90])  # pixels darker than 90 of 255


def _box_of(words, column_word, row_word):
    """The signature box of a row: the column under ``column_word`` (its header: « Signature du
    participant »), the height of the row whose date is ``row_word``. Boxes are 30 mm wide, 13 mm high."""
    column = min(x0 for w, x0, _, _, _ in words if w == column_word)
    top = next(y0 for w, _, y0, _, _ in words if w == row_word)
    width, height = 30 * 72 / 25.4, 13 * 72 / 25.4
    return (column - 3, top - 8, column - 3 + width - 2, top - 8 + height)


def test_the_signature_is_printed_in_its_box(named, client_for, mois, tmp_path):
    client = client_for(named.referent_a)
    blank = get_pdf(client, url("individuelle", named.parcours), NOVEMBRE)
    signer(named, mois)
    signed = get_pdf(client, url("individuelle", named.parcours), NOVEMBRE)
    words = _words(signed, tmp_path)
    assert words == _words(blank, tmp_path)  # the same layout, only the images differ
    blank_png, signed_png = _png(blank, tmp_path, "vierge"), _png(signed, tmp_path, "signee")
    participant = _box_of(words, "participant", "03/11/2026")
    assert _dark_pixels(blank_png, participant) < 20  # an empty box: its borders are grey, not dark
    assert _dark_pixels(signed_png, participant) > 60  # the stroke drawn on screen
    # The référent's box, right of it, on the same row; the excused entretien's row stays blank.
    referent = _box_of(words, "référent", "03/11/2026")
    assert _dark_pixels(signed_png, referent) > 60
    excuse = _box_of(words, "participant", "17/11/2026")
    assert _dark_pixels(signed_png, excuse) < 20
    # Nothing else moved: the two pages differ only inside the signed boxes.
    from PIL import ImageChops

    x0, y0, x1, y1 = ImageChops.difference(blank_png, signed_png).point(lambda v: 255 if v > 60 else 0).getbbox()
    column = min(x for w, x, _, _, _ in words if w == "participant") * DPI / 72
    assert x0 >= column - 10, "a difference left of the signature columns"


# --- the partners' sheet ------------------------------------------------------------------------


def test_the_partners_sheet_lists_the_exchanges_about_the_person(named, client_for, mois, tmp_path):
    text = text_of(get_pdf(client_for(named.referent_a), url("partenaires", named.parcours), NOVEMBRE), tmp_path)
    for expected in [
        "Échanges avec les partenaires",
        "VAUTRIN-LACOMBE Ysaline",
        "08/11/2026",
        "Mme Roux, CCAS de Chauray",
        "Point logement",
        "30 min",
        "Signature du référent",
        "Signature du partenaire",
        "Page 1 / 1",
    ]:
        assert expected in text, expected
    assert "Relance candidature" not in text  # the phone call is on the individual sheet


# --- the period form ----------------------------------------------------------------------------


def test_the_period_page_offers_both_sheets_for_the_current_month(named, client_for, mois):
    response = client_for(named.referent_a).get(url("parcours", named.parcours))
    content = response.content.decode()
    assert response.status_code == 200
    assert 'value="2026-11-01"' in content and 'value="2026-11-30"' in content
    assert url("individuelle", named.parcours) in content and url("partenaires", named.parcours) in content


def test_a_wrong_period_is_shown_next_to_its_field_and_kept(named, client_for, mois):
    response = client_for(named.referent_a).get(url("individuelle", named.parcours), {"debut": "31/02/2026"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    content = unescape(response.content.decode())
    assert "Saisissez une date valide." in content
    assert 'value="31/02/2026"' in content
    response = client_for(named.referent_a).get(
        url("partenaires", named.parcours), {"debut": "15/11/2026", "fin": "01/11/2026"}
    )
    assert "La fin de la période ne peut précéder son début, le 15/11/2026." in unescape(response.content.decode())


# --- who may print ------------------------------------------------------------------------------

MAY_PRINT = {"coordination", "referent_a"}


@pytest.mark.parametrize("name", ["parcours", "individuelle", "partenaires"])
@pytest.mark.parametrize("who", ROLES)
def test_the_parcours_sheets_are_for_its_referent_and_the_coordination(named, client_for, name, who):
    response = client_for(getattr(named, who)).get(url(name, named.parcours), NOVEMBRE)
    assert response.status_code == (200 if who in MAY_PRINT else 404)
    [row] = AccesDossier.objects.all()
    assert (row.type_objet, row.objet_id, row.refuse) == (TypeObjet.PARCOURS, named.parcours.pk, who not in MAY_PRINT)
    if name != "parcours":
        assert row.action == Action.TELECHARGEMENT


def test_the_dossier_links_to_the_sheets_for_whom_may_print_them(named, client_for):
    dossier = f"/parcours/{named.parcours.pk}/"
    link = url("parcours", named.parcours)
    assert link in client_for(named.referent_a).get(dossier).content.decode()
    assert link in client_for(named.coordination).get(dossier).content.decode()
    assert link not in client_for(named.prescripteur).get(dossier).content.decode()


# --- the collective sheet of a session ----------------------------------------------------------


@pytest.fixture
def seance(named):
    """A session animated by référent A with référent B: one present and signed, one absent, one invited."""
    atelier = AtelierFactory(
        animateur=named.referent_a,
        co_animateur=named.referent_b,
        theme="Se présenter à un employeur",
        premiere_date=datetime.date(2026, 11, 12),
    )
    seance = SeanceAtelierFactory(atelier=atelier, numero=1, tenue=True)
    present = PresenceAtelierFactory(seance=seance, parcours=named.parcours, duree_minutes=120)
    SignatureFactory(presence=present, recueillie_par=named.referent_a)
    SignatureFactory(seance=seance, signataire="referent", referent=named.referent_a, recueillie_par=named.referent_a)
    absent = ParcoursFactory(
        etat="accompagnement",
        referent=named.referent_b,
        participant=ParticipantFactory(nom_usage="Abadie", prenoms="Inès"),
    )
    PresenceAtelierFactory(seance=seance, parcours=absent, statut="absent_justifie")
    invite = ParcoursFactory(
        etat="accompagnement",
        referent=named.referent_b,
        participant=ParticipantFactory(nom_usage="Zeller", prenoms="Marc"),
    )
    InscriptionAtelierFactory(atelier=atelier, parcours=invite)
    InscriptionAtelierFactory(atelier=atelier, parcours=named.parcours)  # invited and present: one row
    return seance


def test_the_collective_sheet_lists_the_participants_and_the_animateurs(named, client_for, seance, tmp_path):
    content = get_pdf(client_for(named.referent_b), reverse("emargement:seance", args=[seance.pk]))
    text = text_of(content, tmp_path)
    for expected in [
        "Feuille d'émargement collective",
        "Atelier « Se présenter à un employeur », séance 1 du 12/11/2026 de 09:30 à 12:00",
        "Salle collective",
        "ABADIE Inès",
        "Absence justifiée",
        "VAUTRIN-LACOMBE Ysaline",
        "Présent(e)",
        "2 h",
        "ZELLER Marc",
        "3 participants, dont 1 présent",
        named.referent_a.get_full_name(),
        named.referent_b.get_full_name(),
        "Animateur",
        "Page 1 / 1",
    ]:
        assert expected in text, expected
    assert text.index("ABADIE") < text.index("VAUTRIN-LACOMBE") < text.index("ZELLER")
    assert text.count("VAUTRIN-LACOMBE") == 1
    assert images_in(content, tmp_path) == 2  # the participant's and référent A's; B's box is blank
    # Each person named on the sheet is in the access log.
    logged = set(AccesDossier.objects.filter(action=Action.TELECHARGEMENT).values_list("objet_id", flat=True))
    named_on_sheet = {*seance.presences.values_list("parcours_id", flat=True)}
    assert logged == named_on_sheet | {*seance.atelier.inscriptions.values_list("parcours_id", flat=True)}


MAY_PRINT_SEANCE = {"coordination", "referent_a", "referent_b"}


@pytest.mark.parametrize("who", ROLES)
def test_the_collective_sheet_is_for_the_animateurs_and_the_coordination(named, client_for, seance, who):
    response = client_for(getattr(named, who)).get(reverse("emargement:seance", args=[seance.pk]))
    assert response.status_code == (200 if who in MAY_PRINT_SEANCE else 404)
    rows = AccesDossier.objects.filter(utilisateur=getattr(named, who))
    if who in MAY_PRINT_SEANCE:
        assert rows.count() == 3 and not rows.filter(refuse=True).exists()
    else:
        [row] = rows
        assert (row.refuse, row.objet_id, row.action) == (True, None, Action.TELECHARGEMENT)


def test_an_unknown_session_is_a_404_logged_as_refused(named, client_for):
    assert client_for(named.coordination).get(reverse("emargement:seance", args=[999999])).status_code == 404
    assert AccesDossier.objects.get().refuse is True


# --- constant queries ---------------------------------------------------------------------------


def _grow(parcours, n, named, start=0):
    """``n`` more contacts, and one signed entretien per ten of them."""
    for i in range(start, start + n):
        ContactFactory(parcours=parcours, date=at(1 + i % 29, 8 + i % 10, i % 60), canal="telephone", duree_minutes=5)
        if i % 10 == 0:
            rdv = EntretienFactory(
                parcours=parcours, debut=at(1 + i % 29, 18), statut="honore", duree_reelle_minutes=30, cloture_le=at(30)
            )
            SignatureFactory(rendez_vous=rdv, recueillie_par=named.referent_a)


def _queries(client, address):
    client.get(address, NOVEMBRE)  # the session's first request writes it
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address, NOVEMBRE)
    assert response.status_code == 200
    return len(captured)


def test_the_sheets_queries_do_not_grow_with_the_contacts(named, client_for, mois):
    signer(named, mois)
    client = client_for(named.referent_a)
    _grow(named.parcours, 10, named)
    few = _queries(client, url("individuelle", named.parcours)), _queries(client, url("partenaires", named.parcours))
    _grow(named.parcours, 290, named, start=10)
    assert TentativeContact.objects.filter(parcours=named.parcours).count() > 300
    many = _queries(client, url("individuelle", named.parcours)), _queries(client, url("partenaires", named.parcours))
    assert few == many
    # The frise adds its five reads of the whole parcours (étapes, rendez-vous, attendances, veilles, decisions).
    assert many[0] <= 17, many


def test_a_batchs_rows_are_read_in_four_queries_however_many_sheets(named, django_assert_num_queries):
    from parcours import emargement

    debut, fin = datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)
    few = [named.parcours]
    many = few + [ParcoursFactory(etat="accompagnement", referent=named.referent_a) for _ in range(12)]
    for parcours in many:
        _grow(parcours, 3, named)
    with django_assert_num_queries(4):
        feuilles = emargement.feuilles_individuelles(few, debut, fin)
    with django_assert_num_queries(4):
        feuilles = emargement.feuilles_individuelles(many, debut, fin)
    assert [len(f.lignes) for f in feuilles] == [4] * 13  # 3 contacts, 1 signed entretien each


def test_the_collective_sheets_queries_do_not_grow_with_the_participants(named, client_for, seance):
    client = client_for(named.coordination)
    address = reverse("emargement:seance", args=[seance.pk])
    few = _queries(client, address)
    for _ in range(20):
        presence = PresenceAtelierFactory(seance=seance)
        SignatureFactory(presence=presence, recueillie_par=named.referent_a)
        InscriptionAtelierFactory(atelier=seance.atelier)
    assert _queries(client, address) == few


# --- the pipeline -------------------------------------------------------------------------------


def test_the_pipeline_fetches_local_files_and_data_uris_only(tmp_path):
    fetcher = pdf.FichiersLocaux()
    assert fetcher.fetch((pdf.STATIC_DIR / "fonts" / "DejaVuSans.ttf").as_uri()).read(4) == b"\x00\x01\x00\x00"
    assert fetcher.fetch("data:text/plain;base64,UExJRQ==").read() == b"PLIE"
    secret = tmp_path / "secret.txt"
    secret.write_text("hors de static/")
    for refused in ["https://example.org/logo.png", secret.as_uri(), (pdf.STATIC_DIR / ".." / "manage.py").as_uri()]:
        with pytest.raises(pdf.RessourceRefusee):
            fetcher.fetch(refused)


def test_the_pipeline_embeds_its_own_fonts(named, client_for, mois, tmp_path):
    path = tmp_path / "polices.pdf"
    path.write_bytes(get_pdf(client_for(named.referent_a), url("individuelle", named.parcours), NOVEMBRE))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "PLIE-Sans" in fonts and "PLIE-Sans-Bold" in fonts
    assert all(" yes yes " in line for line in fonts.splitlines()[2:])  # embedded, subset


def test_the_pipeline_joins_documents_each_with_its_own_page_numbers(tmp_path):
    documents = [
        pdf.document_html(f'<p class="pied">Pied {i}</p><h1>Feuille {i}</h1>' + "<p>ligne</p>" * (60 * i))
        for i in (1, 2)
    ]
    first, second = (len(d.pages) for d in documents)
    assert 1 < first < second
    text = text_of(pdf.fusionner(documents), tmp_path)
    assert f"Page {first} / {first}" in text and f"Page {second} / {second}" in text
    assert text.count("Page 1 / ") == 2  # each sheet starts at its page 1
