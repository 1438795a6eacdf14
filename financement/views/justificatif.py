"""A receipt, served from the private storage through this view only: to whom may read the référent's budget
(the référent, the coordination, their opérateur), as an attachment with its checked type; every request,
refusals included, written in the access log."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from financement.models import DepenseAtelier
from plie import permissions
from plie.acces.journal import journalise
from plie.acces.models import Action, TypeObjet


@journalise(TypeObjet.DOCUMENT, action=Action.TELECHARGEMENT)
def justificatif(request, pk):
    depense = get_object_or_404(DepenseAtelier.objects.select_related("referent"), pk=pk)
    if not permissions.can_download_justificatif(request.user, depense) or not depense.justificatif:
        raise Http404("Justificatif indisponible.")
    try:
        fichier = depense.justificatif.open("rb")
    except FileNotFoundError:
        raise Http404("Justificatif introuvable.") from None
    response = FileResponse(
        fichier,
        as_attachment=True,
        filename=depense.justificatif_nom or "justificatif",
        content_type=depense.justificatif_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
