"""The bilans intermédiaires (parcours/bilan.py): the PDF stored with a measure-renewal request, served
from the private storage, and the preview of the measure in progress the référent reads before asking.

Both are for whom may read the parcours's sensitive data (:func:`plie.permissions.can_view_bilan`): a
404 for anyone else, and every request writes the access log, refusals too. The stored file is named
by the request, not the parcours: its view logs the parcours by hand (``noter``), as the monthly
batch of sheets does.
"""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from parcours import bilan, mesure
from parcours.models import Demande, Parcours
from plie import pdf, permissions
from plie.acces.journal import journalise, noter
from plie.acces.models import Action, TypeObjet
from plie.referentiel.models import Referentiel

REFUS = "Bilan réservé au référent du parcours et à la coordination."


def _demande(request, pk):
    demande = (
        Demande.objects.visible_to(request.user).select_related("parcours").filter(pk=pk).exclude(bilan="").first()
    )
    if demande is None or not permissions.can_view_bilan(request.user, demande):
        raise Http404(REFUS)
    if not demande.bilan.storage.exists(demande.bilan.name):
        raise Http404("Le fichier de ce bilan est introuvable.")
    return demande


def demande(request, pk):
    """The bilan joined to a request, as a download (never a public URL: the private storage)."""
    try:
        demande = _demande(request, pk)
    except Http404:
        noter(request, TypeObjet.PARCOURS, None, action=Action.TELECHARGEMENT, refuse=True)
        raise
    noter(request, TypeObjet.PARCOURS, demande.parcours_id, action=Action.TELECHARGEMENT)
    response = FileResponse(
        demande.bilan.open("rb"),
        as_attachment=True,
        filename=bilan.nom_fichier(demande),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@journalise("parcours", action=Action.TELECHARGEMENT)
def apercu(request, pk):
    """The bilan of the measure in progress, drawn now (the objectives are written with the request)."""
    parcours = get_object_or_404(
        Parcours.objects.visible_to(request.user).select_related("participant", "referent", "referent__structure"),
        pk=pk,
    )
    if not permissions.can_preview_bilan(request.user, parcours):
        raise Http404(REFUS)
    referentiel = Referentiel.objects.active_or_none()
    if referentiel is None:
        raise Http404("Aucun référentiel n'est actif : la coordination doit en activer un.")
    debut, fin = mesure.periode_en_cours(parcours)
    contenu = bilan.rendre_bilan(bilan.contenu(parcours, debut, fin, referentiel=referentiel), referentiel=referentiel)
    return pdf.reponse_pdf(contenu, f"apercu-bilan-intermediaire-parcours-{parcours.pk}.pdf")
