"""The bilan intermédiaire of a measure (N §III.d: « Chaque renouvellement de mesure fait l'objet d'un
bilan intermédiaire, présenté et validé par la cellule de suivi »): what the period held, drawn once for
the request for a measure renewal (:mod:`parcours.demandes` joins it) and for the référent's preview.

- :func:`contenu`: a plain structure of the period — the entretiens held and missed, the ateliers
  attended, the étapes lived, the freins that changed since the initial diagnostic, the frise, counts —
  read in a number of queries that does not grow with the rows (six: entretiens, attendances, étapes,
  veilles, decisions, freins);
- :func:`rendre`: its PDF, through the one pipeline (:mod:`plie.pdf`,
  ``templates/pdf/bilan_intermediaire.html``);
- :func:`joindre`: the PDF stored on the request (``Demande.bilan``, the private storage).

Sensitive data: the bilan is the material of the cellule de suivi, whose members are the coordination
and the référents; it is served only to whom may read the parcours's sensitive data
(:func:`plie.permissions.can_view_bilan`, i.e. :func:`plie.permissions.can_view_sensitive`). It therefore
keeps the health frein (:data:`plie.sensitive.FREINS`), the ateliers' themes and the étapes, like the
dossier shows them to the same people; it prints no free text but the request's objectives (which the
référent writes for the cellule) — neither the entretiens' notes nor the freins' comments.
"""

import datetime
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone

from parcours import frise as frise_module
from parcours.emargement import bornes, duree
from parcours.etapes import ETATS_COMMENCES, EtatEtape, TypeEtape
from parcours.freins import Frein
from parcours.models import (
    Demande,
    Etape,
    FreinDiagnostic,
    Modalite,
    NatureDiagnostic,
    NiveauFrein,
    Parcours,
    PresenceAtelier,
    RendezVous,
    StatutPresence,
    StatutRendezVous,
    StatutSeance,
    TransitionParcours,
)
from plie import pdf

TEMPLATE = "pdf/bilan_intermediaire.html"
TITRE = "Bilan intermédiaire"
# The frise across the page's width (A4 upright less its margins, static/css/pdf.css), as the sheets.
FRISE_LARGEUR_MM = 182
# The entretiens a bilan counts: held, and missed (excused or not). Planned ones have not happened,
# cancelled ones never will.
TENUS = frozenset({StatutRendezVous.HONORE})
MANQUES = frozenset({StatutRendezVous.EXCUSE, StatutRendezVous.ABSENT})
NIVEAUX = list(NiveauFrein.values)  # in order: aucun < léger < fort < bloquant


@dataclass(frozen=True)
class EntretienBilan:
    quand: datetime.datetime  # local time
    objet: str
    modalite: str
    statut: str
    duree_minutes: int | None
    tenu: bool

    @property
    def duree(self) -> str:
        return duree(self.duree_minutes)


@dataclass(frozen=True)
class AtelierBilan:
    quand: datetime.datetime
    theme: str
    seance: int
    duree_minutes: int | None

    @property
    def duree(self) -> str:
        return duree(self.duree_minutes)


@dataclass(frozen=True)
class EtapeBilan:
    type: str
    etat: str
    date_debut: datetime.date
    date_fin: datetime.date | None  # the real end, if ended
    date_fin_prevue: datetime.date | None


@dataclass(frozen=True)
class FreinBilan:
    """A frein whose level moved since the initial diagnostic (``avant`` / ``maintenant``: labels)."""

    theme: str
    avant: str
    maintenant: str
    sens: str  # « nouveau », « levé », « en baisse », « en hausse »


