"""Validations: France Travail's recorded by the coordination, the bureau insertion's by its users."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from plie import permissions
from plie.acces.journal import journalise
from plie.accounts.models import Role
from plie.listes import paginer
from prescriptions.forms import AvisForm, ValidationSearchForm
from prescriptions.models import Avis, Organisme, Prescription, ValidationPrescription
from prescriptions.validations import rendre_avis
from prescriptions.workflow import PrescriptionError


def validations_bureau_insertion(request):
    """The bureau insertion's queue: RSA referrals whose validation it is asked for."""
    if not request.user.has_role(Role.BUREAU_INSERTION):
        raise PermissionDenied
    validations = (
        ValidationPrescription.objects.filter(
            organisme=Organisme.BUREAU_INSERTION,
            prescription__in=Prescription.objects.visible_to(request.user),
        )
        .select_related("prescription", "prescription__structure", "prescription__commune", "avis_par")
        .order_by("-avis_le", "demandee_le")
    )
    form = ValidationSearchForm(request.GET)
    en_attente = form.valeurs().get("avis", "en_attente") == "en_attente"
    validations = validations.filter(avis=Avis.EN_ATTENTE) if en_attente else validations.exclude(avis=Avis.EN_ATTENTE)
    return render(
        request,
        "prescriptions/validations.html",
        {"form": form, "en_attente": en_attente, **paginer(request, form.filtrer(validations))},
    )


@journalise("prescription")
def avis(request, pk, organisme):
    prescription = get_object_or_404(Prescription.objects.visible_to(request.user), pk=pk)
    if organisme not in Organisme.values or not permissions.can_give_avis(request.user, organisme):
        raise Http404
    validation = get_object_or_404(ValidationPrescription, prescription=prescription, organisme=organisme)
    if validation.avis != Avis.EN_ATTENTE:
        messages.info(request, "L'avis est déjà enregistré.")
        return redirect("prescriptions:detail", pk=pk)
    form = AvisForm(request.POST or None)
    if organisme == Organisme.BUREAU_INSERTION:
        form.fields["interlocuteur"].initial = request.user.get_full_name()
    if request.method == "POST" and form.is_valid():
        try:
            rendre_avis(validation, request.user, **form.cleaned_data)
        except PrescriptionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "L'avis est enregistré ; la coordination en est informée.")
            return redirect("prescriptions:detail", pk=pk)
    return render(
        request, "prescriptions/avis.html", {"prescription": prescription, "validation": validation, "form": form}
    )
