"""A parcours: one participant's accompaniment, from orientation to sortie.

A participant can have several parcours over the years (re-entry), one open at a time. A parcours
is born oriented, when the coordination accepts a prescription (:meth:`Parcours.orienter`).
The state machine is declared in :mod:`parcours.workflow`; each transition is one method here.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from parcours.workflow import (
    ETATS_AVEC_REFERENT,
    ETATS_CLOS,
    ETATS_ENTRES,
    ETATS_FILE_ACTIVE,
    ETATS_OUVERTS,
    TRANSITIONS,
    Etat,
    TransitionError,
)
from plie import longueurs
from plie.accounts.models import Role
from plie.longueurs import longueur_max
from plie.referentiel.models import CriterePublic
from plie.workflow import Machine


def _log(parcours, transition, source, by, motif):
    TransitionParcours.objects.create(
        parcours=parcours,
        transition=transition.name,
        etat_avant=source or "",  # the creation has no state before
        etat_apres=parcours.etat,
        auteur=by,
        motif=motif,
        # Set by parcours.demandes.accepter while it applies the accepted request.
        demande=getattr(parcours, "demande_appliquee", None),
    )


MACHINE = Machine(
    transitions=TRANSITIONS,
    log=_log,
    stale_message="Ce parcours vient d'être modifié par quelqu'un d'autre : rechargez la page.",
    impossible_message="Action « {label} » impossible : le parcours est « {etat} ».",
)


class MotifVeille(models.TextChoices):
    """The union of both seeds' motives (N §III.d, C §III.1.6.1). Health ones are sensitive (plie.sensitive)."""

    EMPLOI_FORMATION = "emploi_formation", "Entrée en étape emploi ou formation"
    DEMANDE_BI = "demande_bi", "À la demande du bureau insertion"
    DEMENAGEMENT_PROVISOIRE = "demenagement_provisoire", "Déménagement provisoire"
    INDISPONIBILITE = "indisponibilite", "Indisponibilité"
    MATERNITE = "maternite", "Maternité"
    SANTE = "sante", "Problème de santé"
    RAISONS_FAMILIALES = "raisons_familiales", "Raisons familiales"
    AUTRE = "autre", "Autre"


def _in(field, states):
    return Q(**{f"{field}__in": sorted(states)})


class ParcoursQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The parcours a user may open. The one rule for lists and object pages."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.COORDINATION):
            return self
        if user.has_role(Role.REFERENT):
            return self.filter(referent=user)
        if user.has_role(Role.PRESCRIPTEUR):
            return self.filter(prescripteur=user)
        if user.has_role(Role.BUREAU_INSERTION):
            # The Département's RSA service sees the parcours of RSA beneficiaries only.
            return self.filter(
                Exists(
                    CriterePublic.participants.through.objects.filter(
                        participant_id=OuterRef("participant_id"), criterepublic__code=CriterePublic.BRSA
                    )
                )
            )
        # Opérateurs and financeurs see aggregates, never a person's parcours.
        return self.none()

    def ouverts(self):
        return self.filter(etat__in=ETATS_OUVERTS)

    def file_active(self):
        return self.filter(etat__in=ETATS_FILE_ACTIVE)

    def annoter_en_action(self, date=None):
        """``en_action``: whether the person is in an étape emploi, formation or opération on ``date``
        (:meth:`EtapeQuerySet.en_action`, C §III.1.3), read in the same query (the rhythm asks it)."""
        from parcours.models.etapes import Etape

        return self.annotate(en_action=Exists(Etape.objects.en_action(date).filter(parcours=OuterRef("pk"))))

    def counts_by_etat(self) -> dict:
        # COUNT(*), not COUNT(id): rows are counted on the index of the state alone (index-only scan),
        # half the time of reading each id at 100 000 parcours.
        rows = self.order_by().values("etat").annotate(n=Count("*"))
        counts = dict.fromkeys(Etat, 0)
        counts.update({Etat(row["etat"]): row["n"] for row in rows})
        return counts


