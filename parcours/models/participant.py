"""The person accompanied. Only what the mission needs: no NIR, no diagnosis."""

import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from simple_history.models import HistoricalRecords

from plie.identite import IdentiteQuerySet, PersonneIdentifiee, Sexe  # noqa: F401  (Sexe: re-exported)
from plie.referentiel.models import CriterePublic

DELD_MONTHS = 12  # long-term unemployment: registered at France Travail for 12 months or more


def mois_depuis(date: datetime.date | None, on: datetime.date | None = None) -> int | None:
    if not date:
        return None
    delta = relativedelta(on or timezone.localdate(), date)
    return delta.years * 12 + delta.months


def est_deld(date_inscription: datetime.date | None, on: datetime.date | None = None) -> bool:
    """Long-term unemployment is derived from the France Travail registration date, never typed."""
    months = mois_depuis(date_inscription, on)
    return months is not None and months >= DELD_MONTHS


class ParticipantQuerySet(IdentiteQuerySet):
    def brsa(self):
        return self.filter(criteres__code=CriterePublic.BRSA)


class Participant(PersonneIdentifiee):
    telephone_mobile = models.CharField(
        "téléphone mobile", max_length=20, blank=True, help_text="Pour les rappels de rendez-vous par SMS."
    )
    telephone_fixe = models.CharField("téléphone fixe", max_length=20, blank=True)
    email = models.EmailField("email", blank=True)
    adresse = models.CharField("adresse", max_length=255, blank=True)
    code_postal = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(
        "territoire.Commune",
        verbose_name="commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participants",
        help_text="Vide si la personne réside hors du territoire couvert.",
    )

    criteres = models.ManyToManyField(
        CriterePublic, verbose_name="critères de public", blank=True, related_name="participants"
    )
    date_inscription_france_travail = models.DateField("inscrit(e) à France Travail depuis le", null=True, blank=True)

    consentement = models.BooleanField("consentement au traitement des données", default=False)
    date_consentement = models.DateField("date du consentement", null=True, blank=True)

    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords(m2m_fields=[criteres])
    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = "participant"
        ordering = ["nom_usage", "prenoms"]
        indexes = [
            models.Index(fields=["nom_usage", "prenoms"]),
            models.Index(fields=["date_naissance"]),
            # The duplicate search: same phone (either field) or same email, compared case-insensitively.
            models.Index(fields=["telephone_mobile"], name="participant_tel_mobile_idx"),
            models.Index(fields=["telephone_fixe"], name="participant_tel_fixe_idx"),
            models.Index(Upper("email"), name="participant_email_upper_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(consentement=True, date_consentement__isnull=False)
                | Q(consentement=False, date_consentement__isnull=True),
                name="participant_consentement_has_date",
                violation_error_message="Un consentement recueilli a une date, et seulement lui.",
            ),
            models.CheckConstraint(
                condition=Q(date_naissance__gte=datetime.date(1900, 1, 1)),
                name="participant_date_naissance_plausible",
                violation_error_message="La date de naissance est antérieure à 1900.",
            ),
            models.CheckConstraint(
                condition=Q(date_consentement__isnull=True) | Q(date_consentement__gte=models.F("date_naissance")),
                name="participant_consentement_after_naissance",
                violation_error_message="Le consentement ne peut précéder la naissance.",
            ),
            models.CheckConstraint(
                condition=Q(date_inscription_france_travail__isnull=True)
                | Q(date_inscription_france_travail__gt=models.F("date_naissance")),
                name="participant_inscription_ft_after_naissance",
                violation_error_message="L'inscription à France Travail ne peut précéder la naissance.",
            ),
        ]

    def __str__(self):
        return self.nom_complet

    def clean(self):
        """Phone numbers are stored in E.164 whatever way they were typed."""
        from plie.phones import normalize_phone

        super().clean()
        errors = {}
        for field, mobile in (("telephone_mobile", True), ("telephone_fixe", False)):
            value = getattr(self, field)
            if value:
                try:
                    setattr(self, field, normalize_phone(value, mobile=mobile))
                except ValidationError as error:
                    errors[field] = error.messages
        if errors:
            raise ValidationError(errors)

    def age(self, on: datetime.date | None = None) -> int:
        on = on or timezone.localdate()
        return relativedelta(on, self.date_naissance).years

    def est_deld(self, on: datetime.date | None = None) -> bool:
        return est_deld(self.date_inscription_france_travail, on)

    def codes_criteres(self) -> set[str]:
        return {critere.code for critere in self.criteres.all()}

    @property
    def beneficiaire_rsa(self) -> bool:
        return CriterePublic.BRSA in self.codes_criteres()
