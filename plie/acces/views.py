"""The coordination's search in the access log."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse

from plie import permissions
from plie.acces.forms import JournalFilterForm
from plie.acces.models import AccesDossier, TypeObjet
from plie.listes import paginer

PER_PAGE = 50


def _object_pages():
    """Type of object → (its page, the objects this user may open). Participants have no page yet."""
    from parcours.models import Parcours
    from prescriptions.models import Prescription

    return {
        TypeObjet.PARCOURS: ("parcours:detail", Parcours.objects.visible_to),
        TypeObjet.PRESCRIPTION: ("prescriptions:detail", Prescription.objects.visible_to),
    }


def object_links(user, rows):
    """``(type, id) → url`` for the rows whose object still exists and is visible: one query a type."""
    links = {}
    for type_objet, (url_name, visible_to) in _object_pages().items():
        ids = {row.objet_id for row in rows if row.type_objet == type_objet and row.objet_id}
        if ids:
            for pk in visible_to(user).filter(pk__in=ids).values_list("pk", flat=True):
                links[type_objet, pk] = reverse(url_name, args=[pk])
    return links


def journal(request):
    if not permissions.can_view_access_log(request.user):
        raise PermissionDenied
    form = JournalFilterForm(request.GET)
    listing = paginer(request, form.filtrer(AccesDossier.objects.order_by("-date", "-id")), PER_PAGE)
    rows = list(listing["page_obj"].object_list)
    links = object_links(request.user, rows)
    return render(
        request,
        "acces/journal.html",
        {
            "form": form,
            **listing,
            "lignes": [(row, links.get((row.type_objet, row.objet_id))) for row in rows],
            "retention_jours": settings.ACCESS_LOG_RETENTION_DAYS,
        },
    )
