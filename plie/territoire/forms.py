from django import forms
from django.db.models import Q

from plie.accounts.models import Structure
from plie.conflits import ConflictDetectionMixin
from plie.decimaux import DecimalFrField
from plie.listes import FiltresForm
from plie.territoire.models import CategorieRessource, Commune, RessourceTerritoire


class CommuneSearchForm(FiltresForm):
    q = forms.CharField(label="Rechercher (nom, code INSEE, code postal)", required=False, max_length=100)
    sans_coordonnees = forms.BooleanField(label="Seulement les communes sans coordonnées", required=False)

    def filtre_q(self, communes, texte):
        return communes.search(texte)

    def filtre_sans_coordonnees(self, communes, value):
        return communes.filter(latitude__isnull=True)


class CommuneCentroidForm(ConflictDetectionMixin, forms.ModelForm):
    class Meta:
        model = Commune
        fields = ["latitude", "longitude"]
        # French readers type a decimal comma (46,32313); a dot is accepted too.
        field_classes = {"latitude": DecimalFrField, "longitude": DecimalFrField}
        help_texts = {
            "latitude": "En degrés décimaux, par exemple 46,32313.",
            "longitude": "En degrés décimaux, par exemple -0,45877.",
        }

    def clean(self):
        cleaned = super().clean()
        lat, lon = cleaned.get("latitude"), cleaned.get("longitude")
        if (lat is None) != (lon is None) and not self.errors:
            raise forms.ValidationError("Indiquez la latitude et la longitude, ou aucune des deux.")
        if lat is not None and not -90 <= lat <= 90:
            self.add_error("latitude", "La latitude est comprise entre -90 et 90.")
        if lon is not None and not -180 <= lon <= 180:
            self.add_error("longitude", "La longitude est comprise entre -180 et 180.")
        return cleaned


class RessourceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, ressource):
        return f"{ressource.get_categorie_display()} — {ressource.nom} ({ressource.porteur_libelle})"


def ressources_proposees(referentiel, texte="", garder=None):
    """The active ressources of the PLIE's catalogue matching ``texte``, plus the one already chosen."""
    rows = RessourceTerritoire.objects.du_referentiel(referentiel).actives().search(texte)
    if garder:
        rows = rows | RessourceTerritoire.objects.filter(pk=garder)
    return rows.select_related("structure").order_by("categorie", "nom", "id")


class RessourceSearchForm(FiltresForm):
    q = forms.CharField(label="Rechercher (nom, porteur)", required=False, max_length=100)
    categorie = forms.ChoiceField(
        label="Catégorie", required=False, choices=[("", "Toutes"), *CategorieRessource.choices]
    )
    active = forms.ChoiceField(
        label="État", required=False, choices=[("", "Toutes"), ("oui", "Actives"), ("non", "Inactives")]
    )

    def filtre_q(self, rows, texte):
        return rows.search(texte)

    def filtre_categorie(self, rows, categorie):
        return rows.filter(categorie=categorie)

    def filtre_active(self, rows, active):
        return rows.filter(active=active == "oui")


class RessourceForm(ConflictDetectionMixin, forms.ModelForm):
    class Meta:
        model = RessourceTerritoire
        fields = ["nom", "categorie", "structure", "porteur", "contact", "conditions"]
        widgets = {"conditions": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categorie"].choices = [("", "Choisir…"), *CategorieRessource.choices]
        self.fields["structure"].queryset = Structure.objects.filter(
            Q(active=True) | Q(pk=self.instance.structure_id)
        ).order_by("nom")
        self.fields["structure"].empty_label = "Aucune (indiquez le porteur)"

    def clean_nom(self):
        nom = " ".join(self.cleaned_data["nom"].split())
        doublon = RessourceTerritoire.objects.filter(referentiel_id=self.instance.referentiel_id, nom__iexact=nom)
        if doublon.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Une ressource de ce nom existe déjà dans le catalogue.")
        return nom

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("structure") and not (cleaned.get("porteur") or "").strip() and "porteur" not in self.errors:
            self.add_error("porteur", "Indiquez la structure qui porte la ressource, ou son porteur.")
        return cleaned
