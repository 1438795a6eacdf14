"""The diagnostic's rules (N §III.c, C §III.1.1): open it, freeze it, say when its interview was short.

- ``diagnostic_en_cours``: the diagnostic being written for a parcours, with one row per frein theme;
- ``figer``: the copy frozen when the CER is signed (initial) or at the exit (final);
- ``entretien_trop_court``: Caen asks for an interview of at least one hour (a référentiel field);
  a shorter one is flagged, never refused.
"""

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from parcours.freins import Frein
from parcours.models import Diagnostic, Etat, FreinDiagnostic, NatureDiagnostic, NiveauFrein
from parcours.workflow import TransitionError

# From the first appointment until the exit is decided.
ETATS_DIAGNOSTIC = frozenset({Etat.ACCUEIL, Etat.ACCOMPAGNEMENT, Etat.VEILLE, Etat.SORTIE_PROPOSEE})
FREINS_FORTS = frozenset({NiveauFrein.FORT, NiveauFrein.BLOQUANT})
COPIED = [
    f.name
    for f in Diagnostic._meta.concrete_fields
    if f.name not in {"id", "parcours", "nature", "fige_le", "modifie_le", "modifie_par"}
]


def diagnostic_en_cours(parcours, by=None, *, creer=True) -> Diagnostic | None:
    """The diagnostic in progress, with its freins prefetched; created (every theme at « aucun ») if asked."""
    found = (
        Diagnostic.objects.en_cours()
        .filter(parcours=parcours)
        .prefetch_related("freins")
        .select_related("modifie_par")
        .first()
    )
    if found is not None or not creer:
        return found
    with transaction.atomic():
        diagnostic, created = Diagnostic.objects.get_or_create(
            parcours=parcours, nature=NatureDiagnostic.EN_COURS, defaults={"modifie_par": by}
        )
        if created:
            bulk_create_with_history(
                [FreinDiagnostic(diagnostic=diagnostic, theme=t) for t in Frein], FreinDiagnostic, default_user=by
            )
    return diagnostic_en_cours(parcours, creer=False)


def resume(parcours):
    """(last update, freins fort or bloquant) of the diagnostic in progress, in one query; (None, [])."""
    rows = list(
        FreinDiagnostic.objects.filter(diagnostic__parcours=parcours, diagnostic__nature=NatureDiagnostic.EN_COURS)
        .select_related("diagnostic")
        .order_by("pk")
    )
    if not rows:
        return None, []
    by_theme = {f.theme: f for f in rows}
    return rows[0].diagnostic.modifie_le, [
        by_theme[t] for t in Frein if t in by_theme and by_theme[t].niveau in FREINS_FORTS
    ]


def freins_par_theme(diagnostic) -> list[FreinDiagnostic]:
    """The freins in the vocabulary's order (rows missing for a theme added since are shown at « aucun »)."""
    rows = {f.theme: f for f in diagnostic.freins.all()}
    return [rows.get(t) or FreinDiagnostic(diagnostic=diagnostic, theme=t) for t in Frein]


def figer(parcours, nature, by) -> Diagnostic:
    """Freeze the diagnostic in force as the initial or final one; refused if it already exists."""
    if nature not in {NatureDiagnostic.INITIAL, NatureDiagnostic.FINAL}:
        raise ValueError(nature)
    with transaction.atomic():
        source = diagnostic_en_cours(parcours, by)
        if Diagnostic.objects.filter(parcours=parcours, nature=nature).exists():
            raise TransitionError(f"Le {NatureDiagnostic(nature).label.split(' (')[0].lower()} est déjà figé.")
        copie = Diagnostic(
            parcours=parcours,
            nature=nature,
            fige_le=timezone.now(),
            modifie_par=by,
            **{name: getattr(source, name) for name in COPIED},
        )
        copie._history_user = by
        copie.save()
        bulk_create_with_history(
            [
                FreinDiagnostic(diagnostic=copie, theme=f.theme, niveau=f.niveau, commentaire=f.commentaire)
                for f in source.freins.all()
            ],
            FreinDiagnostic,
            default_user=by,
        )
    return copie


def entretien_trop_court(diagnostic, referentiel) -> str:
    """A French warning when the interview was shorter than the référentiel's minimum; "" otherwise."""
    minimum = referentiel.duree_diagnostic_minutes if referentiel else None
    duree = diagnostic.duree_entretien_minutes
    if not minimum or duree is None or duree >= minimum:
        return ""
    return f"L'entretien de diagnostic a duré {duree} minutes : le référentiel du PLIE en prévoit au moins {minimum}."
