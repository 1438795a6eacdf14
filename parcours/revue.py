"""The review of long parcours and of those without action (C §IV.1.4): « bien que la durée
d'accompagnement soit sans limite, la durée des parcours est une donnée que le PLIE évalue […] une
attention particulière sera portée sur les participants n'ayant bénéficié d'aucune action ».

The référentiel says from how many months of accompaniment a parcours is reviewed
(``revue_duree_parcours_mois``, Caen: 24) and after how many months with no étape lived
(``revue_sans_action_mois``, Caen: 12; an étape emploi, formation or an opération of the programmation
are étapes too). Both empty (Niort, whose measures are capped instead): no review.

Accompanied and in-veille parcours only. One query for the list, whatever its length: the last day of an
étape lived comes with each row.
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import BooleanField, DateField, ExpressionWrapper, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from parcours.etapes import ETATS_COMMENCES
from parcours.models import Etape, Etat

ETATS_REVUE = frozenset({Etat.ACCOMPAGNEMENT, Etat.VEILLE})
DUREE, SANS_ACTION = "duree", "sans_action"
MOTIFS = ((DUREE, "Parcours long"), (SANS_ACTION, "Sans étape ni opération"))


def configuree(referentiel) -> bool:
    return bool(referentiel and (referentiel.revue_duree_parcours_mois or referentiel.revue_sans_action_mois))


@dataclass(frozen=True)
class Seuils:
    entree_avant: datetime.date | None  # entered on or before: a long parcours
    sans_action_depuis: datetime.date | None  # no étape lived since


def seuils(referentiel, today) -> Seuils:
    duree, sans = referentiel.revue_duree_parcours_mois, referentiel.revue_sans_action_mois
    return Seuils(
        entree_avant=today - relativedelta(months=duree) if duree else None,
        sans_action_depuis=today - relativedelta(months=sans) if sans else None,
    )


def a_revoir(queryset, referentiel, today):
    """The parcours of ``queryset`` to review, annotated ``longue``, ``sans_action`` and ``derniere_etape``
    (the last day of an étape lived, or None), the oldest entry first. None when the référentiel has no review."""
    if not configuree(referentiel):
        return None
    s = seuils(referentiel, today)
    # The last day lived of a begun étape: its real end, or today while it runs (one given up before it
    # began holds no day).
    vecue = (
        Etape.objects.filter(parcours=OuterRef("pk"), etat__in=sorted(ETATS_COMMENCES), date_debut__lte=today)
        .filter(Q(date_fin__isnull=True) | Q(date_fin__gte=F("date_debut")))
        .annotate(jour=Coalesce("date_fin", Value(today), output_field=DateField()))
        .order_by("-jour")
        .values("jour")[:1]
    )
    non = Value(False, output_field=BooleanField())
    longue = (
        ExpressionWrapper(Q(date_entree__lte=s.entree_avant), output_field=BooleanField()) if s.entree_avant else non
    )
    sans_action = (
        ExpressionWrapper(
            Q(date_entree__lte=s.sans_action_depuis)
            & (Q(derniere_etape__isnull=True) | Q(derniere_etape__lt=s.sans_action_depuis)),
            output_field=BooleanField(),
        )
        if s.sans_action_depuis
        else non
    )
    return (
        queryset.filter(etat__in=sorted(ETATS_REVUE), date_entree__isnull=False)
        .annotate(derniere_etape=Subquery(vecue, output_field=DateField()))
        .annotate(longue=longue, sans_action=sans_action)
        .filter(Q(longue=True) | Q(sans_action=True))
        .order_by("date_entree", "pk")
    )


def mois_entre(debut, fin) -> int:
    ecart = relativedelta(fin, debut)
    return ecart.years * 12 + ecart.months


def raisons(parcours, today) -> list[str]:
    """Why the row is listed, in words."""
    found = []
    if parcours.longue:
        found.append(f"accompagné depuis {mois_entre(parcours.date_entree, today)} mois")
    if parcours.sans_action:
        if parcours.derniere_etape:
            found.append(f"aucune étape ni opération depuis le {parcours.derniere_etape:%d/%m/%Y}")
        else:
            found.append(f"aucune étape ni opération depuis l'entrée le {parcours.date_entree:%d/%m/%Y}")
    return found
