"""The journal of a parcours: everything that happened to it, newest first, filterable by kind.

One SQL query, whatever the history holds: every source is a branch of one ``UNION ALL`` with the
same columns, ordered by date and cut to the rows shown (the dossier shows the latest
:data:`DERNIERS`; the journal page counts them and reads one page). The sources:

- the parcours's transitions (« décisions »: orientation, entry, veille, renewal, exit…);
- its rendez-vous, one row each in its latest state (fixed, held, missed, excused, cancelled);
- its contacts (the accueil's attempts and every later contact);
- its étapes: their transitions and the edits that changed no state (simple-history);
- its diagnostic: opened, updated, frozen, and each frein whose level or note changed (simple-history);
- its contract's steps;
- its attendance at the ateliers collectifs' sessions (present with the time attended, or absent);
- its requests for a decision: asked, accepted, refused, withdrawn (« Demandes », for whom may read them);
- the suspensions of its measure (« Mesure »: leave, illness, hospitalisation; the motive for whom may
  read sensitive data, since illness and hospitalisation are health data).

Who reads what follows the rules of :mod:`plie.permissions`: the étapes and the diagnostic only for
whom may see them, the contract for whom may read it; the notes (motives, subjects, comments,
partners' names, declared in :mod:`plie.sensitive`) are not even read for whom may not see them.
"""

import datetime
import functools
from dataclasses import dataclass

from django.db import connection, models
from django.db.models import Case, CharField, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from parcours.etapes import TRANSITIONS as TRANSITIONS_ETAPE
from parcours.etapes import EtatEtape, TypeEtape
from parcours.freins import Frein
from parcours.models import (
    CanalContact,
    Diagnostic,
    Etape,
    Etat,
    EvenementContrat,
    EvenementEtape,
    FreinDiagnostic,
    Modalite,
    MotifSuspension,
    NatureDiagnostic,
    NiveauFrein,
    ObjetRendezVous,
    PresenceAtelier,
    RendezVous,
    StatutContrat,
    StatutDemande,
    StatutPresence,
    StatutRendezVous,
    SuspensionMesure,
    TentativeContact,
    TransitionDemande,
    TransitionParcours,
    TypeDemande,
)
from parcours.models.cer import TRANSITIONS as TRANSITIONS_CONTRAT
from parcours.workflow import TRANSITIONS as TRANSITIONS_PARCOURS
from plie import permissions, sensitive

DERNIERS = 50  # rows of the journal on the dossier; the rest on the journal page


class Genre(models.TextChoices):
    """The kinds of the journal, in the order of its filter (``?journal=…``)."""

    DECISIONS = "decisions", "Décisions"
    ENTRETIENS = "entretiens", "Entretiens"
    CONTACTS = "contacts", "Contacts"
    ETAPES = "etapes", "Étapes"
    DIAGNOSTIC = "diagnostic", "Diagnostic"
    CONTRAT = "contrat", "Contrat"
    ATELIERS = "ateliers", "Ateliers"
    DEMANDES = "demandes", "Demandes"
    MESURE = "mesure", "Mesure"


@dataclass(frozen=True)
class Lecteur:
    """What one user may read of one parcours's journal."""

    genres: tuple  # the kinds shown, in the filter's order
    notes: bool  # the free texts (plie.sensitive.TEXTES_LIBRES)


def lecteur(user, parcours, *, contrat_visible=None) -> Lecteur:
    """``contrat_visible``: the answer of :func:`permissions.can_view_contrat` when the page has it."""
    if contrat_visible is None:
        contrat_visible = permissions.can_view_contrat(user, parcours)
    allowed = {
        Genre.DECISIONS: True,
        Genre.ENTRETIENS: True,
        Genre.CONTACTS: True,
        Genre.ETAPES: permissions.can_view_etapes(user, parcours),
        Genre.DIAGNOSTIC: permissions.can_view_diagnostic(user, parcours),
        Genre.CONTRAT: contrat_visible,
        Genre.ATELIERS: permissions.can_view_ateliers_du_parcours(user, parcours),
        Genre.DEMANDES: permissions.can_view_demandes(user, parcours),
        Genre.MESURE: True,
    }
    return Lecteur(genres=tuple(g for g in Genre if allowed[g]), notes=permissions.can_view_sensitive(user, parcours))


