"""Ateliers collectifs, the rules: a series and its dates, the binôme, the invitations' scope and the
capacity, a session moved, cancelled, held, its attendance and its locked émargement; and what the
attendance feeds: the journal, the absences' run toward the cellule, the rhythm, the référent's frequency.

Time is frozen on Tuesday 10 March 2026, 10:00 in Paris.
"""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone

from parcours import absences, ateliers, journal, rythme
from parcours.ateliers import LignePresence
from parcours.models import (
    AtelierError,
    Etat,
    InscriptionAtelier,
    Periodicite,
    PresenceAtelier,
    SeanceAtelier,
    StatutPresence,
    StatutSeance,
    TransitionSeance,
)
from plie.accounts.models import Role
from tests.factories import (
    AtelierFactory,
    EntretienFactory,
    InscriptionAtelierFactory,
    ParcoursFactory,
    PresenceAtelierFactory,
    ReferentFactory,
    SeanceAtelierFactory,
    UserFactory,
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOW = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=PARIS)
P = StatutPresence


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW)


def d(month, day, year=2026):
    return datetime.date(year, month, day)


def serie(by, animateur=None, **kwargs):
    values = {
        "theme": "Préparer un entretien d'embauche",
        "animateur": animateur or by,
        "capacite": 8,
        "premiere_date": d(3, 13),  # a Friday
        "heure_debut": datetime.time(9, 30),
        "heure_fin": datetime.time(12, 0),
        "periodicite": Periodicite.HEBDOMADAIRE,
        "nombre_seances": 8,
        "lieu_precision": "Salle collective",
        **kwargs,
    }
    return ateliers.creer_serie(by, **values)


def seances(atelier):
    return list(atelier.seances.order_by("numero"))


# --- the series -------------------------------------------------------------------------------------


def test_a_weekly_series_makes_its_sessions_every_friday_at_its_slot_each_logged(personas):
    atelier = serie(personas.referent_a)
    rows = seances(atelier)
    assert [timezone.localtime(s.debut).date() for s in rows] == [
        d(3, 13) + datetime.timedelta(weeks=i) for i in range(8)
    ]
    assert {(timezone.localtime(s.debut).time(), timezone.localtime(s.fin).time()) for s in rows} == {
        (datetime.time(9, 30), datetime.time(12, 0))
    }
    # Across the change to summer time (29 March) the slot stays 9:30 in Paris.
    assert timezone.localtime(rows[3].debut).hour == 9
    assert [s.numero for s in rows] == list(range(1, 9))
    assert {s.statut for s in rows} == {StatutSeance.PREVUE}
    assert TransitionSeance.objects.filter(seance__atelier=atelier, transition="planifier").count() == 8
    assert rows[0].duree_minutes == 150


@pytest.mark.parametrize(
    ("periodicite", "nombre", "expected"),
    [
        (Periodicite.UNIQUE, 5, [d(3, 13)]),
        (Periodicite.QUINZAINE, 3, [d(3, 13), d(3, 27), d(4, 10)]),
        # The 2nd Friday of each month.
        (Periodicite.MENSUELLE, 4, [d(3, 13), d(4, 10), d(5, 8), d(6, 12)]),
    ],
)
def test_the_series_dates(periodicite, nombre, expected):
    assert ateliers.dates_de_la_serie(d(3, 13), periodicite, nombre) == expected


def test_a_monthly_series_on_a_fifth_weekday_falls_on_the_months_last():
    # Friday 30 January 2026 is the 5th: February has four Fridays, the last on the 27th.
    assert ateliers.dates_de_la_serie(d(1, 30), Periodicite.MENSUELLE, 3) == [d(1, 30), d(2, 27), d(3, 27)]


