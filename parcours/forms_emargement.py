"""Forms of the émargement sheets: the period of a parcours's sheets, the month of a référent's batch."""

import datetime
import re

from django import forms
from django.utils import timezone

from parcours import emargement
from parcours.forms_agenda import PeriodeForm, ReferentChoiceField, referents

# The earliest month a batch is asked for (the platform holds nothing older).
MOIS_MIN = datetime.date(2000, 1, 1)
_MOIS = re.compile(r"^\s*(?:(?P<m>\d{1,2})\s*/\s*(?P<a>\d{4})|(?P<a2>\d{4})-(?P<m2>\d{2}))\s*$")


class PeriodeEmargementForm(PeriodeForm):
    """The period of a parcours's sheets, the current month unless another is asked for (JJ/MM/AAAA)."""

    def __init__(self, data=None):
        super().__init__(data)
        self.defaut = emargement.mois(timezone.localdate())
        self.fields["debut"].initial, self.fields["fin"].initial = self.defaut


class MoisField(forms.Field):
    """A month, typed MM/AAAA or sent by the browser's month picker (AAAA-MM): its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "MM/AAAA", "maxlength": 7})

    def prepare_value(self, value):
        return f"{value:%Y-%m}" if isinstance(value, datetime.date) else value

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        match = _MOIS.match(value[:20])
        if match is None:
            raise forms.ValidationError("Saisissez un mois au format MM/AAAA (par exemple 11/2026).")
        annee, numero = int(match["a"] or match["a2"]), int(match["m"] or match["m2"])
        if not 1 <= numero <= 12:
            raise forms.ValidationError("Le mois est un nombre de 1 à 12 (par exemple 11/2026).")
        return datetime.date(annee, numero, 1)


class LotEmargementForm(forms.Form):
    """Which month's sheets, and for the coordination which référent's."""

    mois = MoisField(label="Mois", help_text="Les feuilles individuelles de ce mois, une par participant suivi.")
    referent = ReferentChoiceField(
        label="Référent",
        queryset=referents(),
        empty_label="Choisir un référent…",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, choix_du_referent=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mois"].initial = timezone.localdate().replace(day=1)
        if not choix_du_referent:
            del self.fields["referent"]

    def clean_mois(self):
        mois = self.cleaned_data["mois"]
        suivant = emargement.mois(timezone.localdate())[1] + datetime.timedelta(days=1)
        if mois < MOIS_MIN or mois > suivant:
            raise forms.ValidationError(
                f"Choisissez un mois entre 01/{MOIS_MIN:%Y} et le mois prochain ({suivant:%m/%Y})."
            )
        return mois
