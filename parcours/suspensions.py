"""Recording the participant's leave, illness or hospitalisation: the measure clock stops (N §III.d).

A suspension is recorded while the measure runs: the parcours is in accompaniment or in veille
(:data:`ETATS_MESURE`, the states where ``renouveler`` applies; oriented and received parcours have
no measure yet, proposed exits and closed parcours no longer run one). Each change moves
``Parcours.date_fin_mesure`` (when the référentiel has measures) and ``Parcours.jours_suspendus`` —
hence :meth:`Parcours.date_limite` — by the change in days: a 31-day illness postpones both by 31 days,
its deletion brings them back.

Each function locks the parcours row (``select_for_update``), refuses a stale copy of it (another
change of the clock meanwhile) and saves it with simple-history's author. Refusals are
:class:`SuspensionError`, French, next to the field they concern.

Rules: no day before the entry in accompaniment, none after the exit, at most
:data:`parcours.models.suspensions.JOURS_MAX` days, no day shared with another suspension of the
parcours nor with a veille (a veille already stops the clock: its days are counted by ``date_limite``).
"""

import datetime

from django.db import transaction

from parcours.models import Etat, Parcours, PeriodeVeille, SuspensionMesure
from parcours.models.suspensions import JOURS_MAX, MotifSuspension
from parcours.workflow import TransitionError

ETATS_MESURE = frozenset({Etat.ACCOMPAGNEMENT, Etat.VEILLE})

STALE = "Ce parcours vient d'être modifié par quelqu'un d'autre : rechargez la page."
STALE_SUSPENSION = "Cette suspension vient d'être modifiée par quelqu'un d'autre : rechargez la page."


class SuspensionError(TransitionError):
    """A suspension refused by a rule: a French message, shown next to ``field``."""


def _verrouiller(parcours):
    """Lock the parcours row; refuse a stale copy and a parcours whose measure does not run."""
    locked = Parcours.objects.select_for_update().values_list("etat", "modifie_le").get(pk=parcours.pk)
    if tuple(locked) != (parcours.etat, parcours.modifie_le):
        raise SuspensionError(STALE)
    if parcours.etat not in ETATS_MESURE:
        raise SuspensionError(
            f"Une suspension se saisit pendant l'accompagnement ou la veille : le parcours est "
            f"« {parcours.get_etat_display()} »."
        )


def verifier(parcours, *, motif, debut, fin, exclue=None):
    """Refuse a suspension the rules forbid (SuspensionError, field named). ``exclue``: the suspension edited."""
    if motif not in MotifSuspension.values:
        raise SuspensionError("Choisissez un motif de suspension.", field="motif")
    if debut is None:
        raise SuspensionError("Indiquez le premier jour.", field="debut")
    if fin is None:
        raise SuspensionError("Indiquez le dernier jour.", field="fin")
    if fin < debut:
        raise SuspensionError(f"Le dernier jour ne peut précéder le premier ({debut:%d/%m/%Y}).", field="fin")
    if (fin - debut).days + 1 > JOURS_MAX:
        raise SuspensionError(
            f"Une suspension dure au plus {JOURS_MAX} jours : au-delà, c'est une veille ou une sortie.", field="fin"
        )
    if parcours.date_entree is None or debut < parcours.date_entree:
        entree = f" du {parcours.date_entree:%d/%m/%Y}" if parcours.date_entree else ""
        raise SuspensionError(f"Une suspension ne peut précéder l'entrée en accompagnement{entree}.", field="debut")
    if parcours.date_sortie is not None and fin > parcours.date_sortie:
        raise SuspensionError(
            f"Une suspension ne peut suivre la sortie du {parcours.date_sortie:%d/%m/%Y}.", field="fin"
        )
    autres = SuspensionMesure.objects.filter(parcours=parcours).entre(debut, fin)
    if exclue is not None:
        autres = autres.exclude(pk=exclue.pk)
    autre = autres.order_by("debut").first()
    if autre is not None:
        raise SuspensionError(
            f"Ces dates chevauchent la suspension du {autre.debut:%d/%m/%Y} au {autre.fin:%d/%m/%Y}.", field="debut"
        )
    # A veille holds [debut, fin], its end day included (as the rhythm and the exclusion constraint count
    # it); open, it has no end yet.
    veille = (
        PeriodeVeille.objects.filter(parcours=parcours, debut__lte=fin)
        .exclude(fin__isnull=False, fin__lt=debut)
        .order_by("debut")
        .first()
    )
    if veille is not None:
        jusqu = f"au {veille.fin:%d/%m/%Y}" if veille.fin else "en cours"
        raise SuspensionError(
            f"Ces dates chevauchent la veille du {veille.debut:%d/%m/%Y} {jusqu} : la veille suspend déjà la mesure.",
            field="debut",
        )


def _decaler(parcours, by, jours: int):
    """Move the measure end and the days suspended by ``jours`` (negative: back), saved with its author."""
    if not jours:
        return
    if parcours.date_fin_mesure is not None:
        parcours.date_fin_mesure += datetime.timedelta(days=jours)
    parcours.jours_suspendus = max(0, parcours.jours_suspendus + jours)
    parcours._history_user = by
    parcours.save()


def enregistrer(by, parcours, *, motif, debut, fin) -> SuspensionMesure:
    with transaction.atomic():
        _verrouiller(parcours)
        verifier(parcours, motif=motif, debut=debut, fin=fin)
        suspension = SuspensionMesure(parcours=parcours, motif=motif, debut=debut, fin=fin, cree_par=by)
        suspension._history_user = by
        suspension.save()
        _decaler(parcours, by, suspension.jours)
    return suspension


def modifier(by, suspension, *, motif, debut, fin) -> SuspensionMesure:
    """Change the dates or the motive; ``suspension`` is the copy the person read (its ``modifie_le``)."""
    parcours = suspension.parcours
    with transaction.atomic():
        _verrouiller(parcours)
        current = SuspensionMesure.objects.select_for_update().filter(pk=suspension.pk).first()
        if current is None or current.modifie_le != suspension.modifie_le:
            raise SuspensionError(STALE_SUSPENSION)
        verifier(parcours, motif=motif, debut=debut, fin=fin, exclue=suspension)
        avant = current.jours
        suspension.motif, suspension.debut, suspension.fin = motif, debut, fin
        suspension._history_user = by
        suspension.save()
        _decaler(parcours, by, suspension.jours - avant)
    return suspension


def supprimer(by, suspension):
    parcours = suspension.parcours
    with transaction.atomic():
        _verrouiller(parcours)
        current = SuspensionMesure.objects.select_for_update().filter(pk=suspension.pk).first()
        if current is None:
            raise SuspensionError(STALE_SUSPENSION)
        jours = current.jours
        current._history_user = by
        current.delete()
        _decaler(parcours, by, -jours)
