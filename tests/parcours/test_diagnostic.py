"""The diagnostic: who opens it, what it records, bad input, concurrent edits, the frozen copies."""

import re

import pytest
from django.utils.html import escape

from parcours.diagnostic import diagnostic_en_cours, figer
from parcours.freins import Frein
from parcours.models import Diagnostic, Etat, FreinDiagnostic, NatureDiagnostic, NiveauFrein
from parcours.workflow import TransitionError
from plie.acces.models import AccesDossier
from plie.referentiel.services import load_preset
from tests.factories import ParcoursFactory
from tests.html import field_block, field_value, page

MAY_OPEN = {"coordination", "referent_a"}
ALL = (
    "coordination",
    "referent_a",
    "referent_b",
    "prescripteur",
    "autre_prescripteur",
    "prescripteur_ailleurs",
    "bureau_insertion",
    "operateur",
    "financeur",
)


def url(parcours):
    return f"/parcours/{parcours.pk}/diagnostic/"


def read_form(content):
    """Every named input, select and textarea of the rendered form, as a browser would send them."""
    data = {}
    for name, value in re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', content):
        if 'type="checkbox"' not in content.split(f'name="{name}"')[0][-200:]:
            data[name] = value
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', content, re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        data[name] = selected.group(1) if selected else ""
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', content, re.S):
        data[name] = value.strip()
    data.pop("csrfmiddlewaretoken", None)
    return data


def frein_prefix(content, theme_label):
    """The formset prefix (freins-N) of a theme, read from its label."""
    match = re.search(rf'for="id_(freins-\d+)-niveau"[^>]*>\s*{re.escape(theme_label)} : niveau', content)
    assert match, theme_label
    return match.group(1)


# --- who -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ALL)
def test_only_the_referent_and_the_coordination_open_the_diagnostic(named, client_for, who):
    client = client_for(getattr(named, who))
    expected = 200 if who in MAY_OPEN else 404
    assert client.get(url(named.parcours)).status_code == expected
    assert client.post(url(named.parcours), {}).status_code in ({200} if who in MAY_OPEN else {404})
    log = AccesDossier.objects.filter(utilisateur=getattr(named, who), objet_id=named.parcours.pk).first()
    assert log is not None and log.refuse == (who not in MAY_OPEN)


@pytest.mark.parametrize("who", ALL)
def test_the_parcours_page_links_the_diagnostic_only_for_whom_may_open_it(named, client_for, who):
    response = client_for(getattr(named, who)).get(f"/parcours/{named.parcours.pk}/")
    if response.status_code == 404:
        assert who not in MAY_OPEN
        return
    assert (url(named.parcours) in response.content.decode()) == (who in MAY_OPEN)


@pytest.mark.parametrize("etat", [Etat.ORIENTE, Etat.SORTI, Etat.ANNULE])
def test_before_the_first_appointment_and_after_the_exit_it_is_read_only(named, client_for, etat):
    parcours = ParcoursFactory(etat=etat, referent=named.referent_a)
    client = client_for(named.referent_a)
    content = page(client, url(parcours))
    assert "Enregistrer le diagnostic" not in content
    assert "Aucun diagnostic n'a été rédigé" in content
    assert client.post(url(parcours), {"potentiels": "x"}).status_code == 404
    assert not Diagnostic.objects.filter(parcours=parcours).exists()


# --- what it records -----------------------------------------------------------------------------


def test_opening_creates_the_diagnostic_with_every_theme_at_none(named, client_for):
    content = page(client_for(named.referent_a), url(named.parcours))
    diagnostic = Diagnostic.objects.get(parcours=named.parcours)
    assert diagnostic.nature == NatureDiagnostic.EN_COURS
    assert sorted(diagnostic.freins.values_list("theme", flat=True)) == sorted(Frein.values)
    assert set(diagnostic.freins.values_list("niveau", flat=True)) == {NiveauFrein.AUCUN}
    labels = re.findall(r"<legend[^>]*>([^<]+)</legend>", content)
    assert labels == [escape(f.label) for f in Frein]  # the vocabulary's order