def test_a_binome_of_two_operateurs(personas):
    ailleurs = ReferentFactory()  # another opérateur
    atelier = serie(personas.referent_a, co_animateur=ailleurs)
    assert atelier.animateur_ids == {personas.referent_a.pk, ailleurs.pk}
    assert ailleurs.structure_id != personas.referent_a.structure_id


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"co_animateur": "self"}, "co_animateur"),
        ({"co_animateur": "inactive"}, "co_animateur"),
        ({"co_animateur": "coordination"}, "co_animateur"),
        ({"capacite": 0}, "capacite"),
        ({"capacite": 51}, "capacite"),
        ({"heure_fin": datetime.time(9, 0)}, "heure_fin"),
        ({"nombre_seances": 53}, "nombre_seances"),
        ({"nombre_seances": 1}, "nombre_seances"),
        ({"lieu_precision": ""}, "lieu"),
        ({"theme": "  "}, "theme"),
        ({"premiere_date": d(6, 1, 2027)}, "premiere_date"),
    ],
)
def test_a_series_refused_names_its_field_and_saves_nothing(personas, change, field):
    values = dict(change)
    if values.get("co_animateur") == "self":
        values["co_animateur"] = personas.referent_a
    elif values.get("co_animateur") == "inactive":
        inactive = ReferentFactory()
        inactive.referent_profile.actif = False
        inactive.referent_profile.date_vacance = d(3, 1)
        inactive.referent_profile.save()
        values["co_animateur"] = inactive
    elif values.get("co_animateur") == "coordination":
        values["co_animateur"] = personas.coordination
    with pytest.raises(AtelierError) as error:
        serie(personas.referent_a, **values)
    assert error.value.field == field
    assert not SeanceAtelier.objects.exists()


def test_a_referent_runs_the_ateliers_they_create_the_coordination_names_anyone(personas):
    with pytest.raises(AtelierError) as error:
        serie(personas.referent_a, animateur=personas.referent_b)
    assert error.value.field == "animateur"
    assert serie(personas.referent_a, animateur=personas.referent_b, co_animateur=personas.referent_a)
    assert serie(personas.coordination, animateur=personas.referent_b).animateur == personas.referent_b


# --- the invitations -------------------------------------------------------------------------------------


def test_a_referent_invites_only_open_parcours_of_the_animateurs_portfolios(personas):
    ailleurs = ReferentFactory()
    atelier = serie(personas.referent_a, co_animateur=ailleurs)
    mien = personas.parcours
    du_binome = ParcoursFactory(etat=Etat.ACCUEIL, referent=ailleurs)
    d_un_autre = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=personas.referent_b)
    sorti = ParcoursFactory(etat=Etat.SORTI, referent=personas.referent_a)
    assert set(ateliers.parcours_invitables(atelier, personas.referent_a)) == {mien, du_binome}
    with pytest.raises(AtelierError) as error:
        ateliers.inviter(atelier, personas.referent_a, [mien, d_un_autre])
    assert error.value.field == "parcours"
    with pytest.raises(AtelierError):
        ateliers.inviter(atelier, personas.referent_a, [sorti])
    assert not InscriptionAtelier.objects.exists()
    ateliers.inviter(atelier, personas.referent_a, [mien, du_binome])
    assert set(atelier.inscriptions.values_list("parcours", flat=True)) == {mien.pk, du_binome.pk}
    # Invited twice: refused.
    with pytest.raises(AtelierError):
        ateliers.inviter(atelier, personas.referent_a, [mien])


def test_the_coordination_invites_any_open_parcours(personas):
    atelier = serie(personas.referent_a)
    d_un_autre = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=personas.referent_b)
    ateliers.inviter(atelier, personas.coordination, [d_un_autre])
    assert atelier.inscriptions.get().invite_par == personas.coordination


def test_a_colleague_who_does_not_animate_invites_nobody(personas):
    atelier = serie(personas.referent_a)
    with pytest.raises(AtelierError):
        ateliers.inviter(atelier, personas.referent_b, [ParcoursFactory(referent=personas.referent_b)])


