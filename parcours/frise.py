"""The frise of a parcours: its life drawn as a timeline, in SVG made on the server (no JS library).

- the **étapes** as bars, stacked in lanes so that no two bars (nor their labels) overlap: planned
  (dashed outline, white), in progress (grey, open to the right), done (hatched), abandoned
  (cross-hatched, a cross at its end);
- the **entretiens** and the **ateliers** as marks, one shape per issue (held: filled circle; missed:
  a cross; excused: a square; cancelled: a struck circle; planned: an empty circle; atelier: a
  triangle, filled when present);
- the **veilles** as dotted spans across the whole height;
- the **decisions** (orientation, entry, renewals, exit…) as diamonds, the deadlines ahead (end of
  the measure, planned exit) as empty diamonds;
- **today** as a dashed line; a month / year axis; a legend.

Readable in black and white (shapes and hatchings, never colour alone), legible for a 3-year
parcours with 15 étapes and 80 entretiens. No ``style`` attribute (the CSP would block it) and no
script: presentation attributes only. Labels are escaped; dates JJ/MM/AAAA.

:func:`frise` is pure: it takes what the caller already read (model rows or plain objects with the
same attributes) and returns the markup. :func:`svg_pour_pdf` is the same drawing with its size in
``width`` / ``height``, for the PDF documents (WeasyPrint).
"""

import datetime
import html
from dataclasses import dataclass, field

from django.db.models import Aggregate, CharField, F, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Cast, Concat, TruncDate
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone, is_aware, localdate, localtime

from parcours.etapes import EtatEtape, TypeEtape

__all__ = [
    "DECISIONS",
    "Decision",
    "Presence",
    "annoter",
    "decisions_annotees",
    "donnees_du_parcours",
    "frise",
    "largeur_texte",
    "svg_pour_pdf",
    "voies",
]

LARGEUR = 1000
X0 = 110  # the left gutter holds the rows' names
MARGE_DROITE = 16
TRACE = LARGEUR - X0 - MARGE_DROITE
POLICE = 12
POLICE_PETITE = 11
HAUT = 30  # room for the « Aujourd'hui » label
VOIE_JALON = 18
VOIE_ETAPE = 32
BARRE = 14
VOIE_MARQUE = 13
ESPACE = 6  # between two footprints in a lane
LIBELLE_MAX = 34  # characters of an étape's label on the bar (the whole name is in its <title>)
DUREE_MIN = 60  # days: a young parcours is drawn over two months at least

# The decisions drawn as milestones, and their label.
DECISIONS = {
    "orienter": "Orientation",
    "demarrer_accompagnement": "Entrée",
    "renouveler": "Renouvellement",
    "proposer_sortie": "Sortie proposée",
    "valider_sortie": "Sortie",
    "annuler": "Annulation",
    "changer_referent": "Changement de référent",
}


@dataclass(frozen=True)
class Decision:
    """A decision of the parcours: a :class:`TransitionParcours` or its (transition, date)."""

    transition: str
    date: datetime.date


@dataclass(frozen=True)
class Presence:
    """An attendance at an atelier session: a :class:`PresenceAtelier` with its seance, or its plain data."""

    date: datetime.date
    statut: str
    theme: str = "Atelier"


def _jour(value) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return localtime(value).date() if is_aware(value) else value.date()
    return value


def _fr(d) -> str:
    return f"{d:%d/%m/%Y}"


def largeur_texte(texte: str, taille: int = POLICE) -> float:
    """A generous estimate of a label's width (DejaVu Sans, the widest the PDFs use, averages ~0.6 em a character)."""
    return len(texte) * taille * 0.62 + 2


def voies(empreintes, espace=ESPACE) -> list[int]:
    """The lane of each ``(x0, x1)`` footprint: the first lane whose last footprint ends ``espace`` before
    it starts, in the order given (by start): two footprints of a lane never overlap."""
    fins: list[float] = []
    result = []
    for x0, x1 in empreintes:
        for i, fin in enumerate(fins):
            if fin + espace <= x0:
                fins[i] = x1
                result.append(i)
                break
        else:
            fins.append(x1)
            result.append(len(fins) - 1)
    return result


