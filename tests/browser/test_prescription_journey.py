"""A referral from the prescripteur's fiche to the first appointment, clicked through in Chromium."""

import datetime
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from parcours.models import Etat, Participant
from plie.accounts.models import LieuAccompagnement, Role
from plie.territoire.models import Commune
from prescriptions.models import Prescription
from prescriptions.workflow import Statut
from tests.factories import ParcoursFactory, ParticipantFactory, ReferentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logout(page):
    page.locator("form[action='/compte/deconnexion/'] button").dispatch_event("click")
    expect(page.locator("#id_username")).to_be_visible()


def test_referral_to_first_appointment(page, live_server, login, niort, communes):
    niort_commune, chauray = Commune.objects.get(insee="79191"), Commune.objects.get(insee="79081")
    prescripteur = UserFactory(role=Role.PRESCRIPTEUR, first_name="Paule", last_name="Cazenave")
    coordinatrice = UserFactory(role=Role.COORDINATION, first_name="Claire", last_name="Fontaine")
    proche = ReferentFactory(first_name="Bastien", last_name="Proche")
    choisie = ReferentFactory(first_name="Anaïs", last_name="Fernandez")
    proche.referent_profile.lieux.add(
        LieuAccompagnement.objects.create(nom="Maison de l'emploi", commune=niort_commune)
    )
    choisie.referent_profile.lieux.add(LieuAccompagnement.objects.create(nom="Espace Chauray", commune=chauray))
    # Someone with the same birth date and name already went through the PLIE (written differently).
    homonyme = ParticipantFactory(nom_usage="Le Gall", prenoms="Éloïse", date_naissance=datetime.date(1991, 9, 12))
    ParcoursFactory(participant=homonyme, etat=Etat.SORTI)

    # --- the prescripteur sends the fiche, with a mistake first ---------------------------------
    login(prescripteur)
    expect(page.get_by_role("heading", name="Mes prescriptions")).to_be_visible()
    page.get_by_role("link", name="Nouvelle prescription").first.click()
    page.fill("#id_nom_usage", "LEGALL")
    page.fill("#id_prenoms", "Eloise")
    page.check("#id_sexe_0")
    page.fill("#id_date_naissance", "1991-09-12")
    page.fill("#id_telephone_mobile", "06 12 34")
    page.fill("#id_adresse", "8 rue Ricard")
    page.select_option("#id_commune", str(niort_commune.pk))
    page.select_option("#id_situation", "demandeur_emploi")
    page.check("#id_inscrit_france_travail_0")
    page.fill("#id_date_inscription_france_travail", "2024-03-01")
    page.fill("#id_motifs", "Recherche un emploi d'aide-soignante, besoin d'un appui pour la mobilité.")
    page.get_by_label("Mobilité").check()
    page.get_by_label("Le prescripteur souhaite assister au premier rendez-vous").check()
    page.get_by_role("button", name="Envoyer la prescription").click()
    # The message shows next to the field and in the summary at the top, which links to the field.
    expect(page.locator("strong", has_text="Numéro de téléphone invalide")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Numéro de téléphone "))).to_be_visible()
    expect(page.locator("#id_motifs")).to_have_value(
        "Recherche un emploi d'aide-soignante, besoin d'un appui pour la mobilité."
    )
    expect(page.locator("#id_nom_usage")).to_have_value("LEGALL")
    assert not Prescription.objects.exists()
    page.fill("#id_telephone_mobile", "06 12 34 56 78")
    page.get_by_role("button", name="Envoyer la prescription").click()
    expect(page.get_by_text("La prescription est envoyée")).to_be_visible()
    expect(page.locator(".badge", has_text="Reçue")).to_be_visible()
    logout(page)

    # --- the coordinatrice: duplicate, validation, proposal --------------------------------------
    login(coordinatrice)
    page.get_by_role("link", name="Prescriptions", exact=True).click()
    row = page.locator("tr", has_text="LEGALL Eloise")
    expect(row.get_by_text("doublon possible")).to_be_visible()
    row.get_by_role("link", name="LEGALL Eloise").click()
    page.get_by_role("link", name="Comparer").click()
    expect(page.get_by_text("Même date de naissance")).to_be_visible()
    page.get_by_role("button", name="C'est la même personne : rattacher").click()
    expect(page.get_by_text("ce sera une re-entrée")).to_be_visible()
    page.get_by_role("link", name="Retour à la prescription").click()
    page.get_by_role("button", name="Demander la validation : France Travail").click()
    page.get_by_role("link", name="Enregistrer l'avis").click()
    page.get_by_label("Favorable", exact=True).check()
    page.fill("#id_interlocuteur", "M. Roux, conseiller France Travail")
    page.get_by_role("button", name="Enregistrer l'avis").click()
    expect(page.get_by_text("L'avis est enregistré")).to_be_visible()
    page.get_by_role("link", name="Accepter et désigner le référent").click()
    rows = page.locator("table.propositions tbody tr")
    expect(rows.first).to_contain_text("Bastien Proche")  # Niort: the closest
    expect(rows.nth(1)).to_contain_text("Anaïs Fernandez")
    expect(rows.nth(1)).to_contain_text("km")
    page.get_by_label("Anaïs Fernandez").check()
    page.fill("#id_justification", "Elle se rend à Chauray chaque semaine.")
    page.get_by_role("button", name="Accepter et orienter").click()
    expect(page.get_by_text("Prescription acceptée")).to_be_visible()
    expect(page.locator(".badge", has_text="Orienté")).to_be_visible()
    assert Participant.objects.filter(date_naissance=datetime.date(1991, 9, 12)).count() == 1  # a re-entry
    logout(page)

    # --- the référent fixes the first appointment -------------------------------------------------
    login(choisie)
    section = page.locator("section", has=page.get_by_role("heading", name="Nouvelles orientations"))
    expect(section.get_by_text("LE GALL")).to_be_visible()
    section.get_by_role("link", name="Fixer le premier rendez-vous").click()
    rdv = datetime.date.today() + datetime.timedelta(days=6)
    page.fill("#id_date", rdv.isoformat())
    page.fill("#id_heure", "14:30")
    page.select_option("#id_lieu", label="Espace Chauray, Chauray")
    page.get_by_role("button", name="Fixer le rendez-vous").click()
    expect(page.locator(".badge", has_text="Accueil")).to_be_visible()
    logout(page)

    # --- the prescripteur reads the outcome ---------------------------------------------------------
    login(prescripteur)
    row = page.locator("tr", has_text="LEGALL Eloise")
    expect(row.get_by_text("Acceptée")).to_be_visible()
    expect(row).to_contain_text("Anaïs Fernandez")
    expect(row).to_contain_text(rdv.strftime("%d/%m/%Y"))

    prescription = Prescription.objects.get()
    assert prescription.statut == Statut.ACCEPTEE and prescription.parcours.etat == Etat.ACCUEIL
    subjects = {m.subject: m for m in mail.outbox}
    # Subjects name no one (tests/plie/test_email_subjects.py); the bodies do.
    acceptee = subjects[f"PLIE : prescription n° {prescription.pk} acceptée"]
    assert acceptee.to == [prescripteur.email] and "Anaïs Fernandez" in acceptee.body
    assert "LEGALL" in acceptee.body
    assert subjects[f"PLIE : nouvelle orientation (parcours n° {prescription.parcours.pk})"].to == [choisie.email]
    [rdv_mail] = [m for m in mail.outbox if rdv.strftime("%d/%m/%Y") in m.body]
    assert rdv_mail.to == [prescripteur.email] and "14:30" in rdv_mail.body and "Espace Chauray" in rdv_mail.body
