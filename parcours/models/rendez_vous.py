"""The rendez-vous of a parcours (the first appointment, the individual entretiens) and their
state machine: planned, then held, excused, missed without reason, or cancelled.

The transitions are declared in ``TRANSITIONS_RDV`` and applied through the workflow kernel
(:mod:`plie.workflow`): each one locks the row, refuses a stale copy (``modifie_le``) and writes a
:class:`TransitionRendezVous` row. The rules that span the parcours (its states, the référent's
places, the next appointment, the absences' follow-up) live in :mod:`parcours.entretiens`.
"""

import datetime

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from plie import longueurs
from plie.accounts.models import Role
from plie.longueurs import longueur_max
from plie.workflow import Machine, Transition, TransitionError, table


class Modalite(models.TextChoices):
    PRESENTIEL = "presentiel", "En présentiel"
    TELEPHONE = "telephone", "Par téléphone"
    VISIO = "visio", "En visioconférence"


class ConfirmationDistance(models.TextChoices):
    """How the participant confirmed a remote entretien held without a signed émargement (N §III « à
    distance »: the proof the FSE+ accepts, with the session's date, duration and means)."""

    EMAIL = "email", "Email du participant"
    SMS = "sms", "SMS du participant"
    COURRIER = "courrier", "Courrier signé du participant"


class ObjetRendezVous(models.TextChoices):
    PREMIER_RDV = "premier_rdv", "Premier rendez-vous"
    ENTRETIEN = "entretien", "Entretien individuel"


class StatutRendezVous(models.TextChoices):
    PREVU = "prevu", "Prévu"
    HONORE = "honore", "Honoré"
    EXCUSE = "excuse", "Absence excusée"
    ABSENT = "absent", "Absence non justifiée"
    ANNULE = "annule", "Annulé"


class RendezVousError(TransitionError):
    """A rendez-vous rule refused: a French message, shown next to ``field``."""


S = StatutRendezVous
REFERENT_OU_COORDINATION = frozenset({Role.REFERENT, Role.COORDINATION})
PREVU = frozenset({S.PREVU})

TRANSITIONS_RDV = table(
    Transition("planifier", "Planifier un entretien", frozenset(), S.PREVU, REFERENT_OU_COORDINATION),
    Transition("honorer", "Entretien tenu", PREVU, S.HONORE, REFERENT_OU_COORDINATION),
    Transition("excuser", "Absence excusée", PREVU, S.EXCUSE, REFERENT_OU_COORDINATION),
    Transition("noter_absence", "Absence non justifiée", PREVU, S.ABSENT, REFERENT_OU_COORDINATION),
    Transition("annuler", "Rendez-vous annulé", PREVU, S.ANNULE, REFERENT_OU_COORDINATION),
)
# Closing an appointment: the issue chosen in the form → its transition.
CLOTURES = {S.HONORE: "honorer", S.EXCUSE: "excuser", S.ABSENT: "noter_absence", S.ANNULE: "annuler"}
# Held or missed: these happened at their time, so they are closed after their start.
STATUTS_PASSES = frozenset({S.HONORE, S.ABSENT})
STATUTS_CLOS = frozenset({S.HONORE, S.EXCUSE, S.ABSENT})
# The real length of a held entretien: 0 minutes or 25 hours is a typo.
DUREE_REELLE_MIN, DUREE_REELLE_MAX = 1, 480
# A slow clock on the référent's computer.
TOLERANCE_HORLOGE = datetime.timedelta(minutes=5)
# The proof of a remote entretien, recorded at its closing or later (:meth:`RendezVous.enregistrer_preuve`).
CHAMPS_PREUVE = ("moyen_distance", "confirmation_participant", "confirmation_le")
MOYEN_DISTANCE_MAX = 100
# How the participant confirmed, as the dossier words it (« confirmé par email le 20/11/2026 »).
CONFIRMATIONS_MOTS = {
    ConfirmationDistance.EMAIL: "email",
    ConfirmationDistance.SMS: "SMS",
    ConfirmationDistance.COURRIER: "courrier signé",
}


def _log(rdv, transition, source, by, motif):
    if transition.name != "planifier":
        # Held, missed, excused or cancelled: nothing more is sent for it (parcours.convocations).
        from plie.notifications.models import Message, StatutMessage

        Message.objects.filter(convocation__rendez_vous=rdv, statut=StatutMessage.A_ENVOYER).update(
            statut=StatutMessage.ANNULE, modifie_le=timezone.now()
        )
    TransitionRendezVous.objects.create(
        rendez_vous=rdv,
        transition=transition.name,
        statut_avant=source or "",
        statut_apres=rdv.statut,
        auteur=by,
        motif=motif,
    )


