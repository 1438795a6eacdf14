"""A référent's monthly batch of individual sheets: a Celery task (a real worker through Redis), its
progress page (htmx, or a reload), its merged PDF from the private storage, who may ask and download."""

import datetime
import subprocess
import time
from html import unescape

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.storage import FileSystemStorage
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from parcours.models import Etat, LotEmargement, StatutLot
from parcours.tasks import parcours_du_lot, produire_lot_emargement
from plie.acces.models import AccesDossier, Action, TypeObjet
from tests.conftest import Personas
from tests.factories import ContactFactory, LotEmargementFactory, ParcoursFactory, ParticipantFactory

LOTS = reverse("emargement:lots")


@pytest.fixture(autouse=True)
def prive(tmp_path, monkeypatch):
    """The private storage in a folder of the test (the field holds its storage since the model loaded)."""
    storage = FileSystemStorage(location=tmp_path / "prive")
    monkeypatch.setattr(LotEmargement._meta.get_field("fichier"), "storage", storage)
    return storage


def debut_du_mois():
    return timezone.localdate().replace(day=1)


def contact_ce_mois(parcours, objet):
    """A phone call on the first of this month, 08:00 (whatever today is, it lies in the month)."""
    quand = timezone.make_aware(datetime.datetime.combine(debut_du_mois(), datetime.time(8, 0)))
    return ContactFactory(parcours=parcours, date=quand, canal="telephone", abouti=True, objet=objet, duree_minutes=20)


def portefeuille(personas):
    """Référent A's month: three participants contacted (one is the personas'), one not; référent B's one."""
    suivis = [personas.parcours]
    for nom in ["Berthier", "Aubry"]:
        suivis.append(
            ParcoursFactory(
                etat=Etat.ACCOMPAGNEMENT, referent=personas.referent_a, participant=ParticipantFactory(nom_usage=nom)
            )
        )
    for parcours in suivis:
        contact_ce_mois(parcours, f"Appel de {parcours.participant.nom_usage}")
    ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=personas.referent_a)  # nothing this month: no sheet
    autre = ParcoursFactory(
        etat=Etat.ACCOMPAGNEMENT, referent=personas.referent_b, participant=ParticipantFactory(nom_usage="Ailleurs")
    )
    contact_ce_mois(autre, "Appel de Ailleurs")
    return suivis


def pdf_text(content, tmp_path):
    path = tmp_path / "lot.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def download(client, lot):
    response = client.get(reverse("emargement:lot_fichier", args=[lot.pk]))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


# --- end to end, with a real worker -------------------------------------------------------------


