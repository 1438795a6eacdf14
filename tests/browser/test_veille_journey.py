"""Veille and measure renewal clicked through in Chromium (issue « Veille, measure clock and renewals »).

Niort: the cellule de suivi decides veilles and renewals; until the cellule's pages exist the coordination
decides from « Demandes à traiter ». A référent records a training étape begun five weeks ago and is
offered a veille request; the coordination accepts it; the dossier shows the veille and, no contact having
happened for 30 days, the follow-up alert; the end of veille is asked and accepted, and the rhythm's due
date moves by the veille's length; the measure ending within a month, its renewal is asked with its bilan
intermédiaire (read back with pdftotext) and accepted. Real time: the dates lie in the weeks just past.
"""

import datetime
import re
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from parcours.models import Demande, Etat, Parcours, StatutDemande, TransitionParcours
from plie.accounts.models import Role
from tests.factories import EntretienFactory, ParcoursFactory, ParticipantFactory, ReferentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jour(days_ago):
    return timezone.localdate() - datetime.timedelta(days=days_ago)


def _rythme(page):
    return page.locator("dt", has_text="Rythme").locator("xpath=following-sibling::dd[1]")


def _date_du_rythme(page) -> datetime.date:
    found = re.search(r"(\d\d)/(\d\d)/(\d{4})", _rythme(page).inner_text())
    day, month, year = map(int, found.groups())
    return datetime.date(year, month, day)


def _decider(page, url, nom):
    """The coordination (logged in on ``page``) accepts the waiting request from « Demandes à traiter »."""
    page.goto(f"{url}/")
    page.get_by_role("link", name="Demandes à traiter", exact=True).first.click()
    page.get_by_role("link", name=f"Examiner la demande pour {nom}").click()
    expect(page.get_by_text("en cellule de suivi", exact=True)).to_be_visible()  # Niort: the cellule's
    page.get_by_role("button", name="Accepter la demande").click()


