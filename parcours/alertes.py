"""What the référent has to act on, at the top of the dossier: read from what the page already holds.

Each rule is one function of the rows the dossier read (the parcours with its annotations, its
rendez-vous and contacts, the due date of its rhythm, the absences' signal): no query of its own.

- the rhythm (N §III.d, C §II.2.1): the next entretien overdue, or due within 7 days and not fixed yet;
- the first contact after the orientation, late under the référentiel's delay (N §III.b);
- an unjustified absence whose follow-up is not done, and the run of absences that sends the
  parcours to the cellule de suivi (N §III.d);
- the contract not signed while the person is received or accompanied (N §III.c, C §III.1.2);
- in veille, the regular follow-up by phone or face to face late (N §III.d);
- the end of the measure within the référentiel's ``alerte_fin_mesure_jours``, or passed with no renewal
  asked (N §III.d: renewal in cellule); the maximum length of the parcours approaching or reached.

Shown to whom :func:`plie.permissions.can_view_alertes` allows (the référent and the coordination).
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from parcours import accueil, cer, horloge
from parcours.models import Etat, Modalite, StatutContrat, StatutRendezVous

ETATS_MESURE = frozenset({Etat.ACCOMPAGNEMENT, Etat.VEILLE})
CONTRAT_SIGNE = frozenset({StatutContrat.SIGNE, StatutContrat.VALIDE})


@dataclass(frozen=True)
class Alerte:
    code: str  # stable, for tests and anchors: "rythme_retard", "premier_contact", …
    urgente: bool  # late already: shown first, in red
    titre: str
    detail: str = ""
    ancre: str = ""  # the dossier's card where it is dealt with


def _jours(n: int) -> str:
    return f"{n} jour{'s' if n > 1 else ''}"


def prochain_fixe(echeance, rendez_vous, today=None):
    """The first appointment fixed from today on that would count (face-to-face when required), or None."""
    today = today or timezone.localdate()
    prevus = [
        r
        for r in rendez_vous
        if r.statut == StatutRendezVous.PREVU
        and (not echeance.face_a_face or r.modalite == Modalite.PRESENTIEL)
        and timezone.localdate(r.debut) >= today
    ]
    return min(prevus, key=lambda r: (r.debut, r.pk), default=None)


def prochain_prevu(echeance, rendez_vous, today=None):
    """:func:`prochain_fixe` when it meets the due date, else None."""
    fixe = prochain_fixe(echeance, rendez_vous, today)
    return fixe if fixe is not None and timezone.localdate(fixe.debut) <= echeance.date else None


def rythme(echeance, rendez_vous, today) -> list[Alerte]:
    if echeance is None or echeance.en_veille:
        return []
    quoi = "Entretien en face à face" if echeance.face_a_face else "Contact (tout moyen)"
    if echeance.en_retard:
        prochain = prochain_fixe(echeance, rendez_vous, today)
        detail = f"Attendu avant le {echeance.date:%d/%m/%Y} ; rien qui compte depuis le {echeance.depuis:%d/%m/%Y}."
        if prochain is not None:
            detail += f" Prochain rendez-vous fixé le {prochain.debut_local:%d/%m/%Y}."
        return [
            Alerte(
                "rythme_retard",
                True,
                f"{quoi} en retard de {_jours(-echeance.jours_restants)}",
                detail,
                "#entretiens-et-contacts",
            )
        ]
    # Due soon but already fixed in time: nothing to do yet.
    if echeance.bientot and prochain_prevu(echeance, rendez_vous, today) is None:
        return [
            Alerte(
                "rythme_bientot",
                False,
                f"{quoi} à prévoir avant le {echeance.date:%d/%m/%Y}",
                f"Dans {_jours(echeance.jours_restants)} ; aucun rendez-vous n'est fixé d'ici là."
                if echeance.jours_restants
                else "Aujourd'hui au plus tard ; aucun rendez-vous n'est fixé.",
                "#entretiens-et-contacts",
            )
        ]
    return []


def premier_contact(parcours, referentiel, contacts, today) -> list[Alerte]:
    """Oriented, not reached yet, and the référentiel's delay passed (or ending today or tomorrow)."""
    if parcours.etat != Etat.ORIENTE or any(c.abouti for c in contacts):
        return []
    delai = accueil.delai_premier_contact(parcours, referentiel, today)
    if delai is None or not (delai.en_retard or delai.urgent):
        return []
    quand = "aujourd'hui" if delai.jours_restants == 0 else "demain"
    tentatives = len(contacts)
    essais = f"{tentatives} tentative{'s' if tentatives > 1 else ''} sans réponse" if tentatives else "aucune tentative"
    return [
        Alerte(
            "premier_contact",
            delai.en_retard,
            f"Premier contact en retard de {_jours(-delai.jours_restants)}"
            if delai.en_retard
            else f"Premier contact à établir {quand}",
            f"Orienté le {parcours.date_orientation:%d/%m/%Y}, à joindre avant le {delai.echeance:%d/%m/%Y} "
            f"({essais}).",
            "#premier-contact",
        )
    ]


