"""The prescripteur's pages: « Mes prescriptions », the fiche (draft, submission, complement)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from plie import permissions
from plie.acces.journal import journalise
from plie.listes import paginer
from prescriptions.forms import PrescriptionSearchForm
from prescriptions.models import CHAMPS_IDENTITE, Prescription, decidee
from prescriptions.transitions import ENVOI
from prescriptions.workflow import PrescriptionError, Statut


def mes_prescriptions(request):
    if not permissions.can_prescribe(request.user):
        raise PermissionDenied
    form = PrescriptionSearchForm(request.GET, statuts=list(Statut))
    prescriptions = form.filtrer(
        Prescription.objects.filter(prescripteur=request.user).select_related(
            "commune", "parcours", "parcours__referent"
        )
    )
    # Open ones first (drafts, then those awaiting a decision), then by date sent, latest first.
    prescriptions = prescriptions.annotate(decidee=decidee()).order_by(
        "decidee", F("envoyee_le").desc(nulls_first=True), "-modifie_le", "-id"
    )
    return render(
        request,
        "prescriptions/mes_prescriptions.html",
        {"form": form, **paginer(request, prescriptions)},
    )


def _save(request, form, prescription):
    """Save the fiche; with « Envoyer », submit it in the same transaction. None: a conflicting edit."""
    with transaction.atomic():
        if not form.sans_conflit():
            return None
        prescription = form.save(commit=False)
        prescription._history_user = request.user
        prescription.save()
        form.save_m2m()
        if form.sending:
            ENVOI.appliquer(
                prescription, request.user, identite_modifiee=bool(set(form.changed_data) & set(CHAMPS_IDENTITE))
            )
    return prescription


def _edit(request, prescription):
    sending = request.method == "POST" and ENVOI.name in request.POST
    form = ENVOI.form_class(request.POST or None, instance=prescription, sending=sending)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save(request, form, prescription)
        except PrescriptionError as error:
            saved = None
            form.add_error(None, error.message)
        if saved is not None:
            prescription = saved
            if sending:
                messages.success(request, "La prescription est envoyée à la coordination du PLIE.")
                return redirect("prescriptions:detail", pk=prescription.pk)
            messages.success(request, "Le brouillon est enregistré. Vous pourrez l'envoyer plus tard.")
            return redirect("prescriptions:edit", pk=prescription.pk)
    elif request.method == "POST":
        messages.error(
            request,
            "La prescription n'est pas envoyée : corrigez les champs signalés."
            if sending
            else "Le brouillon n'est pas enregistré : corrigez les champs signalés.",
        )
    return render(request, ENVOI.template, {"form": form, "prescription": prescription, "envoi": ENVOI})


def prescription_create(request):
    if not permissions.can_prescribe(request.user):
        raise PermissionDenied
    user = request.user
    return _edit(request, Prescription(prescripteur=user, structure=user.structure))


@journalise("prescription")
def prescription_edit(request, pk):
    prescription = get_object_or_404(Prescription.objects.filter(prescripteur=request.user), pk=pk)
    if not permissions.can_edit_prescription(request.user, prescription):
        messages.info(request, "Cette prescription est envoyée : elle ne se modifie plus.")
        return redirect("prescriptions:detail", pk=pk)
    return _edit(request, prescription)


@journalise("prescription")
def prescription_delete(request, pk):
    prescription = get_object_or_404(
        Prescription.objects.filter(prescripteur=request.user, statut=Statut.BROUILLON), pk=pk
    )
    if request.method == "POST":
        prescription.delete()
        messages.success(request, "Le brouillon est supprimé.")
        return redirect("prescriptions:mine")
    if not permissions.can_prescribe(request.user):
        raise Http404
    return render(request, "prescriptions/delete.html", {"prescription": prescription})