def test_the_capacity_is_enforced_in_french(personas):
    atelier = serie(personas.referent_a, capacite=2)
    parcours = [ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=personas.referent_a) for _ in range(3)]
    with pytest.raises(AtelierError) as error:
        ateliers.inviter(atelier, personas.referent_a, parcours)
    assert "2 places" in error.value.message and "vous en demandez 3" in error.value.message
    ateliers.inviter(atelier, personas.referent_a, parcours[:2])
    with pytest.raises(AtelierError) as error:
        ateliers.inviter(atelier, personas.referent_a, parcours[2:])
    assert "plus aucune place" in error.value.message
    assert atelier.inscriptions.count() == 2


def test_uninviting_is_refused_once_an_attendance_is_noted(personas):
    atelier = AtelierFactory(animateur=personas.referent_a, premiere_date=d(3, 9))
    inscription = InscriptionAtelierFactory(atelier=atelier, parcours=personas.parcours)
    autre = InscriptionAtelierFactory(
        atelier=atelier, parcours=ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=personas.referent_a)
    )
    PresenceAtelierFactory(seance=SeanceAtelierFactory(atelier=atelier, tenue=True), parcours=personas.parcours)
    with pytest.raises(AtelierError):
        ateliers.desinviter(inscription, personas.referent_a)
    ateliers.desinviter(autre, personas.referent_a)
    assert list(atelier.inscriptions.all()) == [inscription]


# --- a session ---------------------------------------------------------------------------------------


@pytest.fixture
def atelier(personas):
    """Référent A's weekly atelier that started last Friday (6 March), three people invited."""
    atelier = serie(personas.referent_a, premiere_date=d(3, 6), nombre_seances=4)
    invites = [personas.parcours] + [
        ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=personas.referent_a) for _ in range(2)
    ]
    ateliers.inviter(atelier, personas.referent_a, invites)
    atelier.invites = invites
    return atelier


def premiere(atelier):
    return atelier.seances.get(numero=1)


def tous_presents(atelier, **durees):
    return [LignePresence(p.pk, P.PRESENT, durees.get(str(p.pk))) for p in atelier.invites]


def test_a_session_moves_on_its_own_and_a_stale_copy_is_refused(personas, atelier):
    seance = atelier.seances.get(numero=3)
    copie = SeanceAtelier.objects.get(pk=seance.pk)
    nouveau = timezone.make_aware(datetime.datetime(2026, 3, 23, 14, 0))
    ateliers.modifier_seance(
        seance,
        personas.referent_a,
        debut=nouveau,
        fin=nouveau + datetime.timedelta(hours=2),
        lieu_precision="Médiathèque",
    )
    seance.refresh_from_db()
    assert (seance.debut, seance.lieu_precision) == (nouveau, "Médiathèque")
    assert atelier.seances.get(numero=4).lieu_precision == "Salle collective"
    assert seance.transitions.filter(transition="modifier").exists()
    with pytest.raises(AtelierError) as error:
        ateliers.annuler_seance(copie, personas.referent_a, "Salle indisponible")
    assert "rechargez la page" in error.value.message


def test_a_cancellation_needs_its_motive(personas, atelier):
    seance = atelier.seances.get(numero=2)
    with pytest.raises(AtelierError) as error:
        ateliers.annuler_seance(seance, personas.referent_a, " ")
    assert error.value.field == "motif"
    with pytest.raises(AtelierError) as error:
        ateliers.annuler_seance(seance, personas.referent_a, "x" * 201)
    assert error.value.field == "motif"
    ateliers.annuler_seance(seance, personas.referent_a, "Animateur en formation")
    seance.refresh_from_db()
    assert (seance.statut, seance.motif_annulation) == (StatutSeance.ANNULEE, "Animateur en formation")
    log = seance.transitions.get(transition="annuler")
    assert (log.statut_avant, log.statut_apres, log.motif) == ("prevue", "annulee", "Animateur en formation")
    # Cancelled: no attendance, no move.
    with pytest.raises(AtelierError):
        ateliers.tenir(seance, personas.referent_a)


