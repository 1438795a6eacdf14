"""The parcours state machine: the declared transition table, the guards, and the transition log.

Every test runs on 2 March 2026 (Paris), so the factory's dates (prescription 60 days before
today) and the rules that read today's date give the same results whenever the suite runs.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from parcours.models import Etat, MotifVeille, Parcours, PeriodeVeille, TransitionParcours
from parcours.transitions import PAGES
from parcours.workflow import TRANSITIONS, TransitionError
from plie.accounts.models import Role, User
from plie.referentiel.models import Referentiel
from plie.referentiel.services import load_preset
from tests.factories import ParcoursFactory, ParticipantFactory, ReferentFactory, UserFactory

TODAY = datetime.date(2026, 3, 2)
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _today(time_machine):
    # The clock ticks from there: each save gets its own modifie_le, as in real life.
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Paris")))


@pytest.fixture
def coordination(db):
    return UserFactory(role=Role.COORDINATION)


# --- helpers -----------------------------------------------------------------------------------


def _plus(date, days):
    """``date`` plus a few days; today when the parcours has no such date yet (wrong state)."""
    return (date or TODAY) + datetime.timedelta(days=days)


def _veille_fin_prevue(parcours):
    periode = parcours.veille_en_cours()
    return periode.fin_prevue if periode else TODAY


def _veille_debut(parcours):
    periode = parcours.veille_en_cours()
    return periode.debut if periode else TODAY


def _a_distance(parcours):
    """The derogation granted already (ending it needs one)."""
    Parcours.objects.filter(pk=parcours.pk).update(a_distance=True)
    parcours.a_distance = True
    return {}


# Parameters each transition's guard accepts for a parcours built by ParcoursFactory in a source state.
VALID_PARAMS = {
    "annuler": lambda p: {"date": _plus(p.date_prescription, 20)},
    "accueillir": lambda p: {"date_premier_rdv": _plus(p.date_orientation, 3)},
    "demarrer_accompagnement": lambda p: {"date_entree": _plus(p.date_premier_rdv, 3)},
    "mettre_en_veille": lambda p: {
        "motif_veille": MotifVeille.SANTE,
        "debut": _plus(p.date_entree, 10),
        "fin_prevue": _plus(p.date_entree, 40),
    },
    "prolonger_veille": lambda p: {"nouvelle_fin_prevue": _veille_fin_prevue(p) + relativedelta(months=1)},
    "reprendre_accompagnement": lambda p: {"date": _plus(_veille_debut(p), 5)},
    "renouveler": lambda p: {},
    "accorder_distance": lambda p: {},
    "retirer_distance": _a_distance,
    "proposer_sortie": lambda p: {"date_sortie_prevue": _plus(p.date_entree, 90)},
    "retirer_proposition_sortie": lambda p: {},
    "valider_sortie": lambda p: {"date_sortie": _plus(p.date_entree, 120)},
    "changer_referent": lambda p: {"referent": ReferentFactory()},
}


def valid_params(parcours, name):
    params = VALID_PARAMS[name](parcours)
    if TRANSITIONS[name].needs_motif:
        params["motif"] = "Motif"
    if PAGES[name].referentiel:
        params["referentiel"] = Referentiel.objects.active()
    return params


def snapshot(parcours):
    """What the database holds for a parcours: its row, its veille periods and its log."""
    return {
        "row": Parcours.objects.values().get(pk=parcours.pk),
        "veille": list(PeriodeVeille.objects.filter(parcours=parcours).order_by("pk").values()),
        "log": list(TransitionParcours.objects.filter(parcours=parcours).values()),
    }


def refused(parcours, name, by, match, field=None, **params):
    """Apply transition ``name`` expecting a refusal; check nothing changed in the database."""
    before = snapshot(parcours)
    if PAGES[name].referentiel:
        params.setdefault("referentiel", Referentiel.objects.active())
    with pytest.raises(TransitionError, match=match) as excinfo:
        getattr(parcours, name)(by=by, **params)
    assert excinfo.value.field == field
    assert snapshot(parcours) == before
    return excinfo.value


# --- the whole transition table -----------------------------------------------------------------

# Every transition but the creation (« orienter », tested below) applies to a parcours in a state.
APPLIED = [name for name, t in TRANSITIONS.items() if t.sources]
ALL_PAIRS = [(etat, name) for etat in Etat for name in APPLIED]
ALLOWED = [(etat, name) for etat, name in ALL_PAIRS if etat in TRANSITIONS[name].sources]
FORBIDDEN = [(etat, name) for etat, name in ALL_PAIRS if etat not in TRANSITIONS[name].sources]


def _ids(pairs):
    return [f"{etat.value}-{name}" for etat, name in pairs]


def test_table_covers_every_state_and_transition():
    assert len(Etat) == 7
    assert len(TRANSITIONS) == 14
    assert [t.name for t in TRANSITIONS.values() if not t.sources] == ["orienter"]
    assert len(ALLOWED) + len(FORBIDDEN) == 7 * 13
    assert set(VALID_PARAMS) == set(APPLIED)


def test_every_state_is_reached_from_the_creation():
    reached, frontier = {TRANSITIONS["orienter"].target}, [TRANSITIONS["orienter"].target]
    while frontier:
        etat = frontier.pop()
        for t in TRANSITIONS.values():
            if etat in t.sources and t.target_from(etat) not in reached:
                reached.add(t.target_from(etat))
                frontier.append(t.target_from(etat))
    assert reached == set(Etat)


@pytest.mark.parametrize(("etat", "name"), ALLOWED, ids=_ids(ALLOWED))
def test_allowed_transition_applies_and_is_logged(niort, coordination, etat, name):
    transition = TRANSITIONS[name]
    parcours = ParcoursFactory(etat=etat)
    params = valid_params(parcours, name)

    getattr(parcours, name)(by=coordination, **params)

    parcours.refresh_from_db()
    assert parcours.etat == transition.target_from(etat)
    logs = TransitionParcours.objects.filter(parcours=parcours)
    assert logs.count() == 1
    log = logs.get()
    assert log.transition == name
    assert log.etat_avant == etat
    assert log.etat_apres == transition.target_from(etat)
    assert log.auteur == coordination
    assert log.motif == ("Motif" if transition.needs_motif else "")
    if "referent" in params:
        assert parcours.referent == params["referent"]


@pytest.mark.parametrize(("etat", "name"), FORBIDDEN, ids=_ids(FORBIDDEN))
def test_forbidden_transition_is_refused_and_changes_nothing(niort, coordination, etat, name):
    parcours = ParcoursFactory(etat=etat)
    params = valid_params(parcours, name)

    error = refused(parcours, name, coordination, match="impossible", **params)

    assert f"le parcours est « {etat.label} »" in error.message
    assert TRANSITIONS[name].label in error.message
    assert parcours.etat == etat
    assert not TransitionParcours.objects.filter(parcours=parcours).exists()


# --- orienter -----------------------------------------------------------------------------------


def _vacant_referent():
    referent = ReferentFactory()
    referent.referent_profile.actif = False
    referent.referent_profile.date_vacance = TODAY - 10 * DAY
    referent.referent_profile.save()
    return User.objects.get(pk=referent.pk)


def _disabled_referent():
    return ReferentFactory(is_active=False)


NOT_REFERENTS = {
    "vacant-post": _vacant_referent,
    "disabled-account": _disabled_referent,
    "referent-without-profile": lambda: UserFactory(role=Role.REFERENT),
    "coordination-user": lambda: UserFactory(role=Role.COORDINATION),
    "prescripteur-user": lambda: UserFactory(role=Role.PRESCRIPTEUR),
}


PRESCRIT_LE = TODAY - 10 * DAY


def orienter(by, referent, participant=None, **params):
    participant = participant or ParticipantFactory()
    params.setdefault("date_prescription", PRESCRIT_LE)
    return Parcours.orienter(by, referent, participant=participant, **params)


def refused_creation(by, match, field=None, **params):
    participant = params.pop("participant", None) or ParticipantFactory()
    before = (Parcours.objects.count(), TransitionParcours.objects.count())
    with pytest.raises(TransitionError, match=match) as excinfo:
        orienter(by, participant=participant, **params)
    assert excinfo.value.field == field
    assert (Parcours.objects.count(), TransitionParcours.objects.count()) == before
    return excinfo.value


def test_orienter_creates_the_parcours_oriented_and_logs_its_birth(niort, coordination):
    referent, prescripteur = ReferentFactory(), UserFactory(role=Role.PRESCRIPTEUR)

    parcours = orienter(
        coordination,
        referent,
        prescripteur=prescripteur,
        structure_prescriptrice=prescripteur.structure,
        rup=True,
        date=TODAY,
        motif="  Rang 1 de la proposition.  ",
    )

    parcours.refresh_from_db()
    assert (parcours.etat, parcours.referent, parcours.date_orientation, parcours.date_prescription) == (
        Etat.ORIENTE,
        referent,
        TODAY,
        PRESCRIT_LE,
    )
    assert (parcours.prescripteur, parcours.rup) == (prescripteur, True)
    log = TransitionParcours.objects.get(parcours=parcours)
    assert (log.transition, log.etat_avant, log.etat_apres, log.auteur, log.motif) == (
        "orienter",
        "",
        Etat.ORIENTE,
        coordination,
        "Rang 1 de la proposition.",
    )
    assert parcours.history.get().history_user == coordination


@pytest.mark.parametrize("make_user", NOT_REFERENTS.values(), ids=NOT_REFERENTS.keys())
def test_orienter_refuses_someone_not_holding_a_referent_post(niort, coordination, make_user):
    refused_creation(coordination, "référent en poste", field="referent", referent=make_user())


def test_orienter_refuses_a_date_before_the_prescription(niort, coordination):
    refused_creation(
        coordination,
        "ne peut précéder la prescription",
        field="date",
        referent=ReferentFactory(),
        date=PRESCRIT_LE - DAY,
    )


def test_orienter_refuses_a_second_open_parcours(niort, coordination):
    ouvert = ParcoursFactory(etat=Etat.VEILLE)
    refused_creation(
        coordination, "déjà un parcours en cours", referent=ReferentFactory(), participant=ouvert.participant
    )


def test_orienter_accepts_a_re_entry_after_an_exit(niort, coordination):
    sorti = ParcoursFactory(etat=Etat.SORTI)
    parcours = orienter(coordination, ReferentFactory(), participant=sorti.participant)
    assert list(sorti.participant.parcours.order_by("pk")) == [sorti, parcours]


def test_orienter_accepts_the_day_of_the_prescription(niort, coordination):
    referent = ReferentFactory()

    parcours = orienter(coordination, referent, date=PRESCRIT_LE)

    parcours.refresh_from_db()
    assert (parcours.etat, parcours.referent, parcours.date_orientation) == (Etat.ORIENTE, referent, PRESCRIT_LE)


# --- accueil and entry --------------------------------------------------------------------------


def test_accueillir_refuses_a_date_before_the_orientation(niort, coordination):
    parcours = ParcoursFactory(etat=Etat.ORIENTE)

    refused(
        parcours,
        "accueillir",
        coordination,
        match="ne peut précéder l'orientation",
        field="date_premier_rdv",
        date_premier_rdv=parcours.date_orientation - DAY,
    )


def test_demarrer_accompagnement_starts_a_six_month_measure_under_niort(niort, coordination):
    parcours = ParcoursFactory(etat=Etat.ACCUEIL, start=datetime.date(2026, 1, 5))

    parcours.demarrer_accompagnement(
        by=coordination, referentiel=Referentiel.objects.active(), date_entree=datetime.date(2026, 1, 20)
    )

    parcours.refresh_from_db()
    assert parcours.etat == Etat.ACCOMPAGNEMENT
    assert parcours.date_entree == datetime.date(2026, 1, 20)
    assert parcours.date_fin_mesure == datetime.date(2026, 7, 20)


def test_demarrer_accompagnement_has_no_measure_under_caen(caen, coordination):
    parcours = ParcoursFactory(etat=Etat.ACCUEIL, start=datetime.date(2026, 1, 5))

    parcours.demarrer_accompagnement(
        by=coordination, referentiel=Referentiel.objects.active(), date_entree=datetime.date(2026, 1, 20)
    )

    parcours.refresh_from_db()
    assert parcours.etat == Etat.ACCOMPAGNEMENT
    assert parcours.date_entree == datetime.date(2026, 1, 20)
    assert parcours.date_fin_mesure is None


def test_demarrer_accompagnement_refuses_an_entry_before_the_first_rdv(niort, coordination):
    parcours = ParcoursFactory(etat=Etat.ACCUEIL)

    refused(
        parcours,
        "demarrer_accompagnement",
        coordination,
        match="premier rendez-vous",
        field="date_entree",
        date_entree=parcours.date_premier_rdv - DAY,
    )


# --- veille -------------------------------------------------------------------------------------


def test_mettre_en_veille_under_caen_refuses_more_than_three_months(caen, coordination):
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)
    debut = parcours.date_entree + 10 * DAY

    error = refused(
        parcours,
        "mettre_en_veille",
        coordination,
        match="3 mois",
        field="fin_prevue",
        motif_veille=MotifVeille.MATERNITE,
        debut=debut,
        fin_prevue=debut + relativedelta(months=3) + DAY,
    )

    assert f"{debut + relativedelta(months=3):%d/%m/%Y}" in error.message
    assert not PeriodeVeille.objects.exists()


def test_mettre_en_veille_under_caen_accepts_exactly_three_months(caen, coordination):
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)
    debut = parcours.date_entree + 10 * DAY

    parcours.mettre_en_veille(
        by=coordination,
        referentiel=Referentiel.objects.active(),
        motif_veille=MotifVeille.MATERNITE,
        debut=debut,
        fin_prevue=debut + relativedelta(months=3),
    )

    parcours.refresh_from_db()
    assert parcours.etat == Etat.VEILLE
    periode = PeriodeVeille.objects.get(parcours=parcours)
    assert (periode.motif, periode.debut, periode.fin_prevue, periode.fin, periode.renouvellements) == (
        MotifVeille.MATERNITE,
        debut,
        debut + relativedelta(months=3),
        None,
        0,
    )


def test_mettre_en_veille_under_niort_has_no_length_limit(niort, coordination):
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)
    debut = parcours.date_entree + 10 * DAY

    parcours.mettre_en_veille(
        by=coordination,
        referentiel=Referentiel.objects.active(),
        motif_veille=MotifVeille.SANTE,
        debut=debut,
        fin_prevue=debut + relativedelta(years=1),
    )

    assert parcours.veille_en_cours().fin_prevue == debut + relativedelta(years=1)


@pytest.mark.parametrize(
    ("motif_veille", "debut_offset", "fin_offset", "field", "match"),
    [
        ("", 10, 40, "motif_veille", "Choisissez le motif"),
        ("vacances", 10, 40, "motif_veille", "Choisissez le motif"),
        (MotifVeille.SANTE, -1, 40, "debut", "avant l'entrée"),
        (MotifVeille.SANTE, 10, 10, "fin_prevue", "suit son début"),
    ],
    ids=["no-motif", "unknown-motif", "before-entry", "empty-period"],
)
def test_mettre_en_veille_checks_its_parameters(
    niort, coordination, motif_veille, debut_offset, fin_offset, field, match
):
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)

    refused(
        parcours,
        "mettre_en_veille",
        coordination,
        match=match,
        field=field,
        motif_veille=motif_veille,
        debut=parcours.date_entree + debut_offset * DAY,
        fin_prevue=parcours.date_entree + fin_offset * DAY,
    )


def test_prolonger_veille_under_caen_is_allowed_once(caen, coordination):
    parcours = ParcoursFactory(etat=Etat.VEILLE)
    periode = parcours.veille_en_cours()
    first_end = periode.fin_prevue + relativedelta(months=3)

    parcours.prolonger_veille(by=coordination, referentiel=Referentiel.objects.active(), nouvelle_fin_prevue=first_end)

    periode.refresh_from_db()
    assert (periode.fin_prevue, periode.renouvellements, periode.fin) == (first_end, 1, None)
    parcours.refresh_from_db()
    assert parcours.etat == Etat.VEILLE

    refused(
        parcours,
        "prolonger_veille",
        coordination,
        match="déjà été renouvelée une fois",
        nouvelle_fin_prevue=first_end + relativedelta(months=1),
    )
    periode.refresh_from_db()
    assert periode.fin_prevue == first_end


def test_prolonger_veille_under_caen_refuses_more_than_three_months(caen, coordination):
    parcours = ParcoursFactory(etat=Etat.VEILLE)
    fin_prevue = parcours.veille_en_cours().fin_prevue

    refused(
        parcours,
        "prolonger_veille",
        coordination,
        match="3 mois",
        field="nouvelle_fin_prevue",
        nouvelle_fin_prevue=fin_prevue + relativedelta(months=3) + DAY,
    )


def test_reprendre_accompagnement_closes_the_open_veille_on_the_given_date(niort, coordination):
    parcours = ParcoursFactory(etat=Etat.VEILLE)
    periode = parcours.veille_en_cours()
    fin = periode.debut + 12 * DAY

    parcours.reprendre_accompagnement(by=coordination, date=fin)

    parcours.refresh_from_db()
    periode.refresh_from_db()
    assert parcours.etat == Etat.ACCOMPAGNEMENT
    assert periode.fin == fin
    assert parcours.veille_en_cours() is None


def test_reprendre_accompagnement_refuses_an_end_before_the_veille_began(niort, coordination):
    parcours = ParcoursFactory(etat=Etat.VEILLE)

    refused(
        parcours,
        "reprendre_accompagnement",
        coordination,
        match="ne peut précéder son début",
        field="date",
        date=parcours.veille_en_cours().debut - DAY,
    )


# --- measures (renewals) ------------------------------------------------------------------------


def test_renouveler_under_niort_adds_six_months(niort, coordination):
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)
    entree = parcours.date_entree

    parcours.renouveler(by=coordination, referentiel=Referentiel.objects.active())
    parcours.refresh_from_db()
    assert (parcours.date_fin_mesure, parcours.nombre_renouvellements) == (entree + relativedelta(months=12), 1)

    parcours.renouveler(by=coordination, referentiel=Referentiel.objects.active())
    parcours.refresh_from_db()
    assert (parcours.date_fin_mesure, parcours.nombre_renouvellements) == (entree + relativedelta(months=18), 2)
    assert parcours.etat == Etat.ACCOMPAGNEMENT
    assert TransitionParcours.objects.filter(parcours=parcours, transition="renouveler").count() == 2


def test_renouveler_under_niort_stops_at_24_months(niort, coordination):
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, start=datetime.date(2024, 1, 1))
    entree = parcours.date_entree
    Parcours.objects.filter(pk=parcours.pk).update(
        date_fin_mesure=entree + relativedelta(months=18), nombre_renouvellements=2
    )
    parcours.refresh_from_db()

    parcours.renouveler(by=coordination, referentiel=Referentiel.objects.active())  # exactly 24 months: still allowed
    parcours.refresh_from_db()
    assert (parcours.date_fin_mesure, parcours.nombre_renouvellements) == (entree + relativedelta(months=24), 3)

    refused(parcours, "renouveler", coordination, match="24 mois")
    assert parcours.date_fin_mesure == entree + relativedelta(months=24)


def test_time_in_veille_postpones_the_24_month_limit(niort, coordination):
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, start=datetime.date(2024, 1, 1))
    entree = parcours.date_entree  # 15/01/2024: the limit is 15/01/2026
    Parcours.objects.filter(pk=parcours.pk).update(date_fin_mesure=entree + relativedelta(months=20))
    parcours.refresh_from_db()
    renewed_end = entree + relativedelta(months=26)  # 15/03/2026, two months past the limit

    refused(parcours, "renouveler", coordination, match="24 mois")

    # Two months in veille (61 days) push the limit to 17/03/2026.
    PeriodeVeille.objects.create(
        parcours=parcours,
        motif=MotifVeille.SANTE,
        debut=datetime.date(2024, 6, 1),
        fin_prevue=datetime.date(2024, 8, 1),
        fin=datetime.date(2024, 8, 1),
    )
    parcours.renouveler(by=coordination, referentiel=Referentiel.objects.active())

    parcours.refresh_from_db()
    assert parcours.date_fin_mesure == renewed_end
    assert parcours.nombre_renouvellements == 1


def test_renouveler_under_caen_is_refused(caen, coordination):
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)

    refused(parcours, "renouveler", coordination, match="mesures renouvelables")


def test_renouveler_starts_a_first_measure_after_a_switch_to_a_referentiel_with_measures(caen, coordination):
    """Entered under Caen (no measures), then the PLIE adopts Niort's rules: no crash, a first measure."""
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, date_fin_mesure=None)
    load_preset("niort", activate=True)

    parcours.renouveler(by=coordination, referentiel=Referentiel.objects.active())

    parcours.refresh_from_db()
    assert parcours.date_fin_mesure == timezone.localdate() + relativedelta(months=6)
    assert parcours.nombre_renouvellements == 1


