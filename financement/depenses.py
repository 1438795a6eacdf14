"""The ateliers' budget of each référent (N §III.d, §VIII.a) and its expenses.

- The budget of a référent for a calendar year is the référentiel's amount per ETP
  (``budget_ateliers_par_etp``, 1 000 € in Niort) times the post's ETP (0,5 ETP → 500 €); a
  référentiel without that amount (Caen) gives no budget, and no expense can be entered.
- What is spent is every expense of that year that was not refused (validated or still to validate):
  an expense over what remains is refused. Entering one locks the référent's post
  (``select_for_update`` on :class:`ReferentProfile`), so that two expenses entered at once cannot both
  take the same remainder.
- An expense lies in one of the référentiel's categories (déplacement, réception, petits matériels,
  prestations extérieures), is dated at the latest today and at the earliest on January 1st of last year,
  and may carry a receipt checked by :mod:`plie.fichiers`, kept in the private storage.
- The coordination validates or refuses it at the monthly team meeting (a refusal says why), on the
  workflow kernel (:data:`MACHINE`, its log :class:`TransitionDepense`); the référent is notified. Until
  then, the référent may change or delete it.
"""

import datetime
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.urls import reverse
from django.utils import formats, timezone

from financement.models import DepenseAtelier, StatutDepense, TransitionDepense
from plie.accounts.models import ReferentProfile, Role, User
from plie.notifications.services import notifier
from plie.referentiel.models import Referentiel
from plie.workflow import Machine, Transition, TransitionError, table

S = StatutDepense
CENTIME = Decimal("0.01")
A_VALIDER = frozenset({S.A_VALIDER})


class DepenseError(TransitionError):
    """An expense rule refused: a French message, shown next to ``field``."""


TRANSITIONS = table(
    Transition("saisir", "Saisir une dépense", frozenset(), S.A_VALIDER, frozenset({Role.REFERENT})),
    Transition("valider", "Valider la dépense", A_VALIDER, S.VALIDEE, frozenset({Role.COORDINATION})),
    Transition("refuser", "Refuser la dépense", A_VALIDER, S.REFUSEE, frozenset({Role.COORDINATION}), needs_motif=True),
)


def _log(depense, transition, source, by, motif):
    TransitionDepense.objects.create(
        depense=depense,
        transition=transition.name,
        statut_avant=source or "",
        statut_apres=depense.statut,
        auteur=by,
        motif=motif,
    )


MACHINE = Machine(
    transitions=TRANSITIONS,
    log=_log,
    stale_message="Cette dépense vient d'être modifiée par son référent : relisez-la avant de décider.",
    impossible_message="« {label} » impossible : la dépense est « {etat} ».",
    state_field="statut",
    error=DepenseError,
    motif_message="Indiquez le motif du refus : le référent le lira.",
)


def euros(montant) -> str:
    """« 1 000,00 € » (a narrow no-break space between thousands)."""
    return f"{formats.number_format(montant, 2, use_l10n=True, force_grouping=True)}\u00a0€"


# --- the budget -----------------------------------------------------------------------------------


def referentiel_actif():
    return Referentiel.objects.active_or_none()


def categories(referentiel) -> list[str]:
    """The référentiel's categories of expenses, the only ones allowed (none without a budget)."""
    if referentiel is None or referentiel.budget_ateliers_par_etp is None:
        return []
    return list(referentiel.categories_depenses_ateliers or [])


