"""What a convocation may say, and its SMS text: the facts of one event (:class:`Evenement`) and the
PLIE's template filled with them, then transliterated into GSM-7 (:func:`texte_sms`).

Here rather than in :mod:`parcours.convocations`, which builds the facts from a parcours: the
coordination's settings page (:mod:`plie.referentiel.convocations`) previews the same text for a
sample entretien, and the référentiel never imports the parcours.
"""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone

from plie.referentiel.models import expediteur_peut_recevoir
from plie.sms import gsm

TELEPHONE_ABSENT = "contactez votre référent"


@dataclass(frozen=True)
class Evenement:
    """The facts a convocation may tell, and nothing else."""

    objet: str  # « votre entretien », « l'atelier « Préparer un entretien » »
    debut: datetime.datetime
    lieu: str
    referent: str  # first name only
    telephone: str

    @property
    def date(self) -> str:
        return f"{timezone.localtime(self.debut):%d/%m/%Y}"

    @property
    def en_cas_de_difficulte(self) -> str:
        """« appelez le 05 49 … », or « contactez votre référent » when the PLIE gave no number."""
        return self.telephone if self.telephone == TELEPHONE_ABSENT else f"appelez le {self.telephone}"

    @property
    def heure(self) -> str:
        return f"{timezone.localtime(self.debut):%H}h{timezone.localtime(self.debut):%M}"


class _Variables(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def consigne_reponse(referentiel, url) -> str:
    """How to answer: by replying to the SMS when the sender can receive, always by the link."""
    if expediteur_peut_recevoir(referentiel.sms_expediteur):
        return f"Répondez OUI pour confirmer, NON pour annuler, ou : {url}"
    return f"Confirmez ou annulez : {url}"


def texte_sms(referentiel, ev: Evenement, url: str) -> str:
    """The PLIE's template filled, then transliterated into GSM-7 where the meaning survives."""
    variables = _Variables(
        objet=ev.objet,
        date=ev.date,
        heure=ev.heure,
        lieu=ev.lieu,
        referent=ev.referent,
        telephone=ev.telephone,
        reponse=consigne_reponse(referentiel, url),
    )
    texte = referentiel.sms_modele.format_map(variables)
    texte = re.sub(r"[ \t]+", " ", texte).strip()
    return gsm.translitterer(texte)
