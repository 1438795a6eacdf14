"""Requests for a decision on a parcours and their decisions: the one place that asks, accepts, refuses
and withdraws (model: :mod:`parcours.models.demandes`).

Each type is declared once in :data:`SORTES`: the parcours transition it applies when accepted, the
facts its form asks, the rule checked when asked (the same as the transition's guard, so that a
request beyond a limit is refused at once, with the rule quoted) and how the decision applies it.
Who decides comes from the référentiel (``demandes_en_cellule``): the monthly cellule de suivi (Niort),
or the PLIE team as soon as asked (Caen). Until the cellule issue lands the coordination decides both
from « Demandes à traiter »; those waiting for a cellule say so, ready for its docket.

Every function receives the référentiel it applies (loaded once by the view or the job).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from parcours.models import (
    MACHINE_DEMANDE,
    AutonomieNumerique,
    Demande,
    DemandeError,
    Diagnostic,
    Etat,
    Parcours,
    StatutDemande,
    TypeDemande,
)
from parcours.workflow import TRANSITIONS, TransitionError
from plie.accounts.models import Role, User
from plie.notifications.services import notifier

T = TypeDemande

# N §III « à distance »: only when the digital autonomy assessed at the start is sufficient.
AUTONOMIE_SUFFISANTE = frozenset({AutonomieNumerique.AUTONOME})


@dataclass(frozen=True)
class Sorte:
    type: TypeDemande
    transition: str  # the parcours transition (parcours.workflow) an acceptance applies
    champs: tuple  # the facts the request form asks, in order (Demande fields)
    verifier: Callable  # (parcours, referentiel, faits) -> None, raises TransitionError
    appliquer: Callable  # (parcours, demande, by, referentiel, motif, referent) -> None
    aide: str = ""

    @property
    def libelle(self) -> str:
        return self.type.label

    @property
    def sources(self) -> frozenset:
        return TRANSITIONS[self.transition].sources


def _refus(error: TransitionError):
    """A rule's refusal as the request's error (same message, same field)."""
    return error if isinstance(error, DemandeError) else DemandeError(error.message, field=error.field)


# --- the rules, checked when asked -------------------------------------------------------------


def _verifier_entree_veille(parcours, referentiel, faits):
    from parcours import veille

    veille.verifier_entree(
        parcours, referentiel, faits.get("motif_veille"), faits.get("debut"), faits.get("fin_prevue")
    )


def _verifier_renouvellement_veille(parcours, referentiel, faits):
    from parcours import veille

    veille.verifier_renouvellement(parcours.veille_en_cours(), referentiel, faits.get("fin_prevue"))


def _verifier_fin_veille(parcours, referentiel, faits):
    from parcours import veille

    veille.verifier_fin(parcours.veille_en_cours(), faits.get("date_effet"), field="date_effet")


def _verifier_renouvellement_mesure(parcours, referentiel, faits):
    from parcours import mesure

    mesure.verifier_renouvellement(parcours, referentiel)


def _verifier_derogation(parcours, referentiel, faits):
    if parcours.a_distance:
        raise TransitionError("L'accompagnement à distance est déjà accordé.")
    if not (faits.get("justification") or "").strip():
        raise TransitionError("Indiquez pourquoi la personne demande un accompagnement à distance.", "justification")
    autonomie = autonomie_evaluee(parcours)
    if autonomie not in AUTONOMIE_SUFFISANTE:
        evaluee = AutonomieNumerique(autonomie).label.lower() if autonomie else "pas encore évaluée"
        raise TransitionError(
            f"Dérogation impossible : l'autonomie numérique de la personne est « {evaluee} » au diagnostic ; "
            "l'accompagnement à distance demande une autonomie suffisante (N §III). Si elle ne peut pas venir, "
            "demandez sa mise en veille en l'indiquant : la coordination étudiera une réorientation.",
            "justification",
        )


def _verifier_reorientation(parcours, referentiel, faits):
    if not (faits.get("justification") or "").strip():
        raise TransitionError("Indiquez pourquoi réorienter la personne.", "justification")
    propose = faits.get("referent_propose")
    if propose is not None:
        Parcours.verifier_referent(propose)
        if propose.pk == parcours.referent_id:
            raise TransitionError("Proposez un autre référent que celui qui suit la personne.", "referent_propose")


# --- how an acceptance applies them ------------------------------------------------------------


def _appliquer_entree_veille(parcours, demande, by, referentiel, motif, referent):
    parcours.mettre_en_veille(
        by, demande.motif_veille, demande.debut, demande.fin_prevue, motif=motif, referentiel=referentiel
    )


def _appliquer_renouvellement_veille(parcours, demande, by, referentiel, motif, referent):
    parcours.prolonger_veille(by, demande.fin_prevue, motif=motif, referentiel=referentiel)


def _appliquer_fin_veille(parcours, demande, by, referentiel, motif, referent):
    parcours.reprendre_accompagnement(by, demande.date_effet, motif=motif)


def _appliquer_renouvellement_mesure(parcours, demande, by, referentiel, motif, referent):
    parcours.renouveler(by, motif=motif, referentiel=referentiel)


def _appliquer_derogation(parcours, demande, by, referentiel, motif, referent):
    parcours.accorder_distance(by, motif=motif)


def _appliquer_reorientation(parcours, demande, by, referentiel, motif, referent):
    referent = referent or demande.referent_propose
    if referent is None:
        raise DemandeError("Choisissez le référent vers qui réorienter la personne.", field="referent")
    parcours.changer_referent(by, referent, motif=motif)
    demande.referent_propose = referent


SORTES = {
    s.type: s
    for s in [
        Sorte(
            T.ENTREE_VEILLE,
            "mettre_en_veille",
            ("motif_veille", "debut", "fin_prevue", "presentiel_impossible", "justification"),
            _verifier_entree_veille,
            _appliquer_entree_veille,
            "Le référent garde un suivi régulier de la personne pendant la veille, par téléphone ou en face à face.",
        ),
        Sorte(
            T.RENOUVELLEMENT_VEILLE,
            "prolonger_veille",
            ("fin_prevue", "justification"),
            _verifier_renouvellement_veille,
            _appliquer_renouvellement_veille,
        ),
        Sorte(
            T.FIN_VEILLE,
            "reprendre_accompagnement",
            ("date_effet", "justification"),
            _verifier_fin_veille,
            _appliquer_fin_veille,
        ),
        Sorte(
            T.RENOUVELLEMENT_MESURE,
            "renouveler",
            ("objectifs", "justification"),
            _verifier_renouvellement_mesure,
            _appliquer_renouvellement_mesure,
            "Le bilan intermédiaire de la mesure (entretiens, ateliers, étapes, freins, frise) est joint à la demande.",
        ),
        Sorte(
            T.DEROGATION_DISTANCE,
            "accorder_distance",
            ("justification",),
            _verifier_derogation,
            _appliquer_derogation,
            "À la demande de la personne, seulement si son autonomie numérique a été évaluée suffisante.",
        ),
        Sorte(
            T.REORIENTATION,
            "changer_referent",
            ("referent_propose", "justification"),
            _verifier_reorientation,
            _appliquer_reorientation,
        ),
    ]
}
assert set(SORTES) == set(TypeDemande), "Chaque type de demande a sa sorte."


def autonomie_evaluee(parcours) -> str:
    """The digital autonomy of the parcours's latest diagnostic ("" when none was assessed)."""
    return (
        Diagnostic.objects.filter(parcours=parcours)
        .exclude(autonomie_numerique="")
        .order_by("-modifie_le", "-pk")
        .values_list("autonomie_numerique", flat=True)
        .first()
        or ""
    )


