"""The coordination keeps the structures of every type: list, creation, edition (no Django admin)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render

from plie import permissions
from plie.accounts.models import Structure, StructureType
from plie.conflits import ConflictDetectionMixin
from plie.listes import FiltresForm, paginer
from plie.phones import PhoneField
from plie.referentiel.models import Referentiel
from plie.territoire.models import Commune


class StructureSearchForm(FiltresForm):
    q = forms.CharField(label="Rechercher (nom, SIRET)", required=False, max_length=100)
    type = forms.ChoiceField(label="Type", required=False, choices=[("", "Tous"), *StructureType.choices])
    active = forms.ChoiceField(
        label="État", required=False, choices=[("", "Toutes"), ("oui", "Actives"), ("non", "Inactives")]
    )

    def filtre_q(self, rows, texte):
        for word in texte.split():
            rows = rows.filter(Q(nom__icontains=word) | Q(siret__startswith=word))
        return rows

    def filtre_type(self, rows, type_):
        return rows.filter(type=type_)

    def filtre_active(self, rows, active):
        return rows.filter(active=active == "oui")


class StructureForm(ConflictDetectionMixin, forms.ModelForm):
    telephone = PhoneField(label="Téléphone", required=False)

    class Meta:
        model = Structure
        fields = ["nom", "type", "type_prescripteur", "siret", "adresse", "commune", "email", "telephone", "active"]
        help_texts = {"active": "Une structure inactive n'est plus proposée dans les listes (invitations, postes)."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = Commune.objects.du_territoire(
            Referentiel.objects.active_or_none(), garder=self.instance.commune_id
        )
        self.fields["commune"].empty_label = "Aucune"
        self.fields["type_prescripteur"].help_text = "Obligatoire pour une structure prescriptrice, vide sinon."

    def clean_siret(self):
        siret = self.cleaned_data["siret"].replace(" ", "")
        if siret and (not siret.isdigit() or len(siret) != 14):
            raise forms.ValidationError("Le SIRET compte 14 chiffres.")
        return siret


def _require(user):
    if not permissions.can_manage_structures(user):
        raise PermissionDenied


def structure_list(request):
    _require(request.user)
    form = StructureSearchForm(request.GET)
    rows = form.filtrer(Structure.objects.select_related("commune")).order_by("nom", "pk")
    return render(request, "structures/list.html", {"form": form, **paginer(request, rows)})


def structure_edit(request, pk=None):
    _require(request.user)
    structure = get_object_or_404(Structure, pk=pk) if pk is not None else Structure()
    form = StructureForm(request.POST or None, instance=structure)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.sans_conflit()
            if saved:
                structure = form.save(commit=False)
                structure._history_user = request.user
                structure.save()
        if saved:
            messages.success(request, f"La structure « {structure.nom} » est enregistrée.")
            return redirect("structure_list")
    return render(request, "structures/edit.html", {"form": form, "structure": structure})
