"""One mechanism for every page that shows a named person: ``@journalise("parcours")`` (``@journalise_liste``
for a page listing several).

The decorator writes one row per request, after the view ran: granted, or refused when the view
raised Http404 / PermissionDenied or answered 403 / 404 (someone opening another's file is
logged with their name). Anonymous visitors never reach a view (LoginRequiredMiddleware).
``tests/plie/acces/test_acces.py`` walks the URL resolver and fails on any object URL that does not log.
"""

import functools

from django.core.exceptions import PermissionDenied
from django.http import Http404

from plie.acces.models import BIGINT_MAX, AccesDossier, Action, TypeObjet

REFUSED_STATUSES = {403, 404}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def journalise(type_objet, *, kwarg="pk", action=None):
    """Log every request to the decorated view as an access to the object named by ``kwarg``.

    ``action`` defaults to a consultation for GET and a modification for POST; a PDF view says
    ``action=Action.TELECHARGEMENT``, an export ``Action.EXPORT``.
    """
    type_objet = TypeObjet(type_objet)

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                response = view(request, *args, **kwargs)
            except (Http404, PermissionDenied):
                noter(request, type_objet, kwargs.get(kwarg), action=action, refuse=True)
                raise
            noter(
                request, type_objet, kwargs.get(kwarg), action=action, refuse=response.status_code in REFUSED_STATUSES
            )
            return response

        # Read by the resolver test: this view logs, and which kind of object.
        wrapper.journal_des_acces = type_objet
        return wrapper

    return decorate


def journalise_liste(type_objet, *, action=None):
    """The same for a page that lists several named people (the référent's agenda): the view puts the
    ids of the objects it shows on its response, ``response.journal_objets``; one row each is written in
    one query (none when it shows nobody). A refused request writes one refused row naming no object.
    """
    type_objet = TypeObjet(type_objet)

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                response = view(request, *args, **kwargs)
            except (Http404, PermissionDenied):
                noter(request, type_objet, None, action=action, refuse=True)
                raise
            if response.status_code in REFUSED_STATUSES:
                noter(request, type_objet, None, action=action, refuse=True)
            else:
                noter_plusieurs(request, type_objet, getattr(response, "journal_objets", []), action=action)
            return response

        wrapper.journal_des_acces = type_objet
        return wrapper

    return decorate


def noter(request, type_objet, objet_id, *, action=None, refuse=False):
    """Write the row; also for the views that log by hand (a task producing a file, say)."""
    if not request.user.is_authenticated:
        return None
    ligne = _ligne(request, type_objet, objet_id, action, refuse)
    ligne.save()
    return ligne


def noter_plusieurs(request, type_objet, objet_ids, *, action=None):
    """One row per object, in one query: a page that lists several named people (a reassignment)."""
    if not request.user.is_authenticated or not objet_ids:
        return []
    return AccesDossier.objects.bulk_create(_ligne(request, type_objet, i, action, False) for i in objet_ids)


def _ligne(request, type_objet, objet_id, action, refuse):
    """The unsaved row: who, as which role, which object, what, from which page."""
    user = request.user
    if action is None:
        action = Action.CONSULTATION if request.method in SAFE_METHODS else Action.MODIFICATION
    return AccesDossier(
        utilisateur=user,
        utilisateur_libelle=libelle(user),
        role=user.role,
        type_objet=type_objet,
        objet_id=_object_id(objet_id),
        action=action,
        refuse=refuse,
        chemin=request.path[:500],
    )


def libelle(user):
    name = user.get_full_name().strip()
    return (f"{name} ({user.email})" if name else user.email)[:400] or f"Utilisateur n° {user.pk}"


def _object_id(value):
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    return value if 0 < value <= BIGINT_MAX else None
