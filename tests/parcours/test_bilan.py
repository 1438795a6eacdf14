"""The bilan intermédiaire of a measure (parcours/bilan.py, N §III.d): its content, its PDF read back
(pdftotext), joined to a measure-renewal request, served to whom may read sensitive data, constant queries."""

import datetime
import subprocess
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from parcours import bilan, demandes
from parcours.diagnostic import diagnostic_en_cours, figer
from parcours.models import Demande, FreinDiagnostic, NatureDiagnostic, NiveauFrein
from plie.acces.models import AccesDossier, Action, TypeObjet
from tests.conftest import Personas
from tests.factories import (
    AtelierFactory,
    EntretienFactory,
    EtapeFactory,
    PresenceAtelierFactory,
    SeanceAtelierFactory,
)

PARIS = ZoneInfo("Europe/Paris")
ROLES = Personas.NAMES
MAY_SEE = {"coordination", "referent_a"}
OBJECTIFS = "Obtenir le permis B et décrocher une immersion en logistique."


def at(day, hour=10, minute=0, month=11):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(at(20))


@pytest.fixture(autouse=True)
def prive(tmp_path, monkeypatch):
    """The private storage in a folder of the test (the field holds its storage since the model loaded)."""
    storage = FileSystemStorage(location=tmp_path / "prive")
    monkeypatch.setattr(Demande._meta.get_field("bilan"), "storage", storage)
    return storage


def text_of(content, tmp_path):
    path = tmp_path / "bilan.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())  # lines wrap where a cell is narrow


def niveaux(parcours, nature, **par_theme):
    for theme, niveau in par_theme.items():
        FreinDiagnostic.objects.filter(diagnostic__parcours=parcours, diagnostic__nature=nature, theme=theme).update(
            niveau=niveau
        )


@pytest.fixture
def periode(named):
    """Référent A's participant (entered 05/10/2026, measure in progress until 05/04/2027): two entretiens
    held, one missed, one atelier attended, one étape, freins that moved since the initial diagnostic."""
    parcours = named.parcours
    assert parcours.date_entree == datetime.date(2026, 10, 5)
    rows = {
        "premier": EntretienFactory(
            parcours=parcours,
            debut=at(15, month=10),
            statut="honore",
            duree_reelle_minutes=45,
            cloture_le=at(15, 11, month=10),
        ),
        "second": EntretienFactory(
            parcours=parcours,
            debut=at(3, 14),
            modalite="telephone",
            lieu_precision="",
            statut="honore",
            duree_reelle_minutes=30,
            cloture_le=at(3, 15),
            notes="Note confidentielle du référent",
        ),
        "absent": EntretienFactory(parcours=parcours, debut=at(10), absent=True),
        "prevu": EntretienFactory(parcours=parcours, debut=at(27)),
    }
    atelier = AtelierFactory(
        animateur=named.referent_a, theme="Techniques de recherche d'emploi", premiere_date=datetime.date(2026, 11, 5)
    )
    rows["presence"] = PresenceAtelierFactory(
        seance=SeanceAtelierFactory(atelier=atelier, tenue=True), parcours=parcours
    )
    rows["etape"] = EtapeFactory(
        parcours=parcours, type="immersion", etat="en_cours", date_debut=datetime.date(2026, 11, 2)
    )
    diagnostic_en_cours(parcours, named.referent_a)
    niveaux(parcours, NatureDiagnostic.EN_COURS, sante=NiveauFrein.FORT, logement=NiveauFrein.FORT)
    figer(parcours, NatureDiagnostic.INITIAL, named.referent_a)
    niveaux(parcours, NatureDiagnostic.EN_COURS, sante=NiveauFrein.LEGER, logement=NiveauFrein.AUCUN, mobilite="fort")
    return rows


# --- the content ----------------------------------------------------------------------------------