def genre_demande(valeur, lecteur_: Lecteur):
    """The kind asked for in the URL, or None (every kind) when absent, unknown or not readable."""
    return next((g for g in lecteur_.genres if g.value == valeur), None)


@dataclass(frozen=True)
class Evenement:
    genre: Genre
    date: datetime.datetime
    titre: str
    detail: str = ""
    note: str = ""  # a free text about the person: only read for whom may see it
    auteur: str = ""


# --- the branches of the union -----------------------------------------------------------------
# Every branch selects these columns, in this order (a UNION matches columns by position).

TEXTE = CharField()


def _texte(value):
    if value is None or isinstance(value, str):
        return Value(value or "", output_field=TEXTE)
    return Coalesce(Cast(value, TEXTE), Value("", output_field=TEXTE))


def _colonnes(source, *, date, quand=None, code="", avant="", apres="", info="", texte="", texte2="", auteur=""):
    """The branch's columns; ``auteur`` is the path to a user (``"auteur"``) or two expressions."""
    if isinstance(auteur, str):
        prenom, nom = (F(f"{auteur}__first_name"), F(f"{auteur}__last_name")) if auteur else ("", "")
    else:
        prenom, nom = auteur
    return {
        "j_source": Value(source, output_field=TEXTE),
        "j_date": date,
        "j_id": F("pk"),
        "j_quand": quand if quand is not None else date,
        "j_code": _texte(code),
        "j_avant": _texte(avant),
        "j_apres": _texte(apres),
        "j_info": _texte(info),
        "j_texte": _texte(texte),
        "j_texte2": _texte(texte2),
        "j_prenom": _texte(prenom),
        "j_nom": _texte(nom),
    }


def _note(field, notes):
    return F(field) if notes else ""


def _decisions(pk, notes):
    return TransitionParcours.objects.filter(parcours_id=pk).values(
        **_colonnes(
            "decision",
            date=F("date"),
            code=F("transition"),
            avant=F("etat_avant"),
            apres=F("etat_apres"),
            texte=_note("motif", notes),
            auteur="auteur",
        )
    )


R = StatutRendezVous
# Fixed: when it was fixed; held or missed: when it took place; excused or cancelled: when it was said.
DATE_RDV = Case(
    When(statut=R.PREVU, then=F("cree_le")),
    When(statut__in=[R.EXCUSE, R.ANNULE], then=Coalesce(F("cloture_le"), F("cree_le"))),
    default=F("debut"),
)


def _rendez_vous(pk, notes):
    fixe = Q(statut=R.PREVU)
    return RendezVous.objects.filter(parcours_id=pk).values(
        **_colonnes(
            "rdv",
            date=DATE_RDV,
            quand=F("debut"),
            code=F("statut"),
            avant=F("objet"),
            apres=F("duree_reelle_minutes"),
            info=F("modalite"),
            texte=_note("sujet", notes),
            texte2=_note("notes", notes),
            auteur=(
                Case(When(fixe, then=F("cree_par__first_name")), default=F("cloture_par__first_name")),
                Case(When(fixe, then=F("cree_par__last_name")), default=F("cloture_par__last_name")),
            ),
        )
    )


def _oui(condition):
    return Case(When(condition, then=Value("1")), default=Value(""), output_field=TEXTE)


def _contacts(pk, notes):
    return TentativeContact.objects.filter(parcours_id=pk).values(
        **_colonnes(
            "contact",
            date=F("date"),
            code=F("canal"),
            avant=_oui(Q(abouti=True)),
            apres=_oui(Q(avertissement_absence=True)),
            texte=_note("commentaire", notes),
            texte2=_note("partenaire", notes),
            auteur="auteur",
        )
    )


def _etapes(pk, notes):
    return EvenementEtape.objects.filter(etape__parcours_id=pk).values(
        **_colonnes(
            "etape",
            date=F("date"),
            code=F("transition"),
            avant=F("etat_avant"),
            apres=F("etat_apres"),
            info=F("etape__type"),
            texte=_note("motif", notes),
            auteur="auteur",
        )
    )


def _etapes_modifiees(pk, notes):
    """The edits of an étape (« modifier »): its versions that kept the state of the one before
    (a transition changes the state, and has its own row in :func:`_etapes`)."""
    History = Etape.history.model
    precedent = History.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date")).order_by(
        "-history_date", "-history_id"
    )
    return (
        History.objects.filter(parcours_id=pk, history_type="~")
        .alias(etat_precedent=Subquery(precedent.values("etat")[:1]))
        .filter(etat=F("etat_precedent"))
        .values(**_colonnes("etape_modifiee", date=F("history_date"), info=F("type"), auteur="history_user"))
    )