class Parcours(models.Model):
    participant = models.ForeignKey(
        "parcours.Participant", verbose_name="participant", on_delete=models.PROTECT, related_name="parcours"
    )
    # No default: a parcours is created by its first transition (Parcours.orienter).
    etat = models.CharField("état", max_length=20, choices=Etat.choices, db_index=True)
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="référent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parcours_suivis",
        limit_choices_to={"role": Role.REFERENT},
    )
    prescripteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="prescripteur",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parcours_prescrits",
    )
    structure_prescriptrice = models.ForeignKey(
        "accounts.Structure",
        verbose_name="structure prescriptrice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parcours_prescrits",
    )
    rup = models.BooleanField("référent unique de parcours (RUP) demandé par le bureau insertion", default=False)
    a_distance = models.BooleanField("accompagnement à distance (dérogation)", default=False)
    # N §III.c: then the contract is signed at the first appointment.
    cer_conditionne_rsa = models.BooleanField(
        "la signature du contrat conditionne la reprise des droits RSA", default=False
    )

    date_prescription = models.DateField("date de prescription")
    date_orientation = models.DateField("date d'orientation", null=True, blank=True)
    date_premier_rdv = models.DateField("date du premier rendez-vous", null=True, blank=True)
    date_entree = models.DateField("date d'entrée en accompagnement", null=True, blank=True)
    date_debut_mesure = models.DateField("début de la mesure en cours", null=True, blank=True)
    date_fin_mesure = models.DateField("fin de la mesure en cours", null=True, blank=True)
    nombre_renouvellements = models.PositiveSmallIntegerField("renouvellements", default=0)
    # Days the participant's leave, illness or hospitalisation stopped the clock (parcours.mesure): the
    # measure end above already includes them; the maximum length adds them.
    jours_suspendus = models.PositiveIntegerField("jours de suspension de la mesure", default=0)
    date_sortie_prevue = models.DateField("date de sortie prévue", null=True, blank=True)
    date_sortie = models.DateField("date de sortie réelle", null=True, blank=True)
    date_cloture = models.DateField("date d'annulation", null=True, blank=True)
    motif_cloture = models.TextField("motif de l'annulation", blank=True, max_length=longueurs.COMMENTAIRE)

    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()
    objects = ParcoursQuerySet.as_manager()

    class Meta:
        verbose_name = "parcours"
        verbose_name_plural = "parcours"
        ordering = ["-date_prescription", "-id"]
        indexes = [
            models.Index(fields=["referent", "etat"]),
            # The default ordering (lists, a participant's history) walks this index, deep pages too.
            models.Index(fields=["-date_prescription", "-id"], name="parcours_date_presc_idx"),
            # The list filtered on one state, in the same order: 25 rows read, not the other states skipped.
            models.Index(fields=["etat", "-date_prescription", "-id"], name="parcours_etat_date_presc_idx"),
            # The référent load counts open parcours only: this index holds them alone.
            models.Index(
                fields=["referent"], condition=_in("etat", ETATS_FILE_ACTIVE), name="parcours_file_active_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=_in("etat", ETATS_OUVERTS),
                name="parcours_one_open_per_participant",
                violation_error_message="Ce participant a déjà un parcours en cours.",
            ),
            models.CheckConstraint(
                condition=_in("etat", set(Etat)),
                name="parcours_etat_known",
                violation_error_message="État de parcours inconnu.",
            ),
            models.CheckConstraint(
                condition=~_in("etat", ETATS_AVEC_REFERENT) | Q(referent__isnull=False, date_orientation__isnull=False),
                name="parcours_oriented_has_referent",
                violation_error_message="Un parcours orienté a un référent et une date d'orientation.",
            ),
            models.CheckConstraint(
                condition=~_in("etat", ETATS_ENTRES) | Q(date_premier_rdv__isnull=False, date_entree__isnull=False),
                name="parcours_entered_has_dates",
                violation_error_message="Un parcours en accompagnement a une date de premier rendez-vous et d'entrée.",
            ),
            models.CheckConstraint(
                condition=~Q(etat=Etat.ACCUEIL) | Q(date_premier_rdv__isnull=False),
                name="parcours_accueil_has_first_rdv",
                violation_error_message="Un parcours en accueil a une date de premier rendez-vous.",
            ),
            models.CheckConstraint(
                condition=~Q(etat=Etat.SORTIE_PROPOSEE) | Q(date_sortie_prevue__isnull=False),
                name="parcours_proposed_exit_has_date",
                violation_error_message="Une sortie proposée a une date de sortie prévue.",
            ),
            models.CheckConstraint(
                condition=(Q(etat=Etat.SORTI) & Q(date_sortie__isnull=False))
                | (~Q(etat=Etat.SORTI) & Q(date_sortie__isnull=True)),
                name="parcours_sortie_date_iff_sorti",
                violation_error_message="Seul un parcours sorti a une date de sortie réelle, et il en a une.",
            ),
            models.CheckConstraint(
                condition=(Q(etat=Etat.ANNULE) & Q(date_cloture__isnull=False) & ~Q(motif_cloture=""))
                | (~Q(etat=Etat.ANNULE) & Q(date_cloture__isnull=True)),
                name="parcours_closure_has_date_and_motif",
                violation_error_message="Une annulation a une date et un motif.",
            ),
            models.CheckConstraint(
                condition=Q(date_cloture__isnull=True) | Q(date_cloture__gte=F("date_prescription")),
                name="parcours_cloture_after_prescription",
                violation_error_message="Une annulation ne peut précéder la prescription.",
            ),
            models.CheckConstraint(
                condition=Q(date_orientation__isnull=True) | Q(date_orientation__gte=F("date_prescription")),
                name="parcours_orientation_after_prescription",
                violation_error_message="L'orientation ne peut précéder la prescription.",
            ),
            models.CheckConstraint(
                condition=Q(date_premier_rdv__isnull=True) | Q(date_premier_rdv__gte=F("date_orientation")),
                name="parcours_first_rdv_after_orientation",
                violation_error_message="Le premier rendez-vous ne peut précéder l'orientation.",
            ),
            models.CheckConstraint(
                condition=Q(date_entree__isnull=True) | Q(date_entree__gte=F("date_premier_rdv")),
                name="parcours_entree_after_first_rdv",
                violation_error_message="L'entrée en accompagnement ne peut précéder le premier rendez-vous.",
            ),
            models.CheckConstraint(
                condition=Q(date_debut_mesure__isnull=True)
                | Q(date_debut_mesure__gte=F("date_entree"), date_fin_mesure__gt=F("date_debut_mesure")),
                name="parcours_mesure_dates_ordered",
                violation_error_message="Une mesure commence après l'entrée et finit après son début.",
            ),
            models.CheckConstraint(
                condition=Q(date_fin_mesure__isnull=True) | Q(date_fin_mesure__gt=F("date_entree")),
                name="parcours_fin_mesure_after_entree",
                violation_error_message="La fin de mesure suit l'entrée en accompagnement.",
            ),
            models.CheckConstraint(
                condition=Q(date_sortie_prevue__isnull=True) | Q(date_sortie_prevue__gte=F("date_entree")),
                name="parcours_sortie_prevue_after_entree",
                violation_error_message="La sortie prévue ne peut précéder l'entrée.",
            ),
            models.CheckConstraint(
                condition=Q(date_sortie__isnull=True) | Q(date_sortie__gte=F("date_entree")),
                name="parcours_sortie_after_entree",
                violation_error_message="La date de sortie ne peut précéder l'entrée en accompagnement.",
            ),
            longueur_max("parcours", "motif_cloture", longueurs.COMMENTAIRE),
        ]

    def __str__(self):
        return f"Parcours de {self.participant} ({self.get_etat_display()})"

    @property
    def est_ouvert(self):
        return self.etat not in ETATS_CLOS

    def transitions_possibles(self):
        return MACHINE.transitions_from(self.etat)

    def veille_en_cours(self):
        return self.periodes_veille.filter(fin__isnull=True).first()

    # --- transitions -------------------------------------------------------------------------
    # Those whose rules come from the référentiel receive it (loaded once by the view or the job).

    @staticmethod
    def verifier_referent(referent):
        """Refuse anyone but a référent in post (TransitionError on the « referent » field)."""
        profile = getattr(referent, "referent_profile", None) if referent else None
        if (
            not referent
            or not referent.has_role(Role.REFERENT)
            or not referent.is_active
            or not (profile and profile.actif)
        ):
            raise TransitionError("Choisissez un référent en poste.", field="referent")

    @classmethod
    def orienter(
        cls,
        by,
        referent,
        *,
        participant,
        date_prescription,
        prescripteur=None,
        structure_prescriptrice=None,
        rup=False,
        date=None,
        motif="",
    ):
        """Open the parcours of an accepted prescription, oriented to ``referent`` (the first log row)."""
        date = date or timezone.localdate()
        parcours = cls(
            participant=participant,
            date_prescription=date_prescription,
            prescripteur=prescripteur,
            structure_prescriptrice=structure_prescriptrice,
            rup=rup,
        )
        with MACHINE.creer(parcours, "orienter", by, motif):
            cls.verifier_referent(referent)
            if date < date_prescription:
                raise TransitionError(
                    f"L'orientation ne peut précéder la prescription du {date_prescription:%d/%m/%Y}.", field="date"
                )
            if participant.parcours.filter(etat__in=ETATS_OUVERTS).exists():
                raise TransitionError("Ce participant a déjà un parcours en cours.")
            parcours.referent = referent
            parcours.date_orientation = date
        return parcours

    def annuler(self, by, motif, date=None):
        with MACHINE.appliquer(self, "annuler", by, motif):
            date = date or timezone.localdate()
            if date < self.date_prescription:
                raise TransitionError(
                    f"La date ne peut précéder la prescription du {self.date_prescription:%d/%m/%Y}.", field="date"
                )
            self.date_cloture = date
            self.motif_cloture = motif.strip()

    def accueillir(self, by, date_premier_rdv, motif=""):
        with MACHINE.appliquer(self, "accueillir", by, motif):
            if date_premier_rdv < self.date_orientation:
                raise TransitionError(
                    f"Le premier rendez-vous ne peut précéder l'orientation du {self.date_orientation:%d/%m/%Y}.",
                    field="date_premier_rdv",
                )
            self.date_premier_rdv = date_premier_rdv

    def demarrer_accompagnement(self, by, date_entree, motif="", *, referentiel):
        with MACHINE.appliquer(self, "demarrer_accompagnement", by, motif):
            if date_entree < self.date_premier_rdv:
                raise TransitionError(
                    f"L'entrée ne peut précéder le premier rendez-vous du {self.date_premier_rdv:%d/%m/%Y}.",
                    field="date_entree",
                )
            self.date_entree = date_entree
            if referentiel.duree_mesure_mois:
                self.date_debut_mesure = date_entree
                self.date_fin_mesure = date_entree + relativedelta(months=referentiel.duree_mesure_mois)

    def mettre_en_veille(self, by, motif_veille, debut, fin_prevue, motif="", *, referentiel):
        from parcours import veille

        with MACHINE.appliquer(self, "mettre_en_veille", by, motif):
            veille.verifier_entree(self, referentiel, motif_veille, debut, fin_prevue)
            PeriodeVeille.objects.create(parcours=self, motif=motif_veille, debut=debut, fin_prevue=fin_prevue)

    def prolonger_veille(self, by, nouvelle_fin_prevue, motif="", *, referentiel):
        from parcours import veille

        with MACHINE.appliquer(self, "prolonger_veille", by, motif):
            periode = self.veille_en_cours()
            try:
                veille.verifier_renouvellement(periode, referentiel, nouvelle_fin_prevue)
            except TransitionError as error:
                raise TransitionError(
                    error.message, field="nouvelle_fin_prevue" if error.field == "fin_prevue" else error.field
                ) from None
            periode.fin_prevue = nouvelle_fin_prevue
            periode.renouvellements += 1
            periode.save()

    def reprendre_accompagnement(self, by, date, motif=""):
        from parcours import veille

        with MACHINE.appliquer(self, "reprendre_accompagnement", by, motif):
            periode = self.veille_en_cours()
            veille.verifier_fin(periode, date)
            if periode:
                periode.fin = date
                periode.save()

    def accorder_distance(self, by, motif):
        with MACHINE.appliquer(self, "accorder_distance", by, motif):
            if self.a_distance:
                raise TransitionError("L'accompagnement à distance est déjà accordé.")
            self.a_distance = True

    def retirer_distance(self, by, motif):
        with MACHINE.appliquer(self, "retirer_distance", by, motif):
            if not self.a_distance:
                raise TransitionError("L'accompagnement n'est pas à distance.")
            self.a_distance = False

    def renouveler(self, by, motif="", *, referentiel):
        from parcours import mesure

        with MACHINE.appliquer(self, "renouveler", by, motif):
            nouvelle_fin = mesure.verifier_renouvellement(self, referentiel)
            self.date_debut_mesure = self.date_fin_mesure or max(self.date_entree, timezone.localdate())
            self.date_fin_mesure = nouvelle_fin
            self.nombre_renouvellements += 1

    def proposer_sortie(self, by, date_sortie_prevue, motif):
        with MACHINE.appliquer(self, "proposer_sortie", by, motif):
            if date_sortie_prevue < self.date_entree:
                raise TransitionError(
                    f"La sortie ne peut précéder l'entrée du {self.date_entree:%d/%m/%Y}.", field="date_sortie_prevue"
                )
            periode = self.veille_en_cours()
            if periode:
                periode.fin = max(periode.debut, timezone.localdate())
                periode.save()
            self.date_sortie_prevue = date_sortie_prevue

    def retirer_proposition_sortie(self, by, motif):
        with MACHINE.appliquer(self, "retirer_proposition_sortie", by, motif):
            self.date_sortie_prevue = None

    def valider_sortie(self, by, date_sortie, motif=""):
        with MACHINE.appliquer(self, "valider_sortie", by, motif):
            if date_sortie < self.date_entree:
                raise TransitionError(
                    f"La date de sortie ne peut précéder l'entrée du {self.date_entree:%d/%m/%Y}.", field="date_sortie"
                )
            self.date_sortie = date_sortie

    def changer_referent(self, by, referent, motif):
        with MACHINE.appliquer(self, "changer_referent", by, motif):
            self.verifier_referent(referent)
            if referent.pk == self.referent_id:
                raise TransitionError("Ce référent suit déjà le parcours.", field="referent")
            self.referent = referent

    def jours_en_veille(self, veilles=None) -> int:
        """Days spent in veille so far, its first and last day included as the rhythm counts them
        (``veilles``: the parcours's periods, when the caller has them)."""
        today = timezone.localdate()
        periodes = self.periodes_veille.all() if veilles is None else veilles
        return sum((min(p.fin or today, today) - p.debut).days + 1 for p in periodes if p.debut <= today)

    def date_limite(self, referentiel, veilles=None):
        """The last day the référentiel allows the parcours: its entry plus the maximum length, postponed
        by the time spent in veille and by the suspensions of the measure (the participant's leave,
        illness, hospitalisation: N §III.d); None without an entry or a maximum."""
        if referentiel is None or not referentiel.duree_max_parcours_mois or self.date_entree is None:
            return None
        limite = self.date_entree + relativedelta(months=referentiel.duree_max_parcours_mois)
        return limite + datetime.timedelta(days=self.jours_en_veille(veilles) + self.jours_suspendus)


