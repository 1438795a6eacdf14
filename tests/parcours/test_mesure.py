"""The measure clock, time frozen (N §III.d, C §IV.1.4): measures of six months renewed within 24 (Niort),
suspensions of the participant's leave or illness postponing both, the alerts and the homes; Caen has no
measure and no cap."""

import datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from parcours import alertes, horloge, suspensions
from parcours.models import AbsenceReferent, Etat, Parcours, PeriodeVeille, SuspensionMesure
from parcours.suspensions import SuspensionError
from parcours.workflow import TransitionError
from plie.referentiel.models import Referentiel
from tests.factories import DemandeFactory, ParcoursFactory, ParticipantFactory, SuspensionMesureFactory
from tests.plie.test_query_counts import CEILING, count_queries

PARIS = ZoneInfo("Europe/Paris")
ENTREE = datetime.date(2027, 1, 15)


def d(jour, mois, annee):
    return datetime.date(annee, mois, jour)


def moment(date, heure=9):
    return datetime.datetime.combine(date, datetime.time(heure), tzinfo=PARIS)


@pytest.fixture
def horloge_a(time_machine, personas):
    """Move the frozen clock to a day. The personas' parcours is far from any measure end of these tests."""

    def move(date):
        time_machine.move_to(moment(date), tick=False)
        return date

    move(ENTREE)
    Parcours.objects.filter(pk=personas.parcours.pk).update(date_fin_mesure=d(1, 1, 2030))
    personas.parcours.refresh_from_db()
    return move


def entre(personas, referentiel, entree=ENTREE, **kwargs):
    """A parcours of référent A, received, then entered on ``entree`` under ``referentiel`` (the kernel)."""
    parcours = ParcoursFactory(
        etat=Etat.ACCUEIL, referent=personas.referent_a, start=entree - datetime.timedelta(days=14), **kwargs
    )
    parcours.demarrer_accompagnement(personas.referent_a, entree, referentiel=referentiel)
    return parcours


def active():
    return Referentiel.objects.get(actif=True)


# --- Niort: six-month measures within 24 months -------------------------------------------------


def test_niort_three_renewals_fit_in_24_months_a_fourth_is_refused_with_the_rule(horloge_a, personas):
    niort = active()
    parcours = entre(personas, niort)
    assert (parcours.date_debut_mesure, parcours.date_fin_mesure) == (ENTREE, d(15, 7, 2027))
    assert parcours.date_limite(niort) == d(15, 1, 2029)
    fins = []
    for quand in [d(1, 7, 2027), d(1, 1, 2028), d(1, 7, 2028)]:  # at 6, 12 and 18 months
        horloge_a(quand)
        parcours.renouveler(personas.coordination, referentiel=niort)
        fins.append(parcours.date_fin_mesure)
    assert fins == [d(15, 1, 2028), d(15, 7, 2028), d(15, 1, 2029)]
    assert parcours.nombre_renouvellements == 3
    assert parcours.date_debut_mesure == d(15, 7, 2028)
    horloge_a(d(1, 1, 2029))
    with pytest.raises(TransitionError) as refus:
        parcours.renouveler(personas.coordination, referentiel=niort)
    assert "24 mois" in refus.value.message
    assert "15/01/2029" in refus.value.message
    parcours.refresh_from_db()
    assert (parcours.nombre_renouvellements, parcours.date_fin_mesure) == (3, d(15, 1, 2029))


def test_a_month_of_illness_postpones_the_measure_and_the_cap_by_31_days(horloge_a, personas):
    niort = active()
    parcours = entre(personas, niort)
    horloge_a(d(2, 4, 2027))
    suspension = suspensions.enregistrer(
        personas.referent_a, parcours, motif="maladie", debut=d(1, 3, 2027), fin=d(31, 3, 2027)
    )
    assert suspension.jours == 31
    parcours.refresh_from_db()
    assert parcours.date_fin_mesure == d(15, 8, 2027)  # 15/07 + 31 days
    assert parcours.jours_suspendus == 31
    assert parcours.date_limite(niort) == d(15, 2, 2029)  # 15/01/2029 + 31 days
    assert parcours.history.first().history_user == personas.referent_a
    # Three renewals still fit, the last one to the postponed limit.
    for quand in [d(1, 8, 2027), d(1, 2, 2028), d(1, 8, 2028)]:
        horloge_a(quand)
        parcours.renouveler(personas.coordination, referentiel=niort)
    assert parcours.date_fin_mesure == d(15, 2, 2029) == parcours.date_limite(niort)


