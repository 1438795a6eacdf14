"""Signatures drawn on screen (a tablet, a mouse) at the end of an entretien or an atelier session.

A signature is proof for the FSE+ controllers: it is written once and never changed. It belongs to
exactly one of
- an entretien (``rendez_vous``): the participant's, and the référent's;
- a participant's attendance at a session (``presence``): the participant's;
- a session (``seance``): each animateur's.

It keeps who signed, when, and from which login session it was collected (the hash of the session
key, and the user logged in on the device). The image is the PNG drawn, kept in the database (a few
kilobytes) and printed in its box on the émargement sheet. Rules (who may collect, until when) live
in :mod:`parcours.signatures`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan, LessThanOrEqual

# A drawn signature as PNG: a few kilobytes; 200 kB is generous and refuses a photo.
IMAGE_MAX_OCTETS = 200_000


class Signataire(models.TextChoices):
    PARTICIPANT = "participant", "Participant"
    REFERENT = "referent", "Référent"


class SignatureError(Exception):
    """A signature refused: a French message."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class Signature(models.Model):
    rendez_vous = models.ForeignKey(
        "parcours.RendezVous", on_delete=models.PROTECT, null=True, blank=True, related_name="signatures"
    )
    presence = models.ForeignKey(
        "parcours.PresenceAtelier", on_delete=models.PROTECT, null=True, blank=True, related_name="signatures"
    )
    seance = models.ForeignKey(
        "parcours.SeanceAtelier", on_delete=models.PROTECT, null=True, blank=True, related_name="signatures"
    )
    signataire = models.CharField("signataire", max_length=20, choices=Signataire.choices)
    # The référent who signed (an animateur for a session); none for a participant's signature.
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="référent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    image = models.BinaryField("signature (PNG)")
    signe_le = models.DateTimeField("signé le", auto_now_add=True)
    recueillie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="recueillie par", on_delete=models.PROTECT, related_name="+"
    )
    session_empreinte = models.CharField("session (empreinte)", max_length=64)

    class Meta:
        verbose_name = "signature"
        ordering = ["signe_le", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(rendez_vous__isnull=False, presence__isnull=True, seance__isnull=True)
                    | Q(rendez_vous__isnull=True, presence__isnull=False, seance__isnull=True)
                    | Q(rendez_vous__isnull=True, presence__isnull=True, seance__isnull=False)
                ),
                name="signature_one_target",
                violation_error_message="Une signature porte sur un entretien, une présence ou une séance.",
            ),
            models.CheckConstraint(
                condition=Q(signataire__in=sorted(Signataire.values)),
                name="signature_signataire_known",
                violation_error_message="Signataire inconnu.",
            ),
            models.CheckConstraint(
                condition=(Q(signataire=Signataire.REFERENT) & Q(referent__isnull=False))
                | (~Q(signataire=Signataire.REFERENT) & Q(referent__isnull=True)),
                name="signature_referent_iff_referent",
                violation_error_message="La signature d'un référent dit lequel ; celle d'un participant, non.",
            ),
            # An attendance is signed by the participant; a session by its animateurs.
            models.CheckConstraint(
                condition=Q(presence__isnull=True) | Q(signataire=Signataire.PARTICIPANT),
                name="signature_presence_by_participant",
                violation_error_message="Une présence est signée par le participant.",
            ),
            models.CheckConstraint(
                condition=Q(seance__isnull=True) | Q(signataire=Signataire.REFERENT),
                name="signature_seance_by_referent",
                violation_error_message="Une séance est signée par ses animateurs.",
            ),
            models.CheckConstraint(
                condition=GreaterThan(Length("image"), 0) & LessThanOrEqual(Length("image"), IMAGE_MAX_OCTETS),
                name="signature_image_size",
                violation_error_message="Signature vide ou trop lourde.",
            ),
            models.UniqueConstraint(
                fields=["rendez_vous", "signataire"],
                condition=Q(rendez_vous__isnull=False),
                name="signature_once_per_rendez_vous",
                violation_error_message="Cet entretien est déjà signé.",
            ),
            models.UniqueConstraint(
                fields=["presence"],
                condition=Q(presence__isnull=False),
                name="signature_once_per_presence",
                violation_error_message="Cette présence est déjà signée.",
            ),
            models.UniqueConstraint(
                fields=["seance", "referent"],
                condition=Q(seance__isnull=False),
                name="signature_once_per_animateur",
                violation_error_message="Cet animateur a déjà signé la séance.",
            ),
        ]

    def __str__(self):
        return f"Signature du {self.get_signataire_display().lower()}"

    def save(self, *args, **kwargs):
        # Written once: a signature is never changed afterwards.
        if self.pk is not None and not self._state.adding:
            raise SignatureError("Une signature ne se modifie pas.")
        super().save(*args, **kwargs)
