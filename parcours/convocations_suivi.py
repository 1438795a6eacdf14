"""What the staff see of a planned entretien's convocation: the participant's answer and what became of
its latest message (« SMS à envoyer le 07/12 à 18h00 », « Délivré », « Courrier à poster »…).

Read for a whole list at once, in one query whatever the number of rows (each row's latest message
through a subquery), and set on each appointment as ``etat_convocation`` (None when there is nothing
to show), so that templates read an attribute and never a missing relation.
"""

from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from parcours.models import Convocation, ReponseConvocation, StatutRendezVous
from plie.notifications.models import Canal, Message, StatutMessage

CANAUX = {Canal.SMS: "SMS", Canal.EMAIL: "Email", Canal.COURRIER: "Courrier"}
CLASSES_REPONSE = {
    ReponseConvocation.CONFIRMEE: "text-bg-success",
    ReponseConvocation.ANNULEE: "text-bg-danger",
    ReponseConvocation.SANS_REPONSE: "text-bg-light border",
}


@dataclass(frozen=True)
class EtatConvocation:
    reponse: str  # « Confirmé », « Annulé par le participant », « Sans réponse »
    classe_reponse: str
    message: str  # the latest message's fate, "" when none was written
    echec: bool


def libelle_message(canal, statut, du_le) -> str:
    nom = CANAUX.get(canal, "Message")
    if statut == StatutMessage.A_ENVOYER:
        if canal == Canal.COURRIER:
            return "Courrier à poster"
        local = timezone.localtime(du_le)
        return f"{nom} à envoyer le {local:%d/%m} à {local:%H}h{local:%M}"
    return {
        StatutMessage.EN_COURS: f"{nom} en cours d'envoi",
        StatutMessage.ENVOYE: "Courrier posté" if canal == Canal.COURRIER else f"{nom} envoyé",
        StatutMessage.DELIVRE: f"{nom} délivré",
        StatutMessage.REPONDU: "Réponse reçue par SMS",
        StatutMessage.ECHEC: f"{nom} : échec de l'envoi",
        StatutMessage.ANNULE: "Message annulé",
    }.get(statut, "")


def _derniers_messages():
    """The messages of each convocation, the one due last first."""
    return Message.objects.filter(convocation=OuterRef("pk")).order_by("-du_le", "-id")


def annoter(rendez_vous, visible=True) -> None:
    """Set ``etat_convocation`` on every appointment of ``rendez_vous`` (one query, for the planned
    ones only; none when ``visible`` is false or nothing is planned)."""
    rendez_vous = list(rendez_vous)
    prevus = [r.pk for r in rendez_vous if r.statut == StatutRendezVous.PREVU]
    etats = {}
    if visible and prevus:
        derniers = _derniers_messages().exclude(statut=StatutMessage.ANNULE)
        rows = Convocation.objects.filter(rendez_vous__in=prevus).annotate(
            m_canal=Subquery(derniers.values("canal")[:1]),
            m_statut=Subquery(derniers.values("statut")[:1]),
            m_du_le=Subquery(derniers.values("du_le")[:1]),
        )
        for c in rows.values("rendez_vous_id", "reponse", "m_canal", "m_statut", "m_du_le"):
            etats[c["rendez_vous_id"]] = EtatConvocation(
                reponse=ReponseConvocation(c["reponse"]).label,
                classe_reponse=CLASSES_REPONSE[c["reponse"]],
                message=libelle_message(c["m_canal"], c["m_statut"], c["m_du_le"]) if c["m_statut"] else "",
                echec=c["m_statut"] == StatutMessage.ECHEC,
            )
    for r in rendez_vous:
        r.etat_convocation = etats.get(r.pk)