def test_the_attendance_of_a_held_session_then_its_lock(personas, atelier):
    seance = premiere(atelier)
    a, b, c = atelier.invites
    ateliers.noter_presences(
        seance,
        personas.referent_a,
        [
            LignePresence(a.pk, P.PRESENT),
            LignePresence(b.pk, P.PRESENT, 90),
            LignePresence(c.pk, P.ABSENT_JUSTIFIE, 30),
        ],
        contenu="Simulations d'entretien",
    )
    seance.refresh_from_db()
    assert (seance.statut, seance.contenu) == (StatutSeance.TENUE, "Simulations d'entretien")
    presences = {p.parcours_id: p for p in seance.presences.all()}
    assert (presences[a.pk].duree_minutes, presences[b.pk].duree_minutes, presences[c.pk].duree_minutes) == (
        150,
        90,
        None,
    )
    # Changed again before the lock: saved.
    ateliers.noter_presences(
        seance,
        personas.referent_a,
        [LignePresence(a.pk, P.PRESENT), LignePresence(b.pk, P.PRESENT), LignePresence(c.pk, P.ABSENT_INJUSTIFIE)],
    )
    assert seance.presences.get(parcours=c).statut == P.ABSENT_INJUSTIFIE
    seance.refresh_from_db()
    ateliers.clore_emargement(seance, personas.referent_a)
    seance.refresh_from_db()
    assert seance.emargement_clos and seance.emargement_clos_par == personas.referent_a
    with pytest.raises(AtelierError) as error:
        ateliers.noter_presences(seance, personas.referent_a, tous_presents(atelier))
    assert "clos" in error.value.message
    assert seance.presences.get(parcours=c).statut == P.ABSENT_INJUSTIFIE
    with pytest.raises(AtelierError):
        ateliers.clore_emargement(seance, personas.referent_a)


@pytest.mark.parametrize(
    ("lignes", "field"),
    [
        (lambda a, b, c: [LignePresence(a.pk, P.PRESENT), LignePresence(b.pk, P.PRESENT)], "statut_c"),
        (
            lambda a, b, c: [
                LignePresence(a.pk, P.PRESENT, 151),
                LignePresence(b.pk, P.PRESENT),
                LignePresence(c.pk, P.PRESENT),
            ],
            "duree_a",
        ),
        (
            lambda a, b, c: [
                LignePresence(a.pk, P.PRESENT, 0),
                LignePresence(b.pk, P.PRESENT),
                LignePresence(c.pk, P.PRESENT),
            ],
            "duree_a",
        ),
        (
            lambda a, b, c: [
                LignePresence(a.pk, "peut-etre"),
                LignePresence(b.pk, P.PRESENT),
                LignePresence(c.pk, P.PRESENT),
            ],
            "statut_a",
        ),
    ],
)
def test_bad_attendance_names_the_line_and_saves_nothing(personas, atelier, lignes, field):
    a, b, c = atelier.invites
    names = {"a": a.pk, "b": b.pk, "c": c.pk}
    with pytest.raises(AtelierError) as error:
        ateliers.noter_presences(premiere(atelier), personas.referent_a, lignes(a, b, c))
    kind, who = field.split("_")
    assert error.value.field == f"{kind}_{names[who]}"
    assert not PresenceAtelier.objects.exists()
    assert premiere(atelier).statut == StatutSeance.PREVUE


def test_a_session_to_come_is_not_held_nor_its_lock_before_every_line(personas, atelier):
    with pytest.raises(AtelierError) as error:
        ateliers.noter_presences(atelier.seances.get(numero=2), personas.referent_a, tous_presents(atelier))
    assert "avant d'avoir commencé" in error.value.message
    seance = premiere(atelier)
    ateliers.tenir(seance, personas.referent_a)
    seance.refresh_from_db()
    with pytest.raises(AtelierError) as error:
        ateliers.clore_emargement(seance, personas.referent_a)
    assert "chaque personne" in error.value.message


def test_only_the_animateurs_and_the_coordination_change_a_session(personas, atelier):
    seance = premiere(atelier)
    with pytest.raises(AtelierError):
        ateliers.noter_presences(seance, personas.referent_b, tous_presents(atelier))
    ateliers.noter_presences(seance, personas.coordination, tous_presents(atelier))
    assert seance.presences.count() == 3


