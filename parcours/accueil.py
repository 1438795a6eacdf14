"""The accueil (N §III.b): reach the person oriented to a référent, fix the first appointment, tell
the prescripteur.

The rules of this step live here; the views and templates call them:
- ``delai_premier_contact``: the référentiel's delay to first contact, as a deadline and a countdown;
- ``noter_tentative``: a phone call, letter, SMS or email that tried to reach the person (the
  contacts after the entry are :mod:`parcours.contacts`'s);
- ``fixer_premier_rdv``: the ``accueillir`` transition, the first ``RendezVous`` and the prescripteur's
  email, in one transaction;
- ``nouvelles_orientations``: the référent's new assignments, for their home page.
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils import timezone

from parcours import convocations
from parcours.models import (
    CANAUX_ACCUEIL,
    Etat,
    Modalite,
    ObjetRendezVous,
    Parcours,
    RendezVous,
    TentativeContact,
)
from parcours.workflow import TransitionError
from plie.accounts.models import LieuAccompagnement
from plie.notifications.services import envoyer_email

# Contact attempts are logged from the orientation until the accompaniment starts (a first
# appointment may be missed and fixed again).
ETATS_PREMIER_CONTACT = frozenset({Etat.ORIENTE, Etat.ACCUEIL})
# A first appointment further ahead is a typo (2062 for 2026), or no accueil at all.
PREMIER_RDV_DELAI_MAX = relativedelta(months=6)


class AccueilError(TransitionError):
    """A step of the accueil refused by its rule: a French message, shown next to ``field``."""


# --- the countdown ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DelaiPremierContact:
    echeance: datetime.date
    jours_restants: int  # negative when late

    @property
    def en_retard(self) -> bool:
        return self.jours_restants < 0

    @property
    def urgent(self) -> bool:
        return 0 <= self.jours_restants <= 1

    @property
    def decompte(self) -> str:
        """« J-3 », « aujourd'hui », « en retard de 2 jours »."""
        if self.jours_restants > 0:
            return f"J-{self.jours_restants}"
        if self.jours_restants == 0:
            return "aujourd'hui"
        retard = -self.jours_restants
        return f"en retard de {retard} jour{'s' if retard > 1 else ''}"


def delai_premier_contact(parcours, referentiel, today=None) -> DelaiPremierContact | None:
    """The deadline to reach the person (orientation + the référentiel's delay) and the days left.

    None when the référentiel fixes no delay (or none is active), or the parcours is not oriented.
    """
    jours = referentiel.delai_premier_contact_jours if referentiel else None
    if not jours or parcours.date_orientation is None:
        return None
    echeance = parcours.date_orientation + datetime.timedelta(days=jours)
    return DelaiPremierContact(echeance=echeance, jours_restants=(echeance - (today or timezone.localdate())).days)


@dataclass(frozen=True)
class NouvelleOrientation:
    parcours: Parcours
    delai: DelaiPremierContact | None
    nombre_tentatives: int
    derniere_tentative: TentativeContact | None


def nouvelles_orientations(user, referentiel, limite=None) -> list[NouvelleOrientation]:
    """The parcours oriented to ``user`` and not yet received, oldest orientation first (``limite`` at most).

    Two queries whatever the number of rows: the parcours with their attempt count, and the attempts.
    """
    parcours = (
        Parcours.objects.visible_to(user)
        .filter(etat=Etat.ORIENTE)
        .select_related("participant", "participant__commune")
        .annotate(nombre_tentatives=Count("tentatives_contact"))
        .prefetch_related(
            Prefetch(
                "tentatives_contact",
                queryset=TentativeContact.objects.order_by("-date", "-id"),
                to_attr="tentatives_recentes",
            )
        )
        .order_by("date_orientation", "id")
    )
    if limite is not None:
        parcours = parcours[:limite]
    today = timezone.localdate()
    return [
        NouvelleOrientation(
            parcours=p,
            delai=delai_premier_contact(p, referentiel, today),
            nombre_tentatives=p.nombre_tentatives,
            derniere_tentative=p.tentatives_recentes[0] if p.tentatives_recentes else None,
        )
        for p in parcours
    ]


# --- contact attempts ------------------------------------------------------------------------


def noter_tentative(parcours, by, canal, abouti=False, date=None, commentaire="") -> TentativeContact:
    date = date or timezone.now()
    if canal not in CANAUX_ACCUEIL:
        raise AccueilError("Choisissez le canal : téléphone, courrier, SMS ou email.", field="canal")
    if parcours.etat not in ETATS_PREMIER_CONTACT:
        raise AccueilError(
            f"Les tentatives de contact se notent avant l'entrée en accompagnement : "
            f"le parcours est « {parcours.get_etat_display()} »."
        )
    if date > timezone.now() + datetime.timedelta(minutes=5):  # a slow clock on the référent's computer
        raise AccueilError("Une tentative de contact ne peut être dans le futur.", field="date")
    if timezone.localdate(date) < parcours.date_orientation:
        raise AccueilError(
            f"La tentative ne peut précéder l'orientation du {parcours.date_orientation:%d/%m/%Y}.", field="date"
        )
    return TentativeContact.objects.create(
        parcours=parcours, date=date, canal=canal, abouti=abouti, commentaire=(commentaire or "").strip(), auteur=by
    )


