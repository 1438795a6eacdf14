"""The rhythm of the accompaniment under both référentiels, time frozen: due dates and compliance."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from parcours import rythme
from parcours.models import Etat, Modalite, MotifVeille, PeriodeVeille, StatutRendezVous
from plie.referentiel.services import load_preset
from tests.factories import ParcoursFactory, RendezVousFactory, TentativeContactFactory

ENTREE = datetime.date(2026, 1, 5)
PARIS = ZoneInfo("Europe/Paris")


def d(month, day):
    return datetime.date(2026, month, day)


@pytest.fixture
def today(time_machine):
    def move(date):
        time_machine.move_to(datetime.datetime.combine(date, datetime.time(18, 0), tzinfo=PARIS))
        return date

    return move


@pytest.fixture
def parcours(db):
    return ParcoursFactory(
        etat=Etat.ACCOMPAGNEMENT,
        start=ENTREE - datetime.timedelta(days=14),
        date_entree=ENTREE,
        date_premier_rdv=ENTREE,
    )


def rdv(parcours, date, modalite=Modalite.PRESENTIEL, statut=StatutRendezVous.HONORE):
    debut = timezone.make_aware(datetime.datetime.combine(date, datetime.time(10, 0)), PARIS)
    closed = statut != StatutRendezVous.PREVU
    return RendezVousFactory(
        parcours=parcours,
        objet="entretien",
        debut=debut,
        duree_reelle_minutes=60 if statut == StatutRendezVous.HONORE else None,
        cloture_le=debut + datetime.timedelta(hours=1) if closed else None,
        modalite=modalite,
        lieu=None,
        lieu_precision="Au CCAS" if modalite == Modalite.PRESENTIEL else "",
        statut=statut,
    )


def due(parcours, referentiel, **kwargs):
    parcours.refresh_from_db()
    return rythme.echeance(parcours, referentiel, **kwargs)


# --- Niort: every 15 days for 3 months, then monthly ---------------------------------------------


def test_niort_first_months_every_15_days_from_the_entry(parcours, today):
    niort = load_preset("niort", activate=True)
    today(d(1, 15))
    echeance = due(parcours, niort)
    assert (echeance.depuis, echeance.date, echeance.jours_restants, echeance.face_a_face) == (
        ENTREE,
        d(1, 20),
        5,
        True,
    )
    assert echeance.libelle == "prochain entretien en face à face avant le 20/01/2026"
    assert echeance.bientot and not echeance.en_retard


def test_niort_a_held_face_to_face_meeting_restarts_the_count(parcours, today):
    niort = load_preset("niort", activate=True)
    rdv(parcours, d(3, 20))
    today(d(3, 25))
    assert due(parcours, niort).date == d(4, 4)  # 2 months in: still 15 days


def test_niort_after_three_months_monthly(parcours, today):
    niort = load_preset("niort", activate=True)
    rdv(parcours, d(4, 10))
    today(d(4, 12))
    assert due(parcours, niort).date == d(5, 10)


@pytest.mark.parametrize(
    ("modalite", "statut"),
    [
        (Modalite.TELEPHONE, StatutRendezVous.HONORE),
        (Modalite.VISIO, StatutRendezVous.HONORE),
        (Modalite.PRESENTIEL, StatutRendezVous.ABSENT),
        (Modalite.PRESENTIEL, StatutRendezVous.PREVU),
        (Modalite.PRESENTIEL, StatutRendezVous.ANNULE),
    ],
)
def test_niort_only_a_held_face_to_face_meeting_counts(parcours, today, modalite, statut):
    niort = load_preset("niort", activate=True)
    rdv(parcours, d(1, 12), modalite=modalite, statut=statut)
    TentativeContactFactory(parcours=parcours, abouti=True, date=timezone.make_aware(datetime.datetime(2026, 1, 13, 9)))
    today(d(1, 25))
    echeance = due(parcours, niort)
    assert (echeance.depuis, echeance.date) == (ENTREE, d(1, 20))
    assert echeance.en_retard and echeance.jours_restants == -5
    assert echeance.libelle.endswith("en retard de 5 jours")


def test_niort_a_veille_in_the_middle_moves_the_due_date_by_its_length(parcours, today):
    niort = load_preset("niort", activate=True)
    rdv(parcours, d(2, 1))
    PeriodeVeille.objects.create(
        parcours=parcours, motif=MotifVeille.SANTE, debut=d(2, 5), fin_prevue=d(2, 20), fin=d(2, 14)
    )
    today(d(2, 20))
    assert due(parcours, niort).date == d(2, 26)  # 16/02 + the 10 days of veille


def test_during_a_veille_the_rhythm_is_suspended(parcours, today):
    niort = load_preset("niort", activate=True)
    rdv(parcours, d(2, 1))
    type(parcours).objects.filter(pk=parcours.pk).update(etat=Etat.VEILLE)
    PeriodeVeille.objects.create(parcours=parcours, motif=MotifVeille.SANTE, debut=d(2, 5), fin_prevue=d(4, 1))
    today(d(3, 1))
    echeance = due(parcours, niort)
    assert echeance.en_veille and not echeance.en_retard and echeance.date > d(3, 1)
    assert echeance.libelle.endswith("rythme suspendu pendant la veille")


@pytest.mark.parametrize("etat", [Etat.ORIENTE, Etat.ACCUEIL, Etat.SORTI, Etat.ANNULE])
def test_no_due_date_before_the_entry_or_after_the_exit(db, etat):
    assert rythme.echeance(ParcoursFactory(etat=etat), load_preset("niort", activate=True)) is None


# --- Caen: monthly face to face, or monthly by any means during an étape --------------------------


def test_caen_accompagnement_seul_monthly_face_to_face(parcours, today):
    caen = load_preset("caen", activate=True)
    rdv(parcours, d(1, 10))
    TentativeContactFactory(parcours=parcours, abouti=True, date=timezone.make_aware(datetime.datetime(2026, 1, 20, 9)))
    today(d(1, 22))
    echeance = due(parcours, caen)
    assert (echeance.date, echeance.face_a_face) == (d(2, 9), True)


def test_caen_in_an_etape_a_contact_by_any_means_counts(parcours, today):
    caen = load_preset("caen", activate=True)
    rdv(parcours, d(1, 10))
    TentativeContactFactory(parcours=parcours, abouti=True, date=timezone.make_aware(datetime.datetime(2026, 1, 20, 9)))
    TentativeContactFactory(
        parcours=parcours, abouti=False, date=timezone.make_aware(datetime.datetime(2026, 1, 21, 9))
    )
    rdv(parcours, d(1, 21), modalite=Modalite.TELEPHONE, statut=StatutRendezVous.ABSENT)
    today(d(1, 22))
    echeance = due(parcours, caen, en_etape=True)
    assert (echeance.date, echeance.face_a_face) == (d(2, 19), False)
    assert echeance.libelle == "prochain contact (tout moyen) avant le 19/02/2026"


def test_niort_keeps_face_to_face_during_an_etape(parcours, today):
    niort = load_preset("niort", activate=True)
    TentativeContactFactory(parcours=parcours, abouti=True, date=timezone.make_aware(datetime.datetime(2026, 1, 12, 9)))
    today(d(1, 13))
    assert due(parcours, niort, en_etape=True).date == d(1, 20)


# --- compliance over a period --------------------------------------------------------------------


def test_compliance_counts_the_overdue_days_and_the_gaps(parcours, today):
    niort = load_preset("niort", activate=True)
    rdv(parcours, d(1, 25))  # due on 20/01: 21 to 24 overdue
    today(d(2, 1))
    parcours.refresh_from_db()
    result = rythme.conformite(parcours, niort, d(1, 1), d(1, 31))
    assert (result.jours, result.jours_conformes, result.retards) == (27, 23, [(d(1, 21), d(1, 24))])
    assert not result.sans_retard


def test_compliance_leaves_veille_days_out(parcours, today):
    niort = load_preset("niort", activate=True)
    PeriodeVeille.objects.create(
        parcours=parcours, motif=MotifVeille.SANTE, debut=d(1, 10), fin_prevue=d(2, 1), fin=d(1, 31)
    )
    today(d(2, 1))
    parcours.refresh_from_db()
    result = rythme.conformite(parcours, niort, d(1, 1), d(1, 31))
    assert (result.jours, result.jours_conformes, result.sans_retard) == (5, 5, True)


def test_the_rates_of_a_referent_or_the_plie(parcours, today):
    niort = load_preset("niort", activate=True)
    ponctuel = ParcoursFactory(
        etat=Etat.ACCOMPAGNEMENT,
        date_entree=ENTREE,
        date_premier_rdv=ENTREE,
        start=d(1, 1) - datetime.timedelta(days=20),
    )
    for day in (5, 18):
        rdv(ponctuel, d(1, day))
    rdv(parcours, d(1, 25))
    today(d(2, 1))
    results = [rythme.conformite(p, niort, d(1, 1), d(1, 31)) for p in (parcours, ponctuel)]
    jours, parcours_sans_retard = rythme.taux_conformite(results)
    assert jours == pytest.approx((23 + 27) / 54)
    assert parcours_sans_retard == 0.5
    assert rythme.taux_conformite([]) == (None, None)


def test_the_dossier_shows_the_due_date_to_the_referent_only(named, client_for, today):
    today(datetime.date.today())
    from tests.html import page

    parcours = named.parcours
    expected = rythme.echeance(parcours, load_preset("niort", activate=True)).libelle
    assert expected.startswith("prochain entretien en face à face")
    assert expected[1:] in page(client_for(named.referent_a), f"/parcours/{parcours.pk}/")
    assert "prochain entretien" not in page(client_for(named.prescripteur), f"/parcours/{parcours.pk}/")


# --- the référent's home reads the latest rows only (rythme.lire_derniers) -------------------------------


@pytest.mark.parametrize("preset", ["niort", "caen"])
@pytest.mark.parametrize("en_etape", [False, True])
def test_the_latest_rows_read_by_the_home_give_the_due_date_of_the_whole_history(parcours, today, preset, en_etape):
    """The home reads, per parcours, the latest held appointment of each modality, the appointments
    fixed ahead and the latest reached contact; the due date and the next appointment are those the
    whole history gives."""
    from parcours import alertes

    referentiel = load_preset(preset)
    today(d(3, 20))
    for date, modalite, statut in [
        (d(1, 20), Modalite.PRESENTIEL, StatutRendezVous.HONORE),
        (d(2, 10), Modalite.PRESENTIEL, StatutRendezVous.HONORE),
        (d(3, 1), Modalite.TELEPHONE, StatutRendezVous.HONORE),
        (d(3, 5), Modalite.PRESENTIEL, StatutRendezVous.ABSENT),
        (d(3, 20), Modalite.TELEPHONE, StatutRendezVous.HONORE),  # today, held this morning
        (d(3, 25), Modalite.TELEPHONE, StatutRendezVous.PREVU),
        (d(3, 28), Modalite.PRESENTIEL, StatutRendezVous.PREVU),
        (d(3, 2), Modalite.PRESENTIEL, StatutRendezVous.PREVU),  # fixed in the past, never closed
    ]:
        rdv(parcours, date, modalite, statut)
    for date, abouti in [(d(2, 20), True), (d(3, 12), True), (d(3, 15), False)]:
        TentativeContactFactory(
            parcours=parcours,
            date=timezone.make_aware(datetime.datetime.combine(date, datetime.time(9)), PARIS),
            abouti=abouti,
        )
    tout = due(parcours, referentiel, en_etape=en_etape)
    lu = rythme.lire_derniers([parcours.pk], ateliers=referentiel.ateliers_comptent_dans_rythme)[parcours.pk]
    assert len(lu.rendez_vous) == 4 and len(lu.contacts) == 1  # présentiel, téléphone, and the two ahead
    lecture = rythme.echeance(
        parcours, referentiel, en_etape=en_etape, rendez_vous=lu.rendez_vous, contacts=lu.contacts, veilles=lu.veilles
    )
    assert lecture == tout
    tous = list(parcours.rendez_vous.all())
    assert alertes.prochain_fixe(lecture, lu.rendez_vous).debut == alertes.prochain_fixe(tout, tous).debut
