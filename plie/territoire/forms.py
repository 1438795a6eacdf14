from django import forms

from plie.conflits import ConflictDetectionMixin
from plie.decimaux import DecimalFrField
from plie.listes import FiltresForm
from plie.territoire.models import Commune


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