def test_the_referent_records_the_diagnostic_and_each_version_is_kept(named, client_for):
    client = client_for(named.referent_a)
    content = page(client, url(named.parcours))
    data = read_form(content)
    mobilite = frein_prefix(content, "Mobilité")
    data.update(
        {
            "date_entretien": "2026-11-20",
            "duree_entretien_minutes": "75",
            "potentiels": "Ponctuelle, aime le contact.",
            "souhaits_metiers": "Aide à domicile",
            "code_rome": "k 2204",
            "niveau_formation": "3",
            "autonomie_numerique": "avec_aide",
            "permis_conduire": "on",
            f"{mobilite}-niveau": NiveauFrein.BLOQUANT,
            f"{mobilite}-commentaire": "Pas de bus le dimanche.",
        }
    )
    response = client.post(url(named.parcours), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    diagnostic = Diagnostic.objects.get(parcours=named.parcours)
    assert (diagnostic.code_rome, diagnostic.niveau_formation, diagnostic.duree_entretien_minutes) == ("K2204", "3", 75)
    assert (diagnostic.permis_conduire, diagnostic.vehicule, diagnostic.modifie_par) == (True, False, named.referent_a)
    frein = diagnostic.freins.get(theme=Frein.MOBILITE)
    assert (frein.niveau, frein.commentaire) == (NiveauFrein.BLOQUANT, "Pas de bus le dimanche.")
    assert frein.history.first().history_user == named.referent_a
    assert diagnostic.history.first().history_user == named.referent_a
    # Untouched themes were not rewritten.
    assert diagnostic.freins.get(theme=Frein.LOGEMENT).history.count() == 1
    detail = page(client, f"/parcours/{named.parcours.pk}/")
    assert "Freins forts ou bloquants : Mobilité (bloquant)" in detail


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code_rome", "123", "Un code ROME est une lettre majuscule suivie de quatre chiffres"),
        ("code_rome", "K22045", "Un code ROME est une lettre majuscule suivie de quatre chiffres"),
        ("duree_entretien_minutes", "0", "au moins 1 minute"),
        ("duree_entretien_minutes", "-30", "au moins 1 minute"),
        ("duree_entretien_minutes", "1500", "au plus 480 minutes"),
        ("duree_entretien_minutes", "une heure", "nombre entier de minutes"),
        ("date_entretien", "31/02/2026", "date valide"),
        ("niveau_formation", "9", "Sélectionnez un choix valide"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_nothing_typed_is_lost(named, client_for, field, value, message):
    client = client_for(named.referent_a)
    content = page(client, url(named.parcours))
    data = read_form(content)
    data.update({"potentiels": "Texte tapé à garder", field: value})
    response = client.post(url(named.parcours), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in field_block(html, field)
    assert field_value(field_block(html, "potentiels"), "potentiels") == "Texte tapé à garder"
    assert "<title>Erreur :" in html
    assert Diagnostic.objects.get(parcours=named.parcours).potentiels == ""


def test_an_unknown_frein_level_is_refused(named, client_for):
    client = client_for(named.referent_a)
    content = page(client, url(named.parcours))
    data = read_form(content)
    data[f"{frein_prefix(content, 'Logement')}-niveau"] = "catastrophique"
    response = client.post(url(named.parcours), data)
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not FreinDiagnostic.objects.exclude(niveau=NiveauFrein.AUCUN).exists()


def test_a_comment_too_long_is_refused(named, client_for):
    client = client_for(named.referent_a)
    content = page(client, url(named.parcours))
    data = read_form(content)
    data[f"{frein_prefix(content, 'Logement')}-commentaire"] = "x" * 2001
    response = client.post(url(named.parcours), data)
    assert response.status_code == 200
    assert "au plus 2000 caractères" in response.content.decode()


# --- concurrent edits ----------------------------------------------------------------------------


def test_a_concurrent_change_of_the_same_frein_is_refused_and_keeps_what_was_typed(named, client_for):
    first, second = client_for(named.referent_a), client_for(named.coordination)
    content = page(first, url(named.parcours))
    mine, theirs = read_form(content), read_form(page(second, url(named.parcours)))
    logement = frein_prefix(content, "Logement")
    theirs[f"{logement}-niveau"] = NiveauFrein.FORT
    assert second.post(url(named.parcours), theirs).status_code == 302
    mine[f"{logement}-niveau"] = NiveauFrein.LEGER
    mine[f"{logement}-commentaire"] = "Hébergée chez sa sœur."
    response = first.post(url(named.parcours), mine)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Quelqu&#x27;un d&#x27;autre a modifié cette fiche" in html
    assert "Hébergée chez sa sœur." in html
    assert FreinDiagnostic.objects.get(theme=Frein.LOGEMENT).niveau == NiveauFrein.FORT


def test_changes_to_different_freins_by_two_people_are_both_kept(named, client_for):
    first, second = client_for(named.referent_a), client_for(named.coordination)
    content = page(first, url(named.parcours))
    mine, theirs = read_form(content), read_form(page(second, url(named.parcours)))
    theirs[f"{frein_prefix(content, 'Logement')}-niveau"] = NiveauFrein.FORT
    assert second.post(url(named.parcours), theirs).status_code == 302
    mine[f"{frein_prefix(content, 'Justice')}-niveau"] = NiveauFrein.LEGER
    assert first.post(url(named.parcours), mine).status_code == 302
    niveaux = dict(FreinDiagnostic.objects.values_list("theme", "niveau"))
    assert (niveaux[Frein.LOGEMENT], niveaux[Frein.JUSTICE]) == (NiveauFrein.FORT, NiveauFrein.LEGER)


# --- the référentiel's minimum duration (Caen) ---------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "duree", "flagged"), [("caen", 45, True), ("caen", 60, False), ("niort", 20, False)]
)
def test_a_short_diagnostic_interview_is_flagged_not_refused(named, client_for, preset, duree, flagged):
    load_preset(preset, activate=True)
    diagnostic = diagnostic_en_cours(named.parcours, named.referent_a)
    Diagnostic.objects.filter(pk=diagnostic.pk).update(duree_entretien_minutes=duree)
    content = page(client_for(named.referent_a), url(named.parcours))
    assert ("le référentiel du PLIE en prévoit au moins 60" in content) == flagged


# --- frozen copies -------------------------------------------------------------------------------


def test_the_initial_diagnostic_is_a_frozen_copy_later_edits_leave_alone(named, client_for):
    diagnostic = diagnostic_en_cours(named.parcours, named.referent_a)
    diagnostic.freins.filter(theme=Frein.MOBILITE).update(niveau=NiveauFrein.BLOQUANT, commentaire="Pas de permis")
    Diagnostic.objects.filter(pk=diagnostic.pk).update(souhaits_metiers="Cariste")

    initial = figer(named.parcours, NatureDiagnostic.INITIAL, named.referent_a)

    diagnostic.freins.filter(theme=Frein.MOBILITE).update(niveau=NiveauFrein.LEGER)
    initial.refresh_from_db()
    assert (initial.nature, initial.souhaits_metiers, initial.fige_le is not None) == ("initial", "Cariste", True)
    frozen = initial.freins.get(theme=Frein.MOBILITE)
    assert (frozen.niveau, frozen.commentaire) == (NiveauFrein.BLOQUANT, "Pas de permis")
    assert initial.freins.count() == len(Frein)
    with pytest.raises(TransitionError, match="déjà figé"):
        figer(named.parcours, NatureDiagnostic.INITIAL, named.referent_a)
    content = page(client_for(named.referent_a), url(named.parcours))
    assert "Diagnostic initial (à la signature du CER), figé le" in content
