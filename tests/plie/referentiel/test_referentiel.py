"""The two presets hold the seeds' values; incoherent référentiels are refused."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from plie.referentiel.models import NoActiveReferentiel, Referentiel
from plie.referentiel.services import activate_referentiel, load_preset
from sorties.models import ClasseSortie, RegleSortie, SituationSortie, validate_conditions


@pytest.mark.parametrize(
    ("field", "niort", "caen"),
    [
        # Rhythm: N §III.d every 15 days for 3 months then monthly; C §II.2.1 monthly.
        ("rythme_initial_duree_mois", 3, 0),
        ("rythme_initial_intervalle_jours", 15, None),
        ("rythme_intervalle_jours", 30, 30),
        ("rythme_tout_moyen_en_etape", False, True),
        # Durations: N 60 min on average; C 45 min, diagnostic at least one hour.
        ("duree_entretien_minutes", 60, 45),
        ("duree_diagnostic_minutes", None, 60),
        # Measures: N 6 months renewable up to 24; C no limit.
        ("duree_mesure_mois", 6, None),
        ("duree_max_parcours_mois", 24, None),
        # Veille: N no limit; C at most 3 months, renewable once.
        ("veille_duree_max_mois", None, 3),
        ("veille_renouvellements_max", None, 1),
        # Capacity: N 70-90 a year and 40 a month per ETP; C 60 in file active per ETP.
        ("capacite_annuelle_min_par_etp", 70, None),
        ("capacite_annuelle_max_par_etp", 90, None),
        ("file_active_par_etp", 40, 60),
        # The contract: N the CER from the 2nd RDV, the entry reported to the cellule; C the dossier de
        # présentation after the diagnostic, validated by the PLIE's team.
        ("cer_rang_rdv_min", 2, 1),
        ("cer_validation_equipe", False, True),
        # Neither seed sets a delay to first contact.
        ("delai_premier_contact_jours", None, None),
        # N §V: documents 5 working days before the cellule; C has no monthly cellule.
        ("delai_documents_cellule_jours_ouvres", 5, None),
        # N ateliers at least monthly, 1 000 € in four expense fields.
        ("ateliers_frequence_min_jours", 30, None),
        ("budget_ateliers_par_etp", Decimal("1000.00"), None),
        # N §VIII: 65 % RSA beneficiaries targeted, 20 % control sample.
        ("objectif_part_rsa", 65, None),
        ("taux_controle", 20, None),
        ("suivi_emploi_mois", 6, 6),
        # N §III.d: the second unjustified absence goes to the cellule; C sets no number.
        ("absences_avant_cellule", 2, None),
        # N §III.d and §V: veille in and out, renewals and reorientations in cellule; C: the PLIE team at once.
        (
            "demandes_en_cellule",
            ["entree_veille", "renouvellement_veille", "fin_veille", "renouvellement_mesure", "reorientation"],
            [],
        ),
        # Both ask a « suivi régulier » during veille without a figure.
        ("veille_suivi_intervalle_jours", None, None),
        # C §IV.1.4 reviews long parcours and those without action; N caps the length instead.
        ("revue_duree_parcours_mois", None, 24),
        ("revue_sans_action_mois", None, 12),
        ("epci_sirens", ["200041317"], ["200065597"]),
    ],
)
def test_presets_hold_the_seeds_values(db, field, niort, caen):
    assert getattr(load_preset("niort"), field) == niort
    assert getattr(load_preset("caen"), field) == caen


def test_niort_atelier_expense_categories(db):
    assert load_preset("niort").categories_depenses_ateliers == [
        "Frais de déplacement",
        "Frais de réception",
        "Achat de petits matériels",
        "Prestations extérieures",
    ]
    assert load_preset("caen").categories_depenses_ateliers == []


def _first_match(referentiel, situation, facts):
    """A minimal reading of the rule table, enough to check the presets say what the seeds say.

    Booleans must match; *_min are inclusive, *_max and *_plus_de exclusive.
    """
    for regle in referentiel.regles_sortie.order_by("ordre"):
        if regle.situations and situation not in regle.situations:
            continue
        if all(_holds(key, value, facts) for key, value in regle.conditions.items()):
            return regle
    raise AssertionError("no rule matched")


def _holds(key, value, facts):
    if key not in facts:
        return False
    fact = facts[key]
    if isinstance(value, bool):
        return fact is value
    if key.endswith("_min"):
        return fact >= value
    if key.endswith("_max"):
        return fact < value
    if key.endswith("_plus_de"):
        return fact > value
    raise AssertionError(key)


@pytest.mark.parametrize(
    ("code", "situation", "facts", "classe", "neutralisee"),
    [
        # Niort (N §IV): CDD >= 6 months at least half-time in the same firm is positive…
        ("niort", "cdd", {"duree_mois_min": 7, "quotite_min": 0.5, "meme_employeur": True}, "positive", False),
        # …a shorter one is dynamique when the person wants to stop, an étape otherwise.
        ("niort", "cdd", {"duree_mois_min": 3, "souhaite_quitter_plie": True}, "dynamique", False),
        ("niort", "cdd", {"duree_mois_min": 3, "souhaite_quitter_plie": False}, "etape", False),
        ("niort", "cdi", {"quotite_min": 0.4, "souhaite_quitter_plie": True}, "dynamique", False),
        ("niort", "cdi", {"quotite_min": 1.0}, "positive", False),
        ("niort", "contrat_aide", {"duree_mois_plus_de": 13}, "positive", False),
        ("niort", "contrat_aide", {"duree_mois_plus_de": 12, "souhaite_quitter_plie": True}, "dynamique", False),
        ("niort", "cesu", {"souhaite_quitter_plie": True}, "dynamique", False),
        ("niort", "freins_reduits", {}, "reduction_freins", False),
        ("niort", "demenagement", {}, "autre", False),
        (
            "niort",
            "formation",
            {"qualifiante": True, "heures_formation_min": 300, "titre_obtenu": True},
            "positive",
            False,
        ),
        ("niort", "interim", {"clause_insertion": True, "heures_6_derniers_mois_min": 600}, "positive", False),
        # Caen (annexes 2 and 3): CDD >= 6 months and >= 20 h a week is positive.
        (
            "caen",
            "cdd",
            {"duree_mois_min": 6, "heures_hebdo_min": 20, "meme_employeur": True},
            "positive",
            False,
        ),
        (
            "caen",
            "cdd",
            {"duree_mois_min": 4, "heures_hebdo_min": 15, "validation_instance": True},
            "dynamique",
            False,
        ),
        ("caen", "cdd", {"duree_mois_min": 3, "heures_hebdo_min": 35}, "etape", False),
        ("caen", "cddi", {}, "etape", False),
        ("caen", "freins_reduits", {}, "autre", False),
        ("caen", "demenagement", {}, "autre", True),
        ("caen", "deces", {}, "autre", True),
        ("caen", "abandon", {}, "autre", False),
        ("caen", "creation", {"activite_verifiee": True}, "positive", False),
    ],
)
def test_exit_rules_classify_as_the_seeds_say(db, code, situation, facts, classe, neutralisee):
    regle = _first_match(load_preset(code), situation, facts)
    assert (regle.classe, regle.neutralisee) == (classe, neutralisee), regle.libelle


def test_every_rule_cites_its_source_and_uses_known_vocabulary(db):
    for code in ("niort", "caen"):
        for regle in load_preset(code).regles_sortie.all():
            regle.full_clean()
            assert regle.source.startswith("N" if code == "niort" else "C")
            assert set(regle.situations) <= set(SituationSortie.values)
            assert regle.classe in ClasseSortie.values


def test_only_caen_neutralises_administrative_exits(db):
    assert not load_preset("niort").regles_sortie.filter(neutralisee=True).exists()
    assert load_preset("caen").regles_sortie.filter(neutralisee=True).count() == 1


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ({"couleur": "bleu"}, "Condition inconnue"),
        ({"temps_plein": "oui"}, "vaut vrai ou faux"),
        ({"duree_mois_min": -1}, "nombre positif"),
        ({"duree_mois_min": True}, "nombre positif"),
        ({"duree_mois_min": 6, "duree_mois_max": 4}, "doit être inférieur"),
        (["cdi"], "dictionnaire"),
    ],
)
def test_rule_conditions_are_validated(conditions, message):
    with pytest.raises(ValidationError) as caught:
        validate_conditions(conditions)
    assert message in " ".join(caught.value.messages)


def test_a_rule_with_unknown_situation_is_refused(niort):
    regle = RegleSortie(referentiel=niort, ordre=999, situations=["pirate"], classe="positive", libelle="x")
    with pytest.raises(ValidationError) as caught:
        regle.full_clean()
    assert "situations" in caught.value.message_dict


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"rythme_initial_intervalle_jours": 45}, "rythme_initial_intervalle_jours", "au moins aussi soutenu"),
        ({"rythme_initial_intervalle_jours": None}, "rythme_initial_intervalle_jours", "Indiquez l'intervalle"),
        ({"duree_max_parcours_mois": 4}, "duree_max_parcours_mois", "ne peut être inférieure"),
        ({"capacite_annuelle_max_par_etp": 50}, "capacite_annuelle_max_par_etp", "supérieur ou égal au minimum"),
        ({"file_active_par_etp": 120}, "file_active_par_etp", "ne peut dépasser"),
        ({"veille_renouvellements_max": 2}, "veille_renouvellements_max", "durée maximale de veille"),
        ({"categories_depenses_ateliers": []}, "categories_depenses_ateliers", "au moins une catégorie"),
        ({"epci_sirens": ["123"]}, "epci_sirens", "9 chiffres"),
        ({"epci_sirens": []}, "epci_sirens", "au moins un EPCI"),
        ({"objectif_part_rsa": 120}, "objectif_part_rsa", "inférieure ou égale à 100"),
    ],
)
def test_incoherent_referentiel_is_refused_with_a_french_message(niort, changes, field, message):
    for name, value in changes.items():
        setattr(niort, name, value)
    with pytest.raises(ValidationError) as caught:
        niort.full_clean()
    assert field in caught.value.message_dict
    assert message in " ".join(caught.value.message_dict[field])


def test_one_active_referentiel_and_switching_is_historised(db):
    niort = load_preset("niort", activate=True)
    caen = load_preset("caen")
    assert Referentiel.objects.active() == niort
    activate_referentiel(caen)
    assert Referentiel.objects.active() == caen
    niort.refresh_from_db()
    assert niort.actif is False
    assert niort.history.filter(actif=False).exists()


def test_no_active_referentiel_is_a_clear_error(db):
    load_preset("niort")
    with pytest.raises(NoActiveReferentiel, match="Aucun référentiel n'est actif"):
        Referentiel.objects.active()


def test_load_referentiels_command_keeps_edits_unless_reset(db):
    call_command("load_referentiels", "--activate", "niort", stdout=io.StringIO())
    niort = Referentiel.objects.get(code="niort")
    niort.file_active_par_etp = 42
    niort.save()
    call_command("load_referentiels", stdout=io.StringIO())
    niort.refresh_from_db()
    assert niort.file_active_par_etp == 42
    call_command("load_referentiels", "--reset", stdout=io.StringIO())
    niort.refresh_from_db()
    assert niort.file_active_par_etp == 40
    assert niort.actif is True


def test_rhythm_rule_reads_the_referentiel(db):
    niort, caen = load_preset("niort"), load_preset("caen")
    assert niort.intervalle_max_jours(mois_depuis_entree=1) == 15
    assert niort.intervalle_max_jours(mois_depuis_entree=3) == 30
    assert caen.intervalle_max_jours(mois_depuis_entree=0) == 30
    assert niort.capacite_file_active(Decimal("0.5")) == 20
    assert caen.capacite_file_active(Decimal("1")) == 60
