"""People who use the product and the structures they belong to.

A user belongs to one structure and has one role. The role decides what the user may see
(see :mod:`plie.permissions`); the structure says for whom they work.
"""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from plie.normalisation import normaliser


class StructureType(models.TextChoices):
    COORDINATION = "coordination", "Coordination du PLIE"
    OPERATEUR = "operateur", "Opérateur (employeur de référents)"
    PRESCRIPTEUR = "prescripteur", "Prescripteur"
    FINANCEUR = "financeur", "Financeur"


class PrescripteurKind(models.TextChoices):
    CCAS = "ccas", "CCAS"
    AMS = "ams", "Action médico-sociale (AMS)"
    FRANCE_TRAVAIL = "france_travail", "France Travail"
    BUREAU_INSERTION = "bureau_insertion", "Bureau insertion du Département"
    SIAE = "siae", "SIAE"
    MISSION_LOCALE = "mission_locale", "Mission Locale"
    ASSOCIATION = "association", "Association"
    ORGANISME_FORMATION = "organisme_formation", "Organisme de formation"
    SANTE = "sante", "Professionnel de santé"
    ETT = "ett", "Entreprise de travail temporaire"
    AUTRE = "autre", "Autre"


class Role(models.TextChoices):
    COORDINATION = "coordination", "Coordination"
    REFERENT = "referent", "Référent de parcours"
    PRESCRIPTEUR = "prescripteur", "Prescripteur"
    BUREAU_INSERTION = "bureau_insertion", "Bureau insertion"
    OPERATEUR = "operateur", "Opérateur"
    FINANCEUR = "financeur", "Financeur"


# Which structure a user of each role works for: one rule, checked by User.clean().
ROLE_STRUCTURE_TYPES = {
    Role.COORDINATION: {StructureType.COORDINATION},
    Role.REFERENT: {StructureType.OPERATEUR},
    Role.OPERATEUR: {StructureType.OPERATEUR},
    Role.PRESCRIPTEUR: {StructureType.PRESCRIPTEUR},
    Role.BUREAU_INSERTION: {StructureType.PRESCRIPTEUR},
    Role.FINANCEUR: {StructureType.FINANCEUR},
}


class StructureQuerySet(models.QuerySet):
    def operateurs(self):
        return self.filter(type=StructureType.OPERATEUR)

    def prescripteurs(self):
        return self.filter(type=StructureType.PRESCRIPTEUR)


