"""« Courriers à envoyer » (the convocation letters a référent prints and posts) and the fallback of a
failed convocation message (parcours/courriers.py).

The URLs name a message of the outbox, not the logged object: each request logs the participant's
parcours by hand, refusals too (the resolver test lists these pages among its motivated exemptions).
Another référent's letter is a 404.
"""

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from parcours import courriers
from plie import pdf, permissions
from plie.acces.journal import REFUSED_STATUSES, journalise_liste, noter
from plie.acces.models import BIGINT_MAX, Action, TypeObjet
from plie.listes import paginer
from plie.notifications.models import Canal, Message
from plie.referentiel.models import Referentiel

INTROUVABLE = "Courrier introuvable, ou réservé au référent du participant et à la coordination."


def _parcours_de(pk):
    if not 0 < pk <= BIGINT_MAX:
        return None
    return Message.objects.filter(pk=pk).values_list("convocation__parcours_id", flat=True).first()


def _journalise_message(action=None):
    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, pk, **kwargs):
            try:
                response = view(request, pk, **kwargs)
            except (Http404, PermissionDenied):
                noter(request, TypeObjet.PARCOURS, _parcours_de(pk), action=action, refuse=True)
                raise
            refuse = response.status_code in REFUSED_STATUSES
            noter(request, TypeObjet.PARCOURS, _parcours_de(pk), action=action, refuse=refuse)
            return response

        return wrapper

    return decorate


def _message(request, pk):
    message = courriers.courrier_pour(request.user, pk)
    if message is None:
        raise Http404(INTROUVABLE)
    return message


@journalise_liste("parcours")
def liste(request):
    if not permissions.can_list_courriers(request.user):
        raise PermissionDenied
    context = paginer(request, courriers.courriers_de(request.user))
    response = render(
        request, "courriers/liste.html", {**context, "coordination": permissions.is_coordination(request.user)}
    )
    response.journal_objets = [m.convocation.parcours_id for m in context["page_obj"]]
    return response


@_journalise_message(action=Action.TELECHARGEMENT)
def telecharger(request, pk):
    message = _message(request, pk)
    referentiel = Referentiel.objects.active_or_none()
    if referentiel is None:
        raise Http404("Aucun référentiel n'est actif : la coordination doit en activer un.")
    contenu = courriers.rendre_courrier(message, referentiel)
    return pdf.reponse_pdf(contenu, courriers.nom_fichier(message), telecharger=True)


@_journalise_message()
def poster(request, pk):
    """« Marquer comme posté »: a confirmation page, then the POST records who and when, once."""
    message = _message(request, pk)
    if request.method == "POST":
        if courriers.marquer_poste(message, request.user):
            nom = message.convocation.parcours.participant.nom_complet
            messages.success(request, f"Le courrier de {nom} est marqué comme posté.")
        else:
            messages.info(request, "Ce courrier était déjà marqué comme posté (ou a été annulé) : rien n'a changé.")
        return redirect("courriers:liste")
    return render(request, "courriers/poster.html", {"message": message})


@require_POST
@_journalise_message()
def repli(request, pk):
    """Replace a failed convocation message by an email, or a letter to post."""
    message = Message.objects.filter(pk=pk).select_related("convocation__parcours__participant").first()
    if message is None or not permissions.can_handle_message(request.user, message):
        raise Http404(INTROUVABLE)
    canal = request.POST.get("canal", "")
    if canal not in (Canal.EMAIL, Canal.COURRIER):
        canal = courriers.canal_de_repli(message)
    try:
        courriers.repli(message, canal)
    except courriers.RepliImpossible as error:
        messages.error(request, str(error))
    else:
        nom = message.convocation.parcours.participant.nom_complet
        if canal == Canal.EMAIL:
            messages.success(request, f"La convocation de {nom} part par email.")
        else:
            messages.success(request, f"Le courrier de {nom} est prêt : il est dans vos courriers à envoyer.")
    return redirect("home")


@journalise_liste("parcours")
def a_signaler(request):
    """The référent's failed convocations (with their fallback) and the number of letters to post: a card
    the home loads after the page (htmx), or a page of its own without JavaScript."""
    if not permissions.can_list_courriers(request.user):
        raise PermissionDenied
    echecs = [
        (m, courriers.erreur_lisible(m), courriers.canal_de_repli(m)) for m in courriers.echecs_de(request.user)[:50]
    ]
    context = {"echecs": echecs, "courriers_a_envoyer": courriers.courriers_de(request.user).count()}
    template = "courriers/_a_signaler.html" if request.htmx else "courriers/a_signaler.html"
    response = render(request, template, context)
    response.journal_objets = [m.convocation.parcours_id for m, _, _ in echecs]
    return response
