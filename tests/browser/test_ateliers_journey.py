"""An atelier collectif clicked through in Chromium (issue « Accompagnement II »).

A référent creates a weekly series with a colleague of another opérateur, invites four participants of
their portfolio, records the attendance of the first session (held last week), has a participant and
then themself sign on screen with the mouse; the collective émargement sheet prints both signatures.
An expense of the atelier is entered and the coordination validates it; the participant's frise shows
the atelier. Real time: the first session is dated a week ago.
"""

import datetime
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from financement.models import DepenseAtelier, StatutDepense
from parcours.models import Atelier, Etat, PresenceAtelier, Signature, StatutPresence
from plie.accounts.models import Role
from plie.notifications.models import Notification
from tests.browser.test_signature import draw_with_mouse, ink
from tests.factories import ParcoursFactory, ParticipantFactory, ReferentFactory, StructureFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOMS = [("Berthelot", "Louise"), ("Camara", "Issa"), ("Dupuis", "Marc"), ("Ezzahraoui", "Nadia")]


def test_a_referent_runs_an_atelier_from_the_series_to_the_validated_expense(page, live_server, login, niort, tmp_path):
    referent = ReferentFactory(first_name="Anaïs", last_name="Fernandez")
    collegue = ReferentFactory(first_name="Hugo", last_name="Marchand", structure=StructureFactory(nom="ADSEA"))
    coordination = UserFactory(role=Role.COORDINATION, first_name="Claire", last_name="Coordination")
    parcours = [
        ParcoursFactory(
            etat=Etat.ACCOMPAGNEMENT,
            referent=referent,
            start=timezone.localdate() - datetime.timedelta(days=60),
            participant=ParticipantFactory(nom_usage=nom, prenoms=prenom),
        )
        for nom, prenom in NOMS
    ]
    premiere = timezone.localdate() - datetime.timedelta(days=7)
    login(referent)

    # --- a weekly series, in binôme --------------------------------------------------------------
    page.get_by_role("link", name="Ateliers", exact=True).first.click()
    page.get_by_role("link", name="Nouvel atelier").click()
    page.fill("#id_theme", "Préparer un entretien d'embauche")
    page.select_option("#id_co_animateur", str(collegue.pk))
    page.fill("#id_capacite", "8")
    page.fill("#id_lieu_precision", "Maison de l'emploi, salle collective")
    page.fill("#id_premiere_date", premiere.isoformat())
    page.fill("#id_heure_debut", "09:30")
    page.fill("#id_heure_fin", "12:00")
    page.select_option("#id_periodicite", "hebdomadaire")
    page.fill("#id_nombre_seances", "8")
    page.get_by_role("button", name="Créer l'atelier").click()
    atelier = Atelier.objects.get()
    assert (atelier.animateur, atelier.co_animateur, atelier.seances.count()) == (referent, collegue, 8)
    expect(page.locator("h1")).to_contain_text("Préparer un entretien d'embauche")

    # --- four participants invited ---------------------------------------------------------------
    page.get_by_role("link", name="Inviter", exact=True).first.click()
    for p in parcours:
        page.check(f"#parcours-{p.pk}")
    page.get_by_role("button", name="Inviter").click()
    assert atelier.inscriptions.count() == 4

    # --- the first session: attendance ------------------------------------------------------------
    page.goto(f"{live_server.url}/ateliers/{atelier.pk}/")
    page.locator("a[href*='/ateliers/seances/']").first.click()
    expect(page.locator("h1")).to_contain_text(f"{premiere:%d/%m/%Y}")
    for p in parcours[:3]:
        page.check(f"input[name='statut_{p.pk}'][value='present']")
    page.check(f"input[name='statut_{parcours[3].pk}'][value='absent_injustifie']")
    page.fill("#id_contenu", "Simulation d'entretien, questions difficiles, tenue.")
    page.get_by_role("button", name="Enregistrer les présences").click()
    seance = atelier.seances.order_by("numero").first()
    seance.refresh_from_db()
    assert seance.statut == "tenue"
    assert PresenceAtelier.objects.filter(seance=seance, statut=StatutPresence.PRESENT).count() == 3

    # --- signatures on screen: a participant, then the référent ----------------------------------
    page.goto(f"{live_server.url}/ateliers/seances/{seance.pk}/")
    page.get_by_role("link", name="Faire signer").click()
    louise = parcours[0].participant.nom_complet
    page.get_by_role("link", name=f"Faire signer {louise}").click()
    draw_with_mouse(page, page.locator("[data-signature-canvas]"))
    page.get_by_role("button", name="Enregistrer la signature").click()
    page.get_by_role("link", name=f"Faire signer {referent.get_full_name()}").click()
    draw_with_mouse(page, page.locator("[data-signature-canvas]"))
    page.get_by_role("button", name="Enregistrer la signature").click()
    signatures = list(Signature.objects.order_by("id"))
    assert [(s.signataire, s.presence_id is not None, s.seance_id) for s in signatures] == [
        ("participant", True, None),
        ("referent", False, seance.pk),
    ]
    assert all(ink(s) > 100 for s in signatures)

    # --- the collective sheet prints both signatures ----------------------------------------------
    page.goto(f"{live_server.url}/ateliers/seances/{seance.pk}/")
    href = page.get_by_role("link", name="Feuille d'émargement collective (PDF)").get_attribute("href")
    response = page.context.request.get(f"{live_server.url}{href}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    sheet = tmp_path / "collective.pdf"
    sheet.write_bytes(response.body())
    text = subprocess.run(["pdftotext", "-layout", str(sheet), "-"], capture_output=True, text=True, check=True).stdout
    for nom, _ in NOMS:
        assert nom.upper() in text
    assert f"{premiere:%d/%m/%Y}" in text and "Hugo Marchand" in text and "Page 1 / 1" in text
    images = subprocess.run(["pdfimages", "-list", str(sheet)], capture_output=True, text=True, check=True).stdout
    drawings = [line for line in images.strip().splitlines()[2:] if line.split()[2] == "image"]
    assert len(drawings) == 2  # the participant's and the animateur's (each with its transparency mask)

    # --- an expense of the atelier, validated by the coordination ---------------------------------
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Budget ateliers").first.click()
    page.get_by_role("link", name="Saisir une dépense").click()
    page.fill("#id_date", timezone.localdate().isoformat())
    page.fill("#id_montant", "45,50")
    page.select_option("#id_categorie", "Frais de réception")
    page.fill("#id_fournisseur", "Boulangerie Martin")
    page.select_option("#id_atelier", str(atelier.pk))
    page.get_by_role("button", name="Enregistrer").click()
    depense = DepenseAtelier.objects.get()
    assert (depense.statut, depense.atelier, str(depense.montant)) == (StatutDepense.A_VALIDER, atelier, "45.50")

    page.context.clear_cookies()
    login(coordination)
    page.get_by_role("link", name="Dépenses à valider").first.click()
    page.get_by_role("button", name=f"Valider la dépense de {referent.get_full_name()}").click()
    depense.refresh_from_db()
    assert (depense.statut, depense.decide_par) == (StatutDepense.VALIDEE, coordination)
    assert Notification.objects.filter(destinataire=referent).exists()

    # --- the participant's frise shows the atelier ------------------------------------------------
    page.goto(f"{live_server.url}/parcours/{parcours[0].pk}/")
    frise = page.locator("svg").filter(has_text="Frise du parcours").first
    expect(frise).to_be_attached()
    assert f"Préparer un entretien d'embauche le {premiere:%d/%m/%Y} : présent" in frise.inner_html().replace(
        "&#x27;", "'"
    )
