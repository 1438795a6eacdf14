"""``make demo``'s convocations, on the demo référent's participants (the first printed login), so that
the whole journey shows at once with the console (or file) SMS provider:

- an SMS due now: the worker's sweep (every minute) prints it within a minute of start-up;
- one confirmed and one cancelled by the participant (through their personal link);
- a letter to post, for a participant with a landline only and no email (« Courriers à envoyer »);
- an SMS that failed for good, offered an email on the référent's home.

Written through the real rules (:mod:`parcours.convocations`: the destination, the texts, the keys),
never queued from here: the worker's sweep sends what is due. Called once from
:meth:`plie.demo.DemoBuilder.build`.
"""

import datetime

from django.utils import timezone

from parcours import convocations
from parcours.models import (
    Convocation,
    Etat,
    Modalite,
    MoyenReponse,
    ObjetRendezVous,
    RendezVous,
    ReponseConvocation,
    TransitionRendezVous,
)
from parcours.models import StatutRendezVous as S
from plie.notifications.models import Canal, GenreMessage, Message, StatutMessage

# (kind, days from today, hour): each on a parcours of its own.
SORTES = [
    ("sms_du", 1, datetime.time(10, 30)),
    ("confirmee", 1, datetime.time(14, 0)),
    ("annulee", 2, datetime.time(9, 30)),
    ("courrier", 6, datetime.time(11, 0)),
    ("echec", 2, datetime.time(16, 0)),
]


def seed_convocations(referentiel, referent, now=None) -> dict:
    """Returns {kind: convocation}."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    candidats = [
        p
        for p in referent.parcours_suivis.filter(etat=Etat.ACCOMPAGNEMENT)
        .select_related("participant", "referent")
        .order_by("pk")
        if convocations.destination(p.participant).canal == Canal.SMS and p.participant.email
    ]
    lieu = referent.referent_profile.lieux.order_by("pk").first() if hasattr(referent, "referent_profile") else None
    faites = {}
    for (sorte, jours, heure), parcours in zip(SORTES, candidats, strict=False):
        participant = parcours.participant
        if sorte == "courrier":  # a landline only, no email: convoked by letter
            participant.telephone_fixe, participant.telephone_mobile, participant.email = "05 49 24 56 78", "", ""
            participant.save(update_fields=["telephone_fixe", "telephone_mobile", "email"])
        debut = timezone.make_aware(datetime.datetime.combine(today + datetime.timedelta(days=jours), heure))
        rdv = RendezVous.objects.create(
            parcours=parcours,
            objet=ObjetRendezVous.ENTRETIEN,
            debut=debut,
            duree_minutes=60,
            modalite=Modalite.PRESENTIEL,
            lieu=lieu,
            lieu_precision="" if lieu else "Permanence du référent",
            statut=S.PREVU,
            cree_par=referent,
        )
        TransitionRendezVous.objects.create(
            rendez_vous=rdv, transition="planifier", statut_apres=S.PREVU, auteur=referent, date=now
        )
        convocation = Convocation.objects.create(
            parcours=parcours,
            rendez_vous=rdv,
            jeton=convocations.nouveau_jeton(),
            debut=debut,
            expire_le=debut + datetime.timedelta(hours=3),
        )
        _message(convocation, sorte, referentiel, now)
        if sorte in ("confirmee", "annulee"):
            convocation.reponse = ReponseConvocation.CONFIRMEE if sorte == "confirmee" else ReponseConvocation.ANNULEE
            convocation.repondu_le, convocation.repondu_par = now - datetime.timedelta(minutes=20), MoyenReponse.LIEN
            convocation.save()
        faites[sorte] = convocation
    return faites


def _message(convocation, sorte, referentiel, now):
    dest = convocations.destination(convocation.parcours.participant)
    ev = convocations.evenement(convocation, referentiel)
    url = convocations.lien(convocation)
    genre = GenreMessage.CONVOCATION
    champs = {"canal": dest.canal, "genre": genre, "convocation": convocation, "du_le": now}
    if dest.canal == Canal.SMS:
        champs.update(numero=dest.numero, corps=convocations.texte_sms(referentiel, ev, url))
    else:
        champs.update(sujet=convocations.sujet_email(ev, genre), corps=convocations.corps_ecrit(ev, url, genre))
    parti = now - datetime.timedelta(hours=1)
    if sorte in ("confirmee", "annulee"):
        champs.update(
            statut=StatutMessage.DELIVRE,
            du_le=parti,
            envoye_le=parti,
            delivre_le=parti,
            tentatives=1,
            fournisseur="console",
        )
    elif sorte == "echec":
        champs.update(
            statut=StatutMessage.ECHEC,
            du_le=parti,
            echec_le=parti,
            tentatives=1,
            fournisseur="console",
            derniere_erreur="Numéro inexistant ou hors service (refusé par l'opérateur).",
        )
    return Message.objects.create(cle=convocations.cle(convocation, genre, dest.canal), **champs)


def lien_a_essayer(now=None):
    """A personal link of the demo that still works and awaits an answer (printed with the logins)."""
    now = now or timezone.now()
    convocation = (
        Convocation.objects.ouvertes(now)
        .filter(
            reponse=ReponseConvocation.SANS_REPONSE,
            messages__canal=Canal.SMS,
            messages__statut__in=[
                StatutMessage.A_ENVOYER,
                StatutMessage.EN_COURS,
                StatutMessage.ENVOYE,
                StatutMessage.DELIVRE,
            ],
        )
        .order_by("debut", "pk")
        .first()
    )
    return convocations.lien(convocation) if convocation else ""