def suivi_veille(suivi) -> list[Alerte]:
    """In veille, no entretien nor contact that reached the person for the référentiel's interval (N §III.d)."""
    if suivi is None or not suivi.en_retard:
        return []
    depuis = (
        f"dernier contact le {suivi.dernier_contact:%d/%m/%Y}"
        if suivi.dernier_contact
        else f"aucun contact depuis le début de la veille, le {suivi.debut:%d/%m/%Y}"
    )
    return [
        Alerte(
            "suivi_veille",
            True,
            f"Suivi pendant la veille en retard de {_jours(suivi.jours_de_retard)}",
            f"Un contact par téléphone ou en face à face au moins tous les {suivi.intervalle} jours : {depuis}.",
            "#veilles",
        )
    ]


def absences(suivi, signalement) -> list[Alerte]:
    found = []
    if signalement is not None and signalement.a_signaler:
        dates = ", ".join(f"{d:%d/%m/%Y}" for d in signalement.dates)
        found.append(
            Alerte(
                "absences_cellule",
                True,
                "À présenter à la prochaine cellule de suivi",
                f"{len(signalement.dates)} absences non justifiées sans rendez-vous honoré entre elles ({dates}).",
                "#entretiens-et-contacts",
            )
        )
    if suivi is not None and suivi.restantes:
        a_faire = [t.libelle for t in suivi.taches if not t.faite]
        found.append(
            Alerte(
                "absence_a_suivre",
                False,
                f"Absence non justifiée du {timezone.localtime(suivi.absence_debut):%d/%m/%Y} à suivre",
                "À faire : " + " ; ".join(a[0].lower() + a[1:] for a in a_faire) + ".",
                "#entretiens-et-contacts",
            )
        )
    return found


def contrat(parcours, referentiel) -> list[Alerte]:
    """Received or accompanied without a signed contract (its status annotated by :func:`cer.annoter_contrat`)."""
    statut = parcours.contrat_statut
    if parcours.etat not in cer.ETATS_CONTRAT or statut in CONTRAT_SIGNE or statut == StatutContrat.REFUSE:
        return []
    nom = referentiel.cer_libelle if referentiel else "Contrat d'entrée"
    etat = "en cours de rédaction" if statut == StatutContrat.BROUILLON else "pas encore rédigé"
    detail = f"{etat[0].upper()}{etat[1:]}."
    if parcours.etat == Etat.ACCUEIL and referentiel:
        rang = cer.rang_minimum(parcours, referentiel)
        detail += f" Il se signe à partir du rendez-vous n° {rang}."
    return [Alerte("contrat_non_signe", False, f"{nom} non signé", detail, "#titre-contrat")]


