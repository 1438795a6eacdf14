"""A request for a decision on a parcours (N §III.d, C §III.1.6.1): the material of the cellule de suivi.

A référent asks (veille entry, renewal or end, measure renewal with its bilan intermédiaire,
remote-accompaniment derogation, reorientation to another référent); the coordination, or the
monthly cellule de suivi where the référentiel says so (``Referentiel.demandes_en_cellule``),
accepts or refuses with a reason; the author may withdraw it while it waits. Accepting applies the
parcours's own transition through the kernel (:mod:`parcours.demandes`), its log row pointing back at
the request. One model for every kind: a type, the facts it needs (database checks per type), a
status run by the workflow kernel, and the decision's author and date.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from parcours.models.diagnostic import AutonomieNumerique
from parcours.models.parcours import MotifVeille
from plie import longueurs
from plie.accounts.models import Role
from plie.longueurs import longueur_max
from plie.referentiel.decisions import TypeDemande
from plie.stockage import prive
from plie.workflow import Machine, Transition, TransitionError, table


class StatutDemande(models.TextChoices):
    DEMANDEE = "demandee", "À décider"
    ACCEPTEE = "acceptee", "Acceptée"
    REFUSEE = "refusee", "Refusée"
    RETIREE = "retiree", "Retirée"


class DemandeError(TransitionError):
    """A request refused by a rule: a French message, shown next to ``field``."""


S = StatutDemande
T = TypeDemande
DEMANDEE = frozenset({S.DEMANDEE})
DECIDEES = frozenset({S.ACCEPTEE, S.REFUSEE})

TRANSITIONS_DEMANDE = table(
    # The référent asks; the coordination asks too when it records a request made otherwise (a phone call).
    Transition("demander", "Demander", frozenset(), S.DEMANDEE, frozenset({Role.REFERENT, Role.COORDINATION})),
    Transition("accepter", "Accepter", DEMANDEE, S.ACCEPTEE, frozenset({Role.COORDINATION})),
    Transition("refuser", "Refuser", DEMANDEE, S.REFUSEE, frozenset({Role.COORDINATION}), needs_motif=True),
    Transition("retirer", "Retirer la demande", DEMANDEE, S.RETIREE, frozenset({Role.REFERENT, Role.COORDINATION})),
)


def _log(demande, transition, source, by, motif):
    TransitionDemande.objects.create(
        demande=demande,
        transition=transition.name,
        statut_avant=source or "",
        statut_apres=demande.statut,
        auteur=by,
        motif=motif,
    )


MACHINE_DEMANDE = Machine(
    transitions=TRANSITIONS_DEMANDE,
    log=_log,
    stale_message="Cette demande vient d'être modifiée par quelqu'un d'autre : rechargez la page.",
    impossible_message="« {label} » impossible : la demande est « {etat} ».",
    state_field="statut",
    error=DemandeError,
    motif_message="Indiquez la raison du refus.",
)


def _in(field, values):
    return Q(**{f"{field}__in": sorted(values)})


class DemandeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The requests of the parcours whose sensitive data the user may read (the référent's own and,
        for the coordination, all): a request quotes a veille motive and free text about the person."""
        from parcours.models.parcours import Parcours

        if not user.is_authenticated or not (user.has_role(Role.COORDINATION) or user.has_role(Role.REFERENT)):
            return self.none()
        return self.filter(parcours__in=Parcours.objects.visible_to(user))

    def a_decider(self):
        return self.filter(statut=S.DEMANDEE)

    def en_cellule(self):
        """Waiting for the cellule de suivi: the docket the cellule issue batches."""
        return self.a_decider().filter(decision_en_cellule=True)


