"""The accueil of a new participant: the référent's contact attempts, and the rendez-vous.

``RendezVous`` holds every appointment of a parcours, the first one now, the entretiens, their
convocations, absences and émargement later; ``TentativeContact`` logs each try at reaching the
person before the first appointment is fixed. The rules that use them live in :mod:`parcours.accueil`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from plie import longueurs
from plie.longueurs import longueur_max


class Modalite(models.TextChoices):
    PRESENTIEL = "presentiel", "En présentiel"
    TELEPHONE = "telephone", "Par téléphone"
    VISIO = "visio", "En visioconférence"


class ObjetRendezVous(models.TextChoices):
    PREMIER_RDV = "premier_rdv", "Premier rendez-vous"
    ENTRETIEN = "entretien", "Entretien individuel"


class StatutRendezVous(models.TextChoices):
    PREVU = "prevu", "Prévu"
    HONORE = "honore", "Honoré"
    EXCUSE = "excuse", "Absence excusée"
    ABSENT = "absent", "Absence non justifiée"
    ANNULE = "annule", "Annulé"


class CanalContact(models.TextChoices):
    TELEPHONE = "telephone", "Téléphone"
    COURRIER = "courrier", "Courrier"
    SMS = "sms", "SMS"
    EMAIL = "email", "Email"


class RendezVousQuerySet(models.QuerySet):
    def maintenus(self):
        """Every appointment but the cancelled ones (an absence still happened as a fixed date)."""
        return self.exclude(statut=StatutRendezVous.ANNULE)

    def premier_rdv(self):
        """The parcours's first appointment, or None (parcours accueillis before this table existed)."""
        return (
            self.maintenus()
            .filter(objet=ObjetRendezVous.PREMIER_RDV)
            .select_related("lieu", "lieu__commune")
            .order_by("debut", "id")
            .first()
        )


class RendezVous(models.Model):
    parcours = models.ForeignKey(
        "parcours.Parcours", verbose_name="parcours", on_delete=models.CASCADE, related_name="rendez_vous"
    )
    objet = models.CharField("objet", max_length=20, choices=ObjetRendezVous.choices)
    debut = models.DateTimeField("date et heure")
    duree_minutes = models.PositiveSmallIntegerField("durée prévue (minutes)", null=True, blank=True)
    modalite = models.CharField("modalité", max_length=20, choices=Modalite.choices, default=Modalite.PRESENTIEL)
    lieu = models.ForeignKey(
        "accounts.LieuAccompagnement",
        verbose_name="lieu",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rendez_vous",
    )
    lieu_precision = models.CharField(
        "précision sur le lieu",
        max_length=200,
        blank=True,
        help_text="Un autre lieu que ceux du référent (« Au CCAS de Chauray »), ou un détail (bureau, étage).",
    )
    statut = models.CharField("statut", max_length=20, choices=StatutRendezVous.choices, default=StatutRendezVous.PREVU)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="fixé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cree_le = models.DateTimeField("créé le", auto_now_add=True)

    history = HistoricalRecords()
    objects = RendezVousQuerySet.as_manager()

    class Meta:
        verbose_name = "rendez-vous"
        verbose_name_plural = "rendez-vous"
        ordering = ["debut", "id"]
        indexes = [models.Index(fields=["parcours", "debut"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(modalite=Modalite.PRESENTIEL) | Q(lieu__isnull=False) | ~Q(lieu_precision=""),
                name="rendez_vous_presentiel_has_place",
                violation_error_message="Un rendez-vous en présentiel a un lieu.",
            ),
            models.CheckConstraint(
                condition=Q(duree_minutes__isnull=True) | Q(duree_minutes__gt=0),
                name="rendez_vous_duree_positive",
                violation_error_message="La durée d'un rendez-vous est positive.",
            ),
            # Re-fixing a first appointment cancels the previous one, it never adds a second.
            models.UniqueConstraint(
                fields=["parcours"],
                condition=Q(objet=ObjetRendezVous.PREMIER_RDV) & ~Q(statut=StatutRendezVous.ANNULE),
                name="rendez_vous_one_first_per_parcours",
                violation_error_message="Ce parcours a déjà un premier rendez-vous.",
            ),
        ]

    def __str__(self):
        return f"{self.get_objet_display()} du {self.debut_local:%d/%m/%Y à %H:%M}"

    @property
    def debut_local(self):
        """The start in the PLIE's time zone (Europe/Paris), as people read it."""
        return timezone.localtime(self.debut)

    @property
    def lieu_libelle(self) -> str:
        """Where, in words: the place with its address, the free precision, or the remote modality."""
        parts = []
        if self.lieu_id:
            lieu = self.lieu
            adresse = ", ".join(p for p in [lieu.adresse, lieu.commune.nom] if p)
            parts.append(f"{lieu.nom} ({adresse})")
        if self.lieu_precision:
            parts.append(self.lieu_precision)
        if self.modalite != Modalite.PRESENTIEL:
            parts.insert(0, self.get_modalite_display())
        return " — ".join(parts)


class TentativeContactQuerySet(models.QuerySet):
    def journal(self):
        return self.select_related("auteur").order_by("-date", "-id")


class TentativeContact(models.Model):
    parcours = models.ForeignKey(
        "parcours.Parcours", verbose_name="parcours", on_delete=models.CASCADE, related_name="tentatives_contact"
    )
    date = models.DateTimeField("date", default=timezone.now)
    canal = models.CharField("canal", max_length=20, choices=CanalContact.choices)
    abouti = models.BooleanField("la personne a été jointe", default=False)
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
        verbose_name = "tentative de contact"
        verbose_name_plural = "tentatives de contact"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["parcours", "-date"])]
        constraints = [longueur_max("tentative_contact", "commentaire", longueurs.COMMENTAIRE)]

    def __str__(self):
        issue = "jointe" if self.abouti else "sans réponse"
        return f"{self.get_canal_display()} du {timezone.localtime(self.date):%d/%m/%Y %H:%M} ({issue})"
