"""The diagnostic's forms: the diagnostic itself, and one small form per frein theme (a formset).

Each is a ModelForm on an existing row with concurrent-change detection (:mod:`plie.conflits`):
two référents editing the same diagnostic never overwrite each other silently.
"""

from django import forms
from django.db.models import Case, IntegerField, Value, When
from django.utils.text import capfirst

from parcours.freins import Frein
from parcours.models import Diagnostic, FreinDiagnostic
from plie.conflits import ConflictDetectionMixin

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DiagnosticForm(ConflictDetectionMixin, forms.ModelForm):
    # Longer than the code itself: « k 2204 » is accepted and stored as K2204.
    code_rome = forms.CharField(
        label=capfirst(Diagnostic._meta.get_field("code_rome").verbose_name),  # « ROME » stays in capitals
        max_length=10,
        required=False,
        help_text=Diagnostic._meta.get_field("code_rome").help_text,
    )

    class Meta:
        model = Diagnostic
        fields = [
            "date_entretien",
            "duree_entretien_minutes",
            "potentiels",
            "souhaits_metiers",
            "code_rome",
            "niveau_formation",
            "parcours_professionnel",
            "permis_conduire",
            "vehicule",
            "autonomie_numerique",
        ]
        widgets = {
            "date_entretien": DATE_WIDGET,
            "potentiels": forms.Textarea(attrs={"rows": 3}),
            "souhaits_metiers": forms.Textarea(attrs={"rows": 2}),
            "parcours_professionnel": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "duree_entretien_minutes": {
                "min_value": "La durée est d'au moins 1 minute.",
                "max_value": "La durée est d'au plus 480 minutes (8 heures).",
                "invalid": "Indiquez un nombre entier de minutes.",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["niveau_formation"].choices = [("", "Non renseigné"), *self.fields["niveau_formation"].choices[1:]]
        self.fields["autonomie_numerique"].choices = [
            ("", "Non renseignée"),
            *self.fields["autonomie_numerique"].choices[1:],
        ]

    def clean_code_rome(self):
        # « k 2204 » is K2204: people type codes as they read them.
        return self.cleaned_data["code_rome"].replace(" ", "").upper()


class FreinForm(ConflictDetectionMixin, forms.ModelForm):
    class Meta:
        model = FreinDiagnostic
        fields = ["niveau", "commentaire"]
        widgets = {"commentaire": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        theme = self.instance.get_theme_display()
        self.fields["niveau"].label = f"{theme} : niveau"
        self.fields["commentaire"].label = f"{theme} : commentaire"


FreinFormSet = forms.modelformset_factory(FreinDiagnostic, form=FreinForm, extra=0, can_delete=False)


def freins_dans_l_ordre(diagnostic):
    """The diagnostic's freins in the vocabulary's order (the order of the form)."""
    order = Case(*[When(theme=t, then=Value(i)) for i, t in enumerate(Frein)], output_field=IntegerField())
    return diagnostic.freins.order_by(order, "pk")