def test_annuler_refuses_a_date_before_the_prescription(niort, coordination):
    parcours = ParcoursFactory(etat=Etat.ORIENTE)

    refused(
        parcours,
        "annuler",
        coordination,
        match="ne peut précéder la prescription",
        field="date",
        motif="Motif",
        date=parcours.date_prescription - datetime.timedelta(days=1),
    )


# --- sortie -------------------------------------------------------------------------------------


def test_proposer_sortie_refuses_a_date_before_the_entry(niort, coordination):
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)

    refused(
        parcours,
        "proposer_sortie",
        coordination,
        match="ne peut précéder l'entrée",
        field="date_sortie_prevue",
        date_sortie_prevue=parcours.date_entree - DAY,
        motif="Emploi trouvé",
    )


def test_proposer_sortie_from_veille_closes_the_veille(niort, coordination):
    parcours = ParcoursFactory(etat=Etat.VEILLE)
    periode = parcours.veille_en_cours()
    assert periode.debut < TODAY
    prevue = TODAY + 10 * DAY

    parcours.proposer_sortie(by=coordination, date_sortie_prevue=prevue, motif="Déménagement")

    parcours.refresh_from_db()
    periode.refresh_from_db()
    assert parcours.etat == Etat.SORTIE_PROPOSEE
    assert parcours.date_sortie_prevue == prevue
    assert periode.fin == TODAY
    assert parcours.veille_en_cours() is None