def _court(texte, n=LIBELLE_MAX):
    return texte if len(texte) <= n else texte[: n - 1].rstrip() + "…"


@dataclass
class _Dessin:
    """The pieces of the SVG, in the order they are painted."""

    fond: list = field(default_factory=list)
    avant: list = field(default_factory=list)

    def ajoute(self, markup):
        self.avant.append(markup)


def _attrs(**attrs) -> str:
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, float):
            value = f"{value:.1f}"
        elif isinstance(value, str):
            value = _echappe(value)
        parts.append(f'{_NOMS.get(key) or _nom(key)}="{value}"')
    return " ".join(parts)


_NOMS: dict[str, str] = {}


def _nom(key) -> str:
    """``stroke_dasharray`` → ``stroke-dasharray``, ``class_`` → ``class``."""
    _NOMS[key] = key.rstrip("_").replace("_", "-")
    return _NOMS[key]


def _echappe(texte: str) -> str:
    # The five characters XML gives a meaning to (html.escape's, without Django's SafeString round trip:
    # a long frise draws thousands of attributes).
    return html.escape(texte, quote=True)


def _el(tag, title=None, **attrs) -> str:
    inner = f"<title>{_echappe(title)}</title>" if title else ""
    return f"<{tag} {_attrs(**attrs)}>{inner}</{tag}>" if inner else f"<{tag} {_attrs(**attrs)}/>"


def _texte(x, y, texte, *, taille=POLICE, ancre="start", gras=False, **attrs) -> str:
    poids = "bold" if gras else None
    attributs = _attrs(x=float(x), y=float(y), font_size=taille, text_anchor=ancre, font_weight=poids, **attrs)
    return f"<text {attributs}>{_echappe(texte)}</text>"


# --- the marks' shapes (also drawn in the legend) -----------------------------------------------


def _forme(forme, x, y, title=None, classe="marque"):
    r = 4.5
    x, y = float(x), float(y)
    noir = "#000000"
    if forme == "honore":
        return _el("circle", title, cx=x, cy=y, r=r, fill=noir, stroke=noir, class_=classe)
    if forme == "prevu":
        return _el("circle", title, cx=x, cy=y, r=r, fill="#ffffff", stroke=noir, stroke_width=1.5, class_=classe)
    if forme == "excuse":
        return _el(
            "rect",
            title,
            x=x - r,
            y=y - r,
            width=2 * r,
            height=2 * r,
            fill="#ffffff",
            stroke=noir,
            stroke_width=1.5,
            class_=classe,
        )
    if forme == "absent":
        d = f"M{x - r:.1f},{y - r:.1f} L{x + r:.1f},{y + r:.1f} M{x - r:.1f},{y + r:.1f} L{x + r:.1f},{y - r:.1f}"
        return _el("path", title, d=d, stroke=noir, stroke_width=2.2, fill="none", class_=classe)
    if forme == "annule":
        d = (
            f"M{x - r:.1f},{y:.1f} a{r:.1f},{r:.1f} 0 1,0 {2 * r:.1f},0 a{r:.1f},{r:.1f} 0 1,0 {-2 * r:.1f},0 "
            f"M{x - r:.1f},{y + r:.1f} L{x + r:.1f},{y - r:.1f}"
        )
        return _el("path", title, d=d, stroke="#555555", stroke_width=1.3, fill="#ffffff", class_=classe)
    if forme in {"atelier_present", "atelier_absent"}:
        d = f"M{x:.1f},{y - r - 0.5:.1f} L{x + r + 0.5:.1f},{y + r:.1f} L{x - r - 0.5:.1f},{y + r:.1f} Z"
        plein = forme == "atelier_present"
        return _el(
            "path",
            title,
            d=d,
            fill=noir if plein else "#ffffff",
            stroke=noir,
            stroke_width=1.5,
            class_=classe,
        )
    if forme in {"jalon", "echeance"}:
        r = 5.5
        d = f"M{x:.1f},{y - r:.1f} L{x + r:.1f},{y:.1f} L{x:.1f},{y + r:.1f} L{x - r:.1f},{y:.1f} Z"
        return _el(
            "path",
            title,
            d=d,
            fill=noir if forme == "jalon" else "#ffffff",
            stroke=noir,
            stroke_width=1.5,
            class_="jalon" if classe == "marque" else classe,
        )
    raise ValueError(forme)