def en_cellule(referentiel, type_) -> bool:
    """Whether the référentiel has this type decided in cellule de suivi."""
    return bool(referentiel) and str(type_) in (referentiel.demandes_en_cellule or [])


def fermee(parcours, sorte, referentiel) -> str:
    """Why this type may not be asked on the parcours now ("" when it may): its state, what the
    référentiel provides, the derogation already granted."""
    if parcours.etat not in sorte.sources:
        return f"« {sorte.libelle} » ne peut être demandée : le parcours est « {parcours.get_etat_display()} »."
    if sorte.type == T.RENOUVELLEMENT_MESURE and not (referentiel and referentiel.duree_mesure_mois):
        return "Le référentiel ne découpe pas l'accompagnement en mesures renouvelables."
    if sorte.type == T.DEROGATION_DISTANCE and parcours.a_distance:
        return "L'accompagnement à distance est déjà accordé à cette personne."
    return ""


def ouverte(parcours, sorte, referentiel) -> bool:
    """Whether this type may be asked on the parcours now."""
    return not fermee(parcours, sorte, referentiel)


def possibles(parcours, referentiel, en_attente=()) -> list[Sorte]:
    """The types one may ask now, those already waiting (``en_attente``: their types) left out."""
    return [s for s in SORTES.values() if ouverte(parcours, s, referentiel) and s.type not in set(en_attente)]


def etape_pour_veille(parcours, etapes, veilles, today=None):
    """The étape emploi or formation the person began, for which the référent is offered a veille request
    (N §III.d: « La mise en veille intervient lorsque le participant entre en étape de parcours emploi ou
    formation »): in progress today, begun after the last veille ended; None otherwise. Offered, never
    forced. ``etapes`` and ``veilles``: the rows the dossier read (no query)."""
    from parcours.etapes import CategorieEtape, EtatEtape

    if parcours.etat != Etat.ACCOMPAGNEMENT or etapes is None:
        return None
    today = today or timezone.localdate()
    derniere_fin = max((v.fin for v in veilles if v.fin is not None), default=None)
    candidates = [
        e
        for e in etapes
        if e.etat == EtatEtape.EN_COURS
        and e.categorie in {CategorieEtape.EMPLOI, CategorieEtape.FORMATION}
        and e.date_debut <= today
        and (derniere_fin is None or e.date_debut > derniere_fin)
    ]
    return max(candidates, key=lambda e: (e.date_debut, e.pk), default=None)


def _coordination():
    return User.objects.filter(role=Role.COORDINATION, is_active=True)


