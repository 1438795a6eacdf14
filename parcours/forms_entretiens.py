"""Forms of the entretiens and contacts: plan an entretien, close one (and fix the next), log a contact."""

import datetime

from django import forms
from django.utils import timezone

from parcours.accueil import lieux_du_referent
from parcours.entretiens import Prochain
from parcours.forms import (
    DATE_WIDGET,
    DATETIME_WIDGET,
    TIME_INPUT_FORMATS,
    TIME_WIDGET,
    LieuChoiceField,
    PremierRdvForm,
)
from parcours.models import CanalContact, ConfirmationDistance, Modalite, StatutRendezVous
from parcours.models.rendez_vous import CHAMPS_PREUVE, DUREE_REELLE_MAX, DUREE_REELLE_MIN, MOYEN_DISTANCE_MAX
from plie import longueurs
from plie.conflits import ConflictDetectionMixin

S = StatutRendezVous
NOTES_AIDE = "Lu seulement par le référent du parcours et la coordination."
PREUVE_AIDE = (
    "Sans feuille d'émargement signée, le FSE+ demande la preuve de l'entretien à distance : moyen utilisé et "
    "confirmation du participant"
)
MOYEN_AIDE = "L'outil ou le numéro (« Visio Teams », « appel au 05 49 … »)."
CONFIRMATION_AIDE = "Par email, SMS ou courrier signé ; laissez « Pas encore reçue » tant qu'elle n'est pas arrivée."
CONFIRMATION_LE_AIDE = "Le jour où la confirmation est arrivée : celui de l'entretien ou après, pas dans le futur."


class EntretienForm(PremierRdvForm):
    """The same fields as the first appointment's: date, time, modality, place, planned length."""

    def __init__(self, parcours, *args, **kwargs):
        super().__init__(parcours, *args, **kwargs)
        self.fields["date"].label = "Date de l'entretien"


class ClotureForm(ConflictDetectionMixin, forms.Form):
    """Close an appointment; its model fields (issue, length, subject, notes) are checked for a
    concurrent change (plie.conflits), and the next appointment is offered in the same form."""

    aide_preuve = PREUVE_AIDE

    statut = forms.ChoiceField(
        label="Issue du rendez-vous",
        choices=[(s.value, s.label) for s in (S.HONORE, S.EXCUSE, S.ABSENT, S.ANNULE)],
        widget=forms.RadioSelect,
    )
    duree_reelle_minutes = forms.IntegerField(
        label="Durée réelle (minutes)",
        required=False,
        help_text="Pour un entretien tenu.",
        widget=forms.NumberInput(attrs={"min": DUREE_REELLE_MIN, "max": DUREE_REELLE_MAX}),
    )
    sujet = forms.CharField(label="Objet de l'entretien", required=False, max_length=200)
    notes = forms.CharField(
        label="Notes (facultatif)",
        required=False,
        max_length=longueurs.COMMENTAIRE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=NOTES_AIDE,
    )
    # The proof of a remote entretien (N §III « à distance »): only on a phone or video entretien.
    moyen_distance = forms.CharField(
        label="Moyen utilisé", required=False, max_length=MOYEN_DISTANCE_MAX, help_text=MOYEN_AIDE
    )
    confirmation_participant = forms.ChoiceField(
        label="Confirmation du participant",
        required=False,
        choices=[("", "Pas encore reçue")] + ConfirmationDistance.choices,
    )
    confirmation_le = forms.DateField(label="Confirmé le", required=False, widget=DATE_WIDGET)
    prochain_date = forms.DateField(
        label="Prochain rendez-vous : date", required=False, widget=DATE_WIDGET, help_text="Facultatif, conseillé."
    )
    prochain_heure = forms.TimeField(
        label="Heure", required=False, widget=TIME_WIDGET, input_formats=TIME_INPUT_FORMATS
    )
    prochain_modalite = forms.ChoiceField(
        label="Modalité",
        required=False,
        choices=Modalite.choices,
        initial=Modalite.PRESENTIEL,
        widget=forms.RadioSelect,
    )
    prochain_lieu = LieuChoiceField(
        label="Lieu", queryset=None, required=False, empty_label="Un autre lieu (précisez-le ci-dessous)"
    )
    prochain_lieu_precision = forms.CharField(label="Autre lieu ou précision", required=False, max_length=200)

    def __init__(self, rdv, *args, **kwargs):
        self.instance = rdv
        super().__init__(*args, **kwargs)
        self.fields["prochain_lieu"].queryset = lieux_du_referent(rdv.parcours)
        if rdv.lieu_id:
            self.fields["prochain_lieu"].initial = rdv.lieu_id
        self.fields["prochain_modalite"].initial = rdv.modalite
        if rdv.modalite == Modalite.PRESENTIEL:
            # Face to face, the signed sheet is the proof: the fields are absent, whatever is posted is ignored.
            for name in CHAMPS_PREUVE:
                del self.fields[name]

    @property
    def preuve_distance(self) -> bool:
        """Whether the form asks for a remote entretien's proof (phone or video)."""
        return "moyen_distance" in self.fields

    def _preuve(self, data):
        """The proof typed, as :meth:`RendezVous.honorer` takes it; None when nothing was typed."""
        if not self.preuve_distance:
            return None
        preuve = {name: data.get(name) for name in CHAMPS_PREUVE}
        if not (preuve["moyen_distance"] or preuve["confirmation_participant"] or preuve["confirmation_le"]):
            return None
        if data.get("statut") != S.HONORE:
            self.add_error(
                "moyen_distance",
                "La preuve d'un entretien à distance se note pour un entretien tenu : videz ces champs.",
            )
            return None
        verifier_confirmation(self, preuve)
        return preuve

    def clean(self):
        data = super().clean()
        data["preuve"] = self._preuve(data)
        if (
            data.get("statut") == S.HONORE
            and data.get("duree_reelle_minutes") is None
            and not self.has_error("duree_reelle_minutes")
        ):
            self.add_error("duree_reelle_minutes", "Indiquez la durée réelle de l'entretien, en minutes.")
        jour, heure = data.get("prochain_date"), data.get("prochain_heure")
        data["prochain"] = None
        if jour and not heure and not self.has_error("prochain_heure"):
            self.add_error("prochain_heure", "Indiquez l'heure du prochain rendez-vous.")
        elif heure and not jour and not self.has_error("prochain_date"):
            self.add_error("prochain_date", "Indiquez la date du prochain rendez-vous.")
        elif jour and heure:
            data["prochain"] = Prochain(
                debut=timezone.make_aware(datetime.datetime.combine(jour, heure)),
                modalite=data.get("prochain_modalite") or Modalite.PRESENTIEL,
                lieu=data.get("prochain_lieu"),
                lieu_precision=data.get("prochain_lieu_precision", ""),
                duree_minutes=self.instance.duree_minutes,
            )
        return data