@dataclass
class Bilan:
    parcours: Parcours
    debut: datetime.date
    fin: datetime.date
    numero_mesure: int
    entretiens: list = field(default_factory=list)
    ateliers: list = field(default_factory=list)
    ateliers_manques: int = 0
    etapes: list = field(default_factory=list)
    freins: list = field(default_factory=list)
    # Whether an initial diagnostic was frozen (at the CER's signature): without it, no comparison.
    diagnostic_initial: bool = False
    frise: str = ""

    @property
    def participant(self):
        return self.parcours.participant

    @property
    def referent(self):
        return self.parcours.referent

    @property
    def entretiens_tenus(self) -> int:
        return sum(1 for e in self.entretiens if e.tenu)

    @property
    def entretiens_manques(self) -> int:
        return sum(1 for e in self.entretiens if not e.tenu)

    @property
    def duree_entretiens(self) -> str:
        return duree(sum(e.duree_minutes or 0 for e in self.entretiens if e.tenu))

    @property
    def duree_ateliers(self) -> str:
        return duree(sum(a.duree_minutes or 0 for a in self.ateliers))

    @property
    def compteurs(self) -> dict:
        """The counts, as plain numbers (a test, a summary)."""
        return {
            "entretiens_tenus": self.entretiens_tenus,
            "entretiens_manques": self.entretiens_manques,
            "ateliers": len(self.ateliers),
            "ateliers_manques": self.ateliers_manques,
            "etapes": len(self.etapes),
            "freins_changes": len(self.freins),
        }


def _sens(avant, maintenant) -> str:
    if avant == NiveauFrein.AUCUN:
        return "nouveau"
    if maintenant == NiveauFrein.AUCUN:
        return "levé"
    return "en baisse" if NIVEAUX.index(maintenant) < NIVEAUX.index(avant) else "en hausse"


def _freins(parcours):
    """(initial diagnostic frozen?, the freins changed since), in one query: the initial copy and the
    diagnostic in progress side by side, theme by theme, in the vocabulary's order."""
    niveaux = {NatureDiagnostic.INITIAL: {}, NatureDiagnostic.EN_COURS: {}}
    for theme, niveau, nature in FreinDiagnostic.objects.filter(
        diagnostic__parcours=parcours,
        diagnostic__nature__in=[NatureDiagnostic.INITIAL, NatureDiagnostic.EN_COURS],
    ).values_list("theme", "niveau", "diagnostic__nature"):
        niveaux[nature][theme] = niveau
    initial, en_cours = niveaux[NatureDiagnostic.INITIAL], niveaux[NatureDiagnostic.EN_COURS]
    if not initial:
        return False, []
    changes = []
    for theme in Frein:
        avant = initial.get(theme, NiveauFrein.AUCUN)
        maintenant = en_cours.get(theme, avant)  # no diagnostic in progress (yet): nothing moved
        if avant != maintenant:
            changes.append(
                FreinBilan(
                    theme=theme.label,
                    avant=NiveauFrein(avant).label,
                    maintenant=NiveauFrein(maintenant).label,
                    sens=_sens(avant, maintenant),
                )
            )
    return True, changes