def _diagnostics(pk, notes):
    """Opened, updated (the diagnostic in progress), frozen (the initial and final copies)."""
    History = Diagnostic.history.model
    return (
        History.objects.filter(parcours_id=pk)
        .filter(Q(history_type="+") | Q(history_type="~", nature=NatureDiagnostic.EN_COURS))
        .values(
            **_colonnes(
                "diagnostic",
                date=F("history_date"),
                code=F("history_type"),
                avant=F("nature"),
                auteur="history_user",
            )
        )
    )


def _freins(pk, notes):
    """A frein of the diagnostic in progress whose level or note changed (the level before, read with it)."""
    History = FreinDiagnostic.history.model
    precedent = History.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date")).order_by(
        "-history_date", "-history_id"
    )
    en_cours = Diagnostic.objects.filter(parcours_id=pk, nature=NatureDiagnostic.EN_COURS).values("pk")
    return History.objects.filter(diagnostic_id__in=en_cours, history_type="~").values(
        **_colonnes(
            "frein",
            date=F("history_date"),
            code=F("niveau"),
            avant=Subquery(precedent.values("niveau")[:1]),
            info=F("theme"),
            auteur="history_user",
        )
    )


def _contrats(pk, notes):
    return EvenementContrat.objects.filter(contrat__parcours_id=pk).values(
        **_colonnes(
            "contrat",
            date=F("date"),
            code=F("transition"),
            avant=F("statut_avant"),
            apres=F("statut_apres"),
            texte=_note("motif", notes),
            auteur="auteur",
        )
    )


def _ateliers(pk, notes):
    """One row per session whose attendance was noted, at the session's time."""
    return PresenceAtelier.objects.filter(parcours_id=pk).values(
        **_colonnes(
            "atelier",
            date=F("seance__debut"),
            code=F("statut"),
            apres=F("duree_minutes"),
            info=F("seance__atelier__theme"),
            texte=F("seance__contenu"),
            auteur="saisi_par",
        )
    )


def _demandes(pk, notes):
    """Each step of each request: asked (with its justification), accepted, refused, withdrawn."""
    return TransitionDemande.objects.filter(demande__parcours_id=pk).values(
        **_colonnes(
            "demande",
            date=F("date"),
            code=F("transition"),
            avant=F("demande__type"),
            apres=F("statut_apres"),
            texte=_note("motif", notes),
            texte2=(
                Case(
                    When(transition="demander", then=F("demande__justification")),
                    default=Value(""),
                    output_field=TEXTE,
                )
                if notes
                else ""
            ),
            auteur="auteur",
        )
    )


def _suspensions(pk, notes):
    """The suspensions of the measure, when recorded; their motive only for whom may read it."""
    return SuspensionMesure.objects.filter(parcours_id=pk).values(
        **_colonnes(
            "suspension",
            date=F("cree_le"),
            code=F("motif") if notes else "",
            avant=F("debut"),
            apres=F("fin"),
            auteur="cree_par",
        )
    )


SOURCES = {
    Genre.DECISIONS: (_decisions,),
    Genre.ENTRETIENS: (_rendez_vous,),
    Genre.CONTACTS: (_contacts,),
    Genre.ETAPES: (_etapes, _etapes_modifiees),
    Genre.DIAGNOSTIC: (_diagnostics, _freins),
    Genre.CONTRAT: (_contrats,),
    Genre.ATELIERS: (_ateliers,),
    Genre.DEMANDES: (_demandes,),
    Genre.MESURE: (_suspensions,),
}
GENRE_DE = {
    "decision": Genre.DECISIONS,
    "rdv": Genre.ENTRETIENS,
    "contact": Genre.CONTACTS,
    "etape": Genre.ETAPES,
    "etape_modifiee": Genre.ETAPES,
    "diagnostic": Genre.DIAGNOSTIC,
    "frein": Genre.DIAGNOSTIC,
    "contrat": Genre.CONTRAT,
    "atelier": Genre.ATELIERS,
    "demande": Genre.DEMANDES,
    "suspension": Genre.MESURE,
}


