"""The online referral (« fiche de prescription ») and what the coordination records on it.

Fields may stay empty while the prescription is a draft; once sent, the database itself refuses
a prescription without the identity and motives the coordination needs (constraints below).
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Upper
from django.utils import timezone
from simple_history.models import HistoricalRecords

from parcours.models import Parcours, Participant, Sexe
from plie import longueurs
from plie.accounts.models import Role
from plie.identite import IdentiteQuerySet, PersonneIdentifiee
from plie.longueurs import longueur_max
from plie.referentiel.models import CriterePublic
from plie.workflow import Machine
from prescriptions.workflow import (
    STATUTS_DECIDES,
    STATUTS_EN_COURS,
    TRANSITIONS,
    MotifRefus,
    PrescriptionError,
    Statut,
)

# What identifies the person: changing one of them after the duplicate check calls for a new check.
CHAMPS_IDENTITE = ["nom_usage", "nom_naissance", "prenoms", "sexe", "date_naissance"]
# Copied onto the participant at the acceptance, even for a person already known.
CHAMPS_CONTACT = [
    "telephone_mobile",
    "telephone_fixe",
    "email",
    "adresse",
    "code_postal",
    "commune",
    "date_inscription_france_travail",
]
# Who the PLIE receives, by age at the referral: a birth date outside is a typo (1099, 2019).
AGE_MIN, AGE_MAX = 16, 100


class SituationProfessionnelle(models.TextChoices):
    DEMANDEUR_EMPLOI = "demandeur_emploi", "Demandeur d'emploi"
    INACTIF = "inactif", "Sans emploi, non inscrit(e) comme demandeur d'emploi"
    EMPLOI_PRECAIRE = "emploi_precaire", "En emploi précaire ou à temps très partiel"
    FORMATION = "formation", "En formation"
    AUTRE = "autre", "Autre situation"


class Organisme(models.TextChoices):
    FRANCE_TRAVAIL = "france_travail", "France Travail"
    BUREAU_INSERTION = "bureau_insertion", "Bureau insertion du Département"


class Avis(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente"
    FAVORABLE = "favorable", "Favorable"
    DEFAVORABLE = "defavorable", "Défavorable"


def _log(prescription, transition, source, by, detail):
    EvenementPrescription.objects.create(
        prescription=prescription,
        type=transition.name,
        statut_avant=source,
        statut_apres=prescription.statut,
        auteur=by,
        detail=detail,
    )


MACHINE = Machine(
    transitions=TRANSITIONS,
    log=_log,
    stale_message="Cette prescription vient d'être modifiée par quelqu'un d'autre : rechargez la page.",
    impossible_message="Action « {label} » impossible : la prescription est « {etat} ».",
    state_field="statut",
    error=PrescriptionError,
)


def _in(field, values):
    return Q(**{f"{field}__in": sorted(values)})


def decidee():
    """1 for a decided referral (accepted or refused), else 0: « Mes prescriptions » shows open ones first.

    The one expression of that ordering: the view sorts on it, and ``prescription_mine_idx`` indexes it.
    """
    return Case(When(statut__in=sorted(STATUTS_DECIDES), then=Value(1)), default=Value(0))


def _est_brsa():
    """The referral names the RSA among its criteria."""
    return Exists(
        Prescription.criteres.through.objects.filter(
            prescription_id=OuterRef("pk"), criterepublic__code=CriterePublic.BRSA
        )
    )


class PrescriptionQuerySet(IdentiteQuerySet):
    def visible_to(self, user):
        """The prescriptions a user may open: the one rule for lists and object pages."""
        if not user.is_authenticated:
            return self.none()
        sent = self.exclude(statut=Statut.BROUILLON)  # a draft belongs to its author alone
        if user.has_role(Role.COORDINATION):
            return sent
        if user.has_role(Role.PRESCRIPTEUR):
            return self.filter(prescripteur=user)
        if user.has_role(Role.BUREAU_INSERTION):
            # Their own, and the referrals of RSA beneficiaries they are asked to validate. A condition on
            # each row (not « pk IN every RSA referral »): a page of 25 checks 25 rows, not 55 000.
            return self.filter(Q(prescripteur=user) | (~Q(statut=Statut.BROUILLON) & _est_brsa()))
        if user.has_role(Role.REFERENT):
            # The fiche of the people they were assigned.
            return sent.filter(parcours__referent=user)
        return self.none()

    def brsa(self):
        return self.filter(_est_brsa())

    def a_traiter(self):
        return self.filter(statut__in=[Statut.ENVOYEE, Statut.EN_EXAMEN])

    def en_cours(self):
        return self.filter(statut__in=sorted(STATUTS_EN_COURS))


class Prescription(PersonneIdentifiee):
    statut = models.CharField("statut", max_length=20, choices=Statut.choices, default=Statut.BROUILLON)
    prescripteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="prescripteur",
        on_delete=models.PROTECT,
        related_name="prescriptions",
    )
    structure = models.ForeignKey(
        "accounts.Structure",
        verbose_name="structure prescriptrice",
        on_delete=models.PROTECT,
        related_name="prescriptions",
    )

    # Identity (PersonneIdentifiee, optional in a draft). No NIR, ever.
    nom_usage = models.CharField("nom d'usage", max_length=150, blank=True)
    nom_naissance = models.CharField(
        "nom de naissance", max_length=150, blank=True, help_text="S'il diffère du nom d'usage."
    )
    prenoms = models.CharField("prénom(s)", max_length=150, blank=True)
    sexe = models.CharField("sexe", max_length=1, choices=Sexe.choices, blank=True)
    date_naissance = models.DateField("date de naissance", null=True, blank=True)

    # Contact and address.
    telephone_mobile = models.CharField("téléphone mobile", max_length=20, blank=True)
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
        related_name="prescriptions",
    )
    commune_autre = models.CharField(
        "autre commune",
        max_length=150,
        blank=True,
        help_text="Si la commune de résidence n'est pas dans la liste.",
    )

    # Situation and public criteria.
    situation = models.CharField(
        "situation professionnelle", max_length=20, choices=SituationProfessionnelle.choices, blank=True
    )
    criteres = models.ManyToManyField(
        CriterePublic, verbose_name="critères de public", blank=True, related_name="prescriptions"
    )
    inscrit_france_travail = models.BooleanField("inscrit(e) à France Travail", null=True, blank=True)
    date_inscription_france_travail = models.DateField("inscrit(e) à France Travail depuis le", null=True, blank=True)
    rup_demande = models.BooleanField(
        "le bureau insertion demande un référent unique de parcours (RUP)",
        default=False,
        help_text="Uniquement pour un bénéficiaire du RSA.",
    )

    # Why, and what was observed.
    motifs = models.TextField("motifs de la prescription", blank=True, max_length=longueurs.MOTIF)
    freins = models.JSONField("freins observés", default=list, blank=True)
    souhaite_assister_premier_rdv = models.BooleanField(
        "le prescripteur souhaite assister au premier rendez-vous", default=False
    )

    # Exchanges with the coordination.
    question_complement = models.TextField("complément demandé", blank=True, max_length=longueurs.COMMENTAIRE)
    reponse_complement = models.TextField("réponse du prescripteur", blank=True, max_length=longueurs.MOTIF)

    # Identity check (duplicates): the person already known, if any, and who checked.
    participant = models.ForeignKey(
        "parcours.Participant",
        verbose_name="personne déjà connue",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prescriptions",
    )
    identite_verifiee_le = models.DateTimeField("identité vérifiée le", null=True, blank=True)
    identite_verifiee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="identité vérifiée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    # Decision.
    parcours = models.OneToOneField(
        "parcours.Parcours",
        verbose_name="parcours",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prescription",
    )
    motif_refus = models.CharField("motif du refus", max_length=30, choices=MotifRefus.choices, blank=True)
    commentaire_refus = models.TextField("précisions sur le refus", blank=True, max_length=longueurs.COMMENTAIRE)
    decidee_le = models.DateTimeField("décidée le", null=True, blank=True)
    decidee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="décidée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    cree_le = models.DateTimeField("créée le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifiée le", auto_now=True)
    envoyee_le = models.DateTimeField("envoyée le", null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[criteres])
    objects = PrescriptionQuerySet.as_manager()

    class Meta:
        verbose_name = "prescription"
        ordering = ["-envoyee_le", "-id"]
        indexes = [
            # A status in date order (the queue filtered on one status, oldest first; or newest first,
            # read backwards): deep pages read ids from this index alone.
            models.Index(fields=["statut", "envoyee_le", "id"], name="prescription_statut_envoi_idx"),
            # « Mes prescriptions » in its order (open ones first, latest sent first): a prescripteur who
            # sent 13 000 referrals gets the first 25 from the index, not a sort of all of them.
            models.Index(
                F("prescripteur"),
                decidee(),
                F("envoyee_le").desc(),
                F("modifie_le").desc(),
                F("id").desc(),
                name="prescription_mine_idx",
            ),
            models.Index(fields=["date_naissance"]),
            models.Index(fields=["prescripteur", "statut"]),
            # The queue (oldest first) and the default ordering (newest first) walk this index.
            models.Index(fields=["envoyee_le", "id"], name="prescription_envoi_idx"),
            # The queue's default filter (referrals in progress) in its order: deep pages read 25 rows.
            models.Index(
                fields=["envoyee_le", "id"],
                condition=Q(statut__in=sorted(STATUTS_EN_COURS)),
                name="prescription_queue_idx",
            ),
            # The duplicate search: same phone (either field) or same email, compared case-insensitively.
            models.Index(fields=["telephone_mobile"], name="prescription_tel_mobile_idx"),
            models.Index(fields=["telephone_fixe"], name="prescription_tel_fixe_idx"),
            models.Index(Upper("email"), name="prescription_email_upper_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(statut=Statut.BROUILLON)
                | (
                    ~Q(nom_usage="")
                    & ~Q(prenoms="")
                    & ~Q(sexe="")
                    & ~Q(motifs="")
                    & ~Q(situation="")
                    & Q(date_naissance__isnull=False)
                    & Q(envoyee_le__isnull=False)
                    & Q(inscrit_france_travail__isnull=False)
                ),
                name="prescription_sent_is_complete",
                violation_error_message="Une prescription envoyée a une identité, une situation et des motifs.",
            ),
            models.CheckConstraint(
                condition=Q(commune__isnull=True) | Q(commune_autre=""),
                name="prescription_one_commune",
                violation_error_message="Choisissez la commune dans la liste, ou saisissez-en une autre, pas les deux.",
            ),
            models.CheckConstraint(
                # isnull=False: « NULL = true » is not false, and the check would let it through.
                condition=Q(date_inscription_france_travail__isnull=True)
                | Q(inscrit_france_travail__isnull=False, inscrit_france_travail=True),
                name="prescription_ft_date_only_if_registered",
                violation_error_message="Une date d'inscription suppose une inscription à France Travail.",
            ),
            models.CheckConstraint(
                condition=Q(date_naissance__isnull=True) | Q(date_naissance__gte=datetime.date(1900, 1, 1)),
                name="prescription_date_naissance_plausible",
                violation_error_message="La date de naissance est antérieure à 1900.",
            ),
            models.CheckConstraint(
                condition=(Q(statut=Statut.ACCEPTEE) & Q(parcours__isnull=False))
                | (~Q(statut=Statut.ACCEPTEE) & Q(parcours__isnull=True)),
                name="prescription_accepted_iff_parcours",
                violation_error_message="Une prescription acceptée a un parcours, et elle seule.",
            ),
            models.CheckConstraint(
                condition=(Q(statut=Statut.REFUSEE) & ~Q(motif_refus=""))
                | (~Q(statut=Statut.REFUSEE) & Q(motif_refus="")),
                name="prescription_refused_iff_motif",
                violation_error_message="Un refus a un motif, et seul un refus en a un.",
            ),
            models.CheckConstraint(
                condition=(_in("statut", STATUTS_DECIDES) & Q(decidee_le__isnull=False))
                | (~_in("statut", STATUTS_DECIDES) & Q(decidee_le__isnull=True)),
                name="prescription_decided_has_date",
                violation_error_message="Une décision a une date, et seule une décision en a une.",
            ),
            models.CheckConstraint(
                condition=~Q(statut=Statut.COMPLEMENT_DEMANDE) | ~Q(question_complement=""),
                name="prescription_complement_has_question",
                violation_error_message="Une demande de complément a une question.",
            ),
            models.CheckConstraint(
                condition=Q(participant__isnull=True) | Q(identite_verifiee_le__isnull=False),
                name="prescription_linked_person_was_checked",
                violation_error_message="Le rattachement à une personne connue suppose la vérification de l'identité.",
            ),
            longueur_max("prescription", "motifs", longueurs.MOTIF),
            longueur_max("prescription", "question_complement", longueurs.COMMENTAIRE),
            longueur_max("prescription", "reponse_complement", longueurs.MOTIF),
            longueur_max("prescription", "commentaire_refus", longueurs.COMMENTAIRE),
        ]

    def __str__(self):
        return f"Prescription de {self.nom_complet or 'personne sans nom'} ({self.get_statut_display()})"

    @property
    def date_prescription(self) -> datetime.date | None:
        return timezone.localdate(self.envoyee_le) if self.envoyee_le else None

    @property
    def est_modifiable(self) -> bool:
        from prescriptions.workflow import STATUTS_MODIFIABLES

        return self.statut in STATUTS_MODIFIABLES

    def codes_criteres(self) -> set[str]:
        return {c.code for c in self.criteres.all()}

    @property
    def beneficiaire_rsa(self) -> bool:
        return CriterePublic.BRSA in self.codes_criteres()

    def clean(self):
        super().clean()
        errors = {}
        if self.commune_id and self.commune_autre:
            errors["commune_autre"] = "Choisissez la commune dans la liste, ou saisissez-en une autre, pas les deux."
        if self.date_naissance and self.date_naissance > timezone.localdate():
            errors["date_naissance"] = "La date de naissance ne peut être dans le futur."
        elif self.date_naissance:
            reference = self.date_prescription or timezone.localdate()
            age = relativedelta(reference, self.date_naissance).years
            if not AGE_MIN <= age <= AGE_MAX:
                plus_tot = reference - relativedelta(years=AGE_MAX + 1) + datetime.timedelta(days=1)
                plus_tard = reference - relativedelta(years=AGE_MIN)
                errors["date_naissance"] = (
                    f"La personne a entre {AGE_MIN} et {AGE_MAX} ans à la date de la prescription "
                    f"({reference:%d/%m/%Y}) : elle est née entre le {plus_tot:%d/%m/%Y} et le {plus_tard:%d/%m/%Y}."
                )
        if self.date_inscription_france_travail:
            if not self.inscrit_france_travail:
                errors["date_inscription_france_travail"] = "Indiquez d'abord que la personne est inscrite."
            elif self.date_inscription_france_travail > timezone.localdate():
                errors["date_inscription_france_travail"] = "La date d'inscription ne peut être dans le futur."
            elif self.date_naissance and self.date_inscription_france_travail <= self.date_naissance:
                errors["date_inscription_france_travail"] = "L'inscription ne peut précéder la naissance."
        if errors:
            raise ValidationError(errors)

    # --- steps ---------------------------------------------------------------------------------

    def journaliser(self, by, type_, detail=""):
        """Log a step that does not change the status (identity check, validation, avis)."""
        EvenementPrescription.objects.create(
            prescription=self, type=type_, statut_avant=self.statut, statut_apres=self.statut, auteur=by, detail=detail
        )

    def envoyer(self, by, identite_modifiee=False):
        """Submitted by its author; the form has already checked every field (all errors at once).

        ``identite_modifiee``: an answer to a complement changed who the person is, so the
        coordination's duplicate check no longer holds and is done again.
        """
        with MACHINE.appliquer(self, "envoyer", by, self.reponse_complement if self.question_complement else ""):
            if self.envoyee_le is None:
                self.envoyee_le = timezone.now()
            if identite_modifiee and self.identite_verifiee_le:
                self.participant = None
                self.identite_verifiee_le = self.identite_verifiee_par = None
                self.candidats_ecartes.all().delete()

    def examiner(self, by):
        """The coordination starts working on it (only the first time changes the status)."""
        if self.statut not in {Statut.ENVOYEE, Statut.EN_EXAMEN}:
            raise PrescriptionError(f"La prescription est « {self.get_statut_display()} » : plus rien à vérifier.")
        if self.statut == Statut.ENVOYEE:
            with MACHINE.appliquer(self, "examiner", by):
                pass

    def demander_complement(self, by, question):
        question = (question or "").strip()
        if not question:
            raise PrescriptionError("Écrivez la question posée au prescripteur.", field="question")
        with MACHINE.appliquer(self, "demander_complement", by, question):
            self.question_complement = question
            self.reponse_complement = ""

    def refuser(self, by, motif_refus, commentaire=""):
        if motif_refus not in MotifRefus.values:
            raise PrescriptionError("Choisissez le motif du refus.", field="motif_refus")
        with MACHINE.appliquer(self, "refuser", by, f"{MotifRefus(motif_refus).label}. {commentaire}".strip()):
            self.motif_refus = motif_refus
            self.commentaire_refus = (commentaire or "").strip()
            self.decidee_le = timezone.now()
            self.decidee_par = by

    def accepter(self, by, referent, *, referentiel, justification="", rang=None, confirme=False):
        """Accept and orient the person to ``referent``: the participant and their parcours.

        The messages that follow leave from :func:`prescriptions.decisions.accepter`.
        """
        from prescriptions import eligibilite
        from prescriptions.decisions import checklist

        with MACHINE.appliquer(self, "accepter", by, justification):
            Parcours.verifier_referent(referent)
            checks = checklist(self, referentiel)
            blocking = [v for v in checks if v.bloquante]
            if blocking:
                raise PrescriptionError(
                    "Acceptation impossible : " + " ; ".join(f"{v.libelle} — {v.constat}" for v in blocking)
                )
            to_confirm = [v for v in checks if v.resultat == eligibilite.Resultat.A_VERIFIER]
            if to_confirm and not confirme:
                raise PrescriptionError(
                    "Confirmez avoir vérifié : " + " ; ".join(v.libelle for v in to_confirm) + ".", field="confirme"
                )
            participant = self.participant or Participant(consentement=False)
            # A known person keeps the identity already checked; their contact details are refreshed.
            champs = CHAMPS_CONTACT if participant.pk else CHAMPS_IDENTITE + CHAMPS_CONTACT
            for field in champs:
                setattr(participant, field, getattr(self, field))
            participant._history_user = by
            participant.save()
            participant.criteres.set(self.criteres.all())
            motif = (justification or "").strip()
            if rang:
                motif = f"Rang {rang} de la proposition. {motif}".strip()
            parcours = Parcours.orienter(
                by,
                referent,
                participant=participant,
                date_prescription=self.date_prescription,
                prescripteur=self.prescripteur,
                structure_prescriptrice=self.structure,
                rup=self.rup_demande,
                motif=motif,
            )
            self.participant = participant
            self.parcours = parcours
            if self.identite_verifiee_le is None:
                # No unresolved candidate is left (checked above): accepting confirms the identity.
                self.identite_verifiee_le = timezone.now()
                self.identite_verifiee_par = by
            self.decidee_le = timezone.now()
            self.decidee_par = by
        return parcours


class ValidationPrescription(models.Model):
    """France Travail's or the bureau insertion's agreement, asked and recorded with date and author."""

    prescription = models.ForeignKey(Prescription, on_delete=models.CASCADE, related_name="validations")
    organisme = models.CharField("organisme", max_length=20, choices=Organisme.choices)
    demandee_le = models.DateTimeField("demandée le", default=timezone.now)
    demandee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="demandée par", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    avis = models.CharField("avis", max_length=20, choices=Avis.choices, default=Avis.EN_ATTENTE)
    avis_le = models.DateTimeField("avis rendu le", null=True, blank=True)
    avis_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="avis enregistré par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    interlocuteur = models.CharField(
        "interlocuteur", max_length=150, blank=True, help_text="La personne de l'organisme qui a donné l'avis."
    )
    commentaire = models.TextField("commentaire", blank=True, max_length=longueurs.COMMENTAIRE)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "validation"
        ordering = ["organisme"]
        # The bureau insertion's queue (one organisme, waiting or answered, in its order): 25 rows read.
        indexes = [models.Index(fields=["organisme", "avis", "-avis_le", "demandee_le"], name="validation_file_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["prescription", "organisme"],
                name="validation_one_per_organisme",
                violation_error_message="Cette validation est déjà demandée.",
            ),
            models.CheckConstraint(
                condition=(Q(avis=Avis.EN_ATTENTE) & Q(avis_le__isnull=True))
                | (~Q(avis=Avis.EN_ATTENTE) & Q(avis_le__isnull=False)),
                name="validation_avis_has_date",
                violation_error_message="Un avis rendu a une date, et seulement lui.",
            ),
            models.CheckConstraint(
                condition=Q(avis_le__isnull=True) | Q(avis_le__gte=models.F("demandee_le")),
                name="validation_avis_after_request",
                violation_error_message="L'avis ne peut précéder la demande.",
            ),
            longueur_max("validation", "commentaire", longueurs.COMMENTAIRE),
        ]

    def __str__(self):
        return f"{self.get_organisme_display()} : {self.get_avis_display()}"


class CandidatEcarte(models.Model):
    """A possible duplicate the coordination declared to be another person."""

    prescription = models.ForeignKey(Prescription, on_delete=models.CASCADE, related_name="candidats_ecartes")
    participant = models.ForeignKey(
        "parcours.Participant", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    autre_prescription = models.ForeignKey(
        Prescription, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    ecarte_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    ecarte_le = models.DateTimeField("écarté le", default=timezone.now)

    class Meta:
        verbose_name = "doublon écarté"
        verbose_name_plural = "doublons écartés"
        constraints = [
            models.CheckConstraint(
                condition=Q(participant__isnull=False, autre_prescription__isnull=True)
                | Q(participant__isnull=True, autre_prescription__isnull=False),
                name="candidat_ecarte_one_target",
                violation_error_message="Un doublon écarté désigne un participant ou une prescription.",
            ),
            models.UniqueConstraint(fields=["prescription", "participant"], name="candidat_ecarte_unique_participant"),
            models.UniqueConstraint(
                fields=["prescription", "autre_prescription"], name="candidat_ecarte_unique_prescription"
            ),
            models.CheckConstraint(
                condition=~Q(autre_prescription=models.F("prescription")),
                name="candidat_ecarte_not_itself",
                violation_error_message="Une prescription n'est pas son propre doublon.",
            ),
        ]

    def __str__(self):
        return f"Doublon écarté le {self.ecarte_le:%d/%m/%Y}"


class EvenementPrescription(models.Model):
    """The log of a prescription: every step, who, when, and what was said."""

    TYPES = [
        *[(name, t.label) for name, t in TRANSITIONS.items()],
        ("identite", "Identité vérifiée"),
        ("doublon_ecarte", "Doublon écarté"),
        ("validation_demandee", "Validation demandée"),
        ("avis", "Avis enregistré"),
    ]

    prescription = models.ForeignKey(Prescription, on_delete=models.CASCADE, related_name="evenements")
    type = models.CharField("étape", max_length=30, choices=TYPES)
    statut_avant = models.CharField("statut avant", max_length=20, choices=Statut.choices)
    statut_apres = models.CharField("statut après", max_length=20, choices=Statut.choices)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    date = models.DateTimeField("date", default=timezone.now)
    detail = models.TextField("détail", blank=True, max_length=longueurs.JOURNAL)

    class Meta:
        verbose_name = "étape de prescription"
        verbose_name_plural = "journal des prescriptions"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["prescription", "-date"])]
        constraints = [longueur_max("evenement_prescription", "detail", longueurs.JOURNAL)]

    def __str__(self):
        return f"{self.get_type_display()} ({self.date:%d/%m/%Y %H:%M})"
