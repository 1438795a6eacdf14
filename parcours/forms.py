"""Forms of the parcours pages: search, one form per transition built from its parameters, and the
accueil's forms (first appointment, contact attempt)."""

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone

from parcours.accueil import AccueilError, lieux_du_referent, verifier_lieu
from parcours.models import CANAUX_ACCUEIL, Etat, Modalite, MotifVeille
from parcours.transitions import PAGES
from plie.accounts.models import User
from plie.listes import FiltresForm
from plie.normalisation import normaliser
from plie.territoire.models import Commune

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# What people type for a time, besides what the browser's time picker sends: 9:30, 09:30:00, 9h30, 9h.
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%Hh%M", "%Hh", "%H h %M", "%H h"]


# A date outside these years is a typo, and would overflow the rules' arithmetic (a veille's limit, a measure).
PREMIERE_ANNEE, DERNIERE_ANNEE = 2000, 2100


def annee_plausible(value):
    if not PREMIERE_ANNEE <= value.year <= DERNIERE_ANNEE:
        raise forms.ValidationError(f"Saisissez une date entre {PREMIERE_ANNEE} et {DERNIERE_ANNEE}.")


def _date(label, required=True, help_text=""):
    return forms.DateField(
        label=label, required=required, widget=DATE_WIDGET, help_text=help_text, validators=[annee_plausible]
    )


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


class TransitionForm(forms.Form):
    def __init__(self, transition, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition
        for name in PAGES[transition.name].champs:
            self.fields[name] = FIELDS[name]()
        self.fields["motif"] = forms.CharField(
            label="Motif" if transition.needs_motif else "Commentaire (facultatif)",
            required=transition.needs_motif,
            widget=forms.Textarea(attrs={"rows": 3}),
            max_length=2000,
        )


class ParcoursSearchForm(FiltresForm):
    q = forms.CharField(label="Rechercher (nom, prénom, commune)", required=False, max_length=100)
    etat = forms.ChoiceField(label="État", required=False, choices=[("", "Tous les états"), *Etat.choices])

    def filtre_q(self, parcours, texte):
        """Every word is in the person's names or in their commune's name, however either is typed.

        The communes (a territory's few hundred) are read once and matched here, accents aside; their
        ids go to the query as values: the planner then combines the two indexes (names, commune)
        instead of scanning every person to test a subquery.
        """
        mots = normaliser(texte).split()
        if not mots:
            return parcours
        communes = [(pk, normaliser(nom)) for pk, nom in Commune.objects.values_list("pk", "nom")]
        for mot in mots:
            ids = [pk for pk, nom in communes if mot in nom]
            parcours = parcours.filter(Q(participant__cle_recherche__contains=mot) | Q(participant__commune__in=ids))
        return parcours

    def filtre_etat(self, parcours, etat):
        return parcours.filter(etat=etat)


# --- accueil -----------------------------------------------------------------------------------


class LieuChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, lieu):
        return ", ".join(part for part in [lieu.nom, lieu.adresse, lieu.commune.nom] if part)


class PremierRdvForm(forms.Form):
    date = _date("Date du rendez-vous")
    heure = forms.TimeField(label="Heure", widget=TIME_WIDGET, input_formats=TIME_INPUT_FORMATS)
    modalite = forms.ChoiceField(
        label="Modalité", choices=Modalite.choices, initial=Modalite.PRESENTIEL, widget=forms.RadioSelect
    )
    lieu = LieuChoiceField(
        label="Lieu", queryset=None, required=False, empty_label="Un autre lieu (précisez-le ci-dessous)"
    )
    lieu_precision = forms.CharField(
        label="Autre lieu ou précision",
        required=False,
        max_length=200,
        help_text="Par exemple « Au CCAS de Chauray », ou le bureau. Pour un rendez-vous à distance, facultatif.",
    )
    duree_minutes = forms.IntegerField(label="Durée prévue (minutes)", required=False, min_value=5, max_value=480)

    def __init__(self, parcours, *args, duree_initiale=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parcours = parcours
        self.fields["lieu"].queryset = lieux_du_referent(parcours)
        if not self.fields["lieu"].queryset.exists():
            self.fields["lieu"].help_text = "Le référent n'a pas encore de lieu d'accompagnement : précisez le lieu."
        self.fields["duree_minutes"].initial = duree_initiale

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("heure"):
            data["debut"] = timezone.make_aware(datetime.datetime.combine(data["date"], data["heure"]))
        if "modalite" in data and "lieu" not in self.errors:
            try:
                verifier_lieu(self.parcours, data["modalite"], data.get("lieu"), data.get("lieu_precision", ""))
            except AccueilError as error:
                self.add_error(error.field if error.field in self.fields else None, error.message)
        return data


class TentativeContactForm(forms.Form):
    canal = forms.ChoiceField(
        label="Canal", choices=[(c.value, c.label) for c in CANAUX_ACCUEIL], widget=forms.RadioSelect
    )
    abouti = forms.BooleanField(label="La personne a été jointe", required=False)
    date = forms.DateTimeField(
        label="Date et heure",
        required=False,
        widget=DATETIME_WIDGET,
        help_text="Maintenant, sauf si vous notez une tentative plus ancienne.",
    )
    commentaire = forms.CharField(
        label="Commentaire (facultatif)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Lu seulement par le référent du parcours et la coordination.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localtime().replace(second=0, microsecond=0)