def test_valider_sortie_refuses_a_date_before_the_entry(niort, coordination):
    parcours = ParcoursFactory(etat=Etat.SORTIE_PROPOSEE)

    refused(
        parcours,
        "valider_sortie",
        coordination,
        match="ne peut précéder l'entrée",
        field="date_sortie",
        date_sortie=parcours.date_entree - DAY,
    )


def test_valider_sortie_sets_the_exit_date(niort, coordination):
    parcours = ParcoursFactory(etat=Etat.SORTIE_PROPOSEE)
    date_sortie = parcours.date_entree + 100 * DAY

    parcours.valider_sortie(by=coordination, date_sortie=date_sortie)

    parcours.refresh_from_db()
    assert parcours.etat == Etat.SORTI
    assert parcours.date_sortie == date_sortie
    assert not parcours.est_ouvert


def test_retirer_proposition_sortie_clears_the_planned_date(niort, coordination):
    parcours = ParcoursFactory(etat=Etat.SORTIE_PROPOSEE)
    assert parcours.date_sortie_prevue is not None

    parcours.retirer_proposition_sortie(by=coordination, motif="La commission n'a pas validé")

    parcours.refresh_from_db()
    assert parcours.etat == Etat.ACCOMPAGNEMENT
    assert parcours.date_sortie_prevue is None
    assert TransitionParcours.objects.get(parcours=parcours).motif == "La commission n'a pas validé"