FORME_RDV = {"honore": "honore", "prevu": "prevu", "excuse": "excuse", "absent": "absent", "annule": "annule"}
LIBELLE_RDV = {
    "honore": "honoré",
    "prevu": "prévu",
    "excuse": "absence excusée",
    "absent": "absence non justifiée",
    "annule": "annulé",
}
LIBELLE_PRESENCE = {
    "present": "présent",
    "absent_justifie": "absence justifiée",
    "absent_injustifie": "absence non justifiée",
}
LIBELLE_ETAT = {e.value: e.label.lower() for e in EtatEtape}
LIBELLE_TYPE = {t.value: t.label for t in TypeEtape}


def _defs(ident):
    """The hatchings: black lines on white, readable once printed in black and white."""
    return (
        "<defs>"
        f'<pattern id="{ident}-realisee" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#000000" stroke-width="2"/>'
        "</pattern>"
        f'<pattern id="{ident}-abandonnee" width="7" height="7" patternUnits="userSpaceOnUse">'
        '<rect width="7" height="7" fill="#ffffff"/>'
        '<path d="M0,0 L7,7 M7,0 L0,7" stroke="#555555" stroke-width="1"/>'
        "</pattern>"
        f'<pattern id="{ident}-veille" width="8" height="8" patternUnits="userSpaceOnUse">'
        '<rect width="8" height="8" fill="#f2f2f2"/><circle cx="4" cy="4" r="1.1" fill="#777777"/>'
        "</pattern>"
        "</defs>"
    )


def _remplissage(ident, etat):
    return {
        EtatEtape.PREVUE: ("#ffffff", "4 3"),
        EtatEtape.EN_COURS: ("#bdbdbd", None),
        EtatEtape.REALISEE: (f"url(#{ident}-realisee)", None),
        EtatEtape.ABANDONNEE: (f"url(#{ident}-abandonnee)", None),
    }[etat]


def _rdv_jour(r):
    return _jour(getattr(r, "debut", None) or getattr(r, "date", None))


def _presence(p) -> Presence:
    if isinstance(p, Presence):
        return p
    seance = p.seance
    return Presence(_jour(seance.debut), p.statut, getattr(getattr(seance, "atelier", None), "theme", "Atelier"))


def _decision(d) -> Decision:
    return d if isinstance(d, Decision) else Decision(d.transition, _jour(d.date))


def _etape_fin(etape, today):
    """Where the étape's bar ends: its real end; today while in progress; its planned end when planned."""
    debut = etape.date_debut
    if etape.etat in {EtatEtape.REALISEE, EtatEtape.ABANDONNEE}:
        return etape.date_fin or debut
    if etape.etat == EtatEtape.EN_COURS:
        return max(today, debut)
    return etape.date_fin_prevue or (debut + datetime.timedelta(days=14))


def _jalons(parcours, decisions, today):
    """(date, label, planned) of the milestones: the decisions, the dates the parcours carries for the
    ones its history misses (older rows), and the deadlines still ahead."""
    found = [(d.date, DECISIONS[d.transition], False) for d in decisions if d.transition in DECISIONS and d.date]
    kinds = {label for _, label, _ in found}
    for attr, label in (("date_orientation", "Orientation"), ("date_entree", "Entrée"), ("date_sortie", "Sortie")):
        value = getattr(parcours, attr, None)
        if value and label not in kinds:
            found.append((value, label, False))
    if getattr(parcours, "date_sortie", None) is None and getattr(parcours, "date_cloture", None) is None:
        for attr, label in (("date_fin_mesure", "Fin de la mesure"), ("date_sortie_prevue", "Sortie prévue")):
            value = getattr(parcours, attr, None)
            if value and value >= today:
                found.append((value, label, True))
    return sorted(found, key=lambda j: (j[0], j[1]))