def test_the_content_holds_the_periods_entretiens_ateliers_etapes_and_freins(named, periode, niort):
    parcours = named.parcours
    contenu = bilan.contenu(parcours, datetime.date(2026, 10, 5), datetime.date(2026, 11, 20), referentiel=niort)
    assert [(e.quand.date(), e.statut, e.duree) for e in contenu.entretiens] == [
        (datetime.date(2026, 10, 15), "Honoré", "45 min"),
        (datetime.date(2026, 11, 3), "Honoré", "30 min"),
        (datetime.date(2026, 11, 10), "Absence non justifiée", "—"),
    ]
    assert contenu.entretiens[1].modalite == "Par téléphone"
    assert [(a.theme, a.quand.date(), a.duree) for a in contenu.ateliers] == [
        ("Techniques de recherche d'emploi", datetime.date(2026, 11, 5), "2 h 30")
    ]
    assert [(e.type, e.etat, e.date_debut) for e in contenu.etapes] == [
        ("PMSMP, immersion", "En cours", datetime.date(2026, 11, 2))
    ]
    assert contenu.diagnostic_initial
    assert [(f.theme, f.avant, f.maintenant, f.sens) for f in contenu.freins] == [
        ("Mobilité", "Aucun", "Fort", "nouveau"),
        ("Santé", "Fort", "Léger", "en baisse"),
        ("Logement", "Fort", "Aucun", "levé"),
    ]
    assert contenu.compteurs == {
        "entretiens_tenus": 2,
        "entretiens_manques": 1,
        "ateliers": 1,
        "ateliers_manques": 0,
        "etapes": 1,
        "freins_changes": 3,
    }
    assert contenu.numero_mesure == 1
    assert contenu.frise.startswith("<svg")


def test_a_period_leaves_out_what_lies_outside_it(named, periode, niort):
    contenu = bilan.contenu(named.parcours, datetime.date(2026, 11, 1), datetime.date(2026, 11, 9), referentiel=niort)
    assert [e.quand.date() for e in contenu.entretiens] == [datetime.date(2026, 11, 3)]
    assert len(contenu.ateliers) == 1
    EtapeFactory(
        parcours=named.parcours,
        type="emploi_iae",
        etat="realisee",
        date_debut=datetime.date(2026, 10, 6),
        date_fin=datetime.date(2026, 10, 20),
    )
    contenu = bilan.contenu(named.parcours, datetime.date(2026, 11, 1), datetime.date(2026, 11, 9), referentiel=niort)
    assert [e.type for e in contenu.etapes] == ["PMSMP, immersion"]


def test_without_an_initial_diagnostic_nothing_is_compared(named, niort):
    diagnostic_en_cours(named.parcours, named.referent_a)
    contenu = bilan.contenu(named.parcours, datetime.date(2026, 10, 5), datetime.date(2026, 11, 20), referentiel=niort)
    assert (contenu.diagnostic_initial, contenu.freins) == (False, [])


def _grow(parcours, n, named):
    atelier = AtelierFactory(animateur=named.referent_a, premiere_date=datetime.date(2026, 10, 20))
    for i in range(n):
        EntretienFactory(
            parcours=parcours,
            debut=at(6 + i, 16, month=10),
            statut="honore",
            duree_reelle_minutes=30,
            cloture_le=at(19),
        )
        PresenceAtelierFactory(seance=SeanceAtelierFactory(atelier=atelier, tenue=True), parcours=parcours)
        EtapeFactory(parcours=parcours, type="remobilisation", etat="en_cours", date_debut=datetime.date(2026, 10, 10))


def test_the_content_is_read_in_constant_queries(named, periode, niort, django_assert_num_queries):
    parcours = named.parcours
    debut, fin = datetime.date(2026, 10, 5), datetime.date(2026, 11, 20)
    with django_assert_num_queries(6):
        few = bilan.contenu(parcours, debut, fin, referentiel=niort)
    _grow(parcours, 18, named)
    with django_assert_num_queries(6):
        many = bilan.contenu(parcours, debut, fin, referentiel=niort)
    assert (len(few.entretiens), len(many.entretiens)) == (3, 21)
    assert len(many.ateliers) == 19 and len(many.etapes) == 19