def verifier_confirmation(form, data):
    """A confirmation has its date and a date its confirmation: the message next to the missing field."""
    confirmation, le = data.get("confirmation_participant"), data.get("confirmation_le")
    if confirmation and le is None:
        if not form.has_error("confirmation_le"):
            form.add_error("confirmation_le", "Indiquez la date de la confirmation du participant.")
    elif le is not None and not confirmation:
        form.add_error(
            "confirmation_participant", "Indiquez comment le participant a confirmé (email, SMS ou courrier)."
        )


class PreuveDistanceForm(ConflictDetectionMixin, forms.Form):
    """The proof of a held remote entretien, added or changed after its closing (the participant's
    confirmation usually arrives later); the three fields are checked for a concurrent change."""

    aide_preuve = PREUVE_AIDE

    moyen_distance = forms.CharField(
        label="Moyen utilisé", required=False, max_length=MOYEN_DISTANCE_MAX, help_text=MOYEN_AIDE
    )
    confirmation_participant = forms.ChoiceField(
        label="Confirmation du participant",
        required=False,
        choices=[("", "Pas encore reçue")] + ConfirmationDistance.choices,
        help_text=CONFIRMATION_AIDE,
    )
    confirmation_le = forms.DateField(
        label="Confirmé le", required=False, widget=DATE_WIDGET, help_text=CONFIRMATION_LE_AIDE
    )

    def __init__(self, rdv, *args, **kwargs):
        self.instance = rdv
        kwargs.setdefault("initial", {name: getattr(rdv, name) for name in CHAMPS_PREUVE})
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        verifier_confirmation(self, data)
        return data

    def preuve(self) -> dict:
        """The proof typed, as :meth:`RendezVous.enregistrer_preuve` takes it."""
        return {name: self.cleaned_data.get(name) for name in CHAMPS_PREUVE}


class ContactForm(forms.Form):
    canal = forms.ChoiceField(label="Canal", choices=CanalContact.choices, widget=forms.RadioSelect)
    abouti = forms.BooleanField(label="La personne a été jointe (ou l'échange a eu lieu)", required=False)
    date = forms.DateTimeField(
        label="Date et heure",
        required=False,
        widget=DATETIME_WIDGET,
        help_text="Maintenant, sauf si vous notez un contact plus ancien.",
    )
    partenaire = forms.CharField(
        label="Partenaire (nom, structure)",
        required=False,
        max_length=200,
        help_text="Pour un échange avec un partenaire au sujet de la personne.",
    )
    avertissement_absence = forms.BooleanField(
        label="J'ai informé la personne qu'une nouvelle absence injustifiée peut mettre fin à l'accompagnement",
        required=False,
    )
    commentaire = forms.CharField(
        label="Commentaire (facultatif)",
        required=False,
        max_length=longueurs.COMMENTAIRE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NOTES_AIDE,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localtime().replace(second=0, microsecond=0)