# --- what the attendance feeds -----------------------------------------------------------------------


def test_the_attendance_is_in_the_journal_of_the_parcours_in_the_same_query(
    personas, atelier, django_assert_num_queries
):
    a, b, c = atelier.invites
    ateliers.noter_presences(
        premiere(atelier),
        personas.referent_a,
        [LignePresence(a.pk, P.PRESENT, 120), LignePresence(b.pk, P.PRESENT), LignePresence(c.pk, P.ABSENT_INJUSTIFIE)],
        contenu="CV relus",
    )
    lecteur = journal.lecteur(personas.referent_a, a)
    with django_assert_num_queries(1):
        rows, _ = journal.Journal(a, lecteur).derniers()
    [ligne] = [e for e in rows if e.genre == journal.Genre.ATELIERS]
    assert ligne.titre == "Atelier « Préparer un entretien d'embauche » du 06/03/2026 à 09:30 : présent, 120 min"
    assert ligne.detail == "CV relus"
    [ligne] = journal.Journal(c, lecteur, journal.Genre.ATELIERS)[:10]
    assert ligne.titre.endswith(": absence non justifiée")


def test_an_unjustified_absence_at_an_atelier_counts_toward_the_cellule(personas, niort):
    parcours = personas.parcours
    EntretienFactory(parcours=parcours, absent=True, debut=NOW - datetime.timedelta(days=10))
    atelier = AtelierFactory(animateur=personas.referent_a, premiere_date=d(3, 6))
    PresenceAtelierFactory(
        seance=SeanceAtelierFactory(atelier=atelier, tenue=True), parcours=parcours, statut=P.ABSENT_INJUSTIFIE
    )
    run = absences.serie(parcours)
    assert [a.debut_local.date() for a in run] == [d(2, 28), d(3, 6)]
    assert absences.absences_a_signaler(parcours, niort).a_signaler  # Niort: 2 in a row
    annotated = absences.avec_absence(type(parcours).objects.filter(pk=parcours.pk)).get()
    assert annotated.dernier_statut == "absent" and timezone.localdate(annotated.absence_debut) == d(3, 6)
    # The dossier's shortcut reads the same run from the rows it has.
    recents = list(parcours.rendez_vous.order_by("-debut"))
    presences = list(parcours.presences_atelier.select_related("seance"))
    assert [a.debut for a in absences.serie_depuis(recents, True, presences)] == [a.debut for a in run]


def test_a_presence_at_an_atelier_ends_the_run_as_a_held_entretien(personas, niort):
    parcours = personas.parcours
    EntretienFactory(parcours=parcours, absent=True, debut=NOW - datetime.timedelta(days=20))
    atelier = AtelierFactory(animateur=personas.referent_a, premiere_date=d(2, 27))
    PresenceAtelierFactory(seance=SeanceAtelierFactory(atelier=atelier, tenue=True), parcours=parcours)
    EntretienFactory(parcours=parcours, absent=True, debut=NOW - datetime.timedelta(days=2))
    assert [a.debut_local.date() for a in absences.serie(parcours)] == [d(3, 8)]
    assert not absences.absences_a_signaler(parcours, niort).a_signaler
    # The presence is the latest: nothing to follow.
    PresenceAtelierFactory(
        seance=SeanceAtelierFactory(
            atelier=AtelierFactory(animateur=personas.referent_a, premiere_date=d(3, 9)), tenue=True
        ),
        parcours=parcours,
    )
    annotated = absences.avec_absence(type(parcours).objects.filter(pk=parcours.pk)).get()
    assert annotated.dernier_statut == "honore"
    assert absences.suivi(annotated) is None


