from django import forms

from plie.conflits import ConflictDetectionMixin
from plie.decimaux import DecimalFrField
from plie.territoire.models import Commune


class CommuneSearchForm(forms.Form):
    q = forms.CharField(label="Rechercher une commune", required=False, max_length=100)
    sans_coordonnees = forms.BooleanField(label="Seulement les communes sans coordonnées", required=False)


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
