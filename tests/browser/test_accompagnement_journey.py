"""The référent's first weeks with a person, clicked through in Chromium (issue « Accompagnement I »).

A newly oriented participant (RUP, RSA rights conditioned by the contract): the référent fixes and holds
the first appointment, fills the diagnostic, writes and signs the contract; the bureau insertion signs it
in the product; the référent logs three entretiens (the last one missed, whose follow-up tasks appear),
adds two étapes from the catalogue, and sees the journal and the due date of the next face-to-face
meeting move with what was recorded. Real time: the appointments are dated in the days just past.
"""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from parcours.models import Contrat, Diagnostic, Etat, RendezVous, StatutContrat, StatutRendezVous
from plie.accounts.models import Role
from tests.factories import ParcoursFactory, ParticipantFactory, ReferentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jour(days_ago):
    return timezone.localdate() - datetime.timedelta(days=days_ago)


def _rythme(page):
    return page.locator("dt", has_text="Rythme").locator("xpath=following-sibling::dd[1]")


def _entretien(page, live_server, parcours, days_ago, heure):
    page.goto(f"{live_server.url}/parcours/{parcours.pk}/")
    page.get_by_role("link", name="Planifier un entretien").click()
    page.fill("#id_date", _jour(days_ago).isoformat())
    page.fill("#id_heure", heure)
    page.fill("#id_lieu_precision", "Maison de l'emploi, bureau 3")
    page.get_by_role("button", name="Planifier").click()
    expect(page.get_by_text(f"Entretien planifié le {_jour(days_ago):%d/%m/%Y} à {heure}.")).to_be_visible()


def _clore(page, quand, issue, duree=None):
    row = page.locator("#entretiens-et-contacts li", has_text=quand)
    row.get_by_role("link", name="Clore").click()
    page.get_by_label(issue, exact=True).check()
    if duree:
        page.fill("#id_duree_reelle_minutes", str(duree))
        page.fill("#id_sujet", "Point sur les démarches")
    page.get_by_role("button", name="Enregistrer").click()