def _done(pk):
    # The worker thread writes the row while the test reads it.
    try:
        return LotEmargement.objects.filter(pk=pk, statut__in=[StatutLot.TERMINE, StatutLot.ECHEC]).exists()
    except OperationalError:
        return False


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_the_month_in_one_merged_pdf(niort, real_worker, client_for, tmp_path):
    personas = Personas()
    suivis = portefeuille(personas)
    client = client_for(personas.referent_a)
    with start_worker(real_worker, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        response = client.post(LOTS, {"mois": f"{debut_du_mois():%m/%Y}"})
        lot = LotEmargement.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("emargement:lot", args=[lot.pk])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _done(lot.pk):
            time.sleep(0.3)
    lot.refresh_from_db()
    assert (lot.statut, lot.total, lot.faites, lot.erreur) == (StatutLot.TERMINE, 3, 3, "")
    assert lot.fichier.name.startswith("emargement/") and lot.termine_le is not None
    assert sorted(parcours_du_lot(lot)) == sorted(p.pk for p in suivis)

    page = client.get(reverse("emargement:lot", args=[lot.pk])).content.decode()
    assert "3 feuilles prêtes" in page and "hx-trigger" not in page
    text = pdf_text(download(client, lot), tmp_path)
    assert text.count("Feuille d'émargement individuelle Du ") == 3
    assert text.count("Page 1 / 1") == 3  # each sheet numbered on its own
    # By name: AUBRY, BERTHIER, then the personas' participant (whatever Faker called her, after B).
    assert text.index("AUBRY") < text.index("BERTHIER")
    for parcours in suivis:
        assert f"Appel de {parcours.participant.nom_usage}" in text
    assert "Ailleurs" not in text
    logged = AccesDossier.objects.filter(utilisateur=personas.referent_a, action=Action.TELECHARGEMENT)
    assert sorted(logged.values_list("objet_id", flat=True)) == sorted(p.pk for p in suivis)


# --- the task, run eagerly -----------------------------------------------------------------------


def test_the_task_runs_once(named):
    lot = LotEmargementFactory(referent=named.referent_a)
    assert produire_lot_emargement(lot.pk) is True
    assert produire_lot_emargement(lot.pk) is False  # a retry, or a second worker, finds it done
    lot.refresh_from_db()
    assert lot.statut == StatutLot.TERMINE


def test_a_month_without_any_contact_gives_a_one_page_pdf_saying_so(named, client_for, tmp_path):
    lot = LotEmargementFactory(referent=named.referent_a)
    produire_lot_emargement(lot.pk)
    lot.refresh_from_db()
    assert (lot.statut, lot.total) == (StatutLot.TERMINE, 0)
    client = client_for(named.referent_a)
    assert "Aucune feuille" in client.get(reverse("emargement:lot", args=[lot.pk])).content.decode()
    text = pdf_text(download(client, lot), tmp_path)
    assert "Aucun entretien, atelier ni contact" in text and "Page 1 / 1" in text
    assert not AccesDossier.objects.exists()  # it names nobody


def test_a_failure_is_kept_on_the_batch_and_shown(named, client_for, monkeypatch):
    from plie import pdf

    def broken(*args, **kwargs):
        raise OSError("disque plein")

    monkeypatch.setattr(pdf, "fusionner", broken)
    lot = LotEmargementFactory(referent=named.referent_a)
    assert produire_lot_emargement(lot.pk) is False
    lot.refresh_from_db()
    assert lot.statut == StatutLot.ECHEC and "n'ont pas pu être produites" in lot.erreur
    page = unescape(client_for(named.referent_a).get(reverse("emargement:lot", args=[lot.pk])).content.decode())
    assert "n'ont pas pu être produites" in page and "Demander un nouveau lot" in page
    assert client_for(named.referent_a).get(reverse("emargement:lot_fichier", args=[lot.pk])).status_code == 404


# --- asking for a batch -------------------------------------------------------------------------


def test_asking_twice_while_it_is_built_gives_the_same_batch(named, client_for, django_capture_on_commit_callbacks):
    client = client_for(named.referent_a)
    with django_capture_on_commit_callbacks() as callbacks:
        first = client.post(LOTS, {"mois": f"{debut_du_mois():%Y-%m}"})  # the browser's month picker
        second = client.post(LOTS, {"mois": f"{debut_du_mois():%m/%Y}"})
    assert first["Location"] == second["Location"]
    assert LotEmargement.objects.get().demande_par == named.referent_a
    assert len(callbacks) == 1  # queued once, after commit


def test_the_coordination_asks_for_any_referents_month(named, client_for, django_capture_on_commit_callbacks):
    client = client_for(named.coordination)
    response = client.post(LOTS, {"mois": f"{debut_du_mois():%m/%Y}"})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in unescape(response.content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(LOTS, {"mois": f"{debut_du_mois():%m/%Y}", "referent": named.referent_b.pk})
    lot = LotEmargement.objects.get()
    assert (lot.referent, lot.demande_par, lot.statut) == (named.referent_b, named.coordination, StatutLot.TERMINE)
    assert named.referent_b.get_full_name() in client.get(LOTS).content.decode()


@pytest.mark.parametrize(
    ("mois", "message"),
    [
        ("", "Ce champ est obligatoire."),
        ("novembre", "Saisissez un mois au format MM/AAAA (par exemple 11/2026)."),
        ("13/2026", "Le mois est un nombre de 1 à 12"),
        ("01/2999", "Choisissez un mois entre 01/2000 et le mois prochain"),
    ],
)
def test_a_wrong_month_is_shown_next_to_its_field_and_kept(named, client_for, mois, message):
    response = client_for(named.referent_a).post(LOTS, {"mois": mois})
    assert response.status_code == 200
    content = unescape(response.content.decode())
    assert message in content
    assert f'value="{mois}"' in content or not mois
    assert not LotEmargement.objects.exists()


# --- the progress page --------------------------------------------------------------------------


def test_the_progress_page_polls_with_htmx_and_works_with_a_reload(named, client_for):
    lot = LotEmargementFactory(referent=named.referent_a, statut=StatutLot.EN_COURS, total=5, faites=2)
    client = client_for(named.referent_a)
    address = reverse("emargement:lot", args=[lot.pk])
    page = unescape(client.get(address).content.decode())
    assert "2 feuilles sur 5" in page
    assert '<progress class="w-100 mb-2" value="2" max="5">' in page
    assert f'hx-get="{address}" hx-trigger="every 2s" hx-swap="outerHTML"' in page
    assert f'<a href="{address}">Actualiser</a>' in page  # without JavaScript
    fragment = client.get(address, headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode() and 'id="lot-etat"' in fragment.content.decode()
    assert "HX-Request" in fragment["Vary"]
    LotEmargement.objects.filter(pk=lot.pk).update(
        statut=StatutLot.TERMINE, faites=5, fichier="emargement/x.pdf", termine_le=timezone.now()
    )
    done = client.get(address, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done and reverse("emargement:lot_fichier", args=[lot.pk]) in done


# --- who may ------------------------------------------------------------------------------------

MAY_ASK = {"coordination", "referent_a", "referent_b"}
MAY_SEE_A = {"coordination", "referent_a"}


@pytest.mark.parametrize("who", Personas.NAMES)
def test_the_batches_page_is_for_referents_and_the_coordination(named, client_for, who):
    LotEmargementFactory(referent=named.referent_a)
    response = client_for(getattr(named, who)).get(LOTS)
    assert response.status_code == (200 if who in MAY_ASK else 403)
    if who == "referent_b":
        assert "Aucun lot demandé." in response.content.decode()  # only their own batches
    if who in MAY_SEE_A:
        assert named.referent_a.get_full_name() in response.content.decode()


@pytest.mark.parametrize("who", Personas.NAMES)
def test_a_batch_and_its_file_are_for_its_referent_and_the_coordination(named, client_for, who, tmp_path):
    parcours = named.parcours
    contact_ce_mois(parcours, "Appel du mois")
    lot = LotEmargementFactory(referent=named.referent_a)
    produire_lot_emargement(lot.pk)
    client = client_for(getattr(named, who))
    allowed = who in MAY_SEE_A
    assert client.get(reverse("emargement:lot", args=[lot.pk])).status_code == (200 if allowed else 404)
    response = client.get(reverse("emargement:lot_fichier", args=[lot.pk]))
    assert response.status_code == (200 if allowed else 404)
    [row] = AccesDossier.objects.filter(utilisateur=getattr(named, who))
    assert (row.type_objet, row.action, row.refuse) == (TypeObjet.PARCOURS, Action.TELECHARGEMENT, not allowed)
    assert row.objet_id == (parcours.pk if allowed else None)
