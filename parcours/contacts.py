"""The contacts of an open parcours once the accompaniment started (Caen C §III.1.3: « tous les
contacts quels qu'ils soient doivent être inscrits »): phone, email, letter, SMS, visit, or an
exchange with a partner about the person. Same table and traceability as the accueil's attempts
(:func:`parcours.accueil.noter_tentative`), which stop at the entry.
"""

import datetime

from django.utils import timezone

from parcours.models import CanalContact, Etat, TentativeContact
from plie.workflow import TransitionError

# From the entry until the exit is validated (before it, the accueil's attempts).
ETATS_CONTACTS = frozenset({Etat.ACCOMPAGNEMENT, Etat.VEILLE, Etat.SORTIE_PROPOSEE})


class ContactError(TransitionError):
    """A contact refused by its rule: a French message, shown next to ``field``."""


def noter_contact(
    parcours, by, canal, *, abouti=False, date=None, partenaire="", avertissement_absence=False, commentaire=""
) -> TentativeContact:
    date = date or timezone.now()
    partenaire = (partenaire or "").strip()
    if canal not in CanalContact.values:
        raise ContactError("Choisissez le canal du contact.", field="canal")
    if parcours.etat not in ETATS_CONTACTS:
        raise ContactError(
            f"Les contacts se notent pendant l'accompagnement : le parcours est « {parcours.get_etat_display()} »."
        )
    if date > timezone.now() + datetime.timedelta(minutes=5):  # a slow clock on the référent's computer
        raise ContactError("Un contact ne peut être dans le futur.", field="date")
    if timezone.localdate(date) < parcours.date_entree:
        raise ContactError(
            f"Un contact de l'accompagnement ne peut précéder l'entrée du {parcours.date_entree:%d/%m/%Y} "
            "(avant, ce sont les tentatives de contact de l'accueil).",
            field="date",
        )
    if canal == CanalContact.PARTENAIRE and not partenaire:
        raise ContactError("Indiquez le partenaire : son nom et sa structure.", field="partenaire")
    if canal != CanalContact.PARTENAIRE:
        partenaire = ""
    return TentativeContact.objects.create(
        parcours=parcours,
        date=date,
        canal=canal,
        abouti=abouti,
        partenaire=partenaire,
        avertissement_absence=avertissement_absence and canal != CanalContact.PARTENAIRE,
        commentaire=(commentaire or "").strip(),
        auteur=by,
    )
