"""The référent's agenda (day and week, free slots shown) and their own absences: list, enter, change, delete.

The référent reads their own agenda; the coordination any référent's, chosen in the page's form. Everyone
else gets a 403; a référent asking another's agenda or absence a 404 (``permissions.can_view_agenda``).
The agenda names the people met: each parcours shown is written in the access log.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from parcours import agenda as regles
from parcours import convocations_suivi
from parcours.forms_agenda import AbsenceReferentForm, AbsencesFiltresForm, AgendaForm, referents
from parcours.models import AbsenceReferent
from plie import permissions
from plie.acces.journal import journalise_liste
from plie.listes import paginer
from plie.referentiel.models import Referentiel


def _autorise(request):
    if not permissions.can_view_agenda(request.user):
        raise PermissionDenied


def _referent_demande(request, choisi=None):
    """The référent whose agenda or absences are asked for: for the coordination, the one chosen (None
    before a choice); for a référent, themself, and a 404 when the URL names anyone else."""
    user = request.user
    if permissions.is_coordination(user):
        referent = choisi
    elif request.GET.get("referent", "") in ("", str(user.pk)):
        referent = user
    else:
        raise Http404("Cet agenda n'est pas le vôtre.")
    if referent is not None and not permissions.can_view_agenda(user, referent):
        raise Http404("Cet agenda n'est pas le vôtre.")
    return referent


def url_agenda(referent, jour, vue=regles.VUE_SEMAINE):
    return f"{reverse('agenda:agenda')}?{urlencode({'referent': referent.pk, 'jour': jour.isoformat(), 'vue': vue})}"


@journalise_liste("parcours")
def agenda(request):
    _autorise(request)
    user = request.user
    coordination = permissions.is_coordination(user)
    form = AgendaForm(request.GET, choix_du_referent=coordination)
    valeurs = form.valeurs()
    referent = _referent_demande(request, valeurs.get("referent"))
    jour = valeurs.get("jour") or timezone.localdate()
    vue = valeurs.get("vue") or regles.VUE_SEMAINE
    context = {"form": form, "referent": referent, "jour": jour, "vue": vue}
    if referent is None:
        return render(request, "agenda/agenda.html", {**context, "jours": []})
    debut, fin = regles.periode(jour, vue)
    referentiel = Referentiel.objects.active_or_none()
    jours = regles.agenda(
        referent, debut, fin, duree_par_defaut=referentiel.duree_entretien_minutes if referentiel else None
    )
    # The convocations' answers and messages of the planned ones: one query for the period.
    convocations_suivi.annoter([rdv for j in jours for rdv in j.rendez_vous])
    precedent, suivant = regles.precedent_suivant(jour, vue)
    today = timezone.localdate()
    absences = sorted({a for j in jours for a in j.absences}, key=lambda a: (a.debut, a.pk))
    context.update(
        jours=[(j, url_agenda(referent, j.date, regles.VUE_JOUR)) for j in jours],
        colonnes=min(len(jours), 7),
        horaires=regles.HORAIRES,
        debut=debut,
        fin=fin,
        absences=absences,
        liens={
            "precedent": url_agenda(referent, precedent, vue),
            "suivant": url_agenda(referent, suivant, vue),
            "aujourdhui": url_agenda(referent, today, vue),
            "jour": url_agenda(referent, jour, regles.VUE_JOUR),
            "semaine": url_agenda(referent, jour, regles.VUE_SEMAINE),
        },
        nombre_rdv=sum(len(j.rendez_vous) for j in jours),
        nombre_libres=sum(len(j.libres) for j in jours),
        peut_saisir=permissions.can_edit_absences_referent(user, referent),
        aujourdhui=today,
    )
    response = render(request, "agenda/agenda.html", context)
    response.journal_objets = sorted({rdv.parcours_id for j in jours for rdv in j.rendez_vous})
    return response


def absences(request):
    """The absences of the référent (or, for the coordination, of every référent or the one chosen), newest first."""
    _autorise(request)
    coordination = permissions.is_coordination(request.user)
    form = AbsencesFiltresForm(request.GET, choix_du_referent=coordination)
    rows = AbsenceReferent.objects.select_related("referent").order_by("-debut", "-id")
    if coordination:
        rows = form.filtrer(rows)
        referent = form.valeurs().get("referent")
    else:
        referent = _referent_demande(request)
        rows = rows.du_referent(referent)
    return render(
        request,
        "agenda/absences.html",
        {"form": form, "referent": referent, "coordination": coordination, **paginer(request, rows)},
    )


def _retour(absence):
    return redirect(url_agenda(absence.referent, absence.debut))


def absence_create(request):
    _autorise(request)
    user = request.user
    coordination = permissions.is_coordination(user)
    initial = None
    if coordination:
        asked = request.GET.get("referent", "")
        initial = referents().filter(pk=asked).first() if asked.isdigit() else None
    else:
        _referent_demande(request)
    absence = AbsenceReferent(referent=None if coordination else user, cree_par=user)
    form = AbsenceReferentForm(
        request.POST or None, instance=absence, choix_du_referent=coordination, referent_initial=initial
    )
    if request.method == "POST" and form.is_valid():
        if not permissions.can_edit_absences_referent(user, form.instance.referent):
            raise Http404("Absence indisponible.")
        absence = form.save()
        messages.success(request, f"Absence enregistrée : {absence.libelle.lower()}.")
        return _retour(absence)
    retour = url_agenda(initial, timezone.localdate()) if initial else reverse("agenda:agenda")
    return render(request, "agenda/absence_form.html", {"form": form, "absence": None, "retour": retour})


def _absence(request, pk):
    _autorise(request)
    absence = get_object_or_404(AbsenceReferent.objects.select_related("referent"), pk=pk)
    if not permissions.can_edit_absences_referent(request.user, absence.referent):
        raise Http404("Absence indisponible.")
    return absence


def absence_edit(request, pk):
    absence = _absence(request, pk)
    form = AbsenceReferentForm(request.POST or None, instance=absence)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.sans_conflit()
            if saved:
                form.save()
        if saved:
            messages.success(request, f"Absence enregistrée : {absence.libelle.lower()}.")
            return _retour(absence)
    return render(
        request,
        "agenda/absence_form.html",
        {"form": form, "absence": absence, "retour": url_agenda(absence.referent, absence.debut)},
    )


def absence_delete(request, pk):
    absence = _absence(request, pk)
    if request.method == "POST":
        libelle = absence.libelle.lower()
        referent, debut = absence.referent, absence.debut
        absence.delete()
        messages.success(request, f"Absence supprimée : {libelle}.")
        return redirect(url_agenda(referent, debut))
    return render(
        request,
        "agenda/absence_delete.html",
        {"absence": absence, "retour": url_agenda(absence.referent, absence.debut)},
    )
