import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone

from plie.acces.models import BIGINT_MAX, TypeObjet

DATE_ERROR = "Saisissez une date au format JJ/MM/AAAA, par exemple 05/03/2026."
# Dates outside these years are typing errors; they would also overflow the timezone arithmetic.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _date_field(label):
    return forms.DateField(
        label=label,
        required=False,
        error_messages={"invalid": DATE_ERROR},
        widget=forms.TextInput(attrs={"placeholder": "JJ/MM/AAAA", "inputmode": "numeric", "maxlength": 10}),
    )


class JournalFilterForm(forms.Form):
    """The filters of the journal; each valid field filters, an invalid one is reported beside itself."""

    q = forms.CharField(label="Personne (nom ou email)", required=False, max_length=100)
    type_objet = forms.ChoiceField(label="Type d'objet", required=False, choices=[("", "Tous"), *TypeObjet.choices])
    refuse = forms.ChoiceField(
        label="Accès",
        required=False,
        choices=[("", "Tous"), ("oui", "Refusés seulement"), ("non", "Accordés seulement")],
    )
    du = _date_field("Du")
    au = _date_field("Au")
    objet = forms.IntegerField(
        label="N° de l'objet",
        required=False,
        min_value=1,
        max_value=BIGINT_MAX,
        error_messages={"invalid": "Saisissez un nombre entier."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            if self.is_bound and name in self.errors:
                css += " is-invalid"
            field.widget.attrs["class"] = css

    def _clean_year(self, name):
        value = self.cleaned_data.get(name)
        if value and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise forms.ValidationError(f"Saisissez une date entre {FIRST_YEAR} et {LAST_YEAR}.")
        return value

    def clean_du(self):
        return self._clean_year("du")

    def clean_au(self):
        return self._clean_year("au")

    def clean(self):
        data = super().clean()
        if data.get("du") and data.get("au") and data["du"] > data["au"]:
            self.add_error("au", "La date de fin précède la date de début.")  # also drops it from the filters
        return data

    def filter(self, rows):
        """``rows`` narrowed by every field that is valid (``cleaned_data`` holds only those)."""
        if not self.is_bound:
            return rows
        self.is_valid()
        data = self.cleaned_data
        for word in data.get("q", "").split():
            rows = rows.filter(Q(utilisateur_libelle__icontains=word))
        if data.get("type_objet"):
            rows = rows.filter(type_objet=data["type_objet"])
        if data.get("refuse"):
            rows = rows.filter(refuse=data["refuse"] == "oui")
        if data.get("objet"):
            rows = rows.filter(objet_id=data["objet"])
        if data.get("du"):
            rows = rows.filter(date__gte=_start_of(data["du"]))
        if data.get("au"):
            rows = rows.filter(date__lt=_start_of(data["au"] + datetime.timedelta(days=1)))
        return rows


def _start_of(day):
    """Midnight in Paris, the day the person typed."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