def fin_de_mesure(parcours, today, referentiel=None) -> list[Alerte]:
    """The measure ending within the référentiel's warning (``alerte_fin_mesure_jours``), or passed: urgent
    unless a renewal was asked and waits for its decision (``renouvellement_demande``, annotated by
    :func:`parcours.horloge.annoter`)."""
    fin = parcours.date_fin_mesure
    if parcours.etat not in ETATS_MESURE or fin is None:
        return []
    restants = (fin - today).days
    if restants < 0:
        if getattr(parcours, "renouvellement_demande", False):
            return [
                Alerte(
                    "mesure_echue_demandee",
                    False,
                    f"Mesure échue le {fin:%d/%m/%Y} : renouvellement demandé",
                    "La demande attend sa décision (cellule de suivi ou coordination).",
                    "#mesure",
                )
            ]
        return [
            Alerte(
                "mesure_echue",
                True,
                f"Mesure échue le {fin:%d/%m/%Y} sans demande de renouvellement",
                "À renouveler (bilan intermédiaire validé en cellule) ou proposer la sortie.",
                "#mesure",
            )
        ]
    if restants <= horloge.jours_d_alerte(referentiel):
        return [
            Alerte(
                "fin_de_mesure",
                False,
                f"Fin de la mesure le {fin:%d/%m/%Y}",
                f"Dans {_jours(restants)} : préparer le bilan intermédiaire pour la cellule, ou la sortie."
                if restants
                else "Aujourd'hui : préparer le bilan intermédiaire pour la cellule, ou la sortie.",
                "#mesure",
            )
        ]
    return []


def duree_maximale(parcours, referentiel, veilles, today) -> list[Alerte]:
    """The parcours's maximum length (:meth:`Parcours.date_limite`) within the référentiel's warning, or reached."""
    if parcours.etat not in ETATS_MESURE:
        return []
    limite = parcours.date_limite(referentiel, veilles)
    if limite is None:
        return []
    restants = (limite - today).days
    if restants <= 0:
        return [
            Alerte(
                "duree_max_atteinte",
                True,
                f"Durée maximale du parcours atteinte le {limite:%d/%m/%Y}",
                f"{referentiel.duree_max_parcours_mois} mois au plus (référentiel {referentiel.nom}) : proposer la "
                "sortie.",
                "#mesure",
            )
        ]
    if restants <= horloge.jours_d_alerte(referentiel):
        return [
            Alerte(
                "duree_max_proche",
                False,
                f"Durée maximale du parcours atteinte le {limite:%d/%m/%Y}, dans {_jours(restants)}",
                f"{referentiel.duree_max_parcours_mois} mois au plus (référentiel {referentiel.nom}) : préparer la "
                "sortie.",
                "#mesure",
            )
        ]
    return []


def alertes(
    parcours,
    referentiel,
    *,
    echeance=None,
    suivi=None,
    signalement=None,
    rendez_vous=(),
    contacts=(),
    contrat_visible=True,
    veille=None,
    veilles=(),
    today: datetime.date | None = None,
) -> list[Alerte]:
    """Every alert of the parcours, the late ones first.

    ``parcours`` carries the annotations of :func:`parcours.cer.annoter_contrat`; ``echeance`` is
    :func:`parcours.rythme.echeance`'s answer,
    ``suivi`` and ``signalement`` those of :mod:`parcours.absences`; ``rendez_vous`` and ``contacts``
    the parcours's rows (any order), ``veilles`` its periods of veille (the maximum length counts them);
    ``veille`` the follow-up of the veille in progress (:func:`parcours.veille.suivi`).
    """
    today = today or timezone.localdate()
    found = [
        *rythme(echeance, rendez_vous, today),
        *premier_contact(parcours, referentiel, contacts, today),
        *suivi_veille(veille),
        *absences(suivi, signalement),
        *(contrat(parcours, referentiel) if contrat_visible else []),
        *fin_de_mesure(parcours, today, referentiel),
        *duree_maximale(parcours, referentiel, veilles, today),
    ]
    return sorted(found, key=lambda a: not a.urgente)  # stable: each group keeps the order above