def requete(parcours_id, genres, notes: bool):
    """The union of the sources of ``genres`` for a reader of the notes or not, newest first."""
    branches = [source(parcours_id, notes).order_by() for g in genres for source in SOURCES[g]]
    first, *rest = branches
    return first.union(*rest, all=True).order_by("-j_date", "-j_source", "-j_id")


# The parcours of the query compiled once (:func:`_gabarit`), replaced by the real one at each reading.
_GABARIT = -7_777_777_777


@functools.lru_cache(maxsize=256)
def _gabarit(genres: tuple, notes: bool, base: str):
    """The union's SQL, its parameters and its compiler (which converts the values read), per kinds shown,
    reading of the notes and database (``connection.vendor``). Building and compiling fourteen branches cost more than
    running them (about 10 ms a dossier at 100 000 participants); only the parcours changes between two
    readings, so it is compiled once per process and the parcours put in its parameters."""
    queryset = requete(_GABARIT, genres, notes)
    # Compiled for the connection of whichever thread reads (django.db.connection): the converters use it.
    compilateur = queryset.query.get_compiler(connection=connection)
    sql, params = compilateur.as_sql()
    noms = [*queryset.query.extra_select, *queryset.query.values_select, *queryset.query.annotation_select]
    return sql, tuple(params), compilateur, noms


# --- in words ----------------------------------------------------------------------------------


def _libelle(choices, value, default=""):
    return choices(value).label if value in choices.values else default


def _le(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y à %H:%M}"


def _decision(row):
    transition = TRANSITIONS_PARCOURS.get(row["j_code"])
    apres = _libelle(Etat, row["j_apres"])
    avant = _libelle(Etat, row["j_avant"])
    return {
        "titre": transition.label if transition else row["j_code"],
        # A renewal or a change of référent keeps the state: said once.
        "detail": f"{avant} → {apres}" if avant and avant != apres else apres,
        "note": row["j_texte"],
    }


def _rdv(row):
    objet = _libelle(ObjetRendezVous, row["j_avant"], "Rendez-vous")
    quand, statut = _le(row["j_quand"]), row["j_code"]
    if statut == R.PREVU:
        titre = f"{objet} fixé au {quand}"
    elif statut == R.HONORE:
        duree = f", {row['j_apres']} min" if row["j_apres"] else ""
        titre = f"{objet} du {quand} : tenu{duree}"
    elif statut == R.ANNULE:
        titre = f"{objet} du {quand} : annulé"
    else:
        titre = f"{objet} du {quand} : {_libelle(R, statut).lower()}"
    notes = [f"Objet : {row['j_texte']}" if row["j_texte"] else "", row["j_texte2"]]
    return {"titre": titre, "detail": _libelle(Modalite, row["j_info"]), "note": "\n".join(n for n in notes if n)}


def _contact(row):
    canal = row["j_code"]
    titre = _libelle(CanalContact, canal)
    if canal != CanalContact.PARTENAIRE:
        titre += " — personne jointe" if row["j_avant"] else " — sans réponse"
    if row["j_apres"]:
        titre += ", personne avertie qu'une nouvelle absence peut mettre fin à l'accompagnement"
    notes = [row["j_texte2"], row["j_texte"]]
    return {"titre": titre, "note": "\n".join(n for n in notes if n)}


def _etape(row):
    transition = TRANSITIONS_ETAPE.get(row["j_code"])
    return {
        "titre": f"Étape « {_libelle(TypeEtape, row['j_info'])} » : {_libelle(EtatEtape, row['j_apres']).lower()}",
        "detail": transition.label if transition else "",
        "note": row["j_texte"],
    }


def _etape_modifiee(row):
    return {"titre": f"Étape « {_libelle(TypeEtape, row['j_info'])} » modifiée"}


FIGES = {
    NatureDiagnostic.INITIAL: "Diagnostic initial figé (à la signature du contrat)",
    NatureDiagnostic.FINAL: "Diagnostic final figé (à la sortie)",
}


def _diagnostic(row):
    if row["j_avant"] != NatureDiagnostic.EN_COURS:
        return {"titre": FIGES.get(row["j_avant"], "Diagnostic figé")}
    return {"titre": "Diagnostic ouvert" if row["j_code"] == "+" else "Diagnostic mis à jour"}


