"""The measure clock (N §III.d): measures of the référentiel's length, renewed up to its maximum, each
renewal with its bilan intermédiaire; the participant's leave, illness or hospitalisation suspend it.

``Parcours.date_debut_mesure`` / ``date_fin_mesure`` hold the measure in progress (its end already
postponed by the suspensions recorded during the parcours, ``Parcours.jours_suspendus``); the maximum
length is :meth:`Parcours.date_limite`. Caen has no measures and no cap (both fields empty): nothing
here refuses anything there, and its long parcours go to the review list instead.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from parcours.workflow import TransitionError


def verifier_renouvellement(parcours, referentiel, today=None) -> datetime.date:
    """The end of the next measure, if the référentiel allows one (TransitionError quoting the rule)."""
    if not referentiel or not referentiel.duree_mesure_mois:
        raise TransitionError("Le référentiel ne découpe pas l'accompagnement en mesures renouvelables.")
    today = today or timezone.localdate()
    # A parcours that entered under a référentiel without measures starts its first one now.
    base = parcours.date_fin_mesure or max(parcours.date_entree, today)
    nouvelle_fin = base + relativedelta(months=referentiel.duree_mesure_mois)
    limite = parcours.date_limite(referentiel)
    if limite is not None and nouvelle_fin > limite:
        raise TransitionError(
            f"Refusé : « mesures de {referentiel.duree_mesure_mois} mois, renouvelables dans la limite de "
            f"{referentiel.duree_max_parcours_mois} mois » (référentiel {referentiel.nom}). Une nouvelle mesure "
            f"finirait le {nouvelle_fin:%d/%m/%Y}, après la limite du {limite:%d/%m/%Y}."
        )
    return nouvelle_fin


def periode_en_cours(parcours, today=None) -> tuple[datetime.date, datetime.date]:
    """The period a bilan intermédiaire covers: the measure in progress, up to today at the latest."""
    today = today or timezone.localdate()
    debut = parcours.date_debut_mesure or parcours.date_entree or today
    fin = min(parcours.date_fin_mesure or today, today)
    return debut, max(debut, fin)