MACHINE_RDV = Machine(
    transitions=TRANSITIONS_RDV,
    log=_log,
    stale_message="Ce rendez-vous vient d'être modifié par quelqu'un d'autre : rechargez la page.",
    impossible_message="« {label} » impossible : le rendez-vous est « {etat} ».",
    state_field="statut",
    error=RendezVousError,
)


def _in(field, values):
    return Q(**{f"{field}__in": sorted(values)})


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

    def prevus(self):
        return self.filter(statut=StatutRendezVous.PREVU)

    def clos(self):
        return self.exclude(statut=StatutRendezVous.PREVU)

    def honores(self):
        return self.filter(statut=StatutRendezVous.HONORE)


def verifier_dans_le_parcours(parcours, debut, field="debut"):
    """An appointment lies between the orientation and the exit (or the cancellation)."""
    jour = timezone.localdate(debut)
    if parcours.date_orientation and jour < parcours.date_orientation:
        raise RendezVousError(
            f"Un rendez-vous ne peut précéder l'orientation du {parcours.date_orientation:%d/%m/%Y}.", field=field
        )
    fin = parcours.date_sortie or parcours.date_cloture
    if fin and jour > fin:
        raise RendezVousError(f"Un rendez-vous ne peut suivre la fin du parcours, le {fin:%d/%m/%Y}.", field=field)


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
    # What the closing records: the real length of a held entretien, its subject, the notes.
    duree_reelle_minutes = models.PositiveSmallIntegerField("durée réelle (minutes)", null=True, blank=True)
    sujet = models.CharField("objet de l'entretien", max_length=200, blank=True)
    # Notes on the person: shown only to whom may read sensitive data (plie.sensitive).
    notes = models.TextField("notes", blank=True, max_length=longueurs.COMMENTAIRE)
    # A remote entretien's proof (N §III « à distance »): the means used and the participant's confirmation.
    moyen_distance = models.CharField(
        "moyen utilisé",
        max_length=MOYEN_DISTANCE_MAX,
        blank=True,
        help_text="L'outil ou le numéro (« Visio Teams », « appel au 05 49 … »).",
    )
    confirmation_participant = models.CharField(
        "confirmation du participant", max_length=20, choices=ConfirmationDistance.choices, blank=True
    )
    confirmation_le = models.DateField("confirmé le", null=True, blank=True)
    cloture_le = models.DateTimeField("clos le", null=True, blank=True)
    cloture_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="clos par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="fixé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

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
            models.CheckConstraint(
                condition=_in("statut", StatutRendezVous.values),
                name="rendez_vous_statut_known",
                violation_error_message="Statut de rendez-vous inconnu.",
            ),
            models.CheckConstraint(
                condition=Q(duree_reelle_minutes__isnull=True)
                | Q(duree_reelle_minutes__gte=DUREE_REELLE_MIN, duree_reelle_minutes__lte=DUREE_REELLE_MAX),
                name="rendez_vous_duree_reelle_bornes",
                violation_error_message=f"Un entretien dure de {DUREE_REELLE_MIN} à {DUREE_REELLE_MAX} minutes.",
            ),
            models.CheckConstraint(
                condition=(Q(statut=StatutRendezVous.HONORE) & Q(duree_reelle_minutes__isnull=False))
                | (~Q(statut=StatutRendezVous.HONORE) & Q(duree_reelle_minutes__isnull=True)),
                name="rendez_vous_duree_reelle_iff_honore",
                violation_error_message="Seul un entretien tenu a une durée réelle, et il en a une.",
            ),
            models.CheckConstraint(
                condition=~_in("statut", STATUTS_CLOS) | Q(cloture_le__isnull=False),
                name="rendez_vous_closed_has_date",
                violation_error_message="Un rendez-vous tenu ou manqué a sa date de clôture.",
            ),
            # A held entretien is not in the future: it was closed after it started.
            models.CheckConstraint(
                condition=~_in("statut", STATUTS_PASSES) | Q(cloture_le__gte=F("debut")),
                name="rendez_vous_closed_after_start",
                violation_error_message="Un rendez-vous tenu ou manqué est clos après son début.",
            ),
            longueur_max("rendez_vous", "notes", longueurs.COMMENTAIRE),
            # The proof of a remote entretien: only for one, and a confirmation has its date.
            models.CheckConstraint(
                condition=~Q(modalite=Modalite.PRESENTIEL)
                | Q(moyen_distance="", confirmation_participant="", confirmation_le__isnull=True),
                name="rendez_vous_preuve_distance_only_remote",
                violation_error_message="Seul un entretien à distance a un moyen et une confirmation à distance.",
            ),
            models.CheckConstraint(
                condition=(Q(confirmation_participant="") & Q(confirmation_le__isnull=True))
                | (~Q(confirmation_participant="") & Q(confirmation_le__isnull=False)),
                name="rendez_vous_confirmation_has_date",
                violation_error_message="Une confirmation du participant a sa date, et seule elle en a une.",
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

    @property
    def est_prevu(self) -> bool:
        return self.statut == StatutRendezVous.PREVU

    def transitions_possibles(self):
        return MACHINE_RDV.transitions_from(self.statut)

    # --- transitions -------------------------------------------------------------------------

    @classmethod
    def planifier(cls, by, parcours, debut, *, objet=ObjetRendezVous.ENTRETIEN, **fields):
        """Create the appointment, planned (the first log row). ``fields``: modality, place, length."""
        rdv = cls(parcours=parcours, objet=objet, debut=debut, cree_par=by, **fields)
        with MACHINE_RDV.creer(rdv, "planifier", by):
            verifier_dans_le_parcours(parcours, debut)
            if rdv.duree_minutes is not None and not DUREE_REELLE_MIN <= rdv.duree_minutes <= DUREE_REELLE_MAX:
                raise RendezVousError(
                    f"La durée prévue est comprise entre {DUREE_REELLE_MIN} et {DUREE_REELLE_MAX} minutes.",
                    field="duree_minutes",
                )
        return rdv

    def _clore(self, by, now):
        self.cloture_le = now
        self.cloture_par = by

    def _verifier_passe(self, now, message):
        if self.debut > now + TOLERANCE_HORLOGE:
            raise RendezVousError(message, field="statut")
        verifier_dans_le_parcours(self.parcours, self.debut, field="statut")

    def honorer(self, by, duree_reelle_minutes, sujet="", notes="", now=None, *, preuve: dict | None = None):
        """Held: its real length, subject and notes; ``preuve``, for a remote entretien held without a
        signed émargement, the means used and the participant's confirmation (:meth:`verifier_preuve`)."""
        now = now or timezone.now()
        with MACHINE_RDV.appliquer(self, "honorer", by):
            self._verifier_passe(
                now,
                f"Un entretien du {self.debut_local:%d/%m/%Y à %H:%M} ne peut être noté tenu avant d'avoir eu lieu.",
            )
            if duree_reelle_minutes is None:
                raise RendezVousError(
                    "Indiquez la durée réelle de l'entretien, en minutes.", field="duree_reelle_minutes"
                )
            if not DUREE_REELLE_MIN <= duree_reelle_minutes <= DUREE_REELLE_MAX:
                raise RendezVousError(
                    f"La durée réelle est comprise entre {DUREE_REELLE_MIN} et {DUREE_REELLE_MAX} minutes (8 heures).",
                    field="duree_reelle_minutes",
                )
            self.duree_reelle_minutes = duree_reelle_minutes
            self.sujet = (sujet or "").strip()
            self.notes = (notes or "").strip()
            if preuve:
                self.verifier_preuve(now=now, **preuve)
                self.moyen_distance = (preuve.get("moyen_distance") or "").strip()
                self.confirmation_participant = preuve.get("confirmation_participant") or ""
                self.confirmation_le = preuve.get("confirmation_le")
            self._clore(by, max(now, self.debut))

    def verifier_preuve(self, *, moyen_distance="", confirmation_participant="", confirmation_le=None, now=None):
        """The proof of a remote entretien (N §III « à distance »): for a remote one only; a confirmation
        has its date, on or after the entretien's day and not in the future (RendezVousError on the field)."""
        if not (moyen_distance or "").strip() and not confirmation_participant and confirmation_le is None:
            return
        if self.modalite == Modalite.PRESENTIEL:
            raise RendezVousError(
                "Un entretien en présentiel se prouve par la feuille d'émargement signée, pas par une preuve à "
                "distance.",
                field="moyen_distance",
            )
        if confirmation_participant and confirmation_participant not in ConfirmationDistance.values:
            raise RendezVousError("Choisissez comment le participant a confirmé.", field="confirmation_participant")
        if confirmation_participant and confirmation_le is None:
            raise RendezVousError("Indiquez la date de la confirmation du participant.", field="confirmation_le")
        if confirmation_le is not None and not confirmation_participant:
            raise RendezVousError(
                "Indiquez comment le participant a confirmé (email, SMS ou courrier).",
                field="confirmation_participant",
            )
        if confirmation_le is not None:
            jour = self.debut_local.date()
            if confirmation_le < jour:
                raise RendezVousError(f"La confirmation suit l'entretien du {jour:%d/%m/%Y}.", field="confirmation_le")
            if confirmation_le > timezone.localdate(now or timezone.now()):
                raise RendezVousError("La date de la confirmation ne peut être dans le futur.", field="confirmation_le")

    @property
    def preuve_distance_attendue(self) -> bool:
        """A held remote entretien: its proof (means, participant's confirmation) may be recorded."""
        return self.statut == StatutRendezVous.HONORE and self.modalite != Modalite.PRESENTIEL

    @property
    def preuve_libelle(self) -> str:
        """« confirmé par email le 20/11/2026 », or "" while the participant's confirmation is awaited."""
        if not self.confirmation_participant or self.confirmation_le is None:
            return ""
        moyen = CONFIRMATIONS_MOTS.get(self.confirmation_participant, self.confirmation_participant)
        return f"confirmé par {moyen} le {self.confirmation_le:%d/%m/%Y}"

    def enregistrer_preuve(self, by, *, moyen_distance="", confirmation_participant="", confirmation_le=None, now=None):
        """Add or change the proof of a held remote entretien, once the participant's confirmation has
        arrived (N §III « à distance »). Not a transition, the state does not change: the row is locked,
        checked as at the closing (:meth:`verifier_preuve`), saved with simple-history's author. An empty
        proof clears it (a confirmation noted on the wrong entretien). RendezVousError on the field."""
        moyen_distance = (moyen_distance or "").strip()
        confirmation_participant = confirmation_participant or ""
        with transaction.atomic():
            current = type(self)._default_manager.select_for_update().get(pk=self.pk)
            if not current.preuve_distance_attendue:
                raise RendezVousError(
                    "La preuve d'un entretien à distance se note pour un entretien tenu par téléphone ou en "
                    "visioconférence.",
                    field="moyen_distance",
                )
            self.statut, self.modalite, self.debut = current.statut, current.modalite, current.debut
            if len(moyen_distance) > MOYEN_DISTANCE_MAX:
                raise RendezVousError(
                    f"Le moyen utilisé tient en {MOYEN_DISTANCE_MAX} caractères au plus.", field="moyen_distance"
                )
            self.verifier_preuve(
                moyen_distance=moyen_distance,
                confirmation_participant=confirmation_participant,
                confirmation_le=confirmation_le,
                now=now,
            )
            self.moyen_distance = moyen_distance
            self.confirmation_participant = confirmation_participant
            self.confirmation_le = confirmation_le
            self._history_user = by  # simple-history's way to record who
            self.save(update_fields=[*CHAMPS_PREUVE, "modifie_le"])

    def noter_absence(self, by, notes="", now=None):
        now = now or timezone.now()
        with MACHINE_RDV.appliquer(self, "noter_absence", by):
            self._verifier_passe(
                now, f"Une absence au rendez-vous du {self.debut_local:%d/%m/%Y à %H:%M} se note après son heure."
            )
            self.notes = (notes or "").strip()
            self._clore(by, max(now, self.debut))

    def excuser(self, by, notes="", now=None):
        """The person warned (before or after): the appointment did not take place, excused."""
        now = now or timezone.now()
        with MACHINE_RDV.appliquer(self, "excuser", by):
            self.notes = (notes or "").strip()
            self._clore(by, now)

    def annuler(self, by, notes="", now=None):
        now = now or timezone.now()
        with MACHINE_RDV.appliquer(self, "annuler", by):
            self.notes = (notes or "").strip()
            self._clore(by, now)


class TransitionRendezVous(models.Model):
    """The log of a rendez-vous: planned, then closed, by whom and when."""

    rendez_vous = models.ForeignKey(RendezVous, on_delete=models.CASCADE, related_name="transitions")
    transition = models.CharField(
        "transition", max_length=30, choices=[(n, t.label) for n, t in TRANSITIONS_RDV.items()]
    )
    statut_avant = models.CharField("statut avant", max_length=20, choices=StatutRendezVous.choices, blank=True)
    statut_apres = models.CharField("statut après", max_length=20, choices=StatutRendezVous.choices)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", on_delete=models.SET_NULL, null=True, blank=True
    )
    date = models.DateTimeField("date", default=timezone.now)
    motif = models.TextField("motif", blank=True, max_length=longueurs.MOTIF)

    class Meta:
        verbose_name = "transition de rendez-vous"
        verbose_name_plural = "journal des rendez-vous"
        ordering = ["-date", "-id"]
        constraints = [
            longueur_max("transition_rendez_vous", "motif", longueurs.MOTIF),
            models.CheckConstraint(
                condition=Q(transition="planifier", statut_avant="")
                | (~Q(transition="planifier") & ~Q(statut_avant="")),
                name="transition_rendez_vous_state_before_unless_creation",
                violation_error_message="Seule la planification, qui crée le rendez-vous, n'a pas de statut avant.",
            ),
        ]

    def __str__(self):
        return f"{self.get_transition_display()} ({self.date:%d/%m/%Y %H:%M})"
