"""What the product tells people: in-product notifications, and the outbox of every email.

An email is first a row (les-emplois' habit): the task that sends it takes the row under
``select_for_update`` and marks it sent, so that a retry or a second worker never sends it twice,
and the coordination can see what left and what failed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

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


class Canal(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    COURRIER = "courrier", "Courrier postal"


class GenreMessage(models.TextChoices):
    # The emails of the workflows (a referral decided, the first RDV to the prescripteur, an absence…).
    SERVICE = "service", "Message de service"
    # The first appointment fixed at accueil: confirmed at once (N §III.b).
    CONFIRMATION = "confirmation", "Confirmation du rendez-vous"
    # Every planned entretien and atelier session: a convocation J-1 or J-2 (N §III.d).
    CONVOCATION = "convocation", "Convocation"


class StatutMessage(models.TextChoices):
    A_ENVOYER = "a_envoyer", "À envoyer"
    EN_COURS = "en_cours", "En cours d'envoi"
    ENVOYE = "envoye", "Envoyé"
    DELIVRE = "delivre", "Délivré"
    REPONDU = "repondu", "Réponse reçue"
    ECHEC = "echec", "Échec"
    ANNULE = "annule", "Annulé"


M = StatutMessage
# Waiting for a worker: due (or retried) messages, and claims a dead worker may have left.
STATUTS_EN_ATTENTE = frozenset({M.A_ENVOYER, M.EN_COURS})
# Accepted by the provider (or posted, or handed to the SMTP server): never sent again.
STATUTS_PARTIS = frozenset({M.ENVOYE, M.DELIVRE, M.REPONDU})
GENRES_CONVOCATION = frozenset({GenreMessage.CONFIRMATION, GenreMessage.CONVOCATION})
TENTATIVES_MAX = 8


class MessageQuerySet(models.QuerySet):
    def dus(self, now):
        """Waiting and due: the sweep's work (a retry waits for its ``prochain_essai_le``)."""
        return self.filter(statut=M.A_ENVOYER, du_le__lte=now).filter(
            Q(prochain_essai_le__isnull=True) | Q(prochain_essai_le__lte=now)
        )

    def bloques(self, avant):
        """Claimed by a worker before ``avant`` and never finished: the worker may have died."""
        return self.filter(statut=M.EN_COURS, envoi_commence_le__lt=avant)

    def courriers_a_envoyer(self):
        return self.filter(canal=Canal.COURRIER, statut=M.A_ENVOYER)


