"""The demo's entretiens: months of appointments for the parcours in accompaniment, mostly held,
a few excused or missed without reason (so that follow-up tasks and a cellule flag show), and the
next one planned; written in bulk, with their log rows, by :func:`seed_entretiens`. And the référents'
own absences, which their agenda shows (:func:`seed_absences_referents`).
"""

import datetime

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from parcours.models import (
    AbsenceReferent,
    CanalContact,
    Etat,
    Modalite,
    NatureAbsence,
    ObjetRendezVous,
    RendezVous,
    StatutRendezVous,
    TentativeContact,
    TransitionRendezVous,
)
from plie.accounts.models import ReferentProfile

S = StatutRendezVous
ETATS_SUIVIS = {Etat.ACCOMPAGNEMENT, Etat.VEILLE, Etat.SORTIE_PROPOSEE, Etat.SORTI}
ISSUES = [(S.HONORE, 82), (S.ABSENT, 9), (S.EXCUSE, 5), (S.ANNULE, 4)]
TRANSITION = {S.HONORE: "honorer", S.ABSENT: "noter_absence", S.EXCUSE: "excuser", S.ANNULE: "annuler"}
SUJETS = [
    "Point sur la recherche d'emploi",
    "Préparation d'un entretien d'embauche",
    "Projet de formation",
    "Bilan de l'immersion en entreprise",
    "Mobilité : permis et transports",
    "Mise à jour du CV",
]


def _moment(rng, day):
    while day.weekday() >= 5:  # no appointments at the weekend
        day += datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.randint(9, 16), rng.choice([0, 30]))))


def seed_entretiens(rng, today, plans, referentiel):
    """``plans``: (parcours, state, référent) of the demo. Returns the number of appointments written."""
    lieux = {}
    for user_id, lieu_id in ReferentProfile.lieux.through.objects.values_list(
        "referentprofile__user_id", "lieuaccompagnement_id"
    ):
        lieux.setdefault(user_id, lieu_id)
    rows, logs, contacts = [], [], []
    for parcours, etat, referent in plans:
        if etat not in ETATS_SUIVIS or parcours.date_entree is None:
            continue
        end = parcours.date_sortie or today
        day, month = parcours.date_entree, 0
        while True:
            interval = referentiel.intervalle_max_jours(month)
            day += datetime.timedelta(days=rng.randint(max(5, interval - 8), interval + 4))  # some run late
            month = (day - parcours.date_entree).days // 30
            debut = _moment(rng, day)
            if debut.date() >= end:
                break
            statut = rng.choices([s for s, _ in ISSUES], [w for _, w in ISSUES])[0]
            rows.append(_rdv(rng, parcours, referent, debut, statut, lieux))
            if statut == S.ABSENT and rng.random() < 0.6:
                contacts.append(
                    TentativeContact(
                        parcours=parcours,
                        date=debut + datetime.timedelta(days=1, hours=1),
                        canal=CanalContact.TELEPHONE,
                        abouti=rng.random() < 0.7,
                        avertissement_absence=rng.random() < 0.5,
                        auteur=referent,
                    )
                )
        if etat != Etat.SORTI and rng.random() < 0.7:
            debut = _moment(rng, today + datetime.timedelta(days=rng.randint(1, 14)))
            rows.append(_rdv(rng, parcours, referent, debut, S.PREVU, lieux))
    rows = RendezVous.objects.bulk_create(rows, batch_size=5000)
    for rdv in rows:
        planned = rdv.debut - datetime.timedelta(days=rng.randint(7, 30))
        logs.append(
            TransitionRendezVous(
                rendez_vous=rdv, transition="planifier", statut_apres=S.PREVU, auteur=rdv.cree_par, date=planned
            )
        )
        if rdv.statut != S.PREVU:
            logs.append(
                TransitionRendezVous(
                    rendez_vous=rdv,
                    transition=TRANSITION[rdv.statut],
                    statut_avant=S.PREVU,
                    statut_apres=rdv.statut,
                    auteur=rdv.cree_par,
                    date=rdv.cloture_le,
                )
            )
    TransitionRendezVous.objects.bulk_create(logs, batch_size=5000)
    TentativeContact.objects.bulk_create(contacts, batch_size=5000)
    return len(rows)


def _rdv(rng, parcours, referent, debut, statut, lieux):
    modalite = rng.choices([Modalite.PRESENTIEL, Modalite.TELEPHONE, Modalite.VISIO], [80, 15, 5])[0]
    lieu_id = lieux.get(referent.pk) if modalite == Modalite.PRESENTIEL else None
    closed = statut != S.PREVU
    return RendezVous(
        parcours=parcours,
        objet=ObjetRendezVous.ENTRETIEN,
        debut=debut,
        duree_minutes=60,
        modalite=modalite,
        lieu_id=lieu_id,
        lieu_precision="Permanence du référent" if modalite == Modalite.PRESENTIEL and lieu_id is None else "",
        statut=statut,
        duree_reelle_minutes=rng.randint(35, 80) if statut == S.HONORE else None,
        sujet=rng.choice(SUJETS) if statut == S.HONORE else "",
        cloture_le=debut + datetime.timedelta(hours=1) if closed else None,
        cloture_par=referent if closed else None,
        cree_par=referent,
    )


def seed_absences_referents(rng, today, referents):
    """A few absences of each référent, never two on one day: a week of leave in the last three months, a
    training day this week or the next (this week for the demo référent, the first one, so that their
    agenda shows it at once), for some two days of illness last week or a week of leave to come."""
    lundi = today - datetime.timedelta(days=today.weekday())
    rows = []

    def add(referent, debut, jours, nature, commentaire=""):
        fin = debut + datetime.timedelta(days=jours - 1)
        rows.append(
            AbsenceReferent(
                referent=referent, debut=debut, fin=fin, nature=nature, commentaire=commentaire, cree_par=referent
            )
        )

    for index, referent in enumerate(referents):
        add(referent, lundi - datetime.timedelta(weeks=rng.randint(2, 12)), 5, NatureAbsence.CONGE, "Congés")
        semaine = 0 if index == 0 else rng.randint(0, 1)
        jour = lundi + datetime.timedelta(weeks=semaine, days=rng.randint(0, 4))
        add(referent, jour, 1, NatureAbsence.FORMATION, "Formation des référents du PLIE")
        if rng.random() < 0.2:
            add(referent, lundi - datetime.timedelta(days=6), 2, NatureAbsence.MALADIE)
        if rng.random() < 0.3:
            add(referent, lundi + datetime.timedelta(weeks=rng.randint(3, 6)), 5, NatureAbsence.CONGE, "Congés d'été")
    return len(bulk_create_with_history(rows, AbsenceReferent, batch_size=2000))
