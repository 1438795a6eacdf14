"""The journal page of a parcours: every event, newest first, by kind, a page at a time.

Whoever may open the parcours reads it (``Parcours.objects.visible_to``; 404 for anyone else), each
kind and each note under the rules of :func:`parcours.journal.lecteur`.
"""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from parcours import journal
from parcours.models import Parcours
from parcours.views.detail import demande_journal
from plie.acces.journal import journalise
from plie.listes import paginer

PAR_PAGE = 50


@journalise("parcours")
def journal_page(request, pk):
    parcours = get_object_or_404(Parcours.objects.visible_to(request.user).select_related("participant"), pk=pk)
    lecteur = journal.lecteur(request.user, parcours)
    genre = journal.genre_demande(request.GET.get("journal"), lecteur)
    context = {
        "parcours": parcours,
        "participant": parcours.participant,
        "journal_genres": lecteur.genres,
        "journal_genre": genre,
        "journal_url": reverse("parcours:journal", args=[pk]),
        **paginer(request, journal.Journal(parcours, lecteur, genre), PAR_PAGE),
    }
    template = "parcours/journal_liste.html" if demande_journal(request) else "parcours/journal.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response