def _frein(row):
    theme = _libelle(Frein, row["j_info"])
    avant, apres = _libelle(NiveauFrein, row["j_avant"]), _libelle(NiveauFrein, row["j_code"])
    if avant and avant != apres:
        return {"titre": f"Frein « {theme} » : {avant.lower()} → {apres.lower()}"}
    return {"titre": f"Frein « {theme} » : commentaire mis à jour"}


def _contrat(row):
    transition = TRANSITIONS_CONTRAT.get(row["j_code"])
    if row["j_code"] == "contresigner":
        titre = "Contrat d'entrée : signé pour le bureau insertion"
    else:
        titre = f"Contrat d'entrée : {_libelle(StatutContrat, row['j_apres']).lower()}"
    return {"titre": titre, "detail": transition.label if transition else "", "note": row["j_texte"]}


def _atelier(row):
    statut = row["j_code"]
    if statut == StatutPresence.PRESENT:
        duree = f", {row['j_apres']} min" if row["j_apres"] else ""
        issue = f"présent{duree}"
    else:
        issue = _libelle(StatutPresence, statut).lower()
    # What the session did is the animateurs' summary of the group's work, not a note on the person.
    return {"titre": f"Atelier « {row['j_info']} » du {_le(row['j_date'])} : {issue}", "detail": row["j_texte"]}


def _demande(row):
    type_ = _libelle(TypeDemande, row["j_avant"], "Demande")
    if row["j_code"] == "demander":
        titre = f"Demande « {type_} »"
    else:
        titre = f"Demande « {type_} » {_libelle(StatutDemande, row['j_apres']).lower()}"
    notes = [row["j_texte2"], row["j_texte"]]
    return {"titre": titre, "note": "\n".join(n for n in notes if n)}


def _jour(value) -> str:
    """A date read through the union as text (ISO), as JJ/MM/AAAA."""
    try:
        return f"{datetime.date.fromisoformat(value[:10]):%d/%m/%Y}"
    except ValueError:
        return value


def _suspension(row):
    # Illness and hospitalisation are health data: whom may not read them reads no motive at all (naming
    # only the leave would tell the others apart), as plie.sensitive.motif_veille does.
    motif = _libelle(MotifSuspension, row["j_code"]).lower() if row["j_code"] else f"motif {sensitive.MASQUE}"
    return {"titre": f"Suspension de la mesure du {_jour(row['j_avant'])} au {_jour(row['j_apres'])} ({motif})"}


EN_MOTS = {
    "decision": _decision,
    "rdv": _rdv,
    "contact": _contact,
    "etape": _etape,
    "etape_modifiee": _etape_modifiee,
    "diagnostic": _diagnostic,
    "frein": _frein,
    "contrat": _contrat,
    "atelier": _atelier,
    "demande": _demande,
    "suspension": _suspension,
}


def evenement(row) -> Evenement:
    source = row["j_source"]
    return Evenement(
        genre=GENRE_DE[source],
        date=row["j_date"],
        auteur=f"{row['j_prenom']} {row['j_nom']}".strip(),
        **EN_MOTS[source](row),
    )


# --- reading it ----------------------------------------------------------------------------------


class Journal:
    """The journal as a sequence: ``len()`` counts it, a slice reads those rows only (one query each).

    What :func:`plie.listes.paginer` pages through on the journal page.
    """

    def __init__(self, parcours, lecteur_: Lecteur, genre=None):
        genres = (genre,) if genre is not None else tuple(lecteur_.genres)
        self.sql, params, self.compilateur, self.noms = _gabarit(genres, lecteur_.notes, connection.vendor)
        self.params = tuple(parcours.pk if p == _GABARIT else p for p in params)

    def __len__(self):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({self.sql}) journal", self.params)
            return cursor.fetchone()[0]

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("Le journal se lit par tranches.")
        debut = index.start or 0
        with connection.cursor() as cursor:
            cursor.execute(f"{self.sql} {connection.ops.limit_offset_sql(debut, index.stop)}", self.params)
            lignes = self.compilateur.results_iter(results=[cursor.fetchall()])
            return [evenement(dict(zip(self.noms, ligne, strict=True))) for ligne in lignes]

    def derniers(self, n=DERNIERS) -> tuple[list[Evenement], bool]:
        """The latest ``n`` rows, and whether older ones exist (one query)."""
        rows = self[: n + 1]
        return rows[:n], len(rows) > n