# --- motif, référent change, concurrency --------------------------------------------------------

NEEDS_MOTIF = [
    (Etat.ACCUEIL, "annuler"),
    (Etat.ACCOMPAGNEMENT, "proposer_sortie"),
    (Etat.SORTIE_PROPOSEE, "retirer_proposition_sortie"),
    (Etat.ACCOMPAGNEMENT, "changer_referent"),
    (Etat.ACCOMPAGNEMENT, "accorder_distance"),
    (Etat.VEILLE, "retirer_distance"),
]


def test_needs_motif_list_matches_the_table():
    assert {name for _, name in NEEDS_MOTIF} == {name for name, t in TRANSITIONS.items() if t.needs_motif}


@pytest.mark.parametrize("motif", ["", "   \n"], ids=["empty", "blank"])
@pytest.mark.parametrize(("etat", "name"), NEEDS_MOTIF, ids=_ids(NEEDS_MOTIF))
def test_transitions_with_a_motif_refuse_a_blank_one(niort, coordination, etat, name, motif):
    parcours = ParcoursFactory(etat=etat)
    params = valid_params(parcours, name) | {"motif": motif}

    refused(parcours, name, coordination, match="Indiquez un motif", field="motif", **params)


def test_motif_is_logged_stripped(niort, coordination):
    parcours = ParcoursFactory(etat=Etat.ORIENTE)

    parcours.annuler(by=coordination, motif="  Hors territoire  ")

    parcours.refresh_from_db()
    assert parcours.motif_cloture == "Hors territoire"
    assert TransitionParcours.objects.get(parcours=parcours).motif == "Hors territoire"


