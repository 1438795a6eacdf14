"""The agreements a référentiel asks for before the acceptance: France Travail, bureau insertion."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from plie.accounts.models import PrescripteurKind, Role, User
from plie.notifications.services import envoyer_email, notifier
from prescriptions.models import Avis, Organisme, ValidationPrescription
from prescriptions.workflow import PrescriptionError, Statut


def validations_requises(prescription, referentiel) -> list[str]:
    requises = []
    if referentiel.validation_france_travail:
        requises.append(Organisme.FRANCE_TRAVAIL)
    if referentiel.validation_bureau_insertion_rsa and prescription.beneficiaire_rsa:
        requises.append(Organisme.BUREAU_INSERTION)
    return requises


def utilisateurs_bureau_insertion():
    return User.objects.filter(
        role=Role.BUREAU_INSERTION,
        is_active=True,
        structure__type_prescripteur=PrescripteurKind.BUREAU_INSERTION,
    ).select_related("structure")


def adresses_bureau_insertion():
    users = list(utilisateurs_bureau_insertion())
    return users, [u.email for u in users] + [u.structure.email for u in users if u.structure.email]


@transaction.atomic
def demander_validation(prescription, by, organisme, referentiel):
    # Only what the référentiel asks of this person: the bureau insertion never hears of someone
    # who is not an RSA beneficiary.
    if organisme not in validations_requises(prescription, referentiel):
        raise PrescriptionError("Le référentiel ne prévoit pas cette validation pour cette personne.")
    prescription.examiner(by)
    try:
        with transaction.atomic():
            validation = ValidationPrescription.objects.create(
                prescription=prescription, organisme=organisme, demandee_par=by
            )
    except IntegrityError:
        raise PrescriptionError("Cette validation est déjà demandée.") from None
    prescription.journaliser(by, "validation_demandee", Organisme(organisme).label)
    if organisme == Organisme.BUREAU_INSERTION:
        users, adresses = adresses_bureau_insertion()
        lien = reverse("prescriptions:detail", args=[prescription.pk])
        for user in users:
            notifier(
                user,
                f"Validation demandée : {prescription.nom_complet}",
                "Bénéficiaire du RSA orienté vers le PLIE.",
                lien,
            )
        envoyer_email(
            adresses,
            f"PLIE : validation demandée pour la prescription n° {prescription.pk}",
            "emails/validation_demandee.txt",
            {"prescription": prescription, "lien": lien},
            cle=f"validation:{validation.pk}:demandee",
        )
    return validation


@transaction.atomic
def rendre_avis(validation, by, avis, interlocuteur="", commentaire=""):
    """Record an agreement (FT by the coordination; the bureau insertion by its own users)."""
    validation = ValidationPrescription.objects.select_for_update().get(pk=validation.pk)
    if avis not in {Avis.FAVORABLE, Avis.DEFAVORABLE}:
        raise PrescriptionError("Choisissez un avis favorable ou défavorable.", field="avis")
    prescription = validation.prescription
    if prescription.statut not in {Statut.ENVOYEE, Statut.EN_EXAMEN, Statut.COMPLEMENT_DEMANDE}:
        raise PrescriptionError(
            f"La prescription est « {prescription.get_statut_display()} » : l'avis n'est plus attendu."
        )
    validation.avis = avis
    validation.avis_le = timezone.now()
    validation.avis_par = by
    validation.interlocuteur = (interlocuteur or "").strip()
    validation.commentaire = (commentaire or "").strip()
    validation._history_user = by
    validation.save()
    organisme, avis_label = validation.get_organisme_display(), validation.get_avis_display().lower()
    prescription.journaliser(by, "avis", f"{organisme} : {avis_label}. {validation.commentaire}".strip())
    coordination = User.objects.filter(role=Role.COORDINATION, is_active=True)
    lien = reverse("prescriptions:detail", args=[prescription.pk])
    for user in coordination:
        notifier(
            user,
            f"Avis {avis_label} ({organisme}) : {prescription.nom_complet}",
            lien=lien,
        )
    return validation
