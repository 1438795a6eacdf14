"""The frise of a parcours: a server-side SVG that parses, shows étapes, marks, veilles, decisions and
today, stays inside its viewBox for a long parcours without overlapping bars, escapes its labels, and
costs the dossier no query."""

import datetime
import itertools
import random
import re
import types
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from parcours import frise
from parcours.models import Etape, PeriodeVeille, TransitionParcours
from tests.factories import (
    EntretienFactory,
    EtapeFactory,
    InscriptionAtelierFactory,
    PresenceAtelierFactory,
    SeanceAtelierFactory,
)
from tests.plie.test_query_counts import count_queries

NS = {"svg": "http://www.w3.org/2000/svg"}
TODAY = datetime.date(2026, 12, 3)


def parcours_(**values):
    base = {
        "date_prescription": datetime.date(2024, 1, 10),
        "date_orientation": datetime.date(2024, 1, 15),
        "date_entree": datetime.date(2024, 2, 14),
        "date_sortie": None,
        "date_cloture": None,
        "date_fin_mesure": datetime.date(2027, 2, 14),
        "date_sortie_prevue": None,
    }
    return types.SimpleNamespace(**{**base, **values})


def etape(type_, etat, debut, fin=None, fin_prevue=None, pk=0):
    return types.SimpleNamespace(
        pk=pk,
        type=type_,
        etat=etat,
        date_debut=debut,
        date_fin=fin,
        date_fin_prevue=fin_prevue,
        ressource=None,
        ressource_id=None,
    )


def rdv(jour, statut, pk=0):
    return types.SimpleNamespace(
        pk=pk,
        debut=timezone.make_aware(datetime.datetime.combine(jour, datetime.time(10))),
        statut=statut,
        get_objet_display=lambda: "Entretien individuel",
    )


def parse(svg):
    root = ET.fromstring(str(svg))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def every(root, tag):
    return root.findall(f".//svg:{tag}", NS)


def small():
    return frise.frise(
        parcours_(),
        etapes=[
            etape("diagnostic", "realisee", datetime.date(2024, 2, 20), datetime.date(2024, 4, 1)),
            etape("formation_qualifiante", "en_cours", datetime.date(2024, 5, 1), fin_prevue=datetime.date(2027, 1, 5)),
            etape("immersion", "abandonnee", datetime.date(2024, 6, 1), datetime.date(2024, 6, 10)),
            etape("emploi_iae", "prevue", datetime.date(2027, 1, 10), fin_prevue=datetime.date(2027, 4, 1)),
        ],
        rendez_vous=[
            rdv(datetime.date(2024, 3, 1), "honore"),
            rdv(datetime.date(2024, 4, 1), "absent"),
            rdv(datetime.date(2024, 5, 1), "excuse"),
            rdv(datetime.date(2024, 6, 1), "annule"),
            rdv(datetime.date(2026, 12, 20), "prevu"),
        ],
        presences=[
            frise.Presence(datetime.date(2024, 9, 3), "present", "CV"),
            frise.Presence(datetime.date(2024, 9, 10), "absent_injustifie", "CV"),
        ],
        veilles=[
            types.SimpleNamespace(debut=datetime.date(2025, 1, 5), fin=datetime.date(2025, 3, 1), fin_prevue=None),
            types.SimpleNamespace(debut=datetime.date(2026, 11, 1), fin=None, fin_prevue=datetime.date(2027, 1, 1)),
        ],
        decisions=[
            frise.Decision("orienter", datetime.date(2024, 1, 15)),
            frise.Decision("demarrer_accompagnement", datetime.date(2024, 2, 14)),
            frise.Decision("renouveler", datetime.date(2025, 2, 14)),
            frise.Decision("renouveler", datetime.date(2026, 2, 14)),
        ],
        today=TODAY,
    )


def titles(root):
    return [t.text for t in every(root, "title")]


# --- the drawing ---------------------------------------------------------------------------------