def demander(by, parcours, type_, *, referentiel, **faits) -> Demande:
    """Ask for a decision. The rule is checked now (DemandeError on the form's field); the facts are
    those of :attr:`Sorte.champs`."""
    sorte = SORTES[TypeDemande(type_)]
    inconnus = set(faits) - set(sorte.champs)
    if inconnus:
        raise ValueError(f"Faits inconnus pour « {sorte.libelle} » : {', '.join(sorted(inconnus))}.")
    with transaction.atomic():
        # The parcours row locked: two requests of the same type, or a decision meanwhile, wait.
        verrou = Parcours.objects.select_for_update().only("pk", "etat", "modifie_le").get(pk=parcours.pk)
        if (verrou.etat, verrou.modifie_le) != (parcours.etat, parcours.modifie_le):
            raise DemandeError("Ce parcours vient d'être modifié par quelqu'un d'autre : rechargez la page.")
        pourquoi = fermee(parcours, sorte, referentiel)
        if pourquoi:
            raise DemandeError(pourquoi)
        if parcours.demandes.filter(type=sorte.type, statut=StatutDemande.DEMANDEE).exists():
            raise DemandeError(f"Une demande « {sorte.libelle} » attend déjà une décision pour ce parcours.")
        try:
            sorte.verifier(parcours, referentiel, faits)
        except TransitionError as error:
            raise _refus(error) from None
        propres = {k: (v.strip() if isinstance(v, str) else v) for k, v in faits.items() if v is not None}
        demande = Demande(
            parcours=parcours,
            type=sorte.type,
            auteur=by,
            decision_en_cellule=en_cellule(referentiel, sorte.type),
            **propres,
        )
        with MACHINE_DEMANDE.creer(demande, "demander", by):
            if sorte.type == T.DEROGATION_DISTANCE:
                demande.autonomie_numerique = autonomie_evaluee(parcours)
            if sorte.type == T.RENOUVELLEMENT_MESURE:
                from parcours import mesure

                demande.periode_debut, demande.periode_fin = mesure.periode_en_cours(parcours)
        if sorte.type == T.RENOUVELLEMENT_MESURE:
            from parcours import bilan

            bilan.joindre(demande, referentiel=referentiel)
        if demande.presentiel_impossible:
            lien = reverse("demandes:detail", args=[demande.pk])
            for user in _coordination():
                notifier(
                    user,
                    f"{parcours.participant.nom_complet} ne peut pas venir aux entretiens",
                    "Mise en veille demandée faute d'accompagnement à distance possible : une réorientation vers un "
                    "référent qui peut la rencontrer est à étudier.",
                    lien,
                )
    return demande


def _motif_parcours(demande, decision: str, motif: str) -> str:
    quand = timezone.localtime(demande.demandee_le)
    qui = demande.auteur.get_full_name() if demande.auteur else "un compte supprimé"
    texte = f"Demande du {quand:%d/%m/%Y} ({qui}) {decision}"
    motif = (motif or "").strip()
    return f"{texte} : {motif}" if motif else f"{texte}."


def accepter(by, demande, *, referentiel, motif="", referent=None) -> Demande:
    """Accept: the parcours transition applies (its guard checked again), logged with the decision."""
    sorte = SORTES[TypeDemande(demande.type)]
    parcours = demande.parcours
    with MACHINE_DEMANDE.appliquer(demande, "accepter", by, motif):
        parcours.demande_appliquee = demande  # its log row points back at the request
        try:
            sorte.appliquer(parcours, demande, by, referentiel, _motif_parcours(demande, "acceptée", motif), referent)
        except TransitionError as error:
            raise _refus(error) from None
        finally:
            del parcours.demande_appliquee
        demande.decide_par, demande.decide_le = by, timezone.now()
        demande.motif_decision = (motif or "").strip()
    if demande.auteur_id and demande.auteur_id != by.pk:
        notifier(
            demande.auteur,
            f"{sorte.libelle} acceptée pour {parcours.participant.nom_complet}",
            demande.motif_decision,
            reverse("parcours:detail", args=[parcours.pk]),
        )
    return demande


def refuser(by, demande, *, motif) -> Demande:
    with MACHINE_DEMANDE.appliquer(demande, "refuser", by, motif):
        demande.decide_par, demande.decide_le = by, timezone.now()
        demande.motif_decision = motif.strip()
    if demande.auteur_id and demande.auteur_id != by.pk:
        notifier(
            demande.auteur,
            f"{demande.get_type_display()} refusée pour {demande.parcours.participant.nom_complet}",
            demande.motif_decision,
            reverse("parcours:detail", args=[demande.parcours_id]),
        )
    return demande


def retirer(by, demande, *, motif="") -> Demande:
    """Withdraw a waiting request: its author, or the coordination (the kernel checks it still waits)."""
    with MACHINE_DEMANDE.appliquer(demande, "retirer", by, motif):
        if demande.auteur_id != by.pk and not by.has_role(Role.COORDINATION):
            raise DemandeError("Seul l'auteur de la demande, ou la coordination, peut la retirer.")
    return demande
