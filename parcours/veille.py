"""The rules of veille (N §III.d, C §III.1.6.1), in one place: the request checks them when asked
(:mod:`parcours.demandes`) and the parcours's transition when applied, with the same words.

Limits come from the référentiel: Caen at most 3 months, renewable once; Niort none stated (the
fields are empty and nothing is refused). A refusal quotes the rule.
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from parcours.models.parcours import MotifVeille
from parcours.workflow import TransitionError


def _regle(referentiel) -> str:
    n = referentiel.veille_renouvellements_max
    renouvelable = "" if n is None else (" non renouvelable" if n == 0 else f", renouvelable {n} fois")
    duree = referentiel.veille_duree_max_mois
    return f"« une veille ne peut excéder {duree} mois{renouvelable} » (référentiel {referentiel.nom})"


def verifier_entree(parcours, referentiel, motif_veille, debut, fin_prevue):
    """A veille may start on ``debut`` and end by ``fin_prevue`` (TransitionError on the field at fault)."""
    if motif_veille not in MotifVeille.values:
        raise TransitionError("Choisissez le motif de la veille.", field="motif_veille")
    if debut is None:
        raise TransitionError("Indiquez le début de la veille.", field="debut")
    if parcours.date_entree and debut < parcours.date_entree:
        raise TransitionError(
            f"La veille ne peut commencer avant l'entrée en accompagnement du {parcours.date_entree:%d/%m/%Y}.",
            field="debut",
        )
    if fin_prevue is None:
        raise TransitionError("Indiquez la fin prévue de la veille.", field="fin_prevue")
    if fin_prevue <= debut:
        raise TransitionError("La fin prévue de la veille suit son début.", field="fin_prevue")
    if referentiel.veille_duree_max_mois:
        limite = debut + relativedelta(months=referentiel.veille_duree_max_mois)
        if fin_prevue > limite:
            raise TransitionError(
                f"Refusé : {_regle(referentiel)}. Fin prévue au plus tard le {limite:%d/%m/%Y}.", field="fin_prevue"
            )
    derniere = max((p for p in parcours.periodes_veille.all() if p.fin is not None), key=lambda p: p.fin, default=None)
    if derniere is not None and debut <= derniere.fin:
        raise TransitionError(
            f"Une veille a déjà couru jusqu'au {derniere.fin:%d/%m/%Y} : deux veilles ne se chevauchent pas.",
            field="debut",
        )


def verifier_renouvellement(periode, referentiel, nouvelle_fin_prevue):
    """The veille in progress may be renewed until ``nouvelle_fin_prevue``."""
    if periode is None:
        raise TransitionError("Aucune période de veille n'est en cours.")
    maximum = referentiel.veille_renouvellements_max
    if maximum is not None and periode.renouvellements >= maximum:
        deja = "une fois" if periode.renouvellements == 1 else f"{periode.renouvellements} fois"
        raise TransitionError(f"Refusé : cette veille a déjà été renouvelée {deja}, et {_regle(referentiel)}.")
    if nouvelle_fin_prevue is None:
        raise TransitionError("Indiquez la nouvelle fin prévue.", field="fin_prevue")
    if nouvelle_fin_prevue <= periode.fin_prevue:
        raise TransitionError(
            f"La nouvelle fin doit suivre la fin prévue actuelle ({periode.fin_prevue:%d/%m/%Y}).", field="fin_prevue"
        )
    if referentiel.veille_duree_max_mois:
        limite = periode.fin_prevue + relativedelta(months=referentiel.veille_duree_max_mois)
        if nouvelle_fin_prevue > limite:
            raise TransitionError(
                f"Refusé : {_regle(referentiel)}. Nouvelle fin au plus tard le {limite:%d/%m/%Y}.",
                field="fin_prevue",
            )


def verifier_fin(periode, date, field="date"):
    """The veille in progress may end on ``date`` (the day the accompaniment resumes)."""
    if periode is None:
        raise TransitionError("Aucune période de veille n'est en cours.")
    if date is None:
        raise TransitionError("Indiquez la date de fin de la veille.", field=field)
    if date < periode.debut:
        raise TransitionError(f"La fin de veille ne peut précéder son début ({periode.debut:%d/%m/%Y}).", field=field)


# --- the follow-up during veille ---------------------------------------------------------------
# N §III.d « lorsqu'un participant est en veille, le référent de parcours assure un suivi régulier de la
# situation de la personne, par téléphone ou entretien physique » (C §III.1.6.1 likewise): any held
# entretien or contact that reached the person counts; the interval is the référentiel's
# (``veille_suivi_intervalle_jours``), the rhythm's interval after the first months when it is empty.


@dataclass(frozen=True)
class SuiviVeille:
    debut: datetime.date  # the veille in progress began
    dernier_contact: datetime.date | None  # the last entretien held or contact that reached the person since
    intervalle: int
    echeance: datetime.date  # the next contact is due by this day
    today: datetime.date

    @property
    def en_retard(self) -> bool:
        return self.today > self.echeance

    @property
    def jours_de_retard(self) -> int:
        return max(0, (self.today - self.echeance).days)


def intervalle_suivi(referentiel) -> int:
    return referentiel.veille_suivi_intervalle_jours or referentiel.rythme_intervalle_jours


def suivi(parcours, referentiel, *, veilles, rendez_vous, contacts, today=None) -> SuiviVeille | None:
    """The follow-up of the veille in progress, from the rows the page read (no query); None out of veille.

    ``rendez_vous``: objects or rows with ``debut`` and ``statut``; ``contacts``: with ``date`` and ``abouti``.
    """
    from parcours.models import Etat, StatutRendezVous

    if parcours.etat != Etat.VEILLE or referentiel is None:
        return None
    periode = next((v for v in veilles if v.fin is None), None)
    if periode is None:
        return None
    today = today or timezone.localdate()
    jours = [timezone.localdate(r.debut) for r in rendez_vous if r.statut == StatutRendezVous.HONORE] + [
        timezone.localdate(c.date) for c in contacts if c.abouti
    ]
    depuis = [d for d in jours if periode.debut <= d <= today]
    dernier = max(depuis, default=None)
    intervalle = intervalle_suivi(referentiel)
    echeance = max(periode.debut, dernier or periode.debut) + datetime.timedelta(days=intervalle)
    return SuiviVeille(periode.debut, dernier, intervalle, echeance, today)