class Structure(models.Model):
    nom = models.CharField("nom", max_length=200)
    type = models.CharField("type", max_length=20, choices=StructureType.choices)
    type_prescripteur = models.CharField(
        "type de prescripteur",
        max_length=30,
        choices=PrescripteurKind.choices,
        blank=True,
        help_text="Uniquement pour les structures prescriptrices.",
    )
    siret = models.CharField("SIRET", max_length=14, blank=True)
    adresse = models.CharField("adresse", max_length=255, blank=True)
    commune = models.ForeignKey(
        "territoire.Commune",
        verbose_name="commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="structures",
    )
    email = models.EmailField("email de contact", blank=True)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    active = models.BooleanField("active", default=True)

    history = HistoricalRecords()
    objects = StructureQuerySet.as_manager()

    class Meta:
        verbose_name = "structure"
        ordering = ["nom"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(type=StructureType.PRESCRIPTEUR) & ~Q(type_prescripteur=""))
                | (~Q(type=StructureType.PRESCRIPTEUR) & Q(type_prescripteur="")),
                name="structure_type_prescripteur_iff_prescripteur",
                violation_error_message=(
                    "Le type de prescripteur est obligatoire pour une structure prescriptrice, et seulement pour elle."
                ),
            ),
            models.UniqueConstraint(fields=["nom", "type"], name="structure_unique_nom_type"),
        ]

    def __str__(self):
        return self.nom

    @property
    def type_label(self):
        if self.type == StructureType.PRESCRIPTEUR and self.type_prescripteur:
            return self.get_type_prescripteur_display()
        return self.get_type_display()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("L'adresse email est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def referents(self):
        return self.filter(role=Role.REFERENT)

    def active_referents(self):
        return self.filter(role=Role.REFERENT, is_active=True, referent_profile__actif=True).select_related(
            "referent_profile", "structure"
        )


CHAMPS_COMPTE = ("first_name", "last_name", "email")


def cle_compte(compte) -> str:
    return normaliser(" ".join(getattr(compte, champ) or "" for champ in CHAMPS_COMPTE))


class CompteRecherche(models.Model):
    """An account's search key (names and email address reduced by the one normaliser), so that the
    account lists find "André" when "andre" is typed, as the lists of people do (plie.identite)."""

    cle_recherche = models.CharField(
        "clé de recherche",
        max_length=560,  # two names of 150 characters, an address of 254 and their spaces
        blank=True,
        editable=False,
        help_text="Noms et adresse email sans accents ni majuscules ni ponctuation, remplie à l'enregistrement.",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.cle_recherche = cle_compte(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(CHAMPS_COMPTE):
            kwargs["update_fields"] = {*update_fields, "cle_recherche"}
        super().save(*args, **kwargs)


class User(CompteRecherche, AbstractUser):
    username = None
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    email = models.EmailField("adresse email", unique=True)
    role = models.CharField("rôle", max_length=20, choices=Role.choices, blank=True)
    structure = models.ForeignKey(
        Structure,
        verbose_name="structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="membres",
    )
    telephone = models.CharField("téléphone", max_length=20, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["last_name", "first_name"]
        constraints = [
            # A person using the product always has a role and a structure; only Django admins
            # (superusers) may have neither.
            models.CheckConstraint(
                condition=Q(is_superuser=True) | (~Q(role="") & Q(structure__isnull=False)),
                name="user_role_and_structure_unless_superuser",
                violation_error_message="Un utilisateur a un rôle et une structure.",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self):
        super().clean()
        self.email = (self.email or "").lower()
        # ``structure``, not ``structure_id``: an invitation checks a structure it has yet to create.
        if self.role and self.structure is not None:
            allowed = ROLE_STRUCTURE_TYPES[Role(self.role)]
            if self.structure.type not in allowed:
                raise ValidationError(
                    {
                        "structure": (
                            f"Un utilisateur au rôle « {self.get_role_display()} » appartient à "
                            f"une structure de type {' ou '.join(StructureType(t).label for t in allowed)}."
                        )
                    }
                )
            if (
                self.role == Role.BUREAU_INSERTION
                and self.structure.type_prescripteur != PrescripteurKind.BUREAU_INSERTION
            ):
                raise ValidationError(
                    {"structure": "Le rôle bureau insertion suppose une structure « bureau insertion »."}
                )

    def has_role(self, *roles) -> bool:
        """The one way to ask a user's role: a superuser acts as the coordination."""
        return (Role.COORDINATION if self.is_superuser else self.role) in roles

    # The templates' shortcut (a template cannot pass arguments to has_role).
    @property
    def is_bureau_insertion(self):
        return self.has_role(Role.BUREAU_INSERTION)


class LieuAccompagnement(models.Model):
    """A place where référents receive participants (office, permanence, France services…)."""

    nom = models.CharField("nom", max_length=200)
    adresse = models.CharField("adresse", max_length=255, blank=True)
    commune = models.ForeignKey(
        "territoire.Commune", verbose_name="commune", on_delete=models.PROTECT, related_name="lieux"
    )

    class Meta:
        verbose_name = "lieu d'accompagnement"
        verbose_name_plural = "lieux d'accompagnement"
        ordering = ["commune__nom", "nom"]

    def __str__(self):
        return f"{self.nom} ({self.commune.nom})"


class ReferentProfile(models.Model):
    """What the PLIE needs to know of a référent's post: time, places, and whether it is held."""

    user = models.OneToOneField(
        User, verbose_name="référent", on_delete=models.CASCADE, related_name="referent_profile"
    )
    etp = models.DecimalField(
        "ETP",
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.10")), MaxValueValidator(Decimal("1.00"))],
        help_text="Équivalent temps plein consacré au PLIE (par exemple 0,5 ou 1).",
    )
    lieux = models.ManyToManyField(
        LieuAccompagnement, verbose_name="lieux d'accompagnement", blank=True, related_name="referents"
    )
    actif = models.BooleanField("poste occupé", default=True)
    date_debut = models.DateField("prise de poste")
    date_vacance = models.DateField(
        "poste vacant depuis", null=True, blank=True, help_text="À déclarer dès que le poste se libère."
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "profil de référent"
        verbose_name_plural = "profils de référents"
        constraints = [
            models.CheckConstraint(
                condition=Q(etp__gt=0) & Q(etp__lte=1),
                name="referent_etp_between_0_and_1",
                violation_error_message="L'ETP est compris entre 0 et 1.",
            ),
            models.CheckConstraint(
                condition=(Q(actif=True) & Q(date_vacance__isnull=True))
                | (Q(actif=False) & Q(date_vacance__isnull=False)),
                name="referent_vacant_has_date",
                violation_error_message="Un poste vacant a une date de vacance, un poste occupé n'en a pas.",
            ),
            models.CheckConstraint(
                condition=Q(date_vacance__isnull=True) | Q(date_vacance__gte=models.F("date_debut")),
                name="referent_vacance_after_debut",
                violation_error_message="La vacance ne peut précéder la prise de poste.",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.etp} ETP)"

    @property
    def employeur(self):
        return self.user.structure


# How long an activation link stays valid; a renewed invitation starts a new period.
INVITATION_VALIDITY = timedelta(days=7)
# The coordination invites people of every role (a colleague of the coordination too).
INVITATION_ROLES = list(Role)


class InvitationStatut(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente"
    ACCEPTEE = "acceptee", "Acceptée"
    EXPIREE = "expiree", "Expirée"


class InvitationQuerySet(models.QuerySet):
    def en_attente(self):
        return self.filter(acceptee_le__isnull=True, expire_le__gt=timezone.now())

    def acceptees(self):
        return self.filter(acceptee_le__isnull=False)

    def expirees(self):
        return self.filter(acceptee_le__isnull=True, expire_le__lte=timezone.now())

    def non_acceptees(self):
        """The invitations the coordination may still renew or cancel: pending or expired."""
        return self.filter(acceptee_le__isnull=True)

    def with_statut(self, statut):
        return {
            InvitationStatut.EN_ATTENTE: self.en_attente,
            InvitationStatut.ACCEPTEE: self.acceptees,
            InvitationStatut.EXPIREE: self.expirees,
        }[InvitationStatut(statut)]()


class Invitation(CompteRecherche, models.Model):
    """An account the coordination opened (any role), waiting for its owner to activate it.

    Only the SHA-256 of the activation token is stored: the token itself travels in the email link
    and nowhere else. The state follows from the dates (see :class:`InvitationStatut`); the
    transitions live in :mod:`plie.accounts.invitations`.
    """

    email = models.EmailField("adresse email")
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    role = models.CharField("rôle", max_length=20, choices=[(role.value, role.label) for role in INVITATION_ROLES])
    # A référent's post is created when the account is activated: its ETP is said in the invitation.
    etp = models.DecimalField(
        "ETP du poste",
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.10")), MaxValueValidator(Decimal("1.00"))],
        help_text="Pour un référent seulement : l'équivalent temps plein consacré au PLIE.",
    )
    structure = models.ForeignKey(
        Structure, verbose_name="structure", on_delete=models.PROTECT, related_name="invitations"
    )
    token_hash = models.CharField("empreinte du jeton", max_length=64, unique=True, editable=False)
    invite_par = models.ForeignKey(
        User,
        verbose_name="invitée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_envoyees",
    )
    cree_le = models.DateTimeField("créée le", default=timezone.now, editable=False)
    expire_le = models.DateTimeField("expire le")
    acceptee_le = models.DateTimeField("acceptée le", null=True, blank=True)
    user = models.OneToOneField(
        User,
        verbose_name="compte créé",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitation",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation"
        ordering = ["-cree_le", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=INVITATION_ROLES),
                name="invitation_role_known",
                violation_error_message="Une invitation donne un des rôles de la plateforme.",
            ),
            models.CheckConstraint(
                condition=(Q(role=Role.REFERENT) & Q(etp__isnull=False) & Q(etp__gt=0) & Q(etp__lte=1))
                | (~Q(role=Role.REFERENT) & Q(etp__isnull=True)),
                name="invitation_etp_iff_referent",
                violation_error_message="L'invitation d'un référent donne l'ETP de son poste (entre 0 et 1), "
                "et seulement elle.",
            ),
            models.CheckConstraint(
                condition=Q(acceptee_le__isnull=True, user__isnull=True)
                | Q(acceptee_le__isnull=False, user__isnull=False),
                name="invitation_accepted_iff_user",
                violation_error_message="Une invitation acceptée a créé un compte, et seulement elle.",
            ),
            models.CheckConstraint(
                condition=Q(expire_le__gt=models.F("cree_le")),
                name="invitation_expires_after_creation",
                violation_error_message="Une invitation expire après sa création.",
            ),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name} <{self.email}>"

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def statut(self) -> InvitationStatut:
        if self.acceptee_le is not None:
            return InvitationStatut.ACCEPTEE
        if self.expire_le <= timezone.now():
            return InvitationStatut.EXPIREE
        return InvitationStatut.EN_ATTENTE

    def clean(self):
        super().clean()
        self.email = (self.email or "").lower()
        # Unset, a required relation raises RelatedObjectDoesNotExist, an AttributeError.
        structure = getattr(self, "structure", None)
        if self.role and structure is not None:
            # The account it will open must be valid: the user's rule, not a copy of it.
            User(role=self.role, structure=structure).clean()