def test_the_svg_parses_and_says_what_it_shows():
    root = parse(small())
    assert root.get("role") == "img" and root.get("aria-labelledby") == "frise-titre frise-desc"
    assert root.find("svg:title", NS).text == "Frise du parcours"
    desc = root.find("svg:desc", NS).text
    assert "4 étapes" in desc and "5 rendez-vous dont 1 honoré" in desc and "2 période(s) de veille" in desc
    assert "renouvellement le 14/02/2025" in desc
    found = titles(root)
    for expected in [
        "Diagnostic, bilan : réalisée, du 20/02/2024 au 01/04/2024",
        "Formation qualifiante : en cours, depuis le 01/05/2024, fin prévue le 05/01/2027",
        "PMSMP, immersion : abandonnée, du 01/06/2024 au 10/06/2024",
        "Emploi dans l'insertion par l'activité économique (IAE) : prévue, du 10/01/2027 au 01/04/2027",
        "Entretien individuel du 01/03/2024 : honoré",
        "Entretien individuel du 01/04/2024 : absence non justifiée",
        "Entretien individuel du 01/05/2024 : absence excusée",
        "Entretien individuel du 01/06/2024 : annulé",
        "Entretien individuel du 20/12/2026 : prévu",
        "CV le 03/09/2024 : présent",
        "CV le 10/09/2024 : absence non justifiée",
        "Veille du 05/01/2025 au 01/03/2025",
        "Veille depuis le 01/11/2026, fin prévue le 01/01/2027",
        "Orientation 15/01/2024",
        "Entrée 14/02/2024",
        "Renouvellement 14/02/2025",
        "Renouvellement 14/02/2026",
        "Fin de la mesure 14/02/2027",
        "Aujourd'hui, le 03/12/2026",
    ]:
        assert expected in found, expected
    texts = [t.text for t in every(root, "text")]
    assert "Aujourd'hui (03/12/2026)" in texts
    assert {"01/2025", "01/2026"} <= set(texts)  # month / year ticks
    assert {"Décisions", "Étapes", "Entretiens", "Ateliers"} <= set(texts)
    assert {"Étape : réalisée", "Étape : abandonnée", "Entretien : honoré", "Veille", "Atelier : présent"} <= set(texts)
    assert len(root.findall(".//svg:rect[@class]", NS)) >= 4 + 2  # étape bars, veille spans


def test_black_and_white_shapes_not_colour_alone():
    root = parse(small())
    bars = {r.get("class").split()[1]: r for r in every(root, "rect") if (r.get("class") or "").startswith("etape")}
    assert bars["etape-realisee"].get("fill") == "url(#frise-realisee)"
    assert bars["etape-abandonnee"].get("fill") == "url(#frise-abandonnee)"
    assert bars["etape-prevue"].get("stroke-dasharray") == "4 3"
    assert {p.get("id") for p in every(root, "pattern")} == {"frise-realisee", "frise-abandonnee", "frise-veille"}
    # Every colour used is a grey.
    for colour in set(re.findall(r'(?:fill|stroke)="(#[0-9a-f]{6})"', str(small()))):
        assert colour[1:3] == colour[3:5] == colour[5:7], colour


def test_no_style_no_script_and_labels_escaped():
    svg = str(
        frise.frise(
            parcours_(),
            rendez_vous=[],
            presences=[frise.Presence(datetime.date(2024, 3, 1), "present", '<script>alert("x")</script> & Cie')],
            today=TODAY,
            titre="Frise <b>",
        )
    )
    root = parse(svg)  # parses: every label was escaped
    assert "<script" not in svg and "style=" not in svg and " on" not in re.sub(r'"[^"]*"', "", svg)
    assert '<script>alert("x")</script> & Cie le 01/03/2024 : présent' in titles(root)
    assert root.find("svg:title", NS).text == "Frise <b>"


def test_what_the_reader_may_not_see_is_not_drawn():
    svg = str(frise.frise(parcours_(), etapes=None, presences=None, rendez_vous=[], today=TODAY))
    texts = [t.text for t in every(parse(svg), "text")]
    assert "Étapes" not in texts and "Ateliers" not in texts and "Étape : réalisée" not in texts
    assert "Entretiens" in texts and "Décisions" in texts