# --- the PDF ----------------------------------------------------------------------------------------


def test_the_pdf_reads_back_the_period_for_the_cellule(named, periode, niort, tmp_path):
    demande = Demande(
        parcours=named.parcours,
        type="renouvellement_mesure",
        periode_debut=datetime.date(2026, 10, 5),
        periode_fin=datetime.date(2026, 11, 20),
        objectifs=OBJECTIFS,
    )
    text = text_of(bilan.rendre(demande, referentiel=niort), tmp_path)
    for expected in [
        "PLIE DU NIORTAIS",
        "Bilan intermédiaire",
        "Mesure n° 1 — du 05/10/2026 au 20/11/2026",
        "VAUTRIN-LACOMBE Ysaline",
        named.referent_a.get_full_name(),
        "15/10/2026",
        "03/11/2026",
        "Par téléphone",
        "10/11/2026",
        "Absence non justifiée",
        "Techniques de recherche d'emploi",
        "PMSMP, immersion",
        "02/11/2026",
        "Évolution des freins depuis le diagnostic initial",
        # The health frein stays: the bilan is served to the référent and the coordination only.
        "Santé Fort Léger En baisse",
        "Logement Fort Aucun Levé",
        "Mobilité Aucun Fort Nouveau",
        "Objectifs pour la période suivante",
        OBJECTIFS,
        "2 entretiens tenus (1 h 15), 1 manqué",
        "Union européenne (Fonds social européen plus, FSE+)",
        "Page 1 /",
    ]:
        assert expected in text, expected
    # The planned entretien has not happened; the notes are not the cellule's.
    for absent in ["27/11/2026", "Note confidentielle"]:
        assert absent not in text, absent


def test_asking_a_measure_renewal_stores_its_bilan_with_the_objectives(named, periode, niort, tmp_path, prive):
    parcours = named.parcours
    demande = demandes.demander(
        named.referent_a, parcours, "renouvellement_mesure", referentiel=niort, objectifs=OBJECTIFS
    )
    demande.refresh_from_db()
    assert (demande.periode_debut, demande.periode_fin) == (datetime.date(2026, 10, 5), datetime.date(2026, 11, 20))
    assert demande.bilan.name.endswith(f"bilan-intermediaire-{demande.pk}.pdf")
    assert prive.exists(demande.bilan.name)
    with demande.bilan.open("rb") as f:
        text = text_of(f.read(), tmp_path)
    assert OBJECTIFS in text and "Bilan intermédiaire" in text and "VAUTRIN-LACOMBE Ysaline" in text


# --- who may download it, the access log -------------------------------------------------------------


@pytest.fixture
def demande(named, periode, niort):
    return demandes.demander(
        named.referent_a, named.parcours, "renouvellement_mesure", referentiel=niort, objectifs=OBJECTIFS
    )


@pytest.mark.parametrize("who", ROLES)
def test_the_stored_bilan_is_for_the_referent_and_the_coordination(named, client_for, demande, who, tmp_path):
    before = AccesDossier.objects.count()
    response = client_for(getattr(named, who)).get(reverse("bilans:demande", args=[demande.pk]))
    assert response.status_code == (200 if who in MAY_SEE else 404)
    [row] = AccesDossier.objects.order_by("id")[before:]
    assert (row.type_objet, row.action, row.refuse) == (TypeObjet.PARCOURS, Action.TELECHARGEMENT, who not in MAY_SEE)
    assert row.objet_id == (named.parcours.pk if who in MAY_SEE else None)
    if who in MAY_SEE:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="bilan-intermediaire-{demande.pk}.pdf"'
        assert response["Cache-Control"] == "private, no-store"
        assert OBJECTIFS in text_of(b"".join(response.streaming_content), tmp_path)


def test_the_stored_bilan_is_refused_to_anonymous_visitors(client, demande):
    response = client.get(reverse("bilans:demande", args=[demande.pk]))
    assert response.status_code == 302 and "/compte/" in response["Location"]


