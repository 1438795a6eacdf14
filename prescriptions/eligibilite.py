"""The eligibility checklist (N §III.1, C §III.1.1-2), driven by the active référentiel.

Each check says what the data says and gives one of three results. A failed check blocks the
acceptance; a check « à vérifier » either needs an action in the product (a validation to
record, a possible duplicate to resolve) or the coordinatrice's explicit confirmation.
"""

from dataclasses import dataclass

from django.db import models

from parcours.models.participant import est_deld
from plie.territoire.models import Commune
from prescriptions.models import Avis, Organisme


class Resultat(models.TextChoices):
    OK = "ok", "Conforme"
    A_VERIFIER = "a_verifier", "À vérifier"
    ECHEC = "echec", "Non conforme"


@dataclass(frozen=True)
class Verification:
    code: str
    libelle: str
    resultat: Resultat
    constat: str
    # « À vérifier » cleared by the coordinatrice's confirmation (True) or only by an action (False).
    confirmable: bool = True

    @property
    def bloquante(self) -> bool:
        return self.resultat == Resultat.ECHEC or (self.resultat == Resultat.A_VERIFIER and not self.confirmable)


def verifier(prescription, referentiel, candidats_non_resolus=0) -> list[Verification]:
    """The checklist of ``prescription`` against ``referentiel``; ``candidats_non_resolus`` from the duplicates."""
    validations = {v.organisme: v for v in prescription.validations.all()}
    checks = [
        _criteres(prescription, referentiel),
        _territoire(prescription, referentiel),
        _france_travail(prescription, referentiel),
    ]
    if referentiel.validation_france_travail:
        checks.append(_validation(Organisme.FRANCE_TRAVAIL, validations.get(Organisme.FRANCE_TRAVAIL)))
    if referentiel.validation_bureau_insertion_rsa:
        if prescription.beneficiaire_rsa:
            checks.append(_validation(Organisme.BUREAU_INSERTION, validations.get(Organisme.BUREAU_INSERTION)))
        else:
            checks.append(
                Verification(
                    "validation_bureau_insertion",
                    "Validation du bureau insertion",
                    Resultat.OK,
                    "Sans objet : la personne n'est pas bénéficiaire du RSA.",
                )
            )
    checks.append(_doublons(prescription, candidats_non_resolus))
    return checks


def criteres_remplis(prescription, referentiel) -> list[str]:
    """Codes of the référentiel's criteria the person meets; DELD is derived from the FT date."""
    codes = prescription.codes_criteres()
    if prescription.inscrit_france_travail and est_deld(
        prescription.date_inscription_france_travail, prescription.date_prescription
    ):
        codes.add("deld")
    return [code for code in referentiel.criteres_eligibles if code in codes]


def _criteres(prescription, referentiel) -> Verification:
    libelle = "Critères de public"
    # The prescription's own criteria (prefetched by its page); the whole table only for a derived one.
    labels = {c.code: c.libelle for c in prescription.criteres.all()}
    remplis = criteres_remplis(prescription, referentiel)
    if any(c not in labels for c in remplis):
        labels = dict(prescription.criteres.model.objects.values_list("code", "libelle"))
    if not remplis:
        declares = sorted(labels[c] for c in prescription.codes_criteres() if c in labels)
        return Verification(
            "criteres",
            libelle,
            Resultat.ECHEC,
            "Aucun critère du référentiel : "
            + (f"la fiche indique {', '.join(declares)}." if declares else "aucun critère coché sur la fiche."),
        )
    en_cellule = [c for c in remplis if c in referentiel.criteres_a_valider_en_cellule]
    sans_cellule = [c for c in remplis if c not in en_cellule]
    constat = ", ".join(labels.get(c, c) for c in remplis) + "."
    if "deld" in remplis and "deld" not in prescription.codes_criteres():
        constat += " DELD déduit de la date d'inscription à France Travail."
    if not sans_cellule:
        return Verification(
            "criteres",
            libelle,
            Resultat.A_VERIFIER,
            constat + " Ce critère suppose une validation en cellule de suivi.",
        )
    return Verification("criteres", libelle, Resultat.OK, constat)