class Demande(models.Model):
    parcours = models.ForeignKey(
        "parcours.Parcours", verbose_name="parcours", on_delete=models.CASCADE, related_name="demandes"
    )
    type = models.CharField("demande", max_length=30, choices=TypeDemande.choices)
    # No default: a request is created by its first transition (demander).
    statut = models.CharField("statut", max_length=20, choices=StatutDemande.choices)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="demandée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="demandes_faites",
    )
    demandee_le = models.DateTimeField("demandée le", default=timezone.now)
    # Copied from the référentiel when asked: decided by the monthly cellule de suivi (Niort) or by the
    # PLIE team as soon as asked (Caen). The cellule issue lists those waiting on its docket.
    decision_en_cellule = models.BooleanField("à décider en cellule de suivi", default=False)

    # --- the facts, by type (the checks below say which each type needs) -----------------------
    # Veille entry: its motive, start and expected end. Renewal of veille: the new expected end.
    motif_veille = models.CharField("motif de la veille", max_length=30, choices=MotifVeille.choices, blank=True)
    debut = models.DateField("début", null=True, blank=True)
    fin_prevue = models.DateField("fin prévue", null=True, blank=True)
    # The person cannot come and the remote derogation is not possible (N §III « à distance »): the
    # coordination is told, so that it may reorient them to a référent who can meet them.
    presentiel_impossible = models.BooleanField("la personne ne peut pas venir aux entretiens", default=False)
    # End of veille: the day the accompaniment resumes.
    date_effet = models.DateField("date d'effet", null=True, blank=True)
    # Measure renewal: the period its bilan intermédiaire covers, the objectives of the next one, the PDF.
    periode_debut = models.DateField("période du bilan : début", null=True, blank=True)
    periode_fin = models.DateField("période du bilan : fin", null=True, blank=True)
    objectifs = models.TextField("objectifs pour la période suivante", blank=True, max_length=longueurs.COMMENTAIRE)
    bilan = models.FileField("bilan intermédiaire (PDF)", storage=prive, upload_to="bilans/%Y/%m", blank=True)
    # Remote derogation: the digital autonomy the diagnostic assessed, copied when asked.
    autonomie_numerique = models.CharField(
        "autonomie numérique évaluée", max_length=20, choices=AutonomieNumerique.choices, blank=True
    )
    # Reorientation: the référent proposed (the coordination may choose another when it accepts).
    referent_propose = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="référent proposé",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reorientations_proposees",
        limit_choices_to={"role": Role.REFERENT},
    )
    # Why: required for a derogation and a reorientation, optional otherwise. Free text about the person.
    justification = models.TextField("justification", blank=True, max_length=longueurs.COMMENTAIRE)

    # --- the decision ---------------------------------------------------------------------------
    decide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="décidée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="demandes_decidees",
    )
    decide_le = models.DateTimeField("décidée le", null=True, blank=True)
    motif_decision = models.TextField(
        "motif de la décision", blank=True, max_length=longueurs.COMMENTAIRE, help_text="Obligatoire pour un refus."
    )

    modifie_le = models.DateTimeField("modifiée le", auto_now=True)

    history = HistoricalRecords()
    objects = DemandeQuerySet.as_manager()

    class Meta:
        verbose_name = "demande de décision"
        verbose_name_plural = "demandes de décision"
        ordering = ["-demandee_le", "-id"]
        indexes = [
            models.Index(fields=["parcours", "-demandee_le"], name="demande_parcours_idx"),
            # « Demandes à traiter »: the waiting ones alone, oldest first.
            models.Index(fields=["demandee_le", "id"], condition=Q(statut=S.DEMANDEE), name="demande_a_decider_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=_in("type", T.values), name="demande_type_known", violation_error_message="Type inconnu."
            ),
            models.CheckConstraint(
                condition=_in("statut", S.values),
                name="demande_statut_known",
                violation_error_message="Statut de demande inconnu.",
            ),
            models.UniqueConstraint(
                fields=["parcours", "type"],
                condition=Q(statut=S.DEMANDEE),
                name="demande_one_waiting_per_type",
                violation_error_message="Une demande de ce type attend déjà une décision pour ce parcours.",
            ),
            models.CheckConstraint(
                condition=~Q(type=T.ENTREE_VEILLE)
                | (
                    ~Q(motif_veille="")
                    & Q(debut__isnull=False, fin_prevue__isnull=False)
                    & Q(fin_prevue__gt=F("debut"))
                ),
                name="demande_entree_veille_facts",
                violation_error_message="Une mise en veille a un motif, un début et une fin prévue qui le suit.",
            ),
            models.CheckConstraint(
                condition=~Q(type=T.RENOUVELLEMENT_VEILLE) | Q(fin_prevue__isnull=False),
                name="demande_renouvellement_veille_facts",
                violation_error_message="Un renouvellement de veille a sa nouvelle fin prévue.",
            ),
            models.CheckConstraint(
                condition=~Q(type=T.FIN_VEILLE) | Q(date_effet__isnull=False),
                name="demande_fin_veille_facts",
                violation_error_message="Une fin de veille a sa date.",
            ),
            models.CheckConstraint(
                condition=~Q(type=T.RENOUVELLEMENT_MESURE)
                | Q(periode_debut__isnull=False, periode_fin__isnull=False, periode_fin__gte=F("periode_debut")),
                name="demande_renouvellement_mesure_facts",
                violation_error_message="Un renouvellement de mesure a la période de son bilan intermédiaire.",
            ),
            models.CheckConstraint(
                condition=~Q(type=T.DEROGATION_DISTANCE) | (~Q(justification="") & ~Q(autonomie_numerique="")),
                name="demande_derogation_facts",
                violation_error_message="Une dérogation a sa justification et l'autonomie numérique évaluée.",
            ),
            models.CheckConstraint(
                condition=~Q(type=T.REORIENTATION) | ~Q(justification=""),
                name="demande_reorientation_facts",
                violation_error_message="Une réorientation a sa justification.",
            ),
            # Only a veille entry says the person cannot come.
            models.CheckConstraint(
                condition=Q(presentiel_impossible=False) | Q(type=T.ENTREE_VEILLE),
                name="demande_presentiel_impossible_veille",
                violation_error_message="Seule une mise en veille indique que la personne ne peut pas venir.",
            ),
            # Accepted or refused: when (and by whom, unless that account is gone); otherwise no decision.
            models.CheckConstraint(
                condition=(_in("statut", DECIDEES) & Q(decide_le__isnull=False))
                | (~_in("statut", DECIDEES) & Q(decide_le__isnull=True, decide_par__isnull=True)),
                name="demande_decided_has_date",
                violation_error_message="Une demande décidée a la date de sa décision, et seule elle en a une.",
            ),
            models.CheckConstraint(
                condition=~Q(statut=S.REFUSEE) | ~Q(motif_decision=""),
                name="demande_refusal_has_reason",
                violation_error_message="Un refus a sa raison.",
            ),
            models.CheckConstraint(
                condition=Q(decide_le__isnull=True) | Q(decide_le__gte=F("demandee_le")),
                name="demande_decided_after_asked",
                violation_error_message="Une décision suit la demande.",
            ),
            longueur_max("demande", "objectifs", longueurs.COMMENTAIRE),
            longueur_max("demande", "justification", longueurs.COMMENTAIRE),
            longueur_max("demande", "motif_decision", longueurs.COMMENTAIRE),
        ]

    def __str__(self):
        return f"{self.get_type_display()} demandée le {timezone.localtime(self.demandee_le):%d/%m/%Y}"

    @property
    def a_decider(self) -> bool:
        return self.statut == S.DEMANDEE

    def transitions_possibles(self):
        return MACHINE_DEMANDE.transitions_from(self.statut)


