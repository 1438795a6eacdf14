"""The participant's personal link: confirm or cancel one convocation, without an account."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from parcours import convocations
from parcours.models import Convocation
from plie.referentiel.models import Referentiel


@login_not_required
@require_http_methods(["GET", "POST"])
def reponse(request, jeton):
    convocation = (
        Convocation.objects.select_related("parcours__referent", "rendez_vous__lieu__commune", "seance__atelier")
        .filter(jeton=jeton, expire_le__gt=timezone.now())
        .first()
    )
    if convocation is None:
        raise Http404
    erreur = ""
    if request.method == "POST" and request.POST.get("reponse") in {"oui", "non"}:
        try:
            convocation = convocations.repondre(convocation, request.POST["reponse"] == "oui")
        except convocations.ConvocationError as error:
            erreur = str(error)
    ev = convocations.evenement(convocation, Referentiel.objects.active())
    return render(request, "convocations/reponse.html", {"convocation": convocation, "ev": ev, "erreur": erreur})
