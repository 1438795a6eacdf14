"""``make demo``'s ateliers collectifs: a few weekly or fortnightly series begun some weeks ago, one run
in binôme, their participants invited from the animateurs' portfolios, the past sessions held with
their attendance (present with the session's length, or a late arrival; absent, justified or not), the
oldest sheets locked, and one session to come cancelled. The demo référent (the first one) runs one, so
that their home shows a recent atelier; the last référent runs none, so that the coordination's « Respect
du rythme » page shows one to program.

The series and their sessions go through :func:`parcours.ateliers.creer_serie` (each session's first log
row); the rest is bulk-written with the log rows the transitions would have written, and tells nobody
(no email to the bureau insertion for the demo's absences). Called once from
:meth:`plie.demo.DemoBuilder.build`.
"""

import datetime

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from parcours import ateliers
from parcours.models import InscriptionAtelier, Periodicite, PresenceAtelier, StatutPresence, TransitionSeance
from parcours.workflow import ETATS_OUVERTS

THEMES = [
    ("Préparer un entretien d'embauche", "Simulations d'entretien filmées, retours du groupe."),
    ("CV et lettre de motivation", "Relecture des CV, une lettre rédigée pour une offre réelle."),
    ("Se repérer dans les offres en ligne", "Création des espaces France Travail, alertes, candidatures."),
    ("Mobilité : permis, transports, aides", "Présentation de la plateforme mobilité et des aides au permis."),
    ("Confiance en soi et communication", "Jeux de rôle, prise de parole en groupe."),
]
SEANCES = 8


def seed_ateliers(rng, today, referents, plans) -> int:
    """``referents``: the demo's référents (the first is the demo référent); ``plans``: (parcours, état,
    référent). Returns the number of ateliers written."""
    portefeuilles = {}
    for parcours, etat, referent in plans:
        if etat in ETATS_OUVERTS:
            portefeuilles.setdefault(referent.pk, []).append(parcours)
    actifs = [r for r in referents if r.referent_profile.actif and portefeuilles.get(r.pk)]
    if not actifs:
        return 0
    animateurs = actifs[: len(THEMES)]
    if len(actifs) > 1:
        animateurs = animateurs[: max(1, len(actifs) - 1)]  # the last one runs none
    now = timezone.now()
    count = 0
    for i, animateur in enumerate(animateurs):
        theme, contenu = THEMES[i % len(THEMES)]
        co_animateur = animateurs[i + 1] if i == 1 and i + 1 < len(animateurs) else None
        weeks_ago = 1 if i == 0 else rng.randint(3, 7)
        premiere = today - datetime.timedelta(weeks=weeks_ago)
        premiere -= datetime.timedelta(days=(premiere.weekday() - 4) % 7)  # a Friday
        atelier = ateliers.creer_serie(
            animateur,
            theme=theme,
            animateur=animateur,
            co_animateur=co_animateur,
            capacite=rng.choice([8, 10, 12]),
            premiere_date=premiere,
            heure_debut=datetime.time(9, 30),
            heure_fin=datetime.time(12, 0),
            periodicite=Periodicite.HEBDOMADAIRE if i % 2 == 0 else Periodicite.QUINZAINE,
            nombre_seances=SEANCES,
            lieu=animateur.referent_profile.lieux.first(),
            lieu_precision="Salle collective",
            description=contenu,
        )
        portefeuille = portefeuilles[animateur.pk] + (portefeuilles.get(co_animateur.pk, []) if co_animateur else [])
        invites = rng.sample(portefeuille, min(len(portefeuille), atelier.capacite - 2))
        bulk_create_with_history(
            [InscriptionAtelier(atelier=atelier, parcours=p, invite_par=animateur) for p in invites],
            InscriptionAtelier,
            default_user=animateur,
        )
        presences, logs = [], []
        seances = list(atelier.seances.order_by("numero"))
        for seance in seances:
            if seance.fin <= now:
                seance.statut, seance.contenu = "tenue", contenu
                logs.append(_log(seance, "noter_presences", "prevue", "tenue", animateur, seance.fin))
                for p in invites:
                    statut = rng.choices(list(StatutPresence), weights=[75, 13, 12])[0]
                    duree = None
                    if statut == StatutPresence.PRESENT:
                        duree = seance.duree_minutes if rng.random() < 0.85 else seance.duree_minutes - 30
                    presences.append(
                        PresenceAtelier(
                            seance=seance, parcours=p, statut=statut, duree_minutes=duree, saisi_par=animateur
                        )
                    )
                if seance.fin <= now - datetime.timedelta(days=7):
                    seance.emargement_clos_le, seance.emargement_clos_par = seance.fin, animateur
                    logs.append(_log(seance, "clore_emargement", "tenue", "tenue", animateur, seance.fin))
                seance.save()
            elif seance.numero == SEANCES - 1 and i == 0:
                seance.statut, seance.motif_annulation = "annulee", "Salle réservée pour le forum de l'emploi"
                logs.append(_log(seance, "annuler", "prevue", "annulee", animateur, now, seance.motif_annulation))
                seance.save()
        bulk_create_with_history(presences, PresenceAtelier, default_user=animateur)
        TransitionSeance.objects.bulk_create(logs)
        count += 1
    return count


def _log(seance, transition, avant, apres, auteur, date, motif=""):
    return TransitionSeance(
        seance=seance,
        transition=transition,
        statut_avant=avant,
        statut_apres=apres,
        auteur=auteur,
        date=date,
        motif=motif,
    )