def frise(
    parcours,
    *,
    etapes=(),
    rendez_vous=(),
    presences=(),
    veilles=(),
    decisions=(),
    today,
    ident="frise",
    titre="Frise du parcours",
    taille=None,
) -> SafeString:
    """The SVG of the parcours's timeline (see the module). ``etapes=None`` / ``presences=None``: not shown
    (the reader may not see them); ``taille``: the width in millimetres, written with the height in the
    markup (the PDFs)."""
    voir_etapes, voir_ateliers = etapes is not None, presences is not None
    etapes = sorted(etapes or (), key=lambda e: (e.date_debut, getattr(e, "pk", 0) or 0))
    rendez_vous = sorted(rendez_vous, key=lambda r: (_rdv_jour(r), getattr(r, "pk", 0) or 0))
    presences = sorted((_presence(p) for p in presences or ()), key=lambda p: p.date)
    decisions = [_decision(d) for d in decisions]
    veilles = sorted(veilles, key=lambda v: v.debut)
    jalons = _jalons(parcours, decisions, today)

    # The period drawn: from the first known date to the last, today always in it.
    dates = [today, getattr(parcours, "date_prescription", None)]
    dates += [d for e in etapes for d in (e.date_debut, _etape_fin(e, today), e.date_fin_prevue)]
    dates += [_rdv_jour(r) for r in rendez_vous] + [p.date for p in presences]
    dates += [d for v in veilles for d in (v.debut, v.fin or v.fin_prevue)] + [j[0] for j in jalons]
    dates = [d for d in dates if d is not None]
    debut, fin = min(dates), max(dates)
    debut = datetime.date(debut.year, debut.month, 1)
    fin = max(fin + datetime.timedelta(days=7), debut + datetime.timedelta(days=DUREE_MIN))
    jours = (fin - debut).days

    def x(d) -> float:
        return X0 + (d - debut).days / jours * TRACE

    dessin = _Dessin()
    y = HAUT

    # Milestones: a diamond and its label, stacked in lanes so that labels never overlap.
    rangees = []
    empreintes = []
    for d, label, prevu in jalons:
        texte = f"{label} {_fr(d)}"
        w = largeur_texte(texte, POLICE_PETITE)
        cx = x(d)
        gauche = cx + 8 + w > LARGEUR - 2  # near the right edge: the label goes to the left
        empreintes.append((cx - w - 8, cx + 6) if gauche else (cx - 6, cx + 8 + w))
        rangees.append((cx, texte, prevu, gauche))
    lanes = voies(empreintes)
    n_jalons = max(lanes, default=-1) + 1
    y_jalons = y
    for (cx, texte, prevu, gauche), lane in zip(rangees, lanes, strict=True):
        cy = y + lane * VOIE_JALON + VOIE_JALON / 2
        dessin.ajoute(_forme("echeance" if prevu else "jalon", cx, cy, texte))
        dessin.ajoute(
            _texte(
                cx - 8 if gauche else cx + 8, cy + 4, texte, taille=POLICE_PETITE, ancre="end" if gauche else "start"
            )
        )
    y += max(n_jalons, 1) * VOIE_JALON + 6
    rangs = [("Décisions", y_jalons, y - 6)]

    # Étapes: a bar and its label above it; the label's width is part of the footprint of its lane.
    if voir_etapes:
        y_etapes = y
        barres, empreintes = [], []
        for e in etapes:
            fin_barre = _etape_fin(e, today)
            x0, x1 = x(e.date_debut), max(x(fin_barre), x(e.date_debut) + 4)
            nom = LIBELLE_TYPE.get(e.type, e.type)
            if getattr(e, "ressource", None) is not None and getattr(e, "ressource_id", None):
                nom = f"{nom} — {e.ressource}"
            court = _court(nom)
            w = largeur_texte(court, POLICE_PETITE)
            lx = min(x0, LARGEUR - MARGE_DROITE - w)
            barres.append((e, x0, x1, fin_barre, nom, court, lx))
            empreintes.append((min(x0, lx), max(x1, lx + w)))
        lanes = voies(empreintes)
        for (e, x0, x1, fin_barre, nom, court, lx), lane in zip(barres, lanes, strict=True):
            top = y + lane * VOIE_ETAPE
            fill, dash = _remplissage(ident, e.etat)
            periode = (
                f"du {_fr(e.date_debut)} au {_fr(fin_barre)}"
                if e.etat != EtatEtape.EN_COURS
                else (
                    f"depuis le {_fr(e.date_debut)}"
                    + (f", fin prévue le {_fr(e.date_fin_prevue)}" if e.date_fin_prevue else "")
                )
            )
            titre_etape = f"{nom} : {LIBELLE_ETAT.get(e.etat, e.etat)}, {periode}"
            dessin.ajoute(_texte(lx, top + 11, court, taille=POLICE_PETITE))
            dessin.ajoute(
                _el(
                    "rect",
                    titre_etape,
                    x=x0,
                    y=float(top + 14),
                    width=x1 - x0,
                    height=BARRE,
                    fill=fill,
                    stroke="#000000",
                    stroke_width=1.2,
                    stroke_dasharray=dash,
                    class_=f"etape etape-{e.etat}",
                    data_voie=lane,
                )
            )
            if e.etat == EtatEtape.EN_COURS and e.date_fin_prevue and x(e.date_fin_prevue) > x1:
                # The planned end ahead: a dotted line.
                dessin.ajoute(
                    _el(
                        "line",
                        x1=x1,
                        y1=float(top + 21),
                        x2=x(e.date_fin_prevue),
                        y2=float(top + 21),
                        stroke="#000000",
                        stroke_width=1.2,
                        stroke_dasharray="2 3",
                    )
                )
            if e.etat == EtatEtape.ABANDONNEE:
                cx, cy = x1, top + 21
                dessin.ajoute(
                    _el(
                        "path",
                        d=(
                            f"M{cx - 4:.1f},{cy - 4:.1f} L{cx + 4:.1f},{cy + 4:.1f} "
                            f"M{cx - 4:.1f},{cy + 4:.1f} L{cx + 4:.1f},{cy - 4:.1f}"
                        ),
                        stroke="#000000",
                        stroke_width=2,
                    )
                )
        n = max(lanes, default=-1) + 1
        y += max(n, 1) * VOIE_ETAPE + 6
        rangs.append(("Étapes", y_etapes, y - 6))
        if not etapes:
            dessin.ajoute(_texte(X0 + 4, y_etapes + 20, "Aucune étape", taille=POLICE_PETITE, fill="#444444"))

    def marques(items, y0, nom_rang, vide):
        """Marks in lanes of their own: one a few pixels from the next goes below it."""
        lanes = voies([(cx - 5, cx + 5) for cx, _, _ in items], espace=1)
        for (cx, forme, title), lane in zip(items, lanes, strict=True):
            dessin.ajoute(_forme(forme, cx, y0 + lane * VOIE_MARQUE + VOIE_MARQUE / 2, title))
        n = max(lanes, default=-1) + 1
        if not items:
            dessin.ajoute(_texte(X0 + 4, y0 + 10, vide, taille=POLICE_PETITE, fill="#444444"))
        fin_rang = y0 + max(n, 1) * VOIE_MARQUE
        rangs.append((nom_rang, y0, fin_rang))
        return fin_rang + 8

    items = [
        (
            x(_rdv_jour(r)),
            FORME_RDV.get(r.statut, "prevu"),
            f"{r.get_objet_display() if hasattr(r, 'get_objet_display') else 'Rendez-vous'} du "
            f"{_fr(_rdv_jour(r))} : {LIBELLE_RDV.get(r.statut, r.statut)}",
        )
        for r in rendez_vous
    ]
    y = marques(items, y, "Entretiens", "Aucun rendez-vous")
    if voir_ateliers:
        items = [
            (
                x(p.date),
                "atelier_present" if p.statut == "present" else "atelier_absent",
                f"{p.theme} le {_fr(p.date)} : {LIBELLE_PRESENCE.get(p.statut, p.statut)}",
            )
            for p in presences
        ]
        y = marques(items, y, "Ateliers", "Aucun atelier")
    bas = y

    # Veilles behind everything, from the top to the axis.
    for v in veilles:
        v_fin = v.fin or v.fin_prevue
        x0, x1 = x(v.debut), max(x(v_fin), x(v.debut) + 2)
        quand = (
            f"du {_fr(v.debut)} au {_fr(v.fin)}"
            if v.fin
            else f"depuis le {_fr(v.debut)}, fin prévue le {_fr(v.fin_prevue)}"
        )
        dessin.fond.append(
            _el(
                "rect",
                f"Veille {quand}",
                x=x0,
                y=float(HAUT - 4),
                width=x1 - x0,
                height=float(bas - HAUT + 4),
                fill=f"url(#{ident}-veille)",
                stroke="#777777",
                stroke_width=0.8,
                stroke_dasharray=None if v.fin else "3 2",
                class_="veille",
            )
        )
        if x1 - x0 > largeur_texte("Veille", POLICE_PETITE) + 4:
            dessin.fond.append(_texte(x0 + 3, bas - 4, "Veille", taille=POLICE_PETITE, fill="#333333"))

    # The rows' names, and a thin rule between rows.
    for nom, y0, y1 in rangs:
        dessin.fond.append(_texte(6, (y0 + y1) / 2 + 4, nom, taille=POLICE, gras=True))
        dessin.fond.append(
            _el("line", x1=6.0, y1=float(y1 + 3), x2=float(LARGEUR - MARGE_DROITE), y2=float(y1 + 3), stroke="#dddddd")
        )

    # The axis: a tick each month, a label each 1, 3, 6 or 12 months as room allows (MM/AAAA).
    axe = bas + 4
    dessin.ajoute(_el("line", x1=float(X0), y1=float(axe), x2=float(X0 + TRACE), y2=float(axe), stroke="#000000"))
    px_mois = TRACE / (jours / 30.4)
    pas = next(p for p in (1, 3, 6, 12, 24) if px_mois * p >= largeur_texte("00/0000", POLICE_PETITE) + 10)
    mois = debut
    dernier_libelle = -1e9
    while mois <= fin:
        mx = x(mois)
        annee = mois.month == 1
        dessin.ajoute(_el("line", x1=mx, y1=float(axe), x2=mx, y2=float(axe + (7 if annee else 4)), stroke="#000000"))
        if (mois.month - 1) % pas == 0 and mx - dernier_libelle > largeur_texte("00/0000", POLICE_PETITE) + 4:
            libelle = f"{mois:%m/%Y}"
            w = largeur_texte(libelle, POLICE_PETITE)
            if mx + w / 2 <= LARGEUR - 2:
                dessin.ajoute(_texte(mx, axe + 18, libelle, taille=POLICE_PETITE, ancre="middle", gras=annee))
                dernier_libelle = mx
        mois = datetime.date(mois.year + mois.month // 12, mois.month % 12 + 1, 1)

    # Today.
    tx = x(today)
    label = f"Aujourd'hui ({_fr(today)})"
    w = largeur_texte(label, POLICE_PETITE)
    ancre = "end" if tx + w / 2 > LARGEUR - 2 else ("start" if tx - w / 2 < 2 else "middle")
    dessin.ajoute(
        _el(
            "line",
            f"Aujourd'hui, le {_fr(today)}",
            x1=tx,
            y1=float(HAUT - 8),
            x2=tx,
            y2=float(axe),
            stroke="#000000",
            stroke_width=1.5,
            stroke_dasharray="5 3",
            class_="aujourdhui",
        )
    )
    dessin.ajoute(_texte(tx, HAUT - 12, label, taille=POLICE_PETITE, ancre=ancre, gras=True))

    # The legend: shape and words, wrapped on as many lines as it needs.
    y = axe + 34
    legende = [("jalon", "Décision"), ("echeance", "Échéance à venir")]
    if voir_etapes:
        legende += [(f"etape-{e.value}", f"Étape : {e.label.lower()}") for e in EtatEtape]
    legende += [
        (FORME_RDV[s], f"Entretien : {LIBELLE_RDV[s]}") for s in ("honore", "prevu", "excuse", "absent", "annule")
    ]
    if voir_ateliers:
        legende += [("atelier_present", "Atelier : présent"), ("atelier_absent", "Atelier : absent")]
    legende += [("veille", "Veille"), ("aujourdhui", "Aujourd'hui")]
    lx = 6.0
    for forme, texte in legende:
        w = 26 + largeur_texte(texte, POLICE_PETITE) + 14
        if lx + w > LARGEUR - 2:
            lx, y = 6.0, y + 20
        if forme.startswith("etape-"):
            fill, dash = _remplissage(ident, forme.removeprefix("etape-"))
            dessin.ajoute(
                _el(
                    "rect",
                    x=lx,
                    y=float(y - 6),
                    width=20.0,
                    height=12.0,
                    fill=fill,
                    stroke="#000000",
                    stroke_dasharray=dash,
                )
            )
        elif forme == "veille":
            dessin.ajoute(
                _el(
                    "rect",
                    x=lx,
                    y=float(y - 6),
                    width=20.0,
                    height=12.0,
                    fill=f"url(#{ident}-veille)",
                    stroke="#777777",
                )
            )
        elif forme == "aujourdhui":
            dessin.ajoute(
                _el(
                    "line",
                    x1=lx + 10,
                    y1=float(y - 7),
                    x2=lx + 10,
                    y2=float(y + 7),
                    stroke="#000000",
                    stroke_width=1.5,
                    stroke_dasharray="5 3",
                )
            )
        else:
            dessin.ajoute(_forme(forme, lx + 10, y, classe="legende"))
        dessin.ajoute(_texte(lx + 26, y + 4, texte, taille=POLICE_PETITE))
        lx += w
    hauteur = int(y + 16)

    resume = _resume(
        etapes if voir_etapes else None,
        rendez_vous,
        presences if voir_ateliers else None,
        veilles,
        jalons,
        debut,
        fin,
        today,
    )
    size = f' width="{taille}mm" height="{hauteur * taille / LARGEUR:.1f}mm"' if taille else ""
    return mark_safe(  # noqa: S308 — every label and attribute above was escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {LARGEUR} {hauteur}"{size} role="img" '
        f'class="frise" aria-labelledby="{ident}-titre {ident}-desc" font-family="DejaVu Sans, Arial, sans-serif">'
        f'<title id="{ident}-titre">{escape(titre)}</title><desc id="{ident}-desc">{escape(resume)}</desc>'
        + _defs(ident)
        + f'<rect x="0" y="0" width="{LARGEUR}" height="{hauteur}" fill="#ffffff"/>'
        + "".join(dessin.fond)
        + "".join(dessin.avant)
        + "</svg>"
    )


def _resume(etapes, rendez_vous, presences, veilles, jalons, debut, fin, today) -> str:
    """What the drawing says, in words, for a screen reader."""
    parts = [f"Du {_fr(debut)} au {_fr(fin)}, aujourd'hui le {_fr(today)}"]
    if etapes is not None:
        parts.append(f"{len(etapes)} étape{'s' if len(etapes) > 1 else ''}")
    honores = sum(1 for r in rendez_vous if r.statut == "honore")
    parts.append(f"{len(rendez_vous)} rendez-vous dont {honores} honoré{'s' if honores > 1 else ''}")
    if presences is not None:
        parts.append(f"{sum(1 for p in presences if p.statut == 'present')} présence(s) en atelier")
    parts.append(f"{len(veilles)} période(s) de veille")
    if jalons:
        parts.append("décisions : " + ", ".join(f"{label.lower()} le {_fr(d)}" for d, label, _ in jalons))
    return " ; ".join(parts) + "."


# --- what the dossier reads with its parcours row (no query of its own) ----------------------------
# The dossier is at its query ceiling: the decisions and the atelier attendances come as two text
# columns of the parcours's own row (correlated subqueries), split here.

SEP_LIGNE, SEP_CHAMP = "\x1e", "\x1f"


class _Liste(Aggregate):
    """The texts of a group joined in one (STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s)"
    output_field = TextField()

    def __init__(self, expression, **extra):
        super().__init__(expression, Value(SEP_LIGNE), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def _jour_texte(path):
    return Cast(TruncDate(path, tzinfo=get_current_timezone()), CharField())


def _champs(*expressions):
    parts = []
    for e in expressions:
        parts += [e, Value(SEP_CHAMP)]
    return Concat(*parts[:-1], output_field=TextField())


def annoter(parcours_qs):
    """``frise_decisions`` on each parcours row: its milestones' decisions as text (see
    :func:`decisions_annotees`). The attendances at ateliers come from the list the dossier reads for its
    « Ateliers » card (:func:`parcours.ateliers.presences`)."""
    from parcours.models import TransitionParcours

    decisions = (
        TransitionParcours.objects.filter(parcours=OuterRef("pk"), transition__in=sorted(DECISIONS))
        .order_by()
        .values("parcours")
        .annotate(liste=_Liste(_champs(F("transition"), _jour_texte("date"))))
        .values("liste")
    )
    return parcours_qs.annotate(frise_decisions=Subquery(decisions, output_field=TextField()))


def _lignes(texte):
    return [ligne.split(SEP_CHAMP) for ligne in (texte or "").split(SEP_LIGNE) if ligne]


def decisions_annotees(parcours) -> list[Decision]:
    """The decisions :func:`annoter` put on the row."""
    return [Decision(t, datetime.date.fromisoformat(d[:10])) for t, d in _lignes(parcours.frise_decisions)]


def svg_pour_pdf(parcours, *, largeur_mm=180, **donnees) -> SafeString:
    """The frise for a PDF: the same drawing, its size in millimetres in the markup so that it fits the
    page by itself: 180 mm (an A4 page upright, 15 mm margins; labels of 2 mm, about 5.5 pt), 267 mm on a
    landscape page (8 pt; better for a long parcours). ``donnees``: as :func:`frise`'s, or only ``user``
    (and ``today``) to read them (:func:`donnees_du_parcours`)."""
    if "user" in donnees:
        donnees = {**donnees_du_parcours(parcours, donnees.pop("user"), today=donnees.pop("today", None)), **donnees}
    return frise(parcours, taille=largeur_mm, **donnees)


def donnees_du_parcours(parcours, user, *, today=None) -> dict:
    """What :func:`frise` draws of ``parcours`` for ``user``, read in five queries at most (a document
    has no dossier page whose lists it could share), under the dossier's rules: the étapes for whom sees
    their card, the ateliers for whom may read sensitive data, the rest for every reader of the parcours."""
    from parcours.models import TransitionParcours
    from plie import permissions

    return {
        "etapes": list(parcours.etapes.frise()) if permissions.can_view_etapes(user, parcours) else None,
        "rendez_vous": list(parcours.rendez_vous.all()),
        "presences": (
            [_presence(p) for p in parcours.presences_atelier.select_related("seance__atelier")]
            if permissions.can_view_ateliers_du_parcours(user, parcours)
            else None
        ),
        "veilles": list(parcours.periodes_veille.all()),
        "decisions": [
            Decision(t, _jour(d))
            for t, d in TransitionParcours.objects.filter(parcours=parcours, transition__in=sorted(DECISIONS))
            .order_by("date", "id")
            .values_list("transition", "date")
        ],
        "today": today or localdate(),
    }
