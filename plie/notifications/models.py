"""What the product tells people: in-product notifications, and the outbox of every email.

An email is first a row (les-emplois' habit): the task that sends it takes the row under
``select_for_update`` and marks it sent, so that a retry or a second worker never sends it twice,
and the coordination can see what left and what failed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from plie import longueurs
from plie.longueurs import longueur_max


class NotificationQuerySet(models.QuerySet):
    def non_lues(self):
        return self.filter(lue_le__isnull=True)


class Notification(models.Model):
    destinataire = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="destinataire", on_delete=models.CASCADE, related_name="notifications"
    )
    titre = models.CharField("titre", max_length=200)
    message = models.TextField("message", blank=True, max_length=longueurs.MOTIF)
    lien = models.CharField("lien", max_length=300, blank=True)
    cree_le = models.DateTimeField("créée le", auto_now_add=True)
    lue_le = models.DateTimeField("lue le", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "notification"
        ordering = ["-cree_le", "-id"]
        indexes = [models.Index(fields=["destinataire", "lue_le"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(lue_le__isnull=True) | Q(lue_le__gte=models.F("cree_le")),
                name="notification_lue_after_creation",
                violation_error_message="Une notification ne peut être lue avant d'être créée.",
            ),
            longueur_max("notification", "message", longueurs.MOTIF),
        ]

    def __str__(self):
        return self.titre


class EmailSortant(models.Model):
    destinataires = models.JSONField("destinataires", default=list)
    sujet = models.CharField("sujet", max_length=250)
    corps = models.TextField("corps", max_length=longueurs.CORPS_EMAIL)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    envoye_le = models.DateTimeField("envoyé le", null=True, blank=True)
    tentatives = models.PositiveSmallIntegerField("tentatives", default=0)
    derniere_erreur = models.TextField("dernière erreur", blank=True, max_length=longueurs.COMMENTAIRE)

    class Meta:
        verbose_name = "email sortant"
        verbose_name_plural = "emails sortants"
        ordering = ["-cree_le", "-id"]
        indexes = [models.Index(fields=["envoye_le"])]
        constraints = [
            longueur_max("email_sortant", "corps", longueurs.CORPS_EMAIL),
            longueur_max("email_sortant", "derniere_erreur", longueurs.COMMENTAIRE),
        ]

    def __str__(self):
        return f"{self.sujet} → {', '.join(self.destinataires)}"