def test_editing_then_deleting_the_suspension_moves_the_clock_back(horloge_a, personas):
    niort = active()
    parcours = entre(personas, niort)
    horloge_a(d(2, 4, 2027))
    suspension = suspensions.enregistrer(
        personas.referent_a, parcours, motif="maladie", debut=d(1, 3, 2027), fin=d(31, 3, 2027)
    )
    suspensions.modifier(personas.coordination, suspension, motif="conges", debut=d(1, 3, 2027), fin=d(15, 3, 2027))
    parcours.refresh_from_db()
    assert (parcours.date_fin_mesure, parcours.jours_suspendus) == (d(30, 7, 2027), 15)
    assert parcours.date_limite(niort) == d(30, 1, 2029)
    assert parcours.history.first().history_user == personas.coordination
    suspension.refresh_from_db()
    suspensions.supprimer(personas.referent_a, suspension)
    parcours.refresh_from_db()
    assert (parcours.date_fin_mesure, parcours.jours_suspendus) == (d(15, 7, 2027), 0)
    assert parcours.date_limite(niort) == d(15, 1, 2029)
    assert not SuspensionMesure.objects.exists()


def test_the_rules_refuse_overlaps_and_dates_out_of_the_accompaniment(horloge_a, personas):
    niort = active()
    parcours = entre(personas, niort)
    horloge_a(d(1, 6, 2027))
    suspensions.enregistrer(personas.referent_a, parcours, motif="maladie", debut=d(1, 3, 2027), fin=d(31, 3, 2027))

    def refus(**kwargs):
        data = {"motif": "conges", "debut": d(1, 4, 2027), "fin": d(2, 4, 2027), **kwargs}
        with pytest.raises(SuspensionError) as error:
            suspensions.enregistrer(personas.referent_a, parcours, **data)
        return error.value.field, error.value.message

    assert refus(debut=d(31, 3, 2027)) == (
        "debut",
        "Ces dates chevauchent la suspension du 01/03/2027 au 31/03/2027.",
    )
    assert refus(debut=d(10, 1, 2027))[0] == "debut"  # before the entry
    assert "l'entrée en accompagnement du 15/01/2027" in refus(debut=d(10, 1, 2027))[1]
    assert refus(fin=d(5, 4, 2028))[1].startswith("Une suspension dure au plus 366 jours")
    assert refus(fin=d(20, 3, 2027))[0] == "fin"
    # A veille already stops the clock: no day of it may be suspended, its end day included.
    PeriodeVeille.objects.create(
        parcours=parcours, motif="raisons_familiales", debut=d(1, 5, 2027), fin_prevue=d(1, 7, 2027), fin=d(20, 5, 2027)
    )
    assert "chevauchent la veille du 01/05/2027 au 20/05/2027" in refus(debut=d(30, 4, 2027), fin=d(1, 5, 2027))[1]
    assert "chevauchent la veille du 01/05/2027 au 20/05/2027" in refus(debut=d(20, 5, 2027), fin=d(21, 5, 2027))[1]
    suspensions.enregistrer(personas.referent_a, parcours, motif="conges", debut=d(21, 5, 2027), fin=d(22, 5, 2027))
    suspensions.enregistrer(personas.referent_a, parcours, motif="conges", debut=d(29, 4, 2027), fin=d(30, 4, 2027))
    parcours.refresh_from_db()
    assert parcours.jours_suspendus == 31 + 2 + 2


