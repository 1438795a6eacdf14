"""The convocation of a participant to one planned event (an entretien, an atelier session) and their
answer (N §III.b, §III.d).

One row per event and person: its short personal link (``jeton``, valid until the event is over),
and the answer given through that link or by replying to the SMS. The messages that carry it (the
confirmation of a first RDV at once, the convocation J-1/J-2, a letter, a fallback email) are rows
of the outbox (:class:`plie.notifications.models.Message`) pointing here. The rules live in
:mod:`parcours.convocations`.
"""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

JETON_LONGUEUR = 10


class ReponseConvocation(models.TextChoices):
    SANS_REPONSE = "sans_reponse", "Sans réponse"
    CONFIRMEE = "confirmee", "Confirmé"
    ANNULEE = "annulee", "Annulé par le participant"


class MoyenReponse(models.TextChoices):
    LIEN = "lien", "Lien personnel"
    SMS = "sms", "Réponse au SMS"


class ConvocationQuerySet(models.QuerySet):
    def ouvertes(self, now):
        """Whose link still works: the event is not over."""
        return self.filter(expire_le__gt=now)


class Convocation(models.Model):
    parcours = models.ForeignKey(
        "parcours.Parcours", verbose_name="parcours", on_delete=models.CASCADE, related_name="convocations"
    )
    rendez_vous = models.OneToOneField(
        "parcours.RendezVous",
        verbose_name="rendez-vous",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="convocation",
    )
    seance = models.ForeignKey(
        "parcours.SeanceAtelier",
        verbose_name="séance d'atelier",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="convocations",
    )
    jeton = models.CharField("jeton du lien personnel", max_length=JETON_LONGUEUR, unique=True)
    # The event's start: the window of its messages' keys (a session moved gets new messages).
    debut = models.DateTimeField("début de l'événement")
    expire_le = models.DateTimeField("lien valable jusqu'au")
    reponse = models.CharField(
        "réponse", max_length=20, choices=ReponseConvocation.choices, default=ReponseConvocation.SANS_REPONSE
    )
    repondu_le = models.DateTimeField("répondu le", null=True, blank=True)
    repondu_par = models.CharField("répondu par", max_length=10, choices=MoyenReponse.choices, blank=True)
    cree_le = models.DateTimeField("créée le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifiée le", auto_now=True)

    history = HistoricalRecords()
    objects = ConvocationQuerySet.as_manager()

    class Meta:
        verbose_name = "convocation"
        ordering = ["debut", "id"]
        indexes = [models.Index(fields=["parcours", "debut"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(rendez_vous__isnull=False) & Q(seance__isnull=True))
                | (Q(rendez_vous__isnull=True) & Q(seance__isnull=False)),
                name="convocation_one_event",
                violation_error_message="Une convocation est pour un rendez-vous ou pour une séance d'atelier.",
            ),
            models.UniqueConstraint(
                fields=["seance", "parcours"],
                condition=Q(seance__isnull=False),
                name="convocation_one_per_seance_and_person",
                violation_error_message="Ce participant a déjà sa convocation à cette séance.",
            ),
            models.CheckConstraint(
                condition=Q(reponse__in=ReponseConvocation.values),
                name="convocation_reponse_known",
                violation_error_message="Réponse inconnue.",
            ),
            models.CheckConstraint(
                condition=(Q(reponse=ReponseConvocation.SANS_REPONSE) & Q(repondu_le__isnull=True, repondu_par=""))
                | (
                    ~Q(reponse=ReponseConvocation.SANS_REPONSE)
                    & Q(repondu_le__isnull=False, repondu_par__in=MoyenReponse.values)
                ),
                name="convocation_answer_has_date_and_means",
                violation_error_message="Une réponse a sa date et son moyen, et seule une réponse en a.",
            ),
            models.CheckConstraint(
                condition=Q(expire_le__gt=models.F("debut")),
                name="convocation_link_expires_after_start",
                violation_error_message="Le lien reste valable jusqu'à la fin de l'événement.",
            ),
        ]

    def __str__(self):
        return f"Convocation {self.pk} ({self.get_reponse_display()})"