def test_another_referent_after_a_reassignment_no_longer_reaches_the_bilan(named, client_for, demande):
    parcours = named.parcours
    parcours.referent = named.referent_b
    parcours.save(update_fields=["referent"])
    assert client_for(named.referent_a).get(reverse("bilans:demande", args=[demande.pk])).status_code == 404
    assert client_for(named.referent_b).get(reverse("bilans:demande", args=[demande.pk])).status_code == 200


def test_a_request_without_bilan_or_an_unknown_one_is_a_404(named, client_for, niort):
    from tests.factories import DemandeFactory

    sans_bilan = DemandeFactory(parcours=named.parcours)
    client = client_for(named.coordination)
    assert client.get(reverse("bilans:demande", args=[sans_bilan.pk])).status_code == 404
    assert client.get(reverse("bilans:demande", args=[999999])).status_code == 404
    assert client.get(reverse("bilans:demande", args=[10**20])).status_code == 404
    assert AccesDossier.objects.filter(refuse=True).count() == 3


def test_a_bilan_whose_file_is_gone_is_a_404_logged_as_refused(named, client_for, demande, prive):
    prive.delete(demande.bilan.name)
    assert client_for(named.referent_a).get(reverse("bilans:demande", args=[demande.pk])).status_code == 404
    assert AccesDossier.objects.filter(refuse=True, utilisateur=named.referent_a).count() == 1


# --- the preview of the measure in progress -----------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_the_preview_is_for_the_referent_and_the_coordination(named, client_for, periode, who, tmp_path):
    response = client_for(getattr(named, who)).get(reverse("bilans:apercu", args=[named.parcours.pk]))
    assert response.status_code == (200 if who in MAY_SEE else 404)
    [row] = AccesDossier.objects.all()
    assert (row.type_objet, row.objet_id, row.action, row.refuse) == (
        TypeObjet.PARCOURS,
        named.parcours.pk,
        Action.TELECHARGEMENT,
        who not in MAY_SEE,
    )
    if who in MAY_SEE:
        text = text_of(response.content, tmp_path)
        assert "Bilan intermédiaire" in text and "du 05/10/2026 au 20/11/2026" in text
        assert "Techniques de recherche d'emploi" in text


def test_the_preview_needs_an_active_referentiel(named, client_for, niort):
    niort.actif = False
    niort.save(update_fields=["actif"])
    assert client_for(named.coordination).get(reverse("bilans:apercu", args=[named.parcours.pk])).status_code == 404


def test_the_preview_of_a_parcours_not_yet_entered_is_drawn_for_today(named, client_for, tmp_path):
    from parcours.models import Etat
    from tests.factories import ParcoursFactory

    accueil = ParcoursFactory(etat=Etat.ACCUEIL, referent=named.referent_a)
    response = client_for(named.referent_a).get(reverse("bilans:apercu", args=[accueil.pk]))
    assert response.status_code == 200
    assert "du 20/11/2026 au 20/11/2026" in text_of(response.content, tmp_path)


def test_the_preview_is_refused_to_anonymous_visitors(client, named):
    response = client.get(reverse("bilans:apercu", args=[named.parcours.pk]))
    assert response.status_code == 302


def test_the_dossier_links_to_the_preview_for_whom_may_read_it(named, client_for):
    dossier = reverse("parcours:detail", args=[named.parcours.pk])
    link = reverse("bilans:apercu", args=[named.parcours.pk])
    assert link in client_for(named.referent_a).get(dossier).content.decode()
    assert link in client_for(named.coordination).get(dossier).content.decode()
    assert link not in client_for(named.prescripteur).get(dossier).content.decode()


def test_the_request_page_links_to_its_bilan(named, client_for, demande):
    page = client_for(named.coordination).get(reverse("demandes:detail", args=[demande.pk])).content.decode()
    assert reverse("bilans:demande", args=[demande.pk]) in page
    assert "Télécharger le bilan intermédiaire (PDF)" in page
