"""The journal page of a parcours: every event, newest first, by kind, a page at a time; and the
journal's card of the parcours page (:func:`section_journal`).

Whoever may open the parcours reads it (``Parcours.objects.visible_to``; 404 for anyone else), each
kind and each note under the rules of :func:`parcours.journal.lecteur`. A filter clicked with htmx
asks for the ``#journal`` section alone (:func:`demande_journal`).
"""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from parcours import journal
from parcours.models import Parcours
from plie.acces.journal import journalise
from plie.listes import paginer

PAR_PAGE = 50


def demande_journal(request) -> bool:
    """An htmx request for the journal's section alone (its filter clicked), not a history restore."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and htmx.target == "journal" and not htmx.history_restore_request


def section_journal(request, parcours, lecteur, url) -> dict:
    """The journal's card: its latest rows of the kind asked for (``?journal=…``), one query."""
    genre = journal.genre_demande(request.GET.get("journal"), lecteur)
    rows, suite = journal.Journal(parcours, lecteur, genre).derniers()
    return {
        "parcours": parcours,
        "journal": rows,
        "journal_suite": suite,
        "journal_genres": lecteur.genres,
        "journal_genre": genre,
        "journal_url": url,
    }


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
