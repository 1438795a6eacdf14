from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from parcours.forms import TransitionForm
from parcours.models import Parcours
from parcours.transitions import PAGES
from parcours.workflow import TRANSITIONS, TransitionError
from plie import permissions
from plie.acces.journal import journalise
from plie.referentiel.models import NoActiveReferentiel, Referentiel


@journalise("parcours")
def parcours_transition(request, pk, name):
    parcours = get_object_or_404(Parcours.objects.visible_to(request.user).select_related("participant"), pk=pk)
    transition = TRANSITIONS.get(name)
    if transition is None or not permissions.can_apply_transition(request.user, parcours, transition):
        raise Http404("Action indisponible pour ce parcours.")
    page = PAGES[name]
    if not page.generique:
        return redirect(page.url(parcours))
    form = TransitionForm(transition, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if page.referentiel:
                form.cleaned_data["referentiel"] = Referentiel.objects.active()
            page.appliquer(parcours, request.user, **form.cleaned_data)
        except TransitionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except NoActiveReferentiel as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"« {transition.label} » : c'est enregistré.")
            return redirect("parcours:detail", pk=parcours.pk)
    return render(request, "parcours/transition.html", {"parcours": parcours, "transition": transition, "form": form})