def _territoire(prescription, referentiel) -> Verification:
    libelle = "Résidence sur le territoire du PLIE"
    commune = prescription.commune
    if commune is not None:
        if commune.epci_siren in referentiel.epci_sirens:
            return Verification("territoire", libelle, Resultat.OK, f"{commune.nom} ({commune.epci_nom}).")
        return Verification(
            "territoire", libelle, Resultat.ECHEC, f"{commune.nom} appartient à {commune.epci_nom}, hors territoire."
        )
    if prescription.commune_autre:
        return Verification(
            "territoire",
            libelle,
            Resultat.ECHEC,
            f"« {prescription.commune_autre} » n'est pas une commune du territoire.",
        )
    nb = Commune.objects.in_epcis(referentiel.epci_sirens).count()
    return Verification(
        "territoire", libelle, Resultat.A_VERIFIER, f"Commune non renseignée ({nb} communes sur le territoire)."
    )


def _france_travail(prescription, referentiel) -> Verification:
    libelle = "Inscription à France Travail"
    obligatoire = referentiel.inscription_france_travail_obligatoire
    if prescription.inscrit_france_travail:
        depuis = prescription.date_inscription_france_travail
        return Verification(
            "france_travail",
            libelle,
            Resultat.OK,
            f"Inscrit(e) depuis le {depuis:%d/%m/%Y}." if depuis else "Inscrit(e), date non précisée.",
        )
    if obligatoire:
        return Verification(
            "france_travail",
            libelle,
            Resultat.A_VERIFIER,
            "Non inscrit(e) : l'inscription est obligatoire, à faire avant l'entrée.",
        )
    return Verification(
        "france_travail", libelle, Resultat.OK, "Non inscrit(e) ; le référentiel n'exige pas l'inscription."
    )


def _validation(organisme, validation) -> Verification:
    code = f"validation_{organisme}"
    libelle = f"Validation {Organisme(organisme).label}"
    if validation is None:
        return Verification(code, libelle, Resultat.A_VERIFIER, "Validation à demander.", confirmable=False)
    if validation.avis == Avis.EN_ATTENTE:
        return Verification(
            code,
            libelle,
            Resultat.A_VERIFIER,
            f"Demandée le {validation.demandee_le:%d/%m/%Y}, en attente de réponse.",
            confirmable=False,
        )
    par = f" ({validation.interlocuteur})" if validation.interlocuteur else ""
    constat = f"Avis {validation.get_avis_display().lower()} le {validation.avis_le:%d/%m/%Y}{par}."
    if validation.avis == Avis.FAVORABLE:
        return Verification(code, libelle, Resultat.OK, constat)
    return Verification(code, libelle, Resultat.ECHEC, constat)


def _doublons(prescription, non_resolus) -> Verification:
    libelle = "Pas d'accompagnement en double"
    participant = prescription.participant
    if participant is not None:
        ouvert = participant.parcours.ouverts().select_related("referent").first()
        if ouvert is not None:
            qui = f" par {ouvert.referent.get_full_name()}" if ouvert.referent else ""
            return Verification(
                "doublons",
                libelle,
                Resultat.ECHEC,
                f"{participant.nom_complet} a déjà un parcours en cours ({ouvert.get_etat_display().lower()}){qui}.",
            )
    if non_resolus:
        return Verification(
            "doublons",
            libelle,
            Resultat.A_VERIFIER,
            f"{non_resolus} doublon{'s' if non_resolus > 1 else ''} possible{'s' if non_resolus > 1 else ''} "
            "à examiner.",
            confirmable=False,
        )
    if participant is not None:
        return Verification(
            "doublons",
            libelle,
            Resultat.OK,
            f"Rattachée à {participant.nom_complet} (re-entrée), sans parcours en cours.",
        )
    return Verification("doublons", libelle, Resultat.OK, "Aucune personne connue ne correspond.")
