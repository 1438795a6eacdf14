"""Which référent to propose when the coordinatrice designates one for a new participant.

The rule weighs the two things the coordinatrice looks at (DOMAIN §3, "Référent assignment"):
how far the référent receives from the person's home, and how full the référent's portfolio is.

- **Distance**: between the centroid of the person's commune and that of the référent's closest
  place of accompaniment. It is unknown when the person has no commune, when the référent has no
  place, or when a centroid is missing.
- **Load**: file active / capacity (ETP × the référentiel's file active per ETP). A post with no
  capacity counts as full.
- **Score** (only when the distance is known): distance in km + load × the référentiel's
  ``proposition_km_charge_pleine``, so that a full portfolio weighs as much as that many km.

Ordering, the one place it is stated:

1. référents who still have room (file active < capacity) first, then the full ones;
2. within each of these two groups, those whose distance is known, by ascending score;
3. then those whose distance is unknown, by ascending load;
4. ties by last name, then first name.

Only référents in post are proposed (``User.objects.active_referents()``).
"""

import dataclasses
from dataclasses import dataclass

from parcours.charges import ChargeReferent, with_file_active
from plie.accounts.models import LieuAccompagnement, ReferentProfile, User
from plie.territoire.models import Commune


@dataclass
class Proposition(ChargeReferent):
    """A référent's load (``taux``, ``places_libres`` come from :class:`ChargeReferent`) and distance."""

    rang: int  # 1-based
    lieu: LieuAccompagnement | None  # the closest place; None exactly when distance_km is None
    distance_km: float | None
    score: float | None  # None when the distance is unknown

    @property
    def complet(self) -> bool:
        return self.file_active >= self.capacite

    @property
    def charge(self) -> float:
        """Load as a fraction of capacity; a post with no capacity counts as full."""
        return self.file_active / self.capacite if self.capacite else 1.0

    # What the page shows, formatted once here (the template's floatformat cost more than the table).
    @property
    def distance_affichee(self) -> str:
        return "inconnue" if self.distance_km is None else f"{_decimal_comma(self.distance_km)} km"

    @property
    def score_affiche(self) -> str:
        return "—" if self.score is None else _decimal_comma(self.score)

    @property
    def etp_affiche(self) -> str:
        return f"{self.etp:.2f}".rstrip("0").rstrip(".").replace(".", ",")

    @property
    def explication(self) -> str:
        if self.distance_km is None:
            distance = "distance inconnue"
        else:
            distance = f"{_decimal_comma(self.distance_km)} km ({self.lieu.nom}, {self.lieu.commune.nom})"
        return f"{distance} ; {self.file_active} / {self.capacite} participants ({self.taux} %)"


def proposer_referents(commune, referentiel) -> list[Proposition]:
    """Every référent in post, best first (see the module docstring), in two queries."""
    referents = list(with_file_active(User.objects.active_referents()))
    lieux = _lieux_des_postes([r.referent_profile.pk for r in referents])
    propositions = sorted(
        (_evaluer(r, lieux.get(r.referent_profile.pk, []), commune, referentiel) for r in referents), key=_ordre
    )
    return [dataclasses.replace(p, rang=rang) for rang, p in enumerate(propositions, start=1)]


CHAMPS_LIEU = ("nom", "commune_id", "commune__nom", "commune__latitude", "commune__longitude")


def _lieux_des_postes(postes) -> dict[int, list[LieuAccompagnement]]:
    """Each post's places of accompaniment with their commune, in one query of plain values: a place
    shared by several posts is built once (a prefetch built every pair, and its machinery cost more
    than the rest of the proposal)."""
    through = ReferentProfile.lieux.through
    rows = through.objects.filter(referentprofile_id__in=postes).values_list(
        "referentprofile_id", "lieuaccompagnement_id", *(f"lieuaccompagnement__{c}" for c in CHAMPS_LIEU)
    )
    built, par_poste = {}, {}
    for poste, pk, nom, commune_id, commune_nom, latitude, longitude in rows:
        if pk not in built:
            commune = Commune(pk=commune_id, nom=commune_nom, latitude=latitude, longitude=longitude)
            built[pk] = LieuAccompagnement(pk=pk, nom=nom, commune=commune)
        par_poste.setdefault(poste, []).append(built[pk])
    return par_poste


def _evaluer(referent, lieux, commune, referentiel) -> Proposition:
    etp = referent.referent_profile.etp
    lieu, distance = _lieu_le_plus_proche(lieux, commune)
    proposition = Proposition(
        rang=0,  # set once the list is sorted
        referent=referent,
        lieu=lieu,
        distance_km=distance,
        file_active=referent.file_active,
        capacite=referentiel.capacite_file_active(etp),
        etp=etp,
        score=None,
    )
    if distance is not None:
        proposition.score = distance + proposition.charge * referentiel.proposition_km_charge_pleine
    return proposition


def _lieu_le_plus_proche(lieux, commune) -> tuple[LieuAccompagnement | None, float | None]:
    if commune is None:
        return None, None
    known = [(d, lieu) for lieu in lieux if (d := commune.distance_km(lieu.commune)) is not None]
    if not known:
        return None, None
    distance, lieu = min(known, key=lambda pair: pair[0])
    return lieu, distance


def _ordre(p: Proposition):
    inconnue = p.score is None
    return (
        p.complet,
        inconnue,
        p.charge if inconnue else p.score,
        p.referent.last_name,
        p.referent.first_name,
        p.referent.pk,  # two homonyms still come out in the same order every time
    )


def _decimal_comma(km: float) -> str:
    return f"{km:.1f}".replace(".", ",")