class TransitionDemande(models.Model):
    """The log of a request: asked, then accepted, refused or withdrawn, by whom and when."""

    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="transitions")
    transition = models.CharField(
        "transition", max_length=20, choices=[(n, t.label) for n, t in TRANSITIONS_DEMANDE.items()]
    )
    statut_avant = models.CharField("statut avant", max_length=20, choices=StatutDemande.choices, blank=True)
    statut_apres = models.CharField("statut après", max_length=20, choices=StatutDemande.choices)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", on_delete=models.SET_NULL, null=True, blank=True
    )
    date = models.DateTimeField("date", default=timezone.now)
    motif = models.TextField("motif", blank=True, max_length=longueurs.MOTIF)

    class Meta:
        verbose_name = "transition de demande"
        verbose_name_plural = "journal des demandes"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["demande", "-date"])]
        constraints = [
            longueur_max("transition_demande", "motif", longueurs.MOTIF),
            models.CheckConstraint(
                condition=Q(transition="demander", statut_avant="") | (~Q(transition="demander") & ~Q(statut_avant="")),
                name="transition_demande_state_before_unless_creation",
                violation_error_message="Seule la demande, qui la crée, n'a pas de statut avant.",
            ),
        ]

    def __str__(self):
        return f"{self.get_transition_display()} ({self.date:%d/%m/%Y %H:%M})"
