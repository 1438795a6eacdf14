"""Référents' posts and the places of accompaniment, kept by the coordination; vacancies declared by
the opérateur that employs the référent (N §VII) as soon as they start."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from plie import permissions
from plie.accounts.models import LieuAccompagnement, ReferentProfile, Role, Structure, User
from plie.conflits import ConflictDetectionMixin
from plie.decimaux import DecimalFrField
from plie.listes import FiltresForm, paginer
from plie.referentiel.models import Referentiel
from plie.territoire.models import Commune

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --- places of accompaniment -------------------------------------------------------------------


class LieuSearchForm(FiltresForm):
    q = forms.CharField(label="Rechercher (nom, commune)", required=False, max_length=100)

    def filtre_q(self, rows, texte):
        for word in texte.split():
            rows = rows.filter(Q(nom__icontains=word) | Q(commune__nom__icontains=word))
        return rows


class LieuForm(ConflictDetectionMixin, forms.ModelForm):
    class Meta:
        model = LieuAccompagnement
        fields = ["nom", "adresse", "commune"]
        help_texts = {"commune": "Une commune du territoire du référentiel actif."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = Commune.objects.du_territoire(
            Referentiel.objects.active_or_none(), garder=self.instance.commune_id
        )
        self.fields["commune"].empty_label = "Choisir une commune…"


def _require_postes(user):
    if not permissions.can_manage_postes(user):
        raise PermissionDenied


def lieu_list(request):
    _require_postes(request.user)
    form = LieuSearchForm(request.GET)
    rows = form.filtrer(LieuAccompagnement.objects.select_related("commune")).order_by("commune__nom", "nom", "pk")
    return render(request, "postes/lieu_list.html", {"form": form, **paginer(request, rows)})


def lieu_edit(request, pk=None):
    _require_postes(request.user)
    lieu = get_object_or_404(LieuAccompagnement, pk=pk) if pk is not None else LieuAccompagnement()
    form = LieuForm(request.POST or None, instance=lieu)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.sans_conflit()
            if saved:
                lieu = form.save()
        if saved:
            messages.success(request, f"Le lieu « {lieu.nom} » est enregistré.")
            return redirect("lieu_list")
    return render(request, "postes/lieu_edit.html", {"form": form, "lieu": lieu})


# --- référents' posts --------------------------------------------------------------------------


class PosteForm(ConflictDetectionMixin, forms.ModelForm):
    """The post of a référent: employer (on the account), ETP, places, start, vacancy.

    A post is held (``actif``) exactly when it has no vacancy date: one field, as the constraint says.
    """

    employeur = forms.ModelChoiceField(
        label="Employeur", queryset=Structure.objects.operateurs().filter(active=True), empty_label="Choisir…"
    )

    class Meta:
        model = ReferentProfile
        fields = ["etp", "lieux", "date_debut", "date_vacance"]
        field_classes = {"etp": DecimalFrField}
        widgets = {
            "lieux": forms.CheckboxSelectMultiple,
            "date_debut": DATE_WIDGET,
            "date_vacance": DATE_WIDGET,
        }
        help_texts = {"date_vacance": "Vide tant que le poste est occupé ; la date à laquelle il s'est libéré sinon."}

    def __init__(self, *args, referent, **kwargs):
        super().__init__(*args, **kwargs)
        self.referent = referent
        self.fields["employeur"].initial = referent.structure_id
        self.fields["lieux"].queryset = LieuAccompagnement.objects.select_related("commune")
        self.fields["lieux"].required = False
        if referent.structure_id:
            self.fields["employeur"].queryset = Structure.objects.operateurs().filter(
                Q(active=True) | Q(pk=referent.structure_id)
            )

    def clean(self):
        cleaned = super().clean()
        debut, vacance = cleaned.get("date_debut"), cleaned.get("date_vacance")
        if debut and vacance and vacance < debut:
            self.add_error("date_vacance", "La vacance ne peut précéder la prise de poste.")
        return cleaned

    def save(self, commit=True):
        profile = super().save(commit=False)
        profile.user = self.referent
        profile.actif = profile.date_vacance is None
        if commit:
            profile.save()
            self.save_m2m()
        return profile


def _referent(pk):
    return get_object_or_404(User.objects.filter(role=Role.REFERENT).select_related("structure"), pk=pk)


def poste_edit(request, pk):
    """The coordination creates (for a référent without one) or edits a référent's post."""
    _require_postes(request.user)
    referent = _referent(pk)
    profile = getattr(referent, "referent_profile", None) or ReferentProfile(
        user=referent, date_debut=timezone.localdate()
    )
    form = PosteForm(request.POST or None, instance=profile, referent=referent)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.sans_conflit()
            if saved:
                profile = form.save(commit=False)
                profile._history_user = request.user
                profile.save()
                form.save_m2m()
                if referent.structure_id != form.cleaned_data["employeur"].pk:
                    referent.structure = form.cleaned_data["employeur"]
                    referent.save(update_fields=["structure"])
        if saved:
            messages.success(request, f"Le poste de {referent.get_full_name()} est enregistré.")
            return redirect("referents")
    return render(request, "postes/poste_edit.html", {"form": form, "referent": referent})


class VacanceForm(forms.Form):
    date_vacance = forms.DateField(label="Poste vacant depuis le", widget=DATE_WIDGET)

    def __init__(self, *args, profile, **kwargs):
        super().__init__(*args, **kwargs)
        self.profile = profile
        self.fields["date_vacance"].initial = timezone.localdate()

    def clean_date_vacance(self):
        date = self.cleaned_data["date_vacance"]
        if date < self.profile.date_debut:
            raise forms.ValidationError(
                f"La vacance ne peut précéder la prise de poste du {self.profile.date_debut:%d/%m/%Y}."
            )
        if date > timezone.localdate():
            raise forms.ValidationError("Déclarez la vacance dès qu'elle commence, pas à l'avance.")
        return date


def vacance_declare(request, pk):
    """GET: the form and what it means; POST: the post becomes vacant from the given date."""
    referent = _referent(pk)
    profile = getattr(referent, "referent_profile", None)
    if profile is None:
        raise Http404
    if not permissions.can_view_referents(request.user):
        raise PermissionDenied
    if not permissions.can_declare_vacancy(request.user, referent):
        raise Http404  # an opérateur does not learn of another employer's référents
    if not profile.actif:
        messages.info(request, f"Le poste de {referent.get_full_name()} est déjà vacant.")
        return redirect("referents")
    form = VacanceForm(request.POST or None, profile=profile)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            locked = ReferentProfile.objects.select_for_update().get(pk=profile.pk)
            if locked.actif:
                locked.actif = False
                locked.date_vacance = form.cleaned_data["date_vacance"]
                locked._history_user = request.user
                locked.save()
        messages.success(
            request,
            f"Le poste de {referent.get_full_name()} est déclaré vacant depuis le "
            f"{form.cleaned_data['date_vacance']:%d/%m/%Y} ; la coordination réaffecte ses participants.",
        )
        return redirect("referents")
    return render(request, "postes/vacance.html", {"form": form, "referent": referent, "profile": profile})
