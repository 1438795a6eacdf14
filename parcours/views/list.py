from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from parcours.forms import ParcoursSearchForm
from parcours.models import Parcours
from plie import permissions
from plie.listes import paginer


def parcours_list(request):
    if not permissions.can_list_parcours(request.user):
        raise PermissionDenied
    form = ParcoursSearchForm(request.GET)
    parcours = form.filtrer(
        Parcours.objects.visible_to(request.user).select_related("participant", "participant__commune", "referent")
    )
    # Newest prescription first, on a column of parcours: an index walk, not a sort of every row
    # of the filter across the join to participants (deep pages stay fast at 100 000 parcours).
    parcours = parcours.order_by("-date_prescription", "-id")
    return render(request, "parcours/list.html", {"form": form, **paginer(request, parcours)})
