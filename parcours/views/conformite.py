"""« Respect du rythme »: over a period, per référent and for the whole PLIE, the share of parcours-days
within the référentiel's rhythm and the share of parcours with no overdue gap (:mod:`parcours.rythme`,
the one rule), the référent's absence days beside them (reported, not excused).

The coordination sees every référent; a référent their own line; an opérateur its own référents; the
PLIE's figure is for all of them and the financeur. No participant is named. Whom sees aggregates only
reads the figures under statistical secrecy: a rate over fewer than 5 parcours is not shown.
"""

import dataclasses
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from parcours import ateliers, rythme
from parcours.agenda import jours_ouvres_d_absence
from parcours.forms_agenda import PeriodeForm, referents
from parcours.models import AbsenceReferent, Parcours
from plie import aggregates, permissions
from plie.listes import paginer
from plie.referentiel.models import Referentiel


@dataclass(frozen=True)
class Ligne:
    referent: object  # None for the PLIE's line
    parcours: object  # the number of parcours the rhythm applied to (a Chiffre under secrecy)
    jours_conformes: float | None
    sans_retard: float | None
    jours_absence: int | None  # working days the référent was away; None on the PLIE's line
    frequence_ateliers: object = None  # parcours.ateliers.Frequence, for whom may see it


def _ligne(referent, resultats, jours_absence, secret):
    resultats = [r for r in resultats if r.jours > 0]
    jours, sans_retard = rythme.taux_conformite(resultats)
    nombre = len(resultats)
    if secret:
        [nombre], _ = aggregates.secret_statistique([nombre])
        if nombre.masque:
            jours = sans_retard = None
    return Ligne(referent, nombre, jours, sans_retard, jours_absence)


def conformite(request):
    user = request.user
    if not permissions.can_view_conformite(user):
        raise PermissionDenied
    referentiel = Referentiel.objects.active_or_none()
    if referentiel is None:
        raise Http404("Aucun référentiel n'est actif : la coordination doit en activer un.")
    form = PeriodeForm(request.GET)
    debut, fin = form.periode()
    secret = permissions.sees_aggregates_only(user)

    par_referent = {}
    tous = []
    for parcours, resultat in rythme.conformites(Parcours.objects.all(), referentiel, debut, fin):
        par_referent.setdefault(parcours.referent_id, []).append(resultat)
        tous.append(resultat)
    visibles = [r for r in referents().select_related("structure") if permissions.can_view_conformite_referent(user, r)]
    absences = {}
    for absence in AbsenceReferent.objects.entre(debut, fin).filter(referent__in=[r.pk for r in visibles]):
        absences.setdefault(absence.referent_id, []).append(absence)
    lignes = [
        _ligne(r, par_referent.get(r.pk, []), jours_ouvres_d_absence(absences.get(r.pk, []), debut, fin), secret)
        for r in visibles
        if r.pk in par_referent or r.referent_profile.actif
    ]
    # The référentiel's minimum frequency of ateliers, per référent: one query, for whom may see it.
    avec_frequence = [r.pk for r in visibles if permissions.can_view_frequence_ateliers(user, r)]
    frequences = ateliers.frequences(referentiel, avec_frequence) if avec_frequence else {}
    for i, ligne in enumerate(lignes):
        if ligne.referent.pk in frequences:
            lignes[i] = dataclasses.replace(ligne, frequence_ateliers=frequences[ligne.referent.pk])
    plie = _ligne(None, tous, None, secret)
    return render(
        request,
        "agenda/conformite.html",
        {
            "form": form,
            "debut": debut,
            "fin": fin,
            "referentiel": referentiel,
            "plie": plie,
            "secret": secret,
            "avec_referents": bool(visibles),
            "avec_frequence": bool(frequences),
            "legende": aggregates.LEGENDE if secret else "",
            **paginer(request, lignes),
        },
    )