def test_a_veille_for_a_training_then_a_renewal_with_its_bilan(page, browser, live_server, login, niort, tmp_path):
    referent = ReferentFactory(first_name="Anaïs", last_name="Fernandez")
    coordination = UserFactory(role=Role.COORDINATION, first_name="Claire", last_name="Coordination")
    # Entered five months and three weeks ago: past Niort's first three months, the measure ends within a month.
    entree = timezone.localdate() - datetime.timedelta(days=160)
    parcours = ParcoursFactory(
        etat=Etat.ACCOMPAGNEMENT,
        referent=referent,
        start=entree - datetime.timedelta(days=14),
        participant=ParticipantFactory(nom_usage="Morel", prenoms="Léa"),
    )
    assert parcours.date_entree == entree
    # The last entretien held 40 days ago: the next face-to-face meeting was due 10 days ago.
    EntretienFactory(parcours=parcours, honore=True, debut=timezone.now() - datetime.timedelta(days=40))
    nom = parcours.participant.nom_complet
    # Each in their own browser: the référent here, the coordination beside (its second factor once).
    coordination_page = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris").new_page()
    coordination_page.set_default_timeout(10_000)
    login(coordination, on=coordination_page)
    login(referent)
    page.goto(f"{live_server.url}/parcours/{parcours.pk}/")
    avant = _date_du_rythme(page)
    assert avant == _jour(10)

    # --- a training étape begun five weeks ago: a veille is offered ----------------------------------
    page.get_by_role("link", name="Ajouter une étape").click()
    page.select_option("#id_type", "formation_qualifiante")
    page.check("#id_commencee")
    page.fill("#id_date_debut", _jour(35).isoformat())
    page.fill("#id_date_fin_prevue", (timezone.localdate() + datetime.timedelta(days=120)).isoformat())
    page.get_by_role("button", name="Enregistrer").click()
    offre = page.locator("#demandes .alert")
    expect(offre).to_contain_text(f"L'étape « Formation qualifiante » a commencé le {_jour(35):%d/%m/%Y}")
    offre.get_by_role("link", name="Demander la mise en veille").click()
    expect(page.locator("h1")).to_contain_text("Demander : Mise en veille")
    expect(page.get_by_text("La demande sera présentée à la prochaine cellule de suivi")).to_be_visible()
    assert page.input_value("#id_debut") == _jour(35).isoformat()  # prefilled from the étape
    page.fill("#id_justification", "Entrée en formation qualifiante d'aide-soignante, quatre mois.")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("« Mise en veille » demandée.")).to_be_visible()
    demande = Demande.objects.get(parcours=parcours)
    assert (demande.type, demande.statut, demande.decision_en_cellule) == ("entree_veille", "demandee", True)

    # --- the coordination accepts it: the veille, then the follow-up alert ----------------------------
    _decider(coordination_page, live_server.url, nom)
    expect(coordination_page.locator("h1")).to_contain_text(nom)
    expect(coordination_page.get_by_text("En veille", exact=True).first).to_be_visible()
    page.reload()
    veilles = page.locator("#veilles")
    expect(veilles).to_contain_text(f"Veille, Entrée en étape emploi ou formation : du {_jour(35):%d/%m/%Y}")
    expect(veilles).to_contain_text(f"aucun contact depuis le {_jour(35):%d/%m/%Y}")
    expect(page.locator("#alertes")).to_contain_text("Suivi pendant la veille en retard de 5 jours")
    log = TransitionParcours.objects.get(parcours=parcours, transition="mettre_en_veille")
    assert log.demande_id == demande.pk and log.auteur == coordination

    # --- the end of veille, asked today and accepted: the rhythm's date moved by its length -----------
    page.get_by_role("link", name="Demander : Fin de la veille").click()
    page.fill("#id_date_effet", timezone.localdate().isoformat())
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("« Fin de la veille » demandée.")).to_be_visible()
    _decider(coordination_page, live_server.url, nom)
    page.reload()
    expect(page.locator("#veilles")).to_contain_text(f"du {_jour(35):%d/%m/%Y} au {timezone.localdate():%d/%m/%Y}")
    duree = 35 + 1  # from its first day to today, included
    assert _date_du_rythme(page) == avant + datetime.timedelta(days=duree)
    assert Parcours.objects.get(pk=parcours.pk).etat == Etat.ACCOMPAGNEMENT

    # --- the measure ends within a month: its renewal, with the bilan intermédiaire -------------------
    fin = Parcours.objects.get(pk=parcours.pk).date_fin_mesure
    expect(page.locator("#alertes")).to_contain_text(f"Fin de la mesure le {fin:%d/%m/%Y}")
    page.get_by_role("link", name="Demander : Renouvellement de la mesure").click()
    page.fill("#id_objectifs", "Valider la formation d'aide-soignante, préparer les candidatures en EHPAD.")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("« Renouvellement de la mesure » demandée.")).to_be_visible()
    _decider(coordination_page, live_server.url, nom)
    renouvellement = Demande.objects.get(parcours=parcours, type="renouvellement_mesure")
    assert renouvellement.statut == StatutDemande.ACCEPTEE
    parcours = Parcours.objects.get(pk=parcours.pk)
    assert (parcours.nombre_renouvellements, parcours.date_debut_mesure) == (1, fin)

    coordination_page.goto(f"{live_server.url}/demandes/{renouvellement.pk}/")
    with coordination_page.expect_download() as download:
        coordination_page.get_by_role("link", name="Télécharger le bilan intermédiaire (PDF)").click()
    pdf = tmp_path / "bilan.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Bilan intermédiaire" in text
    assert "Léa MOREL" in text or "MOREL Léa" in text
    assert "Formation qualifiante" in text
    assert "préparer les candidatures en EHPAD" in text
    assert f"{entree:%d/%m/%Y}" in text  # the period of the measure, from the entry
    coordination_page.context.close()
