"""The coordination's « Dépenses à valider » (N §III.d: validated at the monthly team meeting): the list,
filtered (status, référent, month) and searched, validation in one click, refusal with its motive. Others get
a 403 on the list, a 404 on an expense."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from financement import depenses as regles
from financement.forms import DecisionForm, DepensesFiltresForm, RefusForm, version
from financement.models import DepenseAtelier, StatutDepense
from plie import permissions
from plie.listes import paginer
from plie.redirects import safe_next


def _autorise(request):
    if not permissions.can_decide_depenses_ateliers(request.user):
        raise PermissionDenied


def a_valider(request):
    _autorise(request)
    data = request.GET.copy()
    if "statut" not in data:  # a first visit: what the meeting has to decide; « Tous » sends statut=
        data["statut"] = StatutDepense.A_VALIDER
    form = DepensesFiltresForm(data)
    rows = form.filtrer(DepenseAtelier.objects.select_related("referent", "atelier")).order_by("date", "id")
    context = paginer(request, rows)
    context["depenses"] = [
        {
            "depense": d,
            "decision": DecisionForm(initial={"vu_le": version(d)}, auto_id=False)
            if d.statut == StatutDepense.A_VALIDER
            else None,
        }
        for d in context["page_obj"]
    ]
    return render(request, "depenses/a_valider.html", {"form": form, **context})


def _depense(request, pk):
    """The expense to decide; a 404 for whoever does not decide (an expense is an object: not a 403)."""
    if not permissions.can_decide_depenses_ateliers(request.user):
        raise Http404("Dépense indisponible.")
    return get_object_or_404(DepenseAtelier.objects.select_related("referent"), pk=pk)


def _retour(request):
    return safe_next(request, reverse("depenses:a_valider"))


@require_POST
def valider(request, pk):
    depense = _depense(request, pk)
    form = DecisionForm(request.POST)
    vu_le = form.cleaned_data.get("vu_le") if form.is_valid() else None
    try:
        regles.valider(depense, request.user, vu_le=vu_le)
    except regles.DepenseError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Dépense validée : {depense.referent.get_full_name()}, {regles.euros(depense.montant)} le "
            f"{depense.date:%d/%m/%Y}. Le référent est prévenu.",
        )
    return redirect(_retour(request))


def refuser(request, pk):
    depense = _depense(request, pk)
    form = RefusForm(request.POST or None, initial={"vu_le": version(depense)})
    if request.method == "POST" and form.is_valid():
        try:
            regles.refuser(depense, request.user, form.cleaned_data["motif"], vu_le=form.cleaned_data.get("vu_le"))
        except regles.DepenseError as error:
            form.add_error("motif" if error.field == "motif" else None, error.message)
        else:
            messages.success(
                request,
                f"Dépense refusée : {depense.referent.get_full_name()}, {regles.euros(depense.montant)} le "
                f"{depense.date:%d/%m/%Y}. Le référent est prévenu, avec le motif.",
            )
            return redirect(_retour(request))
    return render(request, "depenses/refus.html", {"form": form, "depense": depense, "retour": _retour(request)})
