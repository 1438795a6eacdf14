"""The form of a suspension of the measure: its motive and its first and last days (both included)."""

import datetime

from django import forms
from django.utils.dateparse import parse_datetime

from parcours.forms import DATE_WIDGET, annee_plausible
from parcours.models import MotifSuspension
from parcours.models.suspensions import JOURS_MAX


class SuspensionForm(forms.Form):
    motif = forms.ChoiceField(
        label="Motif",
        choices=[("", "Choisir…"), *MotifSuspension.choices],
        help_text="Visible du référent et de la coordination seulement.",
    )
    debut = forms.DateField(label="Premier jour", widget=DATE_WIDGET, validators=[annee_plausible])
    fin = forms.DateField(label="Dernier jour", widget=DATE_WIDGET, help_text="Inclus.", validators=[annee_plausible])
    # The suspension's version as the person read it (its ``modifie_le``): a change meanwhile is refused.
    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args, suspension=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.suspension = suspension
        if suspension is not None:
            self.initial.setdefault("motif", suspension.motif)
            self.initial.setdefault("debut", suspension.debut)
            self.initial.setdefault("fin", suspension.fin)
            self.initial.setdefault("version", suspension.modifie_le.isoformat())

    def clean(self):
        cleaned = super().clean()
        debut, fin = cleaned.get("debut"), cleaned.get("fin")
        if debut and fin:
            if fin < debut:
                self.add_error("fin", f"Le dernier jour ne peut précéder le premier ({debut:%d/%m/%Y}).")
            elif fin - debut >= datetime.timedelta(days=JOURS_MAX):
                self.add_error("fin", f"Une suspension dure au plus {JOURS_MAX} jours : au-delà, c'est une veille.")
        return cleaned

    def suspension_lue(self):
        """The suspension as the person saw it: the service compares its version with the row's."""
        try:
            version = parse_datetime(self.cleaned_data.get("version") or "")
        except ValueError:  # well formed but impossible (month 13)
            version = None
        # Missing or junk: a version nobody read, so the save is refused rather than made blind.
        self.suspension.modifie_le = version or datetime.datetime.min.replace(tzinfo=datetime.UTC)
        return self.suspension

    def donnees(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("motif", "debut", "fin")}