def test_an_open_veille_refuses_any_later_suspension(horloge_a, personas):
    parcours = entre(personas, active())
    horloge_a(d(1, 6, 2027))
    PeriodeVeille.objects.create(parcours=parcours, motif="sante", debut=d(1, 5, 2027), fin_prevue=d(1, 8, 2027))
    Parcours.objects.filter(pk=parcours.pk).update(etat=Etat.VEILLE)
    parcours.refresh_from_db()
    with pytest.raises(SuspensionError, match="veille du 01/05/2027 en cours"):
        suspensions.enregistrer(personas.referent_a, parcours, motif="maladie", debut=d(1, 9, 2027), fin=d(2, 9, 2027))
    # Before the veille, in veille: recorded.
    suspensions.enregistrer(personas.referent_a, parcours, motif="maladie", debut=d(1, 2, 2027), fin=d(2, 2, 2027))


def test_a_stale_copy_and_a_parcours_whose_measure_does_not_run_are_refused(horloge_a, personas):
    niort = active()
    parcours = entre(personas, niort)
    copie = Parcours.objects.get(pk=parcours.pk)
    horloge_a(d(1, 6, 2027))
    suspensions.enregistrer(personas.referent_a, parcours, motif="conges", debut=d(1, 3, 2027), fin=d(2, 3, 2027))
    with pytest.raises(SuspensionError, match="modifié par quelqu'un d'autre"):
        suspensions.enregistrer(personas.referent_a, copie, motif="conges", debut=d(1, 4, 2027), fin=d(2, 4, 2027))
    oriente = ParcoursFactory(etat=Etat.ORIENTE, referent=personas.referent_a)
    with pytest.raises(SuspensionError, match="pendant l'accompagnement ou la veille"):
        suspensions.enregistrer(personas.referent_a, oriente, motif="conges", debut=d(1, 4, 2027), fin=d(2, 4, 2027))
    # A suspension changed meanwhile: the second edit is refused.
    suspension = parcours.suspensions.get()
    vieille = SuspensionMesure.objects.get(pk=suspension.pk)
    horloge_a(d(2, 6, 2027))
    suspensions.modifier(personas.referent_a, suspension, motif="conges", debut=d(1, 3, 2027), fin=d(3, 3, 2027))
    parcours.refresh_from_db()
    vieille.parcours = parcours
    with pytest.raises(SuspensionError, match="Cette suspension vient d'être modifiée"):
        suspensions.modifier(personas.referent_a, vieille, motif="maladie", debut=d(1, 3, 2027), fin=d(9, 3, 2027))
    parcours.refresh_from_db()
    assert parcours.jours_suspendus == 3


def test_the_database_refuses_two_overlapping_suspensions(horloge_a, personas):
    """The exclusion constraint (migration 0021), whatever code writes."""
    from django.db import IntegrityError, transaction

    parcours = entre(personas, active())
    SuspensionMesureFactory(parcours=parcours, debut=d(1, 3, 2027), fin=d(10, 3, 2027))
    with pytest.raises((IntegrityError, ValidationError)), transaction.atomic():
        SuspensionMesureFactory(parcours=parcours, debut=d(10, 3, 2027), fin=d(12, 3, 2027))


# --- Caen: no measure, no cap --------------------------------------------------------------------


def test_caen_has_no_measure_no_cap_and_no_renewal(horloge_a, personas, caen):
    parcours = entre(personas, caen)
    assert (parcours.date_debut_mesure, parcours.date_fin_mesure) == (None, None)
    assert parcours.date_limite(caen) is None
    with pytest.raises(TransitionError, match="ne découpe pas"):
        parcours.renouveler(personas.coordination, referentiel=caen)
    horloge_a(d(1, 6, 2027))
    assert alertes.alertes(parcours, caen, contrat_visible=False, today=d(1, 6, 2027)) == []


# --- the alerts ----------------------------------------------------------------------------------


def accompagne(personas, entree, fin_mesure, **kwargs):
    parcours = ParcoursFactory(
        etat=Etat.ACCOMPAGNEMENT,
        referent=personas.referent_a,
        start=entree - datetime.timedelta(days=14),
        date_entree=entree,
        date_premier_rdv=entree,
        date_debut_mesure=entree,
        date_fin_mesure=fin_mesure,
        **kwargs,
    )
    return Parcours.objects.annotate(**horloge.annotations()).get(pk=parcours.pk)