def test_a_young_parcours_spans_two_months_at_least():
    svg = frise.frise(
        parcours_(date_prescription=TODAY, date_orientation=TODAY, date_entree=None, date_fin_mesure=None), today=TODAY
    )
    root = parse(svg)
    assert "Orientation 03/12/2026" in titles(root) and "Aujourd'hui, le 03/12/2026" in titles(root)


def test_the_pdf_version_has_its_size():
    root = parse(frise.svg_pour_pdf(parcours_(), today=TODAY))
    _, _, width, height = map(int, root.get("viewBox").split())
    assert width == frise.LARGEUR
    assert root.get("width") == "180mm" and root.get("height") == f"{height * 0.18:.1f}mm"
    assert parse(frise.svg_pour_pdf(parcours_(), today=TODAY, largeur_mm=267)).get("width") == "267mm"
    assert "width" not in parse(frise.frise(parcours_(), today=TODAY)).attrib


def test_lanes_never_overlap():
    assert frise.voies([(0, 10), (5, 20), (17, 30), (40, 50)]) == [0, 1, 0, 0]


# --- a long parcours ------------------------------------------------------------------------------


def long_parcours(seed):
    rng = random.Random(seed)
    start = datetime.date(2023, 12, 20)
    types_ = ["diagnostic", "formation_qualifiante", "immersion", "emploi_iae", "levee_frein", "creation_activite"]
    etapes = []
    for i in range(15):
        debut = start + datetime.timedelta(days=20 + i * 70 + rng.randint(0, 60))
        etat = rng.choice(["realisee", "abandonnee", "en_cours", "prevue"]) if debut < TODAY else "prevue"
        fin = debut + datetime.timedelta(days=rng.randint(1, 300))
        termine = etat in {"realisee", "abandonnee"}
        etapes.append(
            etape(rng.choice(types_), etat, debut, min(fin, TODAY) if termine else None, None if termine else fin, i)
        )
    rendez_vous = [
        rdv(
            start + datetime.timedelta(days=25 + i * 13), rng.choice(["honore"] * 5 + ["absent", "excuse", "annule"]), i
        )
        for i in range(80)
    ]
    veilles = [types.SimpleNamespace(debut=datetime.date(2025, 4, 1), fin=datetime.date(2025, 7, 1), fin_prevue=None)]
    decisions = [frise.Decision("orienter", start), frise.Decision("demarrer_accompagnement", start)] + [
        frise.Decision("renouveler", start + datetime.timedelta(days=182 * k)) for k in range(1, 6)
    ]
    presences = [frise.Presence(start + datetime.timedelta(days=60 + 30 * i), "present", "Atelier") for i in range(30)]
    return frise.frise(
        parcours_(date_prescription=start, date_orientation=start, date_entree=start),
        etapes=etapes,
        rendez_vous=rendez_vous,
        presences=presences,
        veilles=veilles,
        decisions=decisions,
        today=TODAY,
    )


def numbers(path_d):
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path_d)]


@pytest.mark.parametrize("seed", range(5))
def test_a_three_year_parcours_with_15_etapes_and_80_entretiens_fits_and_reads(seed):
    root = parse(long_parcours(seed))
    _, _, width, height = map(float, root.get("viewBox").split())
    assert height < 900  # legible on one screen, one A4 landscape page

    def inside(x, y):
        assert -0.5 <= x <= width + 0.5 and -0.5 <= y <= height + 0.5, (x, y)

    for r in every(root, "rect"):
        if r.get("x") is None:
            continue
        x, y, w, h = (float(r.get(a)) for a in ("x", "y", "width", "height"))
        inside(x, y)
        inside(x + w, y + h)
    for c in every(root, "circle"):
        if c.get("cx"):
            inside(float(c.get("cx")) - float(c.get("r")), float(c.get("cy")) - float(c.get("r")))
            inside(float(c.get("cx")) + float(c.get("r")), float(c.get("cy")) + float(c.get("r")))
    for line in every(root, "line"):
        if line.get("x1"):
            inside(float(line.get("x1")), float(line.get("y1")))
            inside(float(line.get("x2")), float(line.get("y2")))
    for t in every(root, "text"):
        x, y = float(t.get("x")), float(t.get("y"))
        w = frise.largeur_texte(t.text, int(t.get("font-size")))
        start = {"start": x, "middle": x - w / 2, "end": x - w}[t.get("text-anchor")]
        inside(start, y)
        inside(start + w, y)

    bars = [r for r in every(root, "rect") if (r.get("class") or "").startswith("etape ")]
    assert len(bars) == 15
    assert (
        len(
            [p for p in every(root, "path") + every(root, "circle") + every(root, "rect") if p.get("class") == "marque"]
        )
        == 80 + 30 + 0
    )
    lanes = {}
    for bar in bars:
        lanes.setdefault(bar.get("data-voie"), []).append(
            (float(bar.get("x")), float(bar.get("x")) + float(bar.get("width")))
        )
    for spans in lanes.values():
        spans.sort()
        for (_, end), (begin, _) in itertools.pairwise(spans):
            assert end < begin, spans
    assert len(lanes) <= 10


