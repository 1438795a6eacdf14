"""The diagnostic page: read by whom may see sensitive data, written from the first appointment to the exit."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from parcours.diagnostic import diagnostic_en_cours, entretien_trop_court, freins_par_theme
from parcours.diagnostic_forms import DiagnosticForm, FreinFormSet, freins_dans_l_ordre
from parcours.models import Diagnostic, NatureDiagnostic, Parcours
from plie import permissions
from plie.acces.journal import journalise
from plie.referentiel.models import Referentiel


@journalise("parcours")
def diagnostic(request, pk):
    parcours = get_object_or_404(Parcours.objects.visible_to(request.user).select_related("participant"), pk=pk)
    user = request.user
    if not permissions.can_view_diagnostic(user, parcours):
        raise Http404("Diagnostic réservé au référent et à la coordination.")
    editable = permissions.can_edit_diagnostic(user, parcours)
    if request.method == "POST" and not editable:
        raise Http404("Le diagnostic ne se modifie plus à ce stade du parcours.")
    courant = diagnostic_en_cours(parcours, user, creer=editable)
    figes = list(
        Diagnostic.objects.filter(parcours=parcours)
        .exclude(nature=NatureDiagnostic.EN_COURS)
        .prefetch_related("freins")
        .order_by("fige_le")
    )
    form = formset = None
    if editable:
        data = request.POST if request.method == "POST" else None
        form = DiagnosticForm(data, instance=courant)
        formset = FreinFormSet(data, queryset=freins_dans_l_ordre(courant), prefix="freins")
        if data is not None and form.is_valid() and formset.is_valid():
            changed = [f for f in [form, *formset.forms] if f.modifie_par_la_personne()]
            if not changed:
                messages.info(request, "Aucune modification à enregistrer.")
                return redirect("parcours:diagnostic", pk=parcours.pk)
            with transaction.atomic():
                # Only what this person changed is compared, and saved only if none of it conflicts.
                ok = all([f.sans_conflit() for f in changed])  # noqa: C419 (every form checked, none skipped)
                if ok:
                    for changed_form in changed:
                        row = changed_form.save(commit=False)
                        row._history_user = user
                        if row is courant:
                            row.modifie_par = user
                        row.save()
                    if form not in changed:
                        Diagnostic.objects.filter(pk=courant.pk).update(modifie_par=user, modifie_le=timezone.now())
            if ok:
                messages.success(request, "Diagnostic enregistré.")
                return redirect("parcours:diagnostic", pk=parcours.pk)
    referentiel = Referentiel.objects.active_or_none()
    return render(
        request,
        "parcours/diagnostic.html",
        {
            "parcours": parcours,
            "diagnostic": courant,
            "freins": freins_par_theme(courant) if courant else [],
            "figes": [(d, freins_par_theme(d)) for d in figes],
            "alerte_duree": entretien_trop_court(courant, referentiel) if courant else "",
            "form": form,
            "formset": formset,
        },
    )