def renouvellement_demande(parcours):
    """A request to renew the measure, waiting for its decision (its bilan covering the measure)."""
    return DemandeFactory(
        parcours=parcours,
        type="renouvellement_mesure",
        motif_veille="",
        debut=None,
        fin_prevue=None,
        periode_debut=parcours.date_entree,
        periode_fin=parcours.date_fin_mesure,
    )


def codes(parcours, referentiel, today, veilles=()):
    found = alertes.alertes(parcours, referentiel, veilles=veilles, contrat_visible=False, today=today)
    return [(a.code, a.urgente, a.titre) for a in found]


def test_the_end_of_measure_warning_reads_the_referentiel(horloge_a, personas):
    niort = active()
    today = horloge_a(d(1, 6, 2027))
    parcours = accompagne(personas, ENTREE, d(15, 7, 2027))  # in 44 days
    assert [c for c in codes(parcours, niort, today) if c[0] == "fin_de_mesure"] == []
    niort.alerte_fin_mesure_jours = 45
    assert [c[:2] for c in codes(parcours, niort, today) if c[0] == "fin_de_mesure"] == [("fin_de_mesure", False)]


def test_a_measure_past_its_end_is_urgent_unless_a_renewal_waits(horloge_a, personas):
    niort = active()
    today = horloge_a(d(20, 7, 2027))
    parcours = accompagne(personas, ENTREE, d(15, 7, 2027))
    [echue] = [c for c in codes(parcours, niort, today) if c[0].startswith("mesure_echue")]
    assert echue == ("mesure_echue", True, "Mesure échue le 15/07/2027 sans demande de renouvellement")
    renouvellement_demande(parcours)
    parcours = Parcours.objects.annotate(**horloge.annotations()).get(pk=parcours.pk)
    [echue] = [c for c in codes(parcours, niort, today) if c[0].startswith("mesure_echue")]
    assert echue[:2] == ("mesure_echue_demandee", False)


def test_the_maximum_length_is_alerted_ahead_then_urgent(horloge_a, personas):
    niort = active()
    parcours = accompagne(personas, ENTREE, d(15, 1, 2029))
    today = horloge_a(d(1, 1, 2029))
    [cap] = [c for c in codes(parcours, niort, today) if c[0].startswith("duree_max")]
    assert cap == ("duree_max_proche", False, "Durée maximale du parcours atteinte le 15/01/2029, dans 14 jours")
    # Twenty-one days of veille (its last day included) push it later, beyond the warning's reach; a
    # longer warning sees it.
    veille = PeriodeVeille(debut=d(1, 3, 2027), fin=d(21, 3, 2027), motif="sante", fin_prevue=d(1, 4, 2027))
    assert [c for c in codes(parcours, niort, today, [veille]) if c[0].startswith("duree_max")] == []
    niort.alerte_fin_mesure_jours = 40
    [cap] = [c for c in codes(parcours, niort, today, [veille]) if c[0].startswith("duree_max")]
    assert cap[2] == "Durée maximale du parcours atteinte le 05/02/2029, dans 35 jours"
    today = horloge_a(d(16, 1, 2029))
    [cap] = [c for c in codes(parcours, niort, today) if c[0].startswith("duree_max")]
    assert cap == ("duree_max_atteinte", True, "Durée maximale du parcours atteinte le 15/01/2029")