def test_changer_referent_refuses_the_current_referent(niort, coordination):
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)

    refused(
        parcours,
        "changer_referent",
        coordination,
        match="suit déjà",
        field="referent",
        referent=parcours.referent,
        motif="Départ",
    )


def test_changer_referent_refuses_a_vacant_post(niort, coordination):
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)

    refused(
        parcours,
        "changer_referent",
        coordination,
        match="référent en poste",
        field="referent",
        referent=_vacant_referent(),
        motif="Départ",
    )


def test_stale_instance_is_refused_after_a_state_change(niort, coordination):
    parcours = ParcoursFactory(etat=Etat.ORIENTE)
    stale = Parcours.objects.get(pk=parcours.pk)
    parcours.accueillir(by=coordination, date_premier_rdv=parcours.date_orientation + DAY)

    refused(stale, "annuler", coordination, match="rechargez", motif="Hors territoire")

    parcours.refresh_from_db()
    assert parcours.etat == Etat.ACCUEIL
    assert TransitionParcours.objects.filter(parcours=parcours).count() == 1


def test_stale_instance_is_refused_after_a_change_that_keeps_the_state(niort, coordination):
    """A renewal keeps the state: a stale copy must not overwrite it when changing référent."""
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)
    stale = Parcours.objects.get(pk=parcours.pk)
    parcours.renouveler(by=coordination, referentiel=Referentiel.objects.active())

    refused(stale, "changer_referent", coordination, match="rechargez", referent=ReferentFactory(), motif="Départ")

    parcours.refresh_from_db()
    assert parcours.nombre_renouvellements == 1
    assert parcours.date_fin_mesure == parcours.date_entree + relativedelta(months=12)


