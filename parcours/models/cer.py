"""The contract signed at the entry (N §III.c: contrat d'engagement réciproque; C §III.1.2: dossier de
présentation au PLIE, a contrat d'objectifs et d'engagement): objectives, planned actions, both
parties' commitments, dates.

Its machine, on the workflow kernel: written (brouillon), signed by the participant and the référent,
countersigned in the product by the bureau insertion when the référent is RUP, and, where the
référentiel says the PLIE's team validates the integration (Caen), validated or refused. The rules
that go with each step (the earliest appointment, the parcours's entry, the frozen diagnostic) live
in :mod:`parcours.cer`.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from plie import longueurs
from plie.accounts.models import Role
from plie.longueurs import longueur_max
from plie.workflow import Machine, Transition, TransitionError, table


class StatutContrat(models.TextChoices):
    BROUILLON = "brouillon", "En cours de rédaction"
    SIGNE = "signe", "Signé"
    VALIDE = "valide", "Intégration validée par l'équipe du PLIE"
    REFUSE = "refuse", "Intégration refusée par l'équipe du PLIE"


REFERENT_OU_COORDINATION = frozenset({Role.REFERENT, Role.COORDINATION})

TRANSITIONS = table(
    Transition("rediger", "Rédiger le contrat", frozenset(), StatutContrat.BROUILLON, REFERENT_OU_COORDINATION),
    Transition(
        "signer",
        "Enregistrer les signatures du participant et du référent",
        frozenset({StatutContrat.BROUILLON}),
        StatutContrat.SIGNE,
        REFERENT_OU_COORDINATION,
    ),
    Transition(
        "contresigner",
        "Signer pour le bureau insertion",
        frozenset({StatutContrat.SIGNE, StatutContrat.VALIDE}),
        None,
        frozenset({Role.BUREAU_INSERTION}),
    ),
    Transition(
        "valider_integration",
        "Valider l'intégration",
        frozenset({StatutContrat.SIGNE}),
        StatutContrat.VALIDE,
        frozenset({Role.COORDINATION}),
    ),
    Transition(
        "refuser_integration",
        "Refuser l'intégration",
        frozenset({StatutContrat.SIGNE}),
        StatutContrat.REFUSE,
        frozenset({Role.COORDINATION}),
        needs_motif=True,
    ),
)


class ContratError(TransitionError):
    """A step of the contract refused by its rule: a French message, shown next to ``field``."""


def _log(contrat, transition, source, by, motif):
    EvenementContrat.objects.create(
        contrat=contrat,
        transition=transition.name,
        statut_avant=source or "",
        statut_apres=contrat.statut,
        auteur=by,
        motif=motif,
    )


MACHINE = Machine(
    transitions=TRANSITIONS,
    log=_log,
    stale_message="Ce contrat vient d'être modifié par quelqu'un d'autre : rechargez la page.",
    impossible_message="Action « {label} » impossible : le contrat est « {etat} ».",
    state_field="statut",
    error=ContratError,
)


def _in(field, values):
    return Q(**{f"{field}__in": sorted(values)})


class Contrat(models.Model):
    parcours = models.ForeignKey(
        "parcours.Parcours", verbose_name="parcours", on_delete=models.CASCADE, related_name="contrats"
    )
    statut = models.CharField("statut", max_length=20, choices=StatutContrat.choices)
    objectifs = models.TextField("objectifs de l'accompagnement", max_length=longueurs.COMMENTAIRE)
    actions_prevues = models.TextField(
        "actions prévues",
        max_length=longueurs.COMMENTAIRE,
        help_text="Au moins la première étape du parcours.",
    )
    engagements_participant = models.TextField("engagements du participant", max_length=longueurs.COMMENTAIRE)
    engagements_referent = models.TextField("engagements du référent", max_length=longueurs.COMMENTAIRE)
    date_debut = models.DateField("début du contrat")
    duree_mois = models.PositiveSmallIntegerField(
        "durée (mois)", default=6, validators=[MinValueValidator(1), MaxValueValidator(36)]
    )
    date_signature = models.DateField("signé le", null=True, blank=True)
    signe_par_referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="signé par le référent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signe_bi_le = models.DateTimeField("signé par le bureau insertion le", null=True, blank=True)
    signe_bi_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="signé pour le bureau insertion par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_le = models.DateTimeField("intégration décidée le", null=True, blank=True)
    motif_refus = models.TextField("motif du refus d'intégration", blank=True, max_length=longueurs.COMMENTAIRE)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "contrat d'entrée"
        verbose_name_plural = "contrats d'entrée"
        ordering = ["-cree_le", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=_in("statut", StatutContrat.values),
                name="contrat_statut_known",
                violation_error_message="Statut de contrat inconnu.",
            ),
            # One contract at a time: a refused integration may be followed by a new one.
            models.UniqueConstraint(
                fields=["parcours"],
                condition=~Q(statut=StatutContrat.REFUSE),
                name="contrat_one_per_parcours",
                violation_error_message="Ce parcours a déjà un contrat.",
            ),
            models.CheckConstraint(
                condition=Q(duree_mois__gte=1, duree_mois__lte=36),
                name="contrat_duree_bornee",
                violation_error_message="Un contrat dure de 1 à 36 mois.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(statut=StatutContrat.BROUILLON, date_signature__isnull=True, signe_par_referent__isnull=True)
                    | (
                        ~Q(statut=StatutContrat.BROUILLON)
                        & Q(date_signature__isnull=False, signe_par_referent__isnull=False)
                    )
                ),
                name="contrat_signed_iff_not_draft",
                violation_error_message="Un contrat signé a sa date et son signataire ; un brouillon n'en a pas.",
            ),
            models.CheckConstraint(
                condition=Q(signe_bi_le__isnull=True, signe_bi_par__isnull=True)
                | Q(signe_bi_le__isnull=False, signe_bi_par__isnull=False),
                name="contrat_bi_signature_complete",
                violation_error_message="La signature du bureau insertion a sa date et son signataire.",
            ),
            models.CheckConstraint(
                condition=(_in("statut", {StatutContrat.VALIDE, StatutContrat.REFUSE}) & Q(decision_le__isnull=False))
                | (~_in("statut", {StatutContrat.VALIDE, StatutContrat.REFUSE}) & Q(decision_le__isnull=True)),
                name="contrat_decision_iff_decided",
                violation_error_message="Seule une intégration validée ou refusée a sa date de décision.",
            ),
            models.CheckConstraint(
                condition=(Q(statut=StatutContrat.REFUSE) & ~Q(motif_refus=""))
                | (~Q(statut=StatutContrat.REFUSE) & Q(motif_refus="")),
                name="contrat_refusal_has_motif",
                violation_error_message="Un refus d'intégration a un motif.",
            ),
            longueur_max("contrat", "objectifs", longueurs.COMMENTAIRE),
            longueur_max("contrat", "actions_prevues", longueurs.COMMENTAIRE),
            longueur_max("contrat", "engagements_participant", longueurs.COMMENTAIRE),
            longueur_max("contrat", "engagements_referent", longueurs.COMMENTAIRE),
            longueur_max("contrat", "motif_refus", longueurs.COMMENTAIRE),
        ]

    def __str__(self):
        return f"Contrat du parcours n° {self.parcours_id} ({self.get_statut_display()})"

    def transitions_possibles(self):
        return MACHINE.transitions_from(self.statut)

    @property
    def signe_bi(self) -> bool:
        return self.signe_bi_le is not None


class EvenementContrat(models.Model):
    """The log of the contract's steps: who, when, from which status to which, and why."""

    contrat = models.ForeignKey(Contrat, on_delete=models.CASCADE, related_name="evenements")
    transition = models.CharField("étape", max_length=30, choices=[(n, t.label) for n, t in TRANSITIONS.items()])
    statut_avant = models.CharField("statut avant", max_length=20, choices=StatutContrat.choices, blank=True)
    statut_apres = models.CharField("statut après", max_length=20, choices=StatutContrat.choices)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", on_delete=models.SET_NULL, null=True, blank=True
    )
    date = models.DateTimeField("date", default=timezone.now)
    motif = models.TextField("motif", blank=True, max_length=longueurs.MOTIF)

    class Meta:
        verbose_name = "étape du contrat"
        verbose_name_plural = "journal des contrats"
        ordering = ["-date", "-id"]
        constraints = [longueur_max("evenement_contrat", "motif", longueurs.MOTIF)]

    def __str__(self):
        return f"{self.get_transition_display()} ({self.date:%d/%m/%Y %H:%M})"
