"""Forms of the parcours pages: search, and one form per transition built from its parameters."""

from django import forms

from parcours.models import Etat, MotifVeille
from plie.accounts.models import User

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label, required=True, help_text=""):
    return forms.DateField(label=label, required=required, widget=DATE_WIDGET, help_text=help_text)


class ReferentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user.get_full_name()} — {user.structure} ({user.referent_profile.etp} ETP)"


def _referent_field():
    return ReferentChoiceField(
        label="Référent",
        queryset=User.objects.active_referents().order_by("last_name", "first_name"),
        empty_label="Choisir un référent…",
    )


# The parameters of each transition method, in the order the form shows them.
FIELDS = {
    "referent": _referent_field,
    "date": lambda: _date("Date"),
    "date_premier_rdv": lambda: _date("Date du premier rendez-vous"),
    "date_entree": lambda: _date("Date d'entrée (signature du CER)"),
    "motif_veille": lambda: forms.ChoiceField(
        label="Motif de la veille", choices=[("", "Choisir…"), *MotifVeille.choices]
    ),
    "debut": lambda: _date("Début de la veille"),
    "fin_prevue": lambda: _date("Fin prévue de la veille"),
    "nouvelle_fin_prevue": lambda: _date("Nouvelle fin prévue"),
    "date_sortie_prevue": lambda: _date("Date de sortie prévue"),
    "date_sortie": lambda: _date("Date de sortie réelle"),
}
TRANSITION_FIELDS = {
    "demander_validation": [],
    "orienter": ["referent", "date"],
    "refuser": ["date"],
    "annuler": ["date"],
    "accueillir": ["date_premier_rdv"],
    "demarrer_accompagnement": ["date_entree"],
    "mettre_en_veille": ["motif_veille", "debut", "fin_prevue"],
    "prolonger_veille": ["nouvelle_fin_prevue"],
    "reprendre_accompagnement": ["date"],
    "renouveler": [],
    "proposer_sortie": ["date_sortie_prevue"],
    "retirer_proposition_sortie": [],
    "valider_sortie": ["date_sortie"],
    "changer_referent": ["referent"],
}


class TransitionForm(forms.Form):
    def __init__(self, transition, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition
        for name in TRANSITION_FIELDS[transition.name]:
            self.fields[name] = FIELDS[name]()
        self.fields["motif"] = forms.CharField(
            label="Motif" if transition.needs_motif else "Commentaire (facultatif)",
            required=transition.needs_motif,
            widget=forms.Textarea(attrs={"rows": 3}),
            max_length=2000,
        )


class ParcoursSearchForm(forms.Form):
    q = forms.CharField(label="Rechercher", required=False, max_length=100)
    etat = forms.ChoiceField(label="État", required=False, choices=[("", "Tous les états"), *Etat.choices])
