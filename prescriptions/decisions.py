"""The coordination's decisions on a referral: a complement asked, a refusal, the acceptance.

The acceptance is where the person becomes a participant (a new one, or the one already known
for a re-entry) with a parcours oriented towards the chosen référent; every message it implies
(référent, bureau insertion when RUP, prescripteur) leaves with it.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from parcours.models import Etat, Parcours, Participant
from plie.notifications.services import envoyer_email, notifier
from prescriptions import eligibilite
from prescriptions.dedoublonnage import candidats
from prescriptions.models import CHAMPS_IDENTITE
from prescriptions.validations import adresses_bureau_insertion
from prescriptions.workflow import PrescriptionError


def checklist(prescription, referentiel, found=None):
    found = candidats(prescription) if found is None else found
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
        )


CHAMPS_CONTACT = [
    "telephone_mobile",
    "telephone_fixe",
    "email",
    "adresse",
    "code_postal",
    "commune",
    "date_inscription_france_travail",
]


def accepter(prescription, by, referent, *, referentiel, justification="", rang=None, confirme=False):
    """Accept the referral and orient the person to ``referent``: participant, parcours, messages."""
    with transaction.atomic(), prescription._transition("accepter", by, justification):
        Parcours._check_referent(referent)  # a TransitionError on the « referent » field
        checks = checklist(prescription, referentiel)
        blocking = [v for v in checks if v.bloquante]
        if blocking:
            raise PrescriptionError(
                "Acceptation impossible : " + " ; ".join(f"{v.libelle} — {v.constat}" for v in blocking)
            )
        to_confirm = [v for v in checks if v.resultat == eligibilite.Resultat.A_VERIFIER]
        if to_confirm and not confirme:
            raise PrescriptionError(
                "Confirmez avoir vérifié : " + " ; ".join(v.libelle for v in to_confirm) + ".", field="confirme"
            )
        participant = prescription.participant or Participant(consentement=False)
        # A known person keeps the identity already checked; their contact details are refreshed.
        champs = CHAMPS_CONTACT if participant.pk else CHAMPS_IDENTITE + CHAMPS_CONTACT
        for field in champs:
            setattr(participant, field, getattr(prescription, field))
        participant._history_user = by
        participant.save()
        participant.criteres.set(prescription.criteres.all())
        parcours = Parcours.objects.create(
            participant=participant,
            etat=Etat.PRESCRIT,
            prescripteur=prescription.prescripteur,
            structure_prescriptrice=prescription.structure,
            rup=prescription.rup_demande,
            date_prescription=prescription.date_prescription,
        )
        motif = justification.strip()
        if rang:
            motif = f"Rang {rang} de la proposition. {motif}".strip()
        parcours.orienter(by, referent, motif=motif)
        prescription.participant = participant
        prescription.parcours = parcours
        if prescription.identite_verifiee_le is None:
            # No unresolved candidate is left (checked above): accepting confirms the identity.
            prescription.identite_verifiee_le = timezone.now()
            prescription.identite_verifiee_par = by
        prescription.decidee_le = timezone.now()
        prescription.decidee_par = by
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
    )
    envoyer_email(
        [prescription.prescripteur.email],
        f"PLIE : prescription n° {prescription.pk} acceptée",
        "emails/prescription_acceptee.txt",
        {**contexte, "lien": reverse("prescriptions:detail", args=[prescription.pk])},
    )
    if parcours.rup:
        # N §III.3: when the BI asked for a RUP, it is told the référent's name at once.
        _users, adresses = adresses_bureau_insertion()
        envoyer_email(
            adresses,
            f"PLIE : référent unique de parcours désigné (prescription n° {prescription.pk})",
            "emails/rup_designe.txt",
            contexte,
        )
