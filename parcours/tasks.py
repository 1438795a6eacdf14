"""Background work of the parcours: a référent's monthly batch of émargement sheets."""

import json
import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.utils import timezone

from parcours import emargement
from parcours.models import LotEmargement, StatutLot
from plie import pdf
from plie.referentiel.models import Referentiel

logger = logging.getLogger(__name__)


@shared_task
def produire_lot_emargement(lot_id):
    """Build the batch: every individual sheet of the référent's month (:func:`emargement.parcours_du_mois`),
    one after the other, ``faites`` counting them for the page, then one merged PDF in the private storage.

    Runs once: the batch waiting is claimed in one UPDATE, so a retry or a second worker finds it taken.
    A failure is kept on the row (the page says so; the référent asks again) and logged.
    """
    if not LotEmargement.objects.filter(pk=lot_id, statut=StatutLot.EN_ATTENTE).update(statut=StatutLot.EN_COURS):
        return False
    lot = LotEmargement.objects.select_related("referent").get(pk=lot_id)
    try:
        _produire(lot)
    except Exception as error:
        logger.exception("Lot d'émargement %s en échec", lot_id)
        message = f"Les feuilles n'ont pas pu être produites ({type(error).__name__})."
        LotEmargement.objects.filter(pk=lot_id).update(statut=StatutLot.ECHEC, erreur=message[:500])
        return False
    return True


def _produire(lot):
    referentiel = Referentiel.objects.active_or_none()
    if referentiel is None:
        raise RuntimeError("Aucun référentiel actif")
    debut, fin = emargement.mois(lot.mois)
    parcours = list(emargement.parcours_du_mois(lot.referent, lot.mois).select_related("referent__structure"))
    LotEmargement.objects.filter(pk=lot.pk).update(total=len(parcours), faites=0)
    documents = []
    # The rows of every sheet in four queries; then each sheet is laid out and counted for the page.
    for faites, feuille in enumerate(emargement.feuilles_individuelles(parcours, debut, fin), start=1):
        documents.append(
            # No frise in the month's batch: its five reads and its drawing per sheet would take the batch
            # under 7 sheets a second (make bench); the sheet downloaded from the dossier carries it.
            pdf.document("pdf/emargement_individuelle.html", {"feuille": feuille, "referentiel": referentiel})
        )
        LotEmargement.objects.filter(pk=lot.pk).update(faites=faites)
    if not documents:
        documents = [pdf.document("pdf/emargement_lot_vide.html", {"lot": lot, "referentiel": referentiel})]
    contenu = pdf.fusionner(documents)
    lot.fichier.save(f"lot-{lot.pk}-{lot.mois:%Y-%m}.pdf", ContentFile(contenu), save=False)
    # Which parcours the file prints: the download logs an access to each (plie.acces).
    lot.fichier.storage.save(_manifeste(lot.fichier.name), ContentFile(json.dumps([p.pk for p in parcours])))
    lot.statut = StatutLot.TERMINE
    lot.termine_le = timezone.now()
    lot.faites = lot.total = len(parcours)
    lot.save(update_fields=["fichier", "statut", "termine_le", "faites", "total"])


def _manifeste(nom_fichier):
    return f"{nom_fichier}.parcours.json"


def parcours_du_lot(lot) -> list:
    """The ids of the parcours a finished batch prints (empty when it printed none)."""
    storage, nom = lot.fichier.storage, _manifeste(lot.fichier.name)
    if not lot.fichier or not storage.exists(nom):
        return []
    with storage.open(nom) as fichier:
        return [int(pk) for pk in json.load(fichier)]


@shared_task(ignore_result=True)
def convoquer():
    """The convocations whose time has come and that no planning wrote (see :mod:`parcours.convocations`)."""
    from parcours import convocations

    return convocations.convoquer_manquants()
