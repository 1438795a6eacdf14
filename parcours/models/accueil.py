"""The contacts with a participant: the accueil's attempts at reaching the person, and every
contact of the open parcours after them.

One table, ``TentativeContact``: before the accompaniment starts, a row is an attempt at reaching
the person (phone, letter, SMS, email; :mod:`parcours.accueil`); from the entry on, a row is any
contact of the parcours, including a visit or an exchange with a partner about the person
(:mod:`parcours.contacts`). The appointments themselves are :class:`parcours.models.RendezVous`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from plie import longueurs
from plie.longueurs import longueur_max


class CanalContact(models.TextChoices):
    TELEPHONE = "telephone", "Téléphone"
    COURRIER = "courrier", "Courrier"
    SMS = "sms", "SMS"
    EMAIL = "email", "Email"
    VISITE = "visite", "Visite"
    PARTENAIRE = "partenaire", "Échange avec un partenaire au sujet de la personne"


# The accueil reaches the person by these (N §III.b); a visit or a partner comes later.
CANAUX_ACCUEIL = (CanalContact.TELEPHONE, CanalContact.COURRIER, CanalContact.SMS, CanalContact.EMAIL)


class TentativeContactQuerySet(models.QuerySet):
    def journal(self):
        return self.select_related("auteur").order_by("-date", "-id")

    def de_l_accueil(self, parcours):
        """The attempts before the accompaniment (all of them while it has not started)."""
        if parcours.date_entree is None:
            return self
        return self.filter(date__date__lt=parcours.date_entree)

    def de_l_accompagnement(self, parcours):
        """The contacts from the entry on (none before it)."""
        if parcours.date_entree is None:
            return self.none()
        return self.filter(date__date__gte=parcours.date_entree)


class TentativeContact(models.Model):
    parcours = models.ForeignKey(
        "parcours.Parcours", verbose_name="parcours", on_delete=models.CASCADE, related_name="tentatives_contact"
    )
    date = models.DateTimeField("date", default=timezone.now)
    canal = models.CharField("canal", max_length=20, choices=CanalContact.choices)
    abouti = models.BooleanField("la personne a été jointe", default=False)
    partenaire = models.CharField(
        "partenaire (nom, structure)",
        max_length=200,
        blank=True,
        help_text="Pour un échange avec un partenaire : « Mme Roux, CCAS de Chauray ».",
    )
    # What the émargement sheet prints for the contact (C §III.1.3: every contact appears).
    objet = models.CharField("objet", max_length=200, blank=True)
    duree_minutes = models.PositiveSmallIntegerField("durée (minutes)", null=True, blank=True)
    # After an unjustified absence, the person is told that another may end the accompaniment (N §III.d).
    avertissement_absence = models.BooleanField(
        "la personne a été avertie qu'une nouvelle absence injustifiée peut mettre fin à l'accompagnement",
        default=False,
    )
    # A note on the person: shown only to whom may read sensitive data (plie.permissions).
    commentaire = models.TextField("commentaire", blank=True, max_length=longueurs.COMMENTAIRE)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()
    objects = TentativeContactQuerySet.as_manager()

    class Meta:
        verbose_name = "contact"
        verbose_name_plural = "contacts"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["parcours", "-date"])]
        constraints = [
            longueur_max("tentative_contact", "commentaire", longueurs.COMMENTAIRE),
            models.CheckConstraint(
                condition=Q(canal__in=CanalContact.values),
                name="tentative_contact_canal_known",
                violation_error_message="Canal de contact inconnu.",
            ),
            models.CheckConstraint(
                condition=(Q(canal=CanalContact.PARTENAIRE) & ~Q(partenaire=""))
                | (~Q(canal=CanalContact.PARTENAIRE) & Q(partenaire="")),
                name="tentative_contact_partenaire_iff_exchange",
                violation_error_message="Un échange avec un partenaire nomme ce partenaire, et lui seul.",
            ),
        ]

    def __str__(self):
        issue = "jointe" if self.abouti else "sans réponse"
        return f"{self.get_canal_display()} du {timezone.localtime(self.date):%d/%m/%Y %H:%M} ({issue})"
