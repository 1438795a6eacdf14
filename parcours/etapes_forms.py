"""Forms of the étape pages: add or edit an étape (with the catalogue's search), and its transitions."""

from django import forms
from django.urls import reverse
from django.utils import timezone

from parcours.forms import DATE_WIDGET
from parcours.models import Etape
from plie.conflits import ConflictDetectionMixin
from plie.territoire.forms import RessourceChoiceField, ressources_proposees
from plie.territoire.models import RessourceTerritoire

# Pressing « Chercher » in the étape form re-shows it with the matching ressources, saving nothing.
CHERCHER = "chercher_ressource"


class EtapeForm(ConflictDetectionMixin, forms.ModelForm):
    recherche_ressource = forms.CharField(
        label="Chercher une ressource du territoire",
        required=False,
        max_length=100,
        help_text="Un mot du nom ou du porteur (« crèche », « mobilité »…), puis « Chercher ».",
    )
    ressource = RessourceChoiceField(
        label="Ressource du territoire", queryset=RessourceTerritoire.objects.none(), required=False
    )

    class Meta:
        model = Etape
        fields = ["type", "recherche_ressource", "ressource", "date_debut", "date_fin_prevue", "commentaire"]
        widgets = {
            "date_debut": DATE_WIDGET,
            "date_fin_prevue": DATE_WIDGET,
            "commentaire": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"commentaire": "Visible du référent et de la coordination seulement."}

    def __init__(self, referentiel, *args, recherche="", **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["commencee"] = forms.BooleanField(
                label="L'étape a déjà commencé (la date de début est alors la date réelle)", required=False
            )
        self.fields["type"].choices = [("", "Choisir…"), *Etape._meta.get_field("type").choices]
        field = self.fields["ressource"]
        field.queryset = ressources_proposees(referentiel, recherche, garder=self.instance.ressource_id)
        field.empty_label = "Aucune" if not recherche else "Aucune (ou choisissez parmi les résultats)"
        # With JavaScript the list follows what is typed (htmx); without it, the « Chercher » button.
        self.fields["recherche_ressource"].widget.attrs.update(
            {
                "type": "search",
                "hx-get": reverse("ressources:options"),
                "hx-trigger": "input changed delay:300ms, search",
                "hx-target": "#id_ressource",
                "hx-include": "#id_ressource",
                "autocomplete": "off",
            }
        )

    def clean(self):
        cleaned = super().clean()
        debut, fin = cleaned.get("date_debut"), cleaned.get("date_fin_prevue")
        if debut and fin and fin < debut:
            self.add_error("date_fin_prevue", f"La fin prévue ne peut précéder le début de l'étape ({debut:%d/%m/%Y}).")
        if self.instance.pk is None and cleaned.get("commencee") and debut and debut > timezone.localdate():
            self.add_error("date_debut", "Une étape déjà commencée a débuté au plus tard aujourd'hui.")
        return cleaned

    def donnees(self) -> dict:
        """What Etape.planifier / Etape.modifier take."""
        data = self.cleaned_data
        return {name: data[name] for name in ["type", "date_debut", "date_fin_prevue", "ressource", "commentaire"]}


class EtapeTransitionForm(forms.Form):
    date = forms.DateField(label="Date", widget=DATE_WIDGET)

    def __init__(self, transition, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].label = {
            "commencer": "Date de début réelle",
            "terminer": "Date de fin réelle",
            "abandonner": "Date de l'abandon",
        }[transition.name]
        self.fields["date"].initial = timezone.localdate()
        self.fields["motif"] = forms.CharField(
            label="Motif" if transition.needs_motif else "Commentaire (facultatif)",
            required=transition.needs_motif,
            widget=forms.Textarea(attrs={"rows": 3}),
            max_length=2000,
            help_text="Visible du référent et de la coordination seulement.",
        )
