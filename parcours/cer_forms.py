"""The contract's forms: the draft (with concurrent-change detection once saved), and each step's few fields."""

from django import forms
from django.utils import timezone

from parcours.models import Contrat
from plie import longueurs
from plie.conflits import ConflictDetectionMixin

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ContratForm(ConflictDetectionMixin, forms.ModelForm):
    cer_conditionne_rsa = forms.BooleanField(
        label="La signature du contrat conditionne la reprise des droits RSA",
        required=False,
        help_text="Le contrat peut alors être signé dès le premier rendez-vous.",
    )

    class Meta:
        model = Contrat
        fields = [
            "objectifs",
            "actions_prevues",
            "engagements_participant",
            "engagements_referent",
            "date_debut",
            "duree_mois",
        ]
        widgets = {
            "date_debut": DATE_WIDGET,
            "objectifs": forms.Textarea(attrs={"rows": 3}),
            "actions_prevues": forms.Textarea(attrs={"rows": 3}),
            "engagements_participant": forms.Textarea(attrs={"rows": 3}),
            "engagements_referent": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "duree_mois": {
                "min_value": "Un contrat dure au moins 1 mois.",
                "max_value": "Un contrat dure au plus 36 mois.",
                "invalid": "Indiquez un nombre entier de mois.",
            },
        }

    def __init__(self, *args, parcours, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cer_conditionne_rsa"].initial = parcours.cer_conditionne_rsa
        if self.instance.pk is None:
            self.fields["date_debut"].initial = timezone.localdate()


class SignatureForm(forms.Form):
    date_signature = forms.DateField(label="Date de la signature", widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_signature"].initial = timezone.localdate()


class MotifForm(forms.Form):
    motif = forms.CharField(label="Motif", widget=forms.Textarea(attrs={"rows": 3}), max_length=longueurs.COMMENTAIRE)


class ConfirmationForm(forms.Form):
    """A step without parameters: the button is the confirmation."""