# --- on the dossier -------------------------------------------------------------------------------


def dossier(client, parcours):
    response = client.get(f"/parcours/{parcours.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    match = re.search(r"<svg .*?</svg>", html, re.S)
    assert match, "no frise"
    return parse(match.group(0)), html


@pytest.fixture
def histoire(personas):
    """The persona's parcours with an étape, an entretien, an atelier, a veille and decisions."""
    parcours = personas.parcours
    EtapeFactory(parcours=parcours)
    EntretienFactory(parcours=parcours, honore=True, debut=timezone.now() - datetime.timedelta(days=3))
    seance = SeanceAtelierFactory(
        tenue=True,
        atelier__theme="Atelier numérique",
        debut=timezone.now() - datetime.timedelta(days=2),
        fin=timezone.now() - datetime.timedelta(days=2) + datetime.timedelta(hours=2),
    )
    InscriptionAtelierFactory(atelier=seance.atelier, parcours=parcours)
    PresenceAtelierFactory(seance=seance, parcours=parcours)
    PeriodeVeille.objects.create(
        parcours=parcours,
        motif=PeriodeVeille._meta.get_field("motif").choices[0][0],
        debut=timezone.localdate() - datetime.timedelta(days=40),
        fin_prevue=timezone.localdate() - datetime.timedelta(days=20),
        fin=timezone.localdate() - datetime.timedelta(days=25),
    )
    TransitionParcours.objects.create(
        parcours=parcours,
        transition="renouveler",
        etat_avant=parcours.etat,
        etat_apres=parcours.etat,
        auteur=personas.referent_a,
    )
    return parcours


@pytest.mark.parametrize("who", ["coordination", "referent_a"])
def test_the_dossier_draws_the_frise_for_its_referent_and_the_coordination(personas, client_for, histoire, who):
    root, html = dossier(client_for(getattr(personas, who)), histoire)
    assert "Frise du parcours" in html
    found = " | ".join(titles(root))
    today = timezone.localdate()
    assert "Formation qualifiante : en cours" in found
    assert "Entretien individuel du" in found and ": honoré" in found
    assert f"Atelier numérique le {today - datetime.timedelta(days=2):%d/%m/%Y} : présent" in found
    assert "Veille du" in found
    assert f"Renouvellement {today:%d/%m/%Y}" in found
    assert f"Aujourd'hui, le {today:%d/%m/%Y}" in found


def test_the_prescripteur_sees_what_the_dossier_shows_them(personas, client_for, histoire):
    """No étape (their card is the référent's and the coordination's), no atelier; the entretiens, veilles
    and decisions, as their cards show them."""
    root, _ = dossier(client_for(personas.prescripteur), histoire)
    found = " | ".join(titles(root))
    assert "Formation qualifiante" not in found and "Atelier numérique" not in found
    assert "Entretien individuel du" in found and "Veille du" in found and "Renouvellement" in found
    assert "Étapes" not in [t.text for t in every(root, "text")]


@pytest.mark.parametrize("who", ["referent_b", "bureau_insertion", "operateur", "financeur"])
def test_others_have_no_dossier(personas, client_for, histoire, who):
    assert client_for(getattr(personas, who)).get(f"/parcours/{histoire.pk}/").status_code == 404


def test_a_decision_late_in_the_evening_is_on_its_paris_day(personas):
    parcours = personas.parcours
    late = timezone.make_aware(datetime.datetime(2026, 6, 30, 23, 30))  # 21:30 UTC
    TransitionParcours.objects.create(
        parcours=parcours, transition="valider_sortie", etat_avant="accompagnement", etat_apres="sortie", date=late
    )
    TransitionParcours.objects.create(
        parcours=parcours, transition="mettre_en_veille", etat_avant="accompagnement", etat_apres="veille"
    )
    row = frise.annoter(type(parcours).objects.filter(pk=parcours.pk)).get()
    assert frise.decisions_annotees(row) == [frise.Decision("valider_sortie", datetime.date(2026, 6, 30))]


def test_the_frise_costs_the_dossier_no_query_however_long_the_history(personas, client_for):
    parcours = personas.parcours
    client = client_for(personas.referent_a)
    url = f"/parcours/{parcours.pk}/"
    # Invited to one atelier already: the dossier reads the ateliers' list only for a parcours invited to one.
    first = SeanceAtelierFactory(tenue=True)
    InscriptionAtelierFactory(atelier=first.atelier, parcours=parcours)
    PresenceAtelierFactory(parcours=parcours, seance=first)
    client.get(url)
    small, _ = count_queries(client, url)
    for i in range(20):
        when = timezone.now() - datetime.timedelta(days=10 * i + 1)
        EntretienFactory(parcours=parcours, honore=True, debut=when)
        EtapeFactory(
            parcours=parcours, etat="realisee", date_debut=timezone.localdate(when), date_fin=timezone.localdate(when)
        )
        seance = SeanceAtelierFactory(tenue=True, debut=when, fin=when + datetime.timedelta(hours=2))
        InscriptionAtelierFactory(atelier=seance.atelier, parcours=parcours)
        PresenceAtelierFactory(parcours=parcours, seance=seance)
        TransitionParcours.objects.create(
            parcours=parcours, transition="renouveler", etat_avant="accompagnement", etat_apres="accompagnement"
        )
    large, response = count_queries(client, url)
    assert len(large) == len(small) <= 15, "\n".join(large)
    root = parse(re.search(r"<svg .*?</svg>", response.content.decode(), re.S).group(0))
    assert len([e for e in root.iter() if e.get("class") == "marque"]) == 41
    assert Etape.objects.filter(parcours=parcours).count() == len(
        [r for r in every(root, "rect") if (r.get("class") or "").startswith("etape ")]
    )


# --- for the PDFs ---------------------------------------------------------------------------------


def test_the_pdf_reader_follows_the_dossiers_rules(personas, histoire, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        referent = parse(frise.svg_pour_pdf(histoire, user=personas.referent_a))
    prescripteur = parse(frise.svg_pour_pdf(histoire, user=personas.prescripteur))
    assert referent.get("width") == "180mm" and referent.get("height").endswith("mm")
    mine, theirs = " | ".join(titles(referent)), " | ".join(titles(prescripteur))
    assert "Formation qualifiante : en cours" in mine and "Atelier numérique" in mine
    assert "Formation qualifiante" not in theirs and "Atelier numérique" not in theirs
    assert "Renouvellement" in theirs and "Entretien individuel du" in theirs


def test_weasyprint_draws_it_and_its_words_read_back(tmp_path):
    import subprocess

    from weasyprint import HTML

    svg = frise.svg_pour_pdf(
        parcours_(), today=TODAY, decisions=[frise.Decision("renouveler", datetime.date(2025, 2, 14))]
    )
    path = tmp_path / "frise.pdf"
    HTML(string=f"<html><body><h1>Bilan</h1>{svg}</body></html>").write_pdf(path)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for words in ["Aujourd'hui (03/12/2026)", "Renouvellement 14/02/2025", "Entrée 14/02/2024", "Décisions", "01/2025"]:
        assert words in text, words
