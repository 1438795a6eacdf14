"""The coordination's decisions on a referral: a complement asked, a refusal, the acceptance.

The acceptance is where the person becomes a participant (a new one, or the one already known
for a re-entry) with a parcours oriented towards the chosen référent; every message it implies
(référent, bureau insertion when RUP, prescripteur) leaves with it.
"""

from django.db import transaction
from django.urls import reverse

from plie.notifications.services import envoyer_email, notifier
from prescriptions import eligibilite
from prescriptions.dedoublonnage import candidats
from prescriptions.validations import adresses_bureau_insertion


def checklist(prescription, referentiel, found=None):
    found = candidats(prescription, pour_compter=True) if found is None else found
    return eligibilite.verifier(prescription, referentiel, sum(1 for c in found if not c.resolu))


def demander_complement(prescription, by, question):
    with transaction.atomic():
        prescription.demander_complement(by, question)
        envoyer_email(
            [prescription.prescripteur.email],
            f"PLIE : un complément est demandé sur la prescription n° {prescription.pk}",
            "emails/prescription_complement.txt",
            {"prescription": prescription, "lien": reverse("prescriptions:detail", args=[prescription.pk])},
        )
        notifier(
            prescription.prescripteur,
            f"Complément demandé : {prescription.nom_complet}",
            prescription.question_complement,
            reverse("prescriptions:detail", args=[prescription.pk]),
        )


def refuser(prescription, by, motif_refus, commentaire=""):
    with transaction.atomic():
        prescription.refuser(by, motif_refus, commentaire)
        envoyer_email(
            [prescription.prescripteur.email],
            f"PLIE : prescription n° {prescription.pk} non retenue",
            "emails/prescription_refusee.txt",
            {"prescription": prescription, "lien": reverse("prescriptions:detail", args=[prescription.pk])},
            cle=f"prescription:{prescription.pk}:refusee",
        )


def accepter(prescription, by, referent, *, referentiel, justification="", rang=None, confirme=False):
    """Accept the referral and orient the person to ``referent``: participant, parcours, messages."""
    with transaction.atomic():
        parcours = prescription.accepter(
            by, referent, referentiel=referentiel, justification=justification, rang=rang, confirme=confirme
        )
        _messages_acceptation(prescription, parcours, referent, referentiel)
    return parcours


def _messages_acceptation(prescription, parcours, referent, referentiel):
    lien = reverse("parcours:detail", args=[parcours.pk])
    contexte = {"prescription": prescription, "parcours": parcours, "referent": referent, "referentiel": referentiel}
    notifier(
        referent,
        f"Nouvelle orientation : {prescription.nom_complet}",
        f"Prescrite par {prescription.structure}. Prenez contact avec la personne pour fixer le premier rendez-vous.",
        lien,
    )
    envoyer_email(
        [referent.email],
        f"PLIE : nouvelle orientation (parcours n° {parcours.pk})",
        "emails/orientation_referent.txt",
        {**contexte, "lien": lien},
        cle=f"orientation:{parcours.pk}:referent:{referent.pk}",
    )
    envoyer_email(
        [prescription.prescripteur.email],
        f"PLIE : prescription n° {prescription.pk} acceptée",
        "emails/prescription_acceptee.txt",
        {**contexte, "lien": reverse("prescriptions:detail", args=[prescription.pk])},
        cle=f"prescription:{prescription.pk}:acceptee",
    )
    if parcours.rup:
        # N §III.3: when the BI asked for a RUP, it is told the référent's name at once.
        _users, adresses = adresses_bureau_insertion()
        envoyer_email(
            adresses,
            f"PLIE : référent unique de parcours désigné (prescription n° {prescription.pk})",
            "emails/rup_designe.txt",
            contexte,
            cle=f"prescription:{prescription.pk}:rup_designe",
        )
