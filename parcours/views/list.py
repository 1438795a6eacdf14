from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render

from parcours.forms import ParcoursSearchForm
from parcours.models import Parcours
from plie import permissions


def parcours_list(request):
    if not permissions.can_list_parcours(request.user):
        raise PermissionDenied
    form = ParcoursSearchForm(request.GET or None)
    parcours = Parcours.objects.visible_to(request.user).select_related(
        "participant", "participant__commune", "referent"
    )
    if form.is_valid():
        text = form.cleaned_data["q"].strip()
        for word in text.split():
            parcours = parcours.filter(
                Q(participant__nom_usage__icontains=word)
                | Q(participant__nom_naissance__icontains=word)
                | Q(participant__prenoms__icontains=word)
                | Q(participant__commune__nom__icontains=word)
            )
        if form.cleaned_data["etat"]:
            parcours = parcours.filter(etat=form.cleaned_data["etat"])
    # Newest prescription first, on a column of parcours: an index walk, not a sort of every row
    # of the filter across the join to participants (deep pages stay fast at 100 000 parcours).
    parcours = parcours.order_by("-date_prescription", "-id")
    page = Paginator(parcours, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "parcours/list.html",
        {"form": form, "page_obj": page, "querystring": query.urlencode()},
    )
