"""Moving a référent's participants to others in one action (a vacancy, a departure, a heavy load).

Every move is the public transition ``Parcours.changer_referent`` (row lock, stale-copy refusal, log
on the parcours); all moves succeed or none does. Each new référent is told once, by a notification
per parcours and one email listing them.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse

from parcours.models import Parcours
from parcours.workflow import TransitionError
from plie.notifications.services import envoyer_email, notifier


@dataclass
class ReaffectationError(Exception):
    message: str

    def __str__(self):
        return self.message


def parcours_a_reaffecter(ancien):
    """The open parcours the référent follows, the people's names ordered as on the parcours list."""
    return (
        Parcours.objects.ouverts()
        .filter(referent=ancien)
        .select_related("participant", "participant__commune")
        .order_by("participant__nom_usage", "participant__prenoms", "pk")
    )


def reaffecter(by, ancien, moves, motif):
    """``moves``: {parcours pk: new référent}. Returns the moved parcours; all or nothing."""
    if not moves:
        raise ReaffectationError("Choisissez le nouveau référent d'au moins un parcours.")
    with transaction.atomic():
        parcours = list(parcours_a_reaffecter(ancien).filter(pk__in=list(moves)))
        if len(parcours) != len(moves):
            raise ReaffectationError(
                "Un des parcours n'est plus suivi par ce référent (il vient d'être modifié) : rechargez la page."
            )
        par_referent = defaultdict(list)
        for p in parcours:
            nouveau = moves[p.pk]
            try:
                p.changer_referent(by, nouveau, motif)
            except TransitionError as error:
                raise ReaffectationError(f"{p.participant.nom_complet} : {error.message}") from None
            par_referent[nouveau].append(p)
        for nouveau, confies in par_referent.items():
            _prevenir(nouveau, ancien, confies)
    return parcours


def _prevenir(nouveau, ancien, confies):
    for p in confies:
        notifier(
            nouveau,
            f"Parcours confié : {p.participant.nom_complet}",
            f"Jusqu'ici suivi par {ancien.get_full_name()}.",
            reverse("parcours:detail", args=[p.pk]),
        )
    envoyer_email(
        [nouveau.email],
        f"PLIE : {len(confies)} parcours vous {'sont confiés' if len(confies) > 1 else 'est confié'}",
        "emails/reaffectation_referent.txt",
        {
            "referent": nouveau,
            "ancien": ancien,
            "confies": [(p, reverse("parcours:detail", args=[p.pk])) for p in confies],
        },
    )