def test_a_referent_runs_the_first_weeks_of_an_accompaniment(page, live_server, login, niort):
    referent = ReferentFactory(first_name="Anaïs", last_name="Fernandez")
    bureau = UserFactory(role=Role.BUREAU_INSERTION, first_name="Bruno", last_name="Insertion")
    parcours = ParcoursFactory(
        etat=Etat.ORIENTE,
        referent=referent,
        rup=True,
        start=_jour(10),
        participant=ParticipantFactory(nom_usage="Lemoine", prenoms="Sarah", criteres=["brsa"]),
    )
    login(referent)

    # --- the first appointment, three days ago, held ------------------------------------------
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="LEMOINE Sarah").first.click()
    expect(page.get_by_role("heading", name="LEMOINE Sarah")).to_be_visible()
    page.get_by_role("link", name="Fixer le premier rendez-vous").first.click()
    page.fill("#id_date", _jour(3).isoformat())
    page.fill("#id_heure", "10:00")
    page.fill("#id_lieu_precision", "Maison de l'emploi, bureau 3")
    page.get_by_role("button", name="Fixer le rendez-vous").click()
    expect(page.locator("h1")).to_have_text("LEMOINE Sarah")
    _clore(page, f"{_jour(3):%d/%m/%Y} à 10:00", "Honoré", duree=75)
    parcours.refresh_from_db()
    assert parcours.etat == Etat.ACCUEIL
    assert RendezVous.objects.get(parcours=parcours).statut == StatutRendezVous.HONORE
    expect(page.locator("#alertes")).to_contain_text("Contrat d'engagement réciproque non signé")

    # --- the diagnostic ----------------------------------------------------------------------
    page.goto(f"{live_server.url}/parcours/{parcours.pk}/")
    page.get_by_role("link", name="Rédiger le diagnostic").click()
    page.fill("#id_date_entretien", _jour(3).isoformat())
    page.fill("#id_duree_entretien_minutes", "75")
    page.fill("#id_souhaits_metiers", "Aide à domicile")
    page.fill("#id_code_rome", "k 1302")
    page.get_by_label("Mobilité : niveau").select_option(label="Fort")
    page.get_by_label("Mobilité : commentaire").fill("Pas de permis, bus rares")
    page.get_by_label("Garde d'enfants : niveau").select_option(label="Léger")
    page.get_by_role("button", name="Enregistrer le diagnostic").click()
    expect(page.get_by_text("Diagnostic enregistré.")).to_be_visible()
    expect(page.get_by_label("Code ROME du métier visé")).to_have_value("K1302")
    page.goto(f"{live_server.url}/parcours/{parcours.pk}/")
    expect(page.get_by_text("Freins forts ou bloquants : Mobilité (fort)")).to_be_visible()
    assert Diagnostic.objects.get(parcours=parcours).code_rome == "K1302"

    # --- the contract, written and signed at the first appointment (it conditions RSA rights) ------
    page.get_by_role("link", name="Le contrat").click()
    page.get_by_role("link", name="Rédiger le contrat").click()
    page.fill("#id_objectifs", "Retrouver un emploi d'aide à domicile à temps partiel.")
    page.fill("#id_actions_prevues", "Première étape : levée du frein mobilité.")
    page.fill("#id_engagements_participant", "Venir aux rendez-vous, prévenir en cas d'absence.")
    page.fill("#id_engagements_referent", "Un rendez-vous tous les quinze jours.")
    page.fill("#id_date_debut", _jour(3).isoformat())
    page.get_by_label("La signature du contrat conditionne la reprise des droits RSA").check()
    page.get_by_role("button", name="Enregistrer le contrat").click()
    page.get_by_role("link", name="Enregistrer les signatures du participant et du référent").click()
    page.fill("#id_date_signature", _jour(3).isoformat())
    page.get_by_role("button", name="Enregistrer les signatures").click()
    expect(page.get_by_text("signé", exact=False).first).to_be_visible()
    parcours.refresh_from_db()
    assert (parcours.etat, parcours.date_entree) == (Etat.ACCOMPAGNEMENT, _jour(3))
    assert [m for m in mail.outbox if "contrat à signer" in m.subject and bureau.email in m.to]
    page.goto(f"{live_server.url}/parcours/{parcours.pk}/")
    expect(page.get_by_text("Contrat d'engagement réciproque non signé")).to_have_count(0)
    first_due = _jour(3) + datetime.timedelta(days=15)
    expect(_rythme(page)).to_contain_text(f"Prochain entretien en face à face avant le {first_due:%d/%m/%Y}")

    # --- the bureau insertion signs in the product -------------------------------------------------
    page.context.clear_cookies()
    login(bureau)
    page.goto(f"{live_server.url}/parcours/{parcours.pk}/contrat/")
    page.get_by_role("link", name="Signer pour le bureau insertion").click()
    page.get_by_role("button", name="Signer le contrat pour le bureau insertion").click()
    expect(page.get_by_role("link", name="Signer pour le bureau insertion")).to_have_count(0)
    assert Contrat.objects.get(parcours=parcours).signe_bi_par == bureau
    assert Contrat.objects.get(parcours=parcours).statut == StatutContrat.SIGNE
    page.context.clear_cookies()
    login(referent)

    # --- three entretiens: two held, the last one missed -----------------------------------------
    for days_ago, heure, issue in [
        (2, "10:00", "Honoré"),
        (1, "10:00", "Honoré"),
        (1, "15:00", "Absence non justifiée"),
    ]:
        _entretien(page, live_server, parcours, days_ago, heure)
        _clore(page, f"{_jour(days_ago):%d/%m/%Y} à {heure}", issue, duree=60 if issue == "Honoré" else None)
    expect(page.locator("#alertes")).to_contain_text(f"Absence non justifiée du {_jour(1):%d/%m/%Y} à suivre")
    section = page.locator("#entretiens-et-contacts")
    expect(section).to_contain_text(f"Absence non justifiée du {_jour(1):%d/%m/%Y} à suivre")
    for tache in ["Appeler la personne", "Lui proposer un nouveau rendez-vous", "L'informer qu'une nouvelle absence"]:
        expect(section.locator("li", has_text=tache)).to_contain_text("à faire")
    # The due date follows the last face-to-face meeting held (yesterday), not the missed one.
    new_due = _jour(1) + datetime.timedelta(days=15)
    expect(_rythme(page)).to_contain_text(f"avant le {new_due:%d/%m/%Y}")

    # --- two étapes from the catalogue --------------------------------------------------------------
    for type_etape, recherche, ressource in [
        ("levee_frein", "mobilit", "Plateforme mobilité"),
        ("formation_prequalifiante", "formation", "formation"),
    ]:
        page.goto(f"{live_server.url}/parcours/{parcours.pk}/")
        page.get_by_role("link", name="Ajouter une étape").click()
        page.select_option("#id_type", type_etape)
        page.fill("#id_recherche_ressource", recherche)
        option = page.locator("#id_ressource option", has_text=ressource).first
        expect(option).to_be_attached()
        page.select_option("#id_ressource", value=option.get_attribute("value"))
        page.fill("#id_date_debut", timezone.localdate().isoformat())
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.get_by_text("ajoutée.")).to_be_visible()
    expect(page.locator("#etapes tbody tr")).to_have_count(2)
    assert parcours.etapes.filter(ressource__isnull=False).count() == 2

    # --- the journal: everything that happened, newest first, filterable -----------------------------
    page.goto(f"{live_server.url}/parcours/{parcours.pk}/")
    journal = page.locator("#journal")
    expect(journal.locator("ol > li").first).to_contain_text("Étape « Formation pré-qualifiante » : prévue")
    for event in [
        "Contrat d'entrée : signé pour le bureau insertion",
        "Démarrer l'accompagnement (CER signé)",
        "Diagnostic initial figé (à la signature du contrat)",
        "Frein « Mobilité » : aucun → fort",
        f"Entretien individuel du {_jour(1):%d/%m/%Y} à 15:00 : absence non justifiée",
        f"Premier rendez-vous du {_jour(3):%d/%m/%Y} à 10:00 : tenu, 75 min",
    ]:
        expect(journal).to_contain_text(event)
    journal.get_by_role("link", name="Contrat", exact=True).click()
    journal = page.locator("#journal")
    expect(journal).not_to_contain_text("Frein « Mobilité »")
    expect(journal).to_contain_text("Contrat d'entrée : signé pour le bureau insertion")
    expect(journal).to_contain_text("Signer pour le bureau insertion, par Bruno Insertion")
    journal.get_by_role("link", name="Entretiens", exact=True).click()
    journal = page.locator("#journal")
    expect(journal).not_to_contain_text("Contrat d'entrée")
    expect(journal.locator("ol > li", has_text="Entretien individuel du")).to_have_count(3)