# --- the first appointment -------------------------------------------------------------------


def verifier_lieu(parcours, modalite, lieu=None, lieu_precision=""):
    """A face-to-face appointment is somewhere: one of the référent's places, or a place in words."""
    if modalite not in Modalite.values:
        raise AccueilError("Choisissez la modalité du rendez-vous.", field="modalite")
    if modalite == Modalite.PRESENTIEL and lieu is None and not (lieu_precision or "").strip():
        raise AccueilError(
            "Indiquez le lieu du rendez-vous : l'un des lieux d'accompagnement du référent, ou précisez-le.",
            field="lieu",
        )
    if lieu is not None and not lieux_du_referent(parcours).filter(pk=lieu.pk).exists():
        raise AccueilError("Ce lieu n'est pas l'un des lieux d'accompagnement du référent.", field="lieu")


def lieux_du_referent(parcours):
    return LieuAccompagnement.objects.filter(referents__user=parcours.referent_id).select_related("commune")


def fixer_premier_rdv(
    parcours,
    by,
    debut: datetime.datetime,
    lieu=None,
    lieu_precision="",
    modalite=Modalite.PRESENTIEL,
    duree_minutes=None,
    motif="",
) -> RendezVous:
    """Apply ``accueillir`` on the local date of ``debut``, record the appointment, email the prescripteur.

    ``debut`` is an aware datetime (a naive one is read in the PLIE's time zone). Raises
    :class:`TransitionError` (or its subclass :class:`AccueilError`) with nothing saved.
    """
    if timezone.is_naive(debut):
        debut = timezone.make_aware(debut)
    lieu_precision = (lieu_precision or "").strip()
    verifier_lieu(parcours, modalite, lieu, lieu_precision)
    if duree_minutes is not None and duree_minutes <= 0:
        raise AccueilError("La durée est un nombre de minutes positif.", field="duree_minutes")
    limite = timezone.localdate() + PREMIER_RDV_DELAI_MAX
    if timezone.localdate(debut) > limite:
        raise AccueilError(
            f"Le premier rendez-vous se fixe dans les 6 mois : le {limite:%d/%m/%Y} au plus tard.", field="debut"
        )
    if modalite != Modalite.PRESENTIEL:
        lieu = None  # a phone call or a video call happens nowhere in particular
    with transaction.atomic():
        parcours.accueillir(by=by, date_premier_rdv=timezone.localdate(debut), motif=motif)
        rdv = RendezVous.planifier(
            by,
            parcours,
            debut,
            objet=ObjetRendezVous.PREMIER_RDV,
            duree_minutes=duree_minutes,
            modalite=modalite,
            lieu=lieu,
            lieu_precision=lieu_precision,
        )
        informer_prescripteur(rdv)
        convocations.convoquer_rdv(rdv)  # the participant's confirmation at once (N §III.b)
    return rdv


def adresse_prescripteur(parcours) -> str | None:
    """Where the prescripteur hears of the first appointment (None: a parcours without one)."""
    prescripteur = parcours.prescripteur
    return prescripteur.email if prescripteur and prescripteur.is_active and prescripteur.email else None


def prescripteur_invite(parcours) -> bool:
    """The prescripteur asked, on the referral, to attend the first appointment."""
    prescription = getattr(parcours, "prescription", None)  # parcours created before online referrals have none
    return bool(prescription and prescription.souhaite_assister_premier_rdv)


def informer_prescripteur(rdv):
    parcours = rdv.parcours
    adresse = adresse_prescripteur(parcours)
    if adresse is None:
        return None
    debut = rdv.debut_local
    return envoyer_email(
        [adresse],
        # The person's name stays out of the subject, which mail servers log and show everywhere.
        f"PLIE : premier rendez-vous fixé le {debut:%d/%m/%Y}",
        "emails/premier_rdv.txt",
        {
            "parcours": parcours,
            "participant": parcours.participant,
            "referent": parcours.referent,
            "rdv": rdv,
            "date": f"{debut:%d/%m/%Y}",
            "heure": f"{debut:%H:%M}",
            "invite": prescripteur_invite(parcours),
            "lien": reverse("parcours:detail", args=[parcours.pk]),
        },
        cle=f"premier_rdv:{rdv.pk}:prescripteur",
    )
