"""What is sensitive, declared once: health and disability (N §VII, DOMAIN §7).

Who may see it is decided by one rule, :func:`plie.permissions.can_view_sensitive` (the parcours's
référent and the coordination). Views and templates never test a code themselves: they pass what
they show through the helpers below, with the rule's answer.

Later issues add their items here (diagnostic notes, entretien notes, psychological support): a
code or a free-text field listed here is hidden by every page that uses these helpers, and the
sensitive-data test (``tests/plie/test_sensitive_pages.py``) checks every person-level page
for each label declared here.
"""

# Coded values, by vocabulary. Health and disability as yes/no items, never diagnoses.
CRITERES = frozenset({"rqth"})  # disability (RQTH / BOETH)
FREINS = frozenset({"sante"})  # the health frein
MOTIFS_VEILLE = frozenset({"sante", "maternite"})
MOTIFS_SUSPENSION = frozenset({"maladie", "hospitalisation"})
SITUATIONS_SORTIE = frozenset({"sante", "maternite", "longue_maladie"})

# Free text written about a person: it may hold anything (a health remark, a family matter), so it
# follows the same rule whatever its content. "model.field", for the test and for reviewers.
TEXTES_LIBRES = (
    "parcours.TransitionParcours.motif",
    "parcours.Parcours.motif_cloture",
    "parcours.TentativeContact.commentaire",
    "parcours.Diagnostic.potentiels",
    "parcours.Diagnostic.souhaits_metiers",
    "parcours.Diagnostic.parcours_professionnel",
    "parcours.FreinDiagnostic.commentaire",
    "parcours.Etape.commentaire",
    "parcours.EvenementEtape.motif",
    # A partner's name may say more than it seems (« CMP de Niort » is a psychiatric service).
    "parcours.TentativeContact.partenaire",
    "parcours.RendezVous.sujet",
    "parcours.RendezVous.notes",
    "parcours.Demande.justification",
    "parcours.Demande.objectifs",
    "parcours.Demande.motif_decision",
    "parcours.TransitionDemande.motif",
)

MASQUE = "réservé au référent et à la coordination"


def criteres_visibles(criteres, visible: bool) -> list:
    """The criteria one may show: the sensitive ones only to whom the rule allows."""
    return [c for c in criteres if visible or c.code not in CRITERES]


def freins_visibles(codes, visible: bool) -> list[str]:
    """Labels of the freins, in the vocabulary's order; health left out unless it may be seen."""
    from parcours.freins import Frein

    return [f.label for f in Frein if f in codes and (visible or f not in FREINS)]


def motif_veille(periode, visible: bool) -> str:
    """A veille motive for whom may see it; otherwise no motive at all.

    Hiding only the health motives would tell them apart ("réservé" would mean santé or
    maternité), so those who may not see sensitive data see no veille motive.
    """
    return periode.get_motif_display() if visible else f"motif {MASQUE}"


def motif_suspension(suspension, visible: bool) -> str:
    """A suspension's motive (congés, maladie, hospitalisation) for whom may see it; otherwise none, as
    :func:`motif_veille`: hiding only the health ones would tell them apart."""
    return suspension.get_motif_display() if visible else f"motif {MASQUE}"