class PeriodeVeille(models.Model):
    parcours = models.ForeignKey(Parcours, on_delete=models.CASCADE, related_name="periodes_veille")
    motif = models.CharField("motif", max_length=30, choices=MotifVeille.choices)
    debut = models.DateField("début")
    fin_prevue = models.DateField("fin prévue")
    fin = models.DateField("fin réelle", null=True, blank=True)
    renouvellements = models.PositiveSmallIntegerField("renouvellements", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "période de veille"
        verbose_name_plural = "périodes de veille"
        ordering = ["-debut"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin_prevue__gt=F("debut")),
                name="veille_fin_prevue_after_debut",
                violation_error_message="La fin prévue de la veille suit son début.",
            ),
            models.CheckConstraint(
                condition=Q(fin__isnull=True) | Q(fin__gte=F("debut")),
                name="veille_fin_after_debut",
                violation_error_message="La fin de la veille ne peut précéder son début.",
            ),
            models.UniqueConstraint(
                fields=["parcours"],
                condition=Q(fin__isnull=True),
                name="veille_one_open_per_parcours",
                violation_error_message="Une seule veille peut être en cours.",
            ),
            models.CheckConstraint(
                condition=Q(motif__in=MotifVeille.values),
                name="veille_motif_known",
                violation_error_message="Motif de veille inconnu.",
            ),
            # Two veilles of a parcours never overlap: on PostgreSQL an exclusion constraint (migration
            # 0021, plie.contraintes) refuses it too.
        ]

    def __str__(self):
        return f"Veille ({self.get_motif_display()}) du {self.debut:%d/%m/%Y}"