def montant_budget(etp, referentiel) -> Decimal | None:
    """The référentiel's amount per ETP, prorated to the post's ETP; None when it sets no budget."""
    if referentiel is None or referentiel.budget_ateliers_par_etp is None or etp is None:
        return None
    return (referentiel.budget_ateliers_par_etp * etp).quantize(CENTIME, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Budget:
    annee: int
    montant: Decimal | None  # None: the référentiel sets no budget, or the person holds no post
    engage: Decimal  # validated or still to validate
    valide: Decimal
    a_valider: Decimal

    @property
    def restant(self) -> Decimal | None:
        return None if self.montant is None else self.montant - self.engage

    @property
    def depasse(self) -> bool:
        return self.restant is not None and self.restant < 0


def _sommes(depenses) -> dict:
    return depenses.aggregate(
        valide=Coalesce(Sum("montant", filter=Q(statut=S.VALIDEE)), Decimal("0")),
        a_valider=Coalesce(Sum("montant", filter=Q(statut=S.A_VALIDER)), Decimal("0")),
    )


def budget(referent, annee: int, referentiel=None, *, sauf=None) -> Budget:
    """The référent's budget for ``annee``, what is engaged and what remains (``sauf``: an expense left
    out, the one being changed)."""
    referentiel = referentiel if referentiel is not None else referentiel_actif()
    profile = ReferentProfile.objects.filter(user=referent).only("etp").first()
    depenses = DepenseAtelier.objects.filter(referent=referent, date__year=annee)
    if sauf is not None and sauf.pk is not None:
        depenses = depenses.exclude(pk=sauf.pk)
    sommes = _sommes(depenses)
    return Budget(
        annee=annee,
        montant=montant_budget(profile.etp if profile else None, referentiel),
        engage=sommes["valide"] + sommes["a_valider"],
        valide=sommes["valide"],
        a_valider=sommes["a_valider"],
    )


@dataclass(frozen=True)
class LigneBudget:
    """One référent's line in the coordination's and the opérateur's table."""

    referent: User
    budget: Budget
    nombre_a_valider: int


def budgets_des_referents(referents, annee: int, referentiel=None) -> list[LigneBudget]:
    """Each référent's budget for ``annee``, in one query whatever their number (``referents``: a
    QuerySet of users with a post)."""
    referentiel = referentiel if referentiel is not None else referentiel_actif()
    de_l_annee = Q(depenses_ateliers__date__year=annee)
    rows = referents.select_related("referent_profile").annotate(
        somme_validee=Coalesce(
            Sum("depenses_ateliers__montant", filter=de_l_annee & Q(depenses_ateliers__statut=S.VALIDEE)),
            Decimal("0"),
        ),
        somme_a_valider=Coalesce(
            Sum("depenses_ateliers__montant", filter=de_l_annee & Q(depenses_ateliers__statut=S.A_VALIDER)),
            Decimal("0"),
        ),
        nombre_a_valider=Count("depenses_ateliers", filter=de_l_annee & Q(depenses_ateliers__statut=S.A_VALIDER)),
    )
    return [
        LigneBudget(
            referent=r,
            budget=Budget(
                annee=annee,
                montant=montant_budget(r.referent_profile.etp, referentiel),
                engage=r.somme_validee + r.somme_a_valider,
                valide=r.somme_validee,
                a_valider=r.somme_a_valider,
            ),
            nombre_a_valider=r.nombre_a_valider,
        )
        for r in rows
    ]


def totaux_par_categorie(annee: int) -> list[dict]:
    """The financeur's figures: per category, what is validated and what waits, for the whole PLIE (no names)."""
    rows = (
        DepenseAtelier.objects.filter(date__year=annee)
        .exclude(statut=S.REFUSEE)
        .values("categorie")
        .annotate(
            valide=Coalesce(Sum("montant", filter=Q(statut=S.VALIDEE)), Decimal("0")),
            a_valider=Coalesce(Sum("montant", filter=Q(statut=S.A_VALIDER)), Decimal("0")),
        )
        .order_by("categorie")
    )
    return list(rows)


def budget_total(annee: int, referentiel=None) -> Decimal | None:
    """The sum of the budgets of the posts held (for the financeur's page)."""
    referentiel = referentiel if referentiel is not None else referentiel_actif()
    if referentiel is None or referentiel.budget_ateliers_par_etp is None:
        return None
    etps = ReferentProfile.objects.filter(user__role=Role.REFERENT, actif=True).values_list("etp", flat=True)
    return sum((montant_budget(etp, referentiel) for etp in etps), Decimal("0.00"))


def annees(referent=None) -> list[int]:
    """The years a page offers: this one and the last (an expense may still be entered for it), and every
    year holding an expense (of ``referent`` if given)."""
    depenses = DepenseAtelier.objects.all() if referent is None else DepenseAtelier.objects.filter(referent=referent)
    found = set(depenses.annotate(annee=ExtractYear("date")).values_list("annee", flat=True).distinct())
    year = timezone.localdate().year
    return sorted(found | {year, year - 1}, reverse=True)


# --- who sees which expenses ---------------------------------------------------------------------


def depenses_visibles(user):
    """The expenses a user may read: the coordination all, a référent their own, an opérateur its
    référents'; nobody else any (the financeur reads totals only)."""
    depenses = DepenseAtelier.objects.all()
    if not user.is_authenticated:
        return depenses.none()
    if user.has_role(Role.COORDINATION):
        return depenses
    if user.has_role(Role.REFERENT):
        return depenses.filter(referent=user)
    if user.has_role(Role.OPERATEUR) and user.structure_id is not None:
        return depenses.filter(referent__role=Role.REFERENT, referent__structure_id=user.structure_id)
    return depenses.none()


# --- the rules of an expense ------------------------------------------------------------------------


def _verifier(depense, referentiel, today):
    """Lock the référent's post, then check the category, the date and what remains of the budget."""
    profile = ReferentProfile.objects.select_for_update().filter(user_id=depense.referent_id).first()
    if profile is None:
        raise DepenseError("Seul un référent qui tient un poste a un budget des ateliers.")
    if referentiel is None or referentiel.budget_ateliers_par_etp is None:
        raise DepenseError("Le référentiel de ce PLIE ne prévoit pas de budget pour les ateliers.")
    if depense.categorie not in categories(referentiel):
        raise DepenseError(
            f"Choisissez une catégorie du référentiel : {', '.join(categories(referentiel))}.", field="categorie"
        )
    if depense.montant is None or depense.montant <= 0:
        raise DepenseError("Le montant d'une dépense est positif (par exemple 45,50).", field="montant")
    if depense.date > today:
        raise DepenseError(
            f"Une dépense se saisit une fois faite : sa date ne peut suivre aujourd'hui, le {today:%d/%m/%Y}.",
            field="date",
        )
    premier_jour = datetime.date(today.year - 1, 1, 1)
    if depense.date < premier_jour:
        raise DepenseError(
            f"Seules les dépenses de l'année en cours et de la précédente se saisissent (depuis le "
            f"{premier_jour:%d/%m/%Y}).",
            field="date",
        )
    if depense.atelier_id is not None and depense.referent_id not in depense.atelier.animateur_ids:
        raise DepenseError("Choisissez un atelier que vous animez.", field="atelier")
    actuel = budget(depense.referent, depense.date.year, referentiel, sauf=depense)
    if depense.montant > actuel.restant:
        if actuel.restant <= 0:
            message = f"Le budget des ateliers de {depense.date.year} est épuisé ({euros(actuel.montant)} engagés)."
        else:
            message = (
                f"Ce montant dépasse le budget restant de {depense.date.year} : {euros(actuel.restant)} sur "
                f"{euros(actuel.montant)}."
            )
        raise DepenseError(message, field="montant")


def _joindre(depense, fichier, stored):
    """Store a checked receipt (plie.fichiers.FichierVerifie) under a random name in the private storage."""
    depense.justificatif.save(fichier.nom_stocke(), fichier.fichier, save=False)
    depense.justificatif_nom = fichier.nom
    depense.justificatif_type = fichier.type
    stored.append(depense.justificatif.name)


@contextmanager
def _fichiers_annules(storage):
    """A refused save leaves no receipt behind: the files stored in the block are deleted if it raises."""
    stored = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            storage.delete(name)
        raise


def _supprimer_apres_validation(storage, name):
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def ajouter(depense, by, fichier=None, *, today=None) -> DepenseAtelier:
    """Enter ``depense`` (unsaved, its référent and fields set), to validate; ``fichier``: a checked receipt."""
    today = today or timezone.localdate()
    depense.cree_par = depense.cree_par or by
    with _fichiers_annules(depense.justificatif.storage) as stored, MACHINE.creer(depense, "saisir", by):
        _verifier(depense, referentiel_actif(), today)
        if fichier is not None:
            _joindre(depense, fichier, stored)
    return depense


def _verrouiller(depense):
    try:
        locked = DepenseAtelier.objects.select_for_update().only("statut").get(pk=depense.pk)
    except DepenseAtelier.DoesNotExist:
        raise DepenseError("Cette dépense a été supprimée entre-temps.") from None
    if locked.statut != S.A_VALIDER:
        raise DepenseError(
            f"Cette dépense est désormais « {locked.get_statut_display().lower()} » : elle ne se modifie plus."
        )
    return locked


def modifier(depense, by, fichier=None, *, retirer_justificatif=False, today=None) -> DepenseAtelier:
    """Save the référent's changes to an expense still to validate (after the form's concurrent-change check)."""
    today = today or timezone.localdate()
    storage = depense.justificatif.storage
    with _fichiers_annules(storage) as stored, transaction.atomic():
        _verrouiller(depense)
        _verifier(depense, referentiel_actif(), today)
        ancien = DepenseAtelier.objects.filter(pk=depense.pk).values_list("justificatif", flat=True).get()
        if fichier is not None:
            _joindre(depense, fichier, stored)
        elif retirer_justificatif:
            depense.justificatif = ""
            depense.justificatif_nom = depense.justificatif_type = ""
        depense._history_user = by
        depense.save()
        if ancien and ancien != depense.justificatif.name:
            _supprimer_apres_validation(storage, ancien)
    return depense


def supprimer(depense, by) -> None:
    """Delete an expense still to validate, and its receipt once the deletion is committed."""
    with transaction.atomic():
        _verrouiller(depense)
        nom, storage = depense.justificatif.name, depense.justificatif.storage
        depense._history_user = by
        depense.delete()
        _supprimer_apres_validation(storage, nom)


def _lien(depense) -> str:
    return f"{reverse('depenses:budget')}?annee={depense.date.year}"


def valider(depense, by, *, vu_le=None, now=None) -> DepenseAtelier:
    """The coordination validates the expense (``vu_le``: its version as shown; a later change is refused)."""
    now = now or timezone.now()
    if vu_le is not None:
        depense.modifie_le = vu_le
    with transaction.atomic():
        with MACHINE.appliquer(depense, "valider", by):
            depense.decide_par, depense.decide_le = by, now
        notifier(
            depense.referent,
            "Dépense d'atelier validée",
            f"Votre dépense du {depense.date:%d/%m/%Y} ({depense.categorie}, {euros(depense.montant)}, "
            f"{depense.fournisseur}) est validée.",
            lien=_lien(depense),
        )
    return depense


def refuser(depense, by, motif, *, vu_le=None, now=None) -> DepenseAtelier:
    """The coordination refuses the expense and says why; its amount returns to the budget."""
    now = now or timezone.now()
    if vu_le is not None:
        depense.modifie_le = vu_le
    motif = (motif or "").strip()
    with transaction.atomic():
        with MACHINE.appliquer(depense, "refuser", by, motif):
            depense.decide_par, depense.decide_le = by, now
            depense.motif_refus = motif
        notifier(
            depense.referent,
            "Dépense d'atelier refusée",
            f"Votre dépense du {depense.date:%d/%m/%Y} ({depense.categorie}, {euros(depense.montant)}, "
            f"{depense.fournisseur}) est refusée. Motif : {motif}",
            lien=_lien(depense),
        )
    return depense
