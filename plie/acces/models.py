"""The access log: who opened which person's file, when, and whether it was refused.

Rows are only ever added (:mod:`plie.acces.journal` writes them); on PostgreSQL two triggers
refuse every UPDATE and DELETE, whatever code or SQL client tries, except the yearly purge
(:mod:`plie.acces.purge`), which lifts the DELETE trigger for its own statement only.
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from plie.accounts.models import Role

# The largest id a bigint column holds: larger ids in a URL name no object and are not stored.
BIGINT_MAX = 2**63 - 1


class TypeObjet(models.TextChoices):
    PARCOURS = "parcours", "Parcours"
    PARTICIPANT = "participant", "Participant"
    PRESCRIPTION = "prescription", "Prescription"
    DOCUMENT = "document", "Document"
    EXPORT = "export", "Export"


class Action(models.TextChoices):
    CONSULTATION = "consultation", "Consultation"
    MODIFICATION = "modification", "Modification"
    TELECHARGEMENT = "telechargement", "Téléchargement"
    EXPORT = "export", "Export"
    IMPRESSION = "impression", "Impression"


class AccesDossierQuerySet(models.QuerySet):
    def pour_objet(self, type_objet, objet_id):
        return self.filter(type_objet=type_objet, objet_id=objet_id).order_by("-date", "-id")

    def anterieurs_a(self, limite):
        return self.filter(date__lt=limite)


class AccesDossier(models.Model):
    # PROTECT: a user who ever opened a file stays (deactivated, not deleted), so that the log
    # keeps naming them; the label below keeps the name they had on that day.
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="utilisateur",
        on_delete=models.PROTECT,
        related_name="acces_dossiers",
    )
    utilisateur_libelle = models.CharField("nom et email au moment de l'accès", max_length=400)
    role = models.CharField("rôle au moment de l'accès", max_length=20, choices=Role.choices, blank=True)
    type_objet = models.CharField("type d'objet", max_length=20, choices=TypeObjet.choices)
    objet_id = models.BigIntegerField("identifiant de l'objet", null=True, blank=True)
    action = models.CharField("action", max_length=20, choices=Action.choices)
    refuse = models.BooleanField("refusé", default=False)
    chemin = models.CharField("adresse de la page", max_length=500)
    date = models.DateTimeField("date", default=timezone.now, db_index=True)

    objects = AccesDossierQuerySet.as_manager()

    class Meta:
        verbose_name = "accès à un dossier"
        verbose_name_plural = "accès aux dossiers"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["type_objet", "objet_id", "-date"], name="acces_objet_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(type_objet__in=TypeObjet.values),
                name="acces_type_objet_connu",
                violation_error_message="Ce type d'objet n'existe pas dans le journal des accès.",
            ),
            models.CheckConstraint(
                condition=Q(action__in=Action.values),
                name="acces_action_connue",
                violation_error_message="Cette action n'existe pas dans le journal des accès.",
            ),
            models.CheckConstraint(
                condition=Q(role__in=[*Role.values, ""]),
                name="acces_role_connu",
                violation_error_message="Ce rôle n'existe pas.",
            ),
            # An access that was granted showed an object, which has an id; a refused one may name
            # none (an id too large for the database, say).
            models.CheckConstraint(
                condition=Q(refuse=True) | (Q(objet_id__isnull=False) & Q(objet_id__gt=0)),
                name="acces_accorde_designe_un_objet",
                violation_error_message="Un accès accordé désigne toujours un objet.",
            ),
            models.CheckConstraint(
                condition=Q(chemin__startswith="/"),
                name="acces_chemin_absolu",
                violation_error_message="L'adresse de la page commence par « / ».",
            ),
            models.CheckConstraint(
                condition=~Q(utilisateur_libelle=""),
                name="acces_libelle_renseigne",
                violation_error_message="Le nom de la personne est obligatoire.",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="interdit_modification", operation=pgtrigger.Update),
            pgtrigger.Protect(name="interdit_suppression", operation=pgtrigger.Delete),
        ]

    def __str__(self):
        return (
            f"{self.utilisateur_libelle} — {self.get_type_objet_display()} {self.objet_id} ({self.date:%d/%m/%Y %H:%M})"
        )

    @property
    def role_libelle(self):
        return self.get_role_display() or "Administrateur"


# The trigger lifted by the purge, and only by it.
PURGE_TRIGGER = "acces.AccesDossier:interdit_suppression"
