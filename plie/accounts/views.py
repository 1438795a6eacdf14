from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import render

from parcours.services import charges, with_file_active
from plie import permissions
from plie.accounts.models import LieuAccompagnement, Role, Structure, User
from plie.referentiel.models import Referentiel

STATUTS = [("", "Tous"), ("actif", "En poste"), ("vacant", "Poste vacant")]


class ReferentSearchForm(forms.Form):
    q = forms.CharField(label="Rechercher", required=False, max_length=100)
    structure = forms.ModelChoiceField(
        label="Employeur",
        queryset=Structure.objects.operateurs(),
        required=False,
        empty_label="Tous",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    statut = forms.ChoiceField(label="Statut", choices=STATUTS, required=False)


def referent_list(request):
    """Référents with their post (ETP, places, vacancy) and their load. Opérateurs see their own."""
    user = request.user
    if not permissions.can_view_referents(user):
        raise PermissionDenied
    form = ReferentSearchForm(request.GET or None)
    referents = User.objects.filter(role=Role.REFERENT, referent_profile__isnull=False)
    if user.role == Role.OPERATEUR:
        referents = referents.filter(structure=user.structure)
        del form.fields["structure"]
    if form.is_valid():
        for word in form.cleaned_data["q"].split():
            # Through a subquery: joining the places here would multiply the file-active count.
            matching = User.objects.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(referent_profile__lieux__commune__nom__icontains=word)
            )
            referents = referents.filter(pk__in=matching.values("pk"))
        if form.cleaned_data.get("structure"):
            referents = referents.filter(structure=form.cleaned_data["structure"])
        if form.cleaned_data["statut"]:
            referents = referents.filter(referent_profile__actif=form.cleaned_data["statut"] == "actif")
    referents = with_file_active(
        referents.select_related("structure", "referent_profile").prefetch_related(
            Prefetch("referent_profile__lieux", queryset=LieuAccompagnement.objects.select_related("commune"))
        )
    ).order_by("-referent_profile__actif", "last_name", "first_name")
    page = Paginator(referents, 25).get_page(request.GET.get("page"))
    page.object_list = charges(Referentiel.objects.active_or_none(), page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "referents/list.html", {"form": form, "page_obj": page, "querystring": query.urlencode()})