# --- a refused transition changes nothing -------------------------------------------------------


def test_guard_failure_leaves_the_parcours_unchanged(niort, coordination):
    parcours = ParcoursFactory(etat=Etat.ORIENTE)
    referent, date_orientation = parcours.referent, parcours.date_orientation

    with pytest.raises(TransitionError):
        parcours.accueillir(by=coordination, date_premier_rdv=date_orientation - DAY)

    assert parcours.etat == Etat.ORIENTE
    assert parcours.date_premier_rdv is None
    parcours.refresh_from_db()
    assert parcours.etat == Etat.ORIENTE
    assert parcours.date_premier_rdv is None
    assert (parcours.referent, parcours.date_orientation) == (referent, date_orientation)
    assert not TransitionParcours.objects.filter(parcours=parcours).exists()
    assert parcours.history.count() == 1  # the factory's creation only


def test_guard_failure_after_a_veille_check_creates_no_period(caen, coordination):
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)

    with pytest.raises(TransitionError):
        parcours.mettre_en_veille(
            by=coordination,
            referentiel=Referentiel.objects.active(),
            motif_veille=MotifVeille.SANTE,
            debut=parcours.date_entree,
            fin_prevue=parcours.date_entree + relativedelta(months=4),
        )

    parcours.refresh_from_db()
    assert parcours.etat == Etat.ACCOMPAGNEMENT
    assert not PeriodeVeille.objects.filter(parcours=parcours).exists()
    assert not TransitionParcours.objects.exists()