def test_the_cap_computed_in_sql_is_the_cap_computed_in_python(horloge_a, personas):
    """The homes and the review sort and count by ``horloge.limite_sql``; the dossier shows
    ``Parcours.date_limite``: the same date, whatever the entry's day, veilles and suspensions."""
    horloge_a(d(20, 7, 2027))
    niort = active()
    cas = []
    for entree in [d(31, 1, 2026), d(29, 2, 2024), d(31, 8, 2025), d(15, 3, 2026), d(30, 11, 2025)]:
        cas.append(accompagne(personas, entree, d(1, 1, 2028), jours_suspendus=len(cas) * 7))
    closed, open_, future, ending_later = cas[1], cas[2], cas[3], cas[4]
    PeriodeVeille.objects.create(
        parcours=closed, motif="sante", debut=d(1, 3, 2027), fin_prevue=d(1, 4, 2027), fin=d(10, 3, 2027)
    )
    PeriodeVeille.objects.create(
        parcours=closed, motif="sante", debut=d(1, 5, 2027), fin_prevue=d(1, 6, 2027), fin=d(2, 5, 2027)
    )
    PeriodeVeille.objects.create(parcours=open_, motif="sante", debut=d(1, 7, 2027), fin_prevue=d(1, 9, 2027))
    PeriodeVeille.objects.create(parcours=future, motif="sante", debut=d(1, 8, 2027), fin_prevue=d(1, 9, 2027))
    PeriodeVeille.objects.create(
        parcours=ending_later, motif="sante", debut=d(1, 7, 2027), fin_prevue=d(1, 9, 2027), fin=d(1, 9, 2027)
    )
    en_sql = dict(
        Parcours.objects.filter(pk__in=[p.pk for p in cas])
        .annotate(limite=horloge.limite_sql(niort, d(20, 7, 2027)))
        .values_list("pk", "limite")
    )
    en_python = {p.pk: Parcours.objects.get(pk=p.pk).date_limite(niort) for p in cas}
    assert en_sql == en_python
    assert en_python[cas[0].pk] == d(31, 1, 2028)  # 24 months
    # 29/02/2024 + 24 months is 28/02/2026; then 7 days suspended, 10 + 2 days of veille.
    assert en_python[closed.pk] == d(19, 3, 2026)
    assert en_python[open_.pk] == d(31, 8, 2027) + datetime.timedelta(days=14 + 20)  # 01/07 to today: 20 days


# --- the homes -----------------------------------------------------------------------------------


def test_the_referent_home_lists_the_measures_to_renew_most_urgent_first(horloge_a, personas, client_for):
    horloge_a(d(20, 7, 2027))
    echue = accompagne(personas, ENTREE, d(15, 7, 2027), participant=ParticipantFactory(nom_usage="Échue"))
    bientot = accompagne(personas, ENTREE, d(1, 8, 2027), participant=ParticipantFactory(nom_usage="Bientôt"))
    demandee = accompagne(personas, ENTREE, d(10, 7, 2027), participant=ParticipantFactory(nom_usage="Demandée"))
    renouvellement_demande(demandee)
    accompagne(personas, ENTREE, d(15, 1, 2028), participant=ParticipantFactory(nom_usage="Tranquille"))
    # 24 months on 31/07/2027, a day before « Bientôt »'s measure ends.
    cap = accompagne(personas, d(31, 7, 2025), d(1, 2, 2028), participant=ParticipantFactory(nom_usage="Plafond"))
    response = client_for(personas.referent_a).get("/")
    rows = response.context["mesures"]
    assert [r.parcours.pk for r in rows] == [echue.pk, demandee.pk, cap.pk, bientot.pk]
    assert [r.renouvellement_demande for r in rows] == [False, True, False, False]
    content = unescape(response.content.decode())
    assert "Mesures à renouveler" in content
    assert "Tranquille" not in content
    assert "demandé, en attente de décision" in content


def test_the_coordination_home_counts_the_measures_passed_without_request(horloge_a, personas, client_for):
    horloge_a(d(20, 7, 2027))
    accompagne(personas, ENTREE, d(15, 7, 2027))
    accompagne(personas, ENTREE, d(16, 7, 2027))
    accompagne(personas, d(1, 8, 2025), d(1, 2, 2028))
    content = unescape(client_for(personas.coordination).get("/").content.decode())
    assert "Mesures échues sans demande de renouvellement : 2 · durées maximales proches ou atteintes : 1" in content


def test_no_measure_section_in_caen(horloge_a, personas, client_for, caen):
    horloge_a(d(20, 7, 2027))
    accompagne(personas, ENTREE, d(15, 7, 2027))
    for who in ("coordination", "referent_a"):
        response = client_for(getattr(personas, who)).get("/")
        assert response.context["mesures"] == []