def contenu(parcours, debut, fin, *, referentiel=None, today=None) -> Bilan:
    """What the period [debut, fin] of ``parcours`` (its participant and référent loaded) held, and its
    frise, in six queries whatever the parcours holds. ``referentiel``: the PLIE's (its name heads the
    document; the content does not depend on it)."""
    start, end = bornes(debut, fin)
    today = today or timezone.localdate()
    # The whole parcours is read once for the frise; the period is cut from it here.
    rendez_vous = list(RendezVous.objects.filter(parcours=parcours).order_by("debut", "id"))
    presences = list(
        PresenceAtelier.objects.filter(parcours=parcours)
        .select_related("seance__atelier")
        .order_by("seance__debut", "id")
    )
    etapes = list(Etape.objects.filter(parcours=parcours).frise())
    veilles = list(parcours.periodes_veille.all())
    decisions = [
        frise_module.Decision(t, timezone.localtime(d).date())
        for t, d in TransitionParcours.objects.filter(parcours=parcours, transition__in=sorted(frise_module.DECISIONS))
        .order_by("date", "id")
        .values_list("transition", "date")
    ]
    diagnostic_initial, freins = _freins(parcours)

    bilan = Bilan(
        parcours=parcours,
        debut=debut,
        fin=fin,
        numero_mesure=(parcours.nombre_renouvellements or 0) + 1,
        freins=freins,
        diagnostic_initial=diagnostic_initial,
    )
    objets = dict(RendezVous._meta.get_field("objet").choices)
    for r in rendez_vous:
        if not (start <= r.debut < end) or r.statut not in TENUS | MANQUES:
            continue
        tenu = r.statut in TENUS
        bilan.entretiens.append(
            EntretienBilan(
                quand=timezone.localtime(r.debut),
                objet=objets[r.objet],
                modalite=Modalite(r.modalite).label,
                statut=StatutRendezVous(r.statut).label,
                duree_minutes=r.duree_reelle_minutes if tenu else None,
                tenu=tenu,
            )
        )
    for p in presences:
        seance = p.seance
        if not (start <= seance.debut < end) or seance.statut == StatutSeance.ANNULEE:
            continue
        if p.statut == StatutPresence.PRESENT:
            bilan.ateliers.append(
                AtelierBilan(timezone.localtime(seance.debut), seance.atelier.theme, seance.numero, p.duree_minutes)
            )
        else:
            bilan.ateliers_manques += 1
    for e in etapes:
        if vecue(e, debut, fin):
            bilan.etapes.append(
                EtapeBilan(
                    type=TypeEtape(e.type).label,
                    etat=EtatEtape(e.etat).label,
                    date_debut=e.date_debut,
                    date_fin=e.date_fin,
                    date_fin_prevue=e.date_fin_prevue,
                )
            )
    bilan.frise = frise_module.svg_pour_pdf(
        parcours,
        largeur_mm=FRISE_LARGEUR_MM,
        etapes=etapes,
        rendez_vous=rendez_vous,
        presences=[
            frise_module.Presence(timezone.localtime(p.seance.debut).date(), p.statut, p.seance.atelier.theme)
            for p in presences
        ],
        veilles=veilles,
        decisions=decisions,
        today=today,
    )
    return bilan


def vecue(etape, debut, fin) -> bool:
    """Whether the étape was lived during [debut, fin]: begun (by ``fin``), not ended before ``debut``;
    one given up before it began was never lived (its end precedes its start)."""
    if etape.etat not in ETATS_COMMENCES or etape.date_debut > fin:
        return False
    if etape.date_fin is None:
        return True
    return etape.date_fin >= debut and etape.date_fin >= etape.date_debut


def _parcours(demande):
    return Parcours.objects.select_related("participant", "referent", "referent__structure").get(pk=demande.parcours_id)


def rendre_bilan(bilan, *, referentiel, objectifs="", demande=None) -> bytes:
    """The PDF of a bilan (:func:`contenu`)."""
    return pdf.rendre_pdf(
        TEMPLATE,
        {"bilan": bilan, "referentiel": referentiel, "objectifs": objectifs, "demande": demande, "titre": TITRE},
    )


def rendre(demande, *, referentiel) -> bytes:
    """The PDF of a measure-renewal request's bilan: its period, its objectives for the next one."""
    parcours = _parcours(demande)
    bilan = contenu(parcours, demande.periode_debut, demande.periode_fin, referentiel=referentiel)
    return rendre_bilan(bilan, referentiel=referentiel, objectifs=demande.objectifs, demande=demande)


def nom_fichier(demande) -> str:
    return f"bilan-intermediaire-{demande.pk}.pdf"


def joindre(demande, *, referentiel) -> Demande:
    """Draw the bilan and store it on the request (the private storage); the row is updated alone."""
    contenu_pdf = rendre(demande, referentiel=referentiel)
    demande.bilan.save(nom_fichier(demande), ContentFile(contenu_pdf), save=False)
    demande.save(update_fields=["bilan", "modifie_le"])
    return demande