def test_an_unjustified_absence_at_an_atelier_tells_the_bureau_insertion_when_rup(personas, atelier):
    UserFactory(role=Role.BUREAU_INSERTION, email="bi@exemple.fr")
    a, b, c = atelier.invites
    c.rup = True
    c.save()
    lignes = [LignePresence(a.pk, P.PRESENT), LignePresence(b.pk, P.PRESENT), LignePresence(c.pk, P.ABSENT_INJUSTIFIE)]
    with pytest.MonkeyPatch.context():
        ateliers.noter_presences(premiere(atelier), personas.referent_a, lignes)
    seance = premiere(atelier)
    ateliers.noter_presences(seance, personas.referent_a, lignes)  # saved again: nobody told twice
    from plie.notifications.models import Message

    sortants = [e for e in Message.objects.all() if "atelier collectif" in e.sujet]
    assert len(sortants) == 1
    assert c.participant.nom_usage not in sortants[0].sujet
    assert mail.outbox is not None


@pytest.mark.parametrize("comptent", [True, False])
def test_a_presence_counts_in_the_rhythm_where_the_referentiel_says_so(personas, niort, comptent):
    niort.ateliers_comptent_dans_rythme = comptent
    niort.save()
    parcours = personas.parcours
    assert parcours.date_entree < d(3, 2)
    atelier = AtelierFactory(animateur=personas.referent_a, premiere_date=d(3, 6))
    PresenceAtelierFactory(seance=SeanceAtelierFactory(atelier=atelier, tenue=True), parcours=parcours)
    PresenceAtelierFactory(
        seance=SeanceAtelierFactory(atelier=AtelierFactory(premiere_date=d(3, 2)), tenue=True),
        parcours=parcours,
        statut=P.ABSENT_INJUSTIFIE,
        duree_minutes=None,
    )
    echeance = rythme.echeance(parcours, niort)
    assert echeance.depuis == (d(3, 6) if comptent else parcours.date_entree)
    lectures = rythme.lire([parcours.pk], ateliers=comptent)
    lu = rythme.echeance(parcours, niort, rendez_vous=lectures[parcours.pk].rendez_vous, contacts=[], veilles=[])
    assert lu.depuis == echeance.depuis


def test_lire_keeps_its_three_queries_with_the_ateliers(personas, niort, django_assert_num_queries):
    parcours = [ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=personas.referent_a) for _ in range(3)]
    atelier = AtelierFactory(animateur=personas.referent_a, premiere_date=d(3, 6))
    seance = SeanceAtelierFactory(atelier=atelier, tenue=True)
    for p in parcours:
        PresenceAtelierFactory(seance=seance, parcours=p)
        EntretienFactory(parcours=p, honore=True)
    with django_assert_num_queries(3):
        lectures = rythme.lire([p.pk for p in parcours], ateliers=True)
    assert all(len(lectures[p.pk].rendez_vous) == 2 for p in parcours)
    assert all(any(r.pk < 0 for r in lectures[p.pk].rendez_vous) for p in parcours)


# --- the minimum frequency per référent ------------------------------------------------------------------


def test_the_frequency_per_referent_as_animateur_or_co_animateur(personas, niort):
    binome = ReferentFactory()
    recent = AtelierFactory(animateur=personas.referent_a, co_animateur=binome, premiere_date=d(3, 2))
    SeanceAtelierFactory(atelier=recent, tenue=True)
    ancien = AtelierFactory(animateur=personas.referent_b, premiere_date=d(1, 9))
    SeanceAtelierFactory(atelier=ancien, tenue=True)
    SeanceAtelierFactory(atelier=AtelierFactory(animateur=personas.referent_b, premiere_date=d(3, 6)))  # not held
    sans = ReferentFactory()
    frequences = ateliers.frequences(niort, [personas.referent_a.pk, binome.pk, personas.referent_b.pk, sans.pk])
    assert frequences[personas.referent_a.pk].dernier == d(3, 2) and not frequences[personas.referent_a.pk].en_retard
    assert frequences[binome.pk].dernier == d(3, 2)
    assert frequences[personas.referent_b.pk].dernier == d(1, 9) and frequences[personas.referent_b.pk].en_retard
    assert frequences[sans.pk].dernier is None and frequences[sans.pk].en_retard
    niort.ateliers_frequence_min_jours = None
    assert not ateliers.frequences(niort, [sans.pk])[sans.pk].en_retard