class TransitionParcours(models.Model):
    """The log of every transition: who, when, from which state to which, and why."""

    parcours = models.ForeignKey(Parcours, on_delete=models.CASCADE, related_name="transitions")
    transition = models.CharField("transition", max_length=40, choices=[(n, t.label) for n, t in TRANSITIONS.items()])
    etat_avant = models.CharField("état avant", max_length=20, choices=Etat.choices, blank=True)
    etat_apres = models.CharField("état après", max_length=20, choices=Etat.choices)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", on_delete=models.SET_NULL, null=True, blank=True
    )
    date = models.DateTimeField("date", default=timezone.now)
    motif = models.TextField("motif", blank=True, max_length=longueurs.MOTIF)
    # The accepted request this transition applies (parcours.demandes), when it came from one.
    demande = models.ForeignKey(
        "parcours.Demande",
        verbose_name="demande",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transitions_parcours",
    )

    class Meta:
        verbose_name = "transition de parcours"
        verbose_name_plural = "journal des transitions"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["parcours", "-date"])]
        constraints = [
            longueur_max("transition_parcours", "motif", longueurs.MOTIF),
            # The creation (orienter) is the one row without a state before.
            models.CheckConstraint(
                condition=_in("transition", {t.name for t in MACHINE.creations()}) & Q(etat_avant="")
                | ~_in("transition", {t.name for t in MACHINE.creations()}) & ~Q(etat_avant=""),
                name="transition_parcours_state_before_unless_creation",
                violation_error_message="Seule l'orientation, qui crée le parcours, n'a pas d'état avant.",
            ),
        ]

    def __str__(self):
        return f"{self.get_transition_display()} ({self.date:%d/%m/%Y %H:%M})"