@pytest.mark.parametrize("who", ["referent_a", "coordination"])
def test_the_homes_measure_queries_do_not_grow(horloge_a, personas, client_for, who):
    """One parcours to renew, then 30 (some in veille, some with a renewal asked): the same queries."""
    horloge_a(d(20, 7, 2027))
    client = client_for(getattr(personas, who))

    def grow(n):
        for i in range(n):
            parcours = accompagne(personas, d(1, 8, 2025) if i % 2 else ENTREE, d(10, 7, 2027) + datetime.timedelta(i))
            if i % 3 == 0:
                renouvellement_demande(parcours)
            if i % 4 == 0:
                PeriodeVeille.objects.create(
                    parcours=parcours, motif="sante", debut=d(1, 3, 2027), fin_prevue=d(1, 4, 2027), fin=d(10, 3, 2027)
                )

    grow(1)
    client.get("/")
    small, small_response = count_queries(client, "/")
    grow(29)
    large, large_response = count_queries(client, "/")
    assert len(small_response.context["mesures"]) == 1
    assert len(large_response.context["mesures"]) > 1
    assert len(large) <= CEILING, "\n".join(large)
    assert len(large) == len(small), f"{len(small)} then {len(large)}:\n" + "\n".join(large)


# --- the dossier's « Mesure » card ---------------------------------------------------------------


def test_the_card_shows_the_clock_and_hides_the_health_motive_to_others(horloge_a, personas, client_for):
    niort = active()
    parcours = entre(personas, niort, prescripteur=personas.prescripteur)
    horloge_a(d(2, 4, 2027))
    suspensions.enregistrer(
        personas.referent_a, parcours, motif="hospitalisation", debut=d(1, 3, 2027), fin=d(31, 3, 2027)
    )
    # The référent away: Monday 5 to Sunday 11 April 2027, 5 working days, counted, not deducted.
    AbsenceReferent.objects.create(
        referent=personas.referent_a, debut=d(5, 4, 2027), fin=d(11, 4, 2027), nature="conge"
    )
    url = f"/parcours/{parcours.pk}/"
    content = unescape(client_for(personas.referent_a).get(url).content.decode())
    assert 'id="mesure"' in content
    assert "du 15/01/2027 au 15/08/2027" in content
    assert "jusqu'au 15/02/2029" in content
    assert "31 jours (reportés" in content
    assert "Du 01/03/2027 au 31/03/2027 (31 jours), Hospitalisation" in content
    assert "Absences du référent pendant la mesure" in content and "5 jours ouvrés" in content
    assert "Saisir une suspension" in content
    autre = unescape(client_for(personas.prescripteur).get(url).content.decode())
    assert "Du 01/03/2027 au 31/03/2027 (31 jours), motif réservé au référent et à la coordination" in autre
    assert "Hospitalisation" not in autre
    assert "Saisir une suspension" not in autre and "Absences du référent" not in autre


def test_the_card_is_absent_in_caen(horloge_a, personas, client_for, caen):
    parcours = entre(personas, caen)
    response = client_for(personas.referent_a).get(f"/parcours/{parcours.pk}/")
    assert response.context["mesure"] is None
    assert 'id="mesure"' not in response.content.decode()


def test_the_dossier_alert_reads_the_waiting_renewal_request(horloge_a, personas, client_for):
    horloge_a(d(20, 7, 2027))
    parcours = accompagne(personas, ENTREE, d(15, 7, 2027))
    client = client_for(personas.referent_a)
    url = f"/parcours/{parcours.pk}/"
    content = unescape(client.get(url).content.decode())
    assert "Mesure échue le 15/07/2027 sans demande de renouvellement" in content
    assert 'href="#mesure"' in content
    renouvellement_demande(parcours)
    response = client.get(url)
    content = unescape(response.content.decode())
    assert "Mesure échue le 15/07/2027 : renouvellement demandé" in content
    assert "sans demande de renouvellement" not in content
    assert response.context["mesure"].renouvellement_demande


def test_the_superuser_sees_the_review_and_may_record_suspensions(horloge_a, personas):
    from plie import permissions
    from tests.factories import UserFactory

    admin = UserFactory(is_superuser=True, is_staff=True, role="", structure=None)
    assert permissions.can_view_revue_parcours(admin)
    assert permissions.can_record_suspension(admin, personas.parcours)