class Message(models.Model):
    """One message to one person through one channel: the outbox of every email, SMS and letter.

    A row is written in the same transaction as its cause (a referral decided, an entretien planned),
    under a unique ``cle`` (event, kind, channel, window: a second write of the same message is
    refused by the database). A Celery task sends it after commit: it claims the row (``en_cours``,
    committed), calls the provider with ``cle`` as its tag, and records the answer. A claim older
    than a few minutes belongs to a dead worker: the sweep asks the provider about the tag before any
    resend (:mod:`plie.notifications.envoi`). A letter is « sent » when someone marks it posted.
    """

    canal = models.CharField("canal", max_length=10, choices=Canal.choices)
    genre = models.CharField("genre", max_length=20, choices=GenreMessage.choices, default=GenreMessage.SERVICE)
    cle = models.CharField("clé d'unicité", max_length=200, unique=True)
    convocation = models.ForeignKey(
        "parcours.Convocation",
        verbose_name="convocation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
    )
    # Email: the addresses; SMS: the E.164 mobile. A letter is addressed to the participant at print time.
    destinataires = models.JSONField("destinataires", default=list, blank=True)
    numero = models.CharField("numéro", max_length=20, blank=True)
    sujet = models.CharField("sujet", max_length=250, blank=True)
    corps = models.TextField("corps", max_length=longueurs.CORPS_EMAIL)
    statut = models.CharField("statut", max_length=20, choices=StatutMessage.choices, default=M.A_ENVOYER)
    du_le = models.DateTimeField("à envoyer à partir du", default=timezone.now)
    prochain_essai_le = models.DateTimeField("prochain essai le", null=True, blank=True)
    tentatives = models.PositiveSmallIntegerField("tentatives", default=0)
    envoi_commence_le = models.DateTimeField("envoi commencé le", null=True, blank=True)
    envoye_le = models.DateTimeField("envoyé le", null=True, blank=True)
    delivre_le = models.DateTimeField("délivré le", null=True, blank=True)
    echec_le = models.DateTimeField("échec le", null=True, blank=True)
    derniere_erreur = models.TextField("dernière erreur", blank=True, max_length=longueurs.COMMENTAIRE)
    fournisseur = models.CharField("fournisseur", max_length=30, blank=True)
    id_fournisseur = models.CharField("identifiant chez le fournisseur", max_length=100, blank=True)
    poste_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="posté par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = "message sortant"
        verbose_name_plural = "messages sortants"
        ordering = ["-cree_le", "-id"]
        indexes = [
            # The sweep reads only the waiting rows, however many have left.
            models.Index(
                fields=["du_le"],
                condition=Q(statut__in=[M.A_ENVOYER, M.EN_COURS]),
                name="message_en_attente_idx",
            ),
            models.Index(fields=["fournisseur", "id_fournisseur"], name="message_fournisseur_idx"),
            models.Index(fields=["numero", "-envoye_le"], name="message_numero_idx"),
        ]
        constraints = [
            longueur_max("message", "corps", longueurs.CORPS_EMAIL),
            longueur_max("message", "derniere_erreur", longueurs.COMMENTAIRE),
            models.CheckConstraint(
                condition=Q(canal__in=Canal.values),
                name="message_canal_known",
                violation_error_message="Canal inconnu.",
            ),
            models.CheckConstraint(
                condition=Q(statut__in=StatutMessage.values),
                name="message_statut_known",
                violation_error_message="Statut de message inconnu.",
            ),
            models.CheckConstraint(
                condition=~Q(canal=Canal.EMAIL) | ~Q(destinataires=[]),
                name="message_email_has_recipients",
                violation_error_message="Un email a au moins un destinataire.",
            ),
            models.CheckConstraint(
                condition=(Q(canal=Canal.SMS) & ~Q(numero="")) | (~Q(canal=Canal.SMS) & Q(numero="")),
                name="message_sms_has_number",
                violation_error_message="Un SMS, et lui seul, a un numéro.",
            ),
            models.CheckConstraint(
                condition=Q(genre=GenreMessage.SERVICE) | Q(convocation__isnull=False),
                name="message_convocation_has_its_rdv",
                violation_error_message="Une convocation est liée à son rendez-vous.",
            ),
            models.CheckConstraint(
                condition=~Q(canal=Canal.COURRIER) | ~Q(genre=GenreMessage.SERVICE),
                name="message_courrier_is_convocation",
                violation_error_message="Seules les convocations partent par courrier.",
            ),
            models.CheckConstraint(
                condition=~Q(statut__in=sorted(STATUTS_PARTIS)) | Q(envoye_le__isnull=False),
                name="message_sent_has_date",
                violation_error_message="Un message parti a sa date d'envoi.",
            ),
            models.CheckConstraint(
                condition=~Q(statut=M.EN_COURS) | Q(envoi_commence_le__isnull=False),
                name="message_claim_has_date",
                violation_error_message="Un envoi en cours a sa date de début.",
            ),
            models.CheckConstraint(
                condition=(Q(statut=M.ECHEC) & Q(echec_le__isnull=False))
                | (~Q(statut=M.ECHEC) & Q(echec_le__isnull=True)),
                name="message_failure_has_date",
                violation_error_message="Un échec a sa date, et seul un échec en a une.",
            ),
            models.CheckConstraint(
                condition=~Q(canal=Canal.COURRIER) | Q(statut__in=[M.A_ENVOYER, M.ENVOYE, M.ANNULE]),
                name="message_courrier_states",
                violation_error_message="Un courrier est à envoyer, posté ou annulé.",
            ),
            models.CheckConstraint(
                condition=Q(tentatives__lte=TENTATIVES_MAX),
                name="message_tentatives_max",
                violation_error_message=f"Un message est tenté {TENTATIVES_MAX} fois au plus.",
            ),
        ]

    def __str__(self):
        cible = self.numero or ", ".join(self.destinataires) or "courrier"
        return f"{self.get_canal_display()} « {self.sujet or self.get_genre_display()} » → {cible}"


class EvenementFournisseur(models.Model):
    """An inbound call from the SMS provider (a delivery status, a reply), kept once: a replayed
    webhook finds its key taken and is ignored (idempotent)."""

    fournisseur = models.CharField("fournisseur", max_length=30)
    cle = models.CharField("identifiant de l'événement", max_length=200)
    genre = models.CharField("genre", max_length=20)
    message = models.ForeignKey(
        Message, verbose_name="message", on_delete=models.SET_NULL, null=True, blank=True, related_name="evenements"
    )
    recu_le = models.DateTimeField("reçu le", auto_now_add=True)

    class Meta:
        verbose_name = "événement du fournisseur"
        verbose_name_plural = "événements du fournisseur"
        ordering = ["-recu_le", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["fournisseur", "cle"], name="evenement_fournisseur_unique"),
        ]

    def __str__(self):
        return f"{self.fournisseur} {self.genre} {self.cle}"
