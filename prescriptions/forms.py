"""Forms of the prescriptions: the fiche (draft or submission), the coordination's decisions."""

from django import forms
from django.core.exceptions import ValidationError

from parcours.freins import Frein
from plie import sensitive
from plie.conflits import ConflictDetectionMixin
from plie.listes import FiltresForm, chercher_personne
from plie.noms import NomField
from plie.obligatoires import mark_required
from plie.phones import PhoneField
from plie.referentiel.models import CriterePublic, Referentiel
from plie.territoire.models import Commune
from prescriptions.models import Avis, Prescription, SituationProfessionnelle
from prescriptions.workflow import MotifRefus, Statut

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OUI_NON = [("True", "Oui"), ("False", "Non")]

# What a submission cannot do without (a draft may lack anything).
REQUIRED_TO_SEND = {
    "nom_usage": "Indiquez le nom d'usage.",
    "prenoms": "Indiquez le ou les prénoms.",
    "sexe": "Indiquez le sexe.",
    "date_naissance": "Indiquez la date de naissance.",
    "situation": "Indiquez la situation professionnelle.",
    "inscrit_france_travail": "Indiquez si la personne est inscrite à France Travail.",
    "motifs": "Expliquez pourquoi vous orientez cette personne vers le PLIE.",
}


class CommuneChoiceField(forms.ModelChoiceField):
    default_error_messages = {
        "invalid_choice": (
            "Cette commune n'est pas sur le territoire du PLIE : choisissez-en une de la liste, "
            "ou saisissez-la dans « Autre commune »."
        )
    }

    def label_from_instance(self, commune):
        return f"{commune.nom} ({commune.codes_postaux})"


class PrescriptionForm(ConflictDetectionMixin, forms.ModelForm):
    """The fiche de prescription. ``sending=True`` checks everything and reports every error at once."""

    telephone_mobile = PhoneField(label="Téléphone mobile", required=False, mobile=True)
    telephone_fixe = PhoneField(label="Téléphone fixe", required=False)
    commune = CommuneChoiceField(
        label="Commune de résidence",
        queryset=Commune.objects.order_by("nom"),
        required=False,
        empty_label="Choisir la commune…",
    )
    criteres = forms.ModelMultipleChoiceField(
        label="Critères de public",
        queryset=CriterePublic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    inscrit_france_travail = forms.TypedChoiceField(
        label="Inscrit(e) à France Travail",
        choices=OUI_NON,
        coerce=lambda value: value == "True",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    freins = forms.MultipleChoiceField(
        label="Freins observés", choices=Frein.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Prescription
        fields = [
            "nom_usage",
            "nom_naissance",
            "prenoms",
            "sexe",
            "date_naissance",
            "telephone_mobile",
            "telephone_fixe",
            "email",
            "adresse",
            "code_postal",
            "commune",
            "commune_autre",
            "situation",
            "criteres",
            "inscrit_france_travail",
            "date_inscription_france_travail",
            "rup_demande",
            "motifs",
            "freins",
            "souhaite_assister_premier_rdv",
            "reponse_complement",
        ]
        field_classes = {"nom_usage": NomField, "nom_naissance": NomField, "prenoms": NomField}
        widgets = {
            "date_naissance": DATE_WIDGET,
            "date_inscription_france_travail": DATE_WIDGET,
            "motifs": forms.Textarea(attrs={"rows": 4}),
            "reponse_complement": forms.Textarea(attrs={"rows": 3}),
            "sexe": forms.RadioSelect,
        }

    SECTIONS = [
        ("Identité", ["nom_usage", "nom_naissance", "prenoms", "sexe", "date_naissance"]),
        (
            "Coordonnées",
            ["telephone_mobile", "telephone_fixe", "email", "adresse", "code_postal", "commune", "commune_autre"],
        ),
        (
            "Situation",
            ["situation", "criteres", "inscrit_france_travail", "date_inscription_france_travail", "rup_demande"],
        ),
        ("Motifs de l'orientation", ["motifs", "freins", "souhaite_assister_premier_rdv"]),
    ]

    def __init__(self, *args, sending=False, referentiel=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sending = sending
        # Only the communes of the territory the PLIE covers; one posted from elsewhere is refused.
        referentiel = referentiel or Referentiel.objects.active_or_none()
        self.fields["commune"].queryset = Commune.objects.du_territoire(referentiel)
        for name in ("nom_usage", "prenoms", "sexe", "date_naissance", "situation", "motifs"):
            self.fields[name].required = False
        mark_required(self, [*REQUIRED_TO_SEND, "reponse_complement"])  # a draft may leave them blank
        self.fields["sexe"].choices = [c for c in self.fields["sexe"].choices if c[0]]
        self.fields["situation"].choices = [("", "Choisir…"), *SituationProfessionnelle.choices]
        if self.instance.statut != Statut.COMPLEMENT_DEMANDE:
            del self.fields["reponse_complement"]
        else:
            self.fields["reponse_complement"].label = "Votre réponse à la coordination"
        self.fields["code_postal"].widget.attrs.update(inputmode="numeric", maxlength=5)

    def sections(self):
        sections = [(title, [self[name] for name in names]) for title, names in self.SECTIONS]
        if "reponse_complement" in self.fields:
            sections.insert(0, ("Complément demandé par la coordination", [self["reponse_complement"]]))
        return sections

    def clean_code_postal(self):
        value = self.cleaned_data["code_postal"].strip()
        if value and not (value.isdigit() and len(value) == 5):
            raise ValidationError("Un code postal a 5 chiffres.")
        return value

    def clean(self):
        cleaned = super().clean()
        if self.sending:
            for name, message in REQUIRED_TO_SEND.items():
                if cleaned.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, message)
            contacts = {"telephone_mobile", "telephone_fixe", "email", "adresse"}
            if not any(cleaned.get(f) for f in contacts) and not (contacts & set(self.errors)):
                self.add_error(
                    "telephone_mobile",
                    "Indiquez au moins un moyen de contacter la personne (téléphone, email ou adresse).",
                )
            if not cleaned.get("commune") and not cleaned.get("commune_autre") and "commune" not in self.errors:
                self.add_error(
                    "commune", "Choisissez la commune de résidence, ou saisissez-la si elle n'est pas dans la liste."
                )
            if "reponse_complement" in self.fields and not (cleaned.get("reponse_complement") or "").strip():
                self.add_error("reponse_complement", "Répondez à la question de la coordination.")
        criteres = cleaned.get("criteres") or []
        if cleaned.get("rup_demande") and not any(c.code == CriterePublic.BRSA for c in criteres):
            self.add_error(
                "rup_demande", "Un référent unique de parcours ne se demande que pour un bénéficiaire du RSA."
            )
        if cleaned.get("inscrit_france_travail") is False and cleaned.get("date_inscription_france_travail"):
            self.add_error("date_inscription_france_travail", "Une date d'inscription suppose une inscription.")
        return cleaned

    def _post_clean(self):
        # The model's own checks (dates, commune) run on drafts too; errors land next to their field.
        super()._post_clean()


class ComplementForm(forms.Form):
    question = forms.CharField(
        label="Question au prescripteur",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="La prescription lui revient avec cette question ; il la complète et la renvoie.",
    )


class RefusForm(forms.Form):
    motif_refus = forms.ChoiceField(label="Motif du refus", choices=[("", "Choisir…"), *MotifRefus.choices])
    commentaire = forms.CharField(
        label="Précisions (transmises au prescripteur)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


class AvisForm(forms.Form):
    avis = forms.ChoiceField(
        label="Avis",
        choices=[(Avis.FAVORABLE, Avis.FAVORABLE.label), (Avis.DEFAVORABLE, Avis.DEFAVORABLE.label)],
        widget=forms.RadioSelect,
    )
    interlocuteur = forms.CharField(label="Interlocuteur", max_length=150, required=False)
    commentaire = forms.CharField(
        label="Commentaire", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )


class AcceptationForm(forms.Form):
    referent = forms.TypedChoiceField(label="Référent", coerce=int, widget=forms.RadioSelect)
    justification = forms.CharField(
        label="Pourquoi ce choix (facultatif)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    confirme = forms.BooleanField(
        label="J'ai vérifié les points « à vérifier » de la liste d'éligibilité.", required=False
    )

    def __init__(self, propositions, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.propositions = {p.referent.pk: p for p in propositions}
        self.fields["referent"].choices = [(p.referent.pk, p.referent.get_full_name()) for p in propositions]
        self.fields["referent"].error_messages["required"] = "Choisissez le référent."

    def clean_referent(self):
        return self.propositions[self.cleaned_data["referent"]]


class PrescriptionSearchForm(FiltresForm):
    """The filters of « Mes prescriptions » and of the coordination's queue (structures given)."""

    q = forms.CharField(label="Rechercher (nom, prénom)", required=False, max_length=100)
    statut = forms.ChoiceField(label="Statut", required=False, choices=[("", "Tous")])
    structure = forms.ModelChoiceField(
        label="Structure prescriptrice", queryset=None, required=False, empty_label="Toutes"
    )
    commune = forms.ModelChoiceField(
        label="Commune", queryset=Commune.objects.order_by("nom"), required=False, empty_label="Toutes"
    )
    critere = forms.ModelChoiceField(
        label="Critère",
        queryset=CriterePublic.objects.exclude(code__in=sensitive.CRITERES),
        required=False,
        empty_label="Tous",
    )

    def __init__(self, *args, statuts, structures=None, tous_statuts="Tous", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["statut"].choices = [("", tous_statuts), *[(s.value, s.label) for s in statuts]]
        if structures is None:
            del self.fields["structure"]
            del self.fields["commune"]
            del self.fields["critere"]
        else:
            self.fields["structure"].queryset = structures

    def filtre_q(self, prescriptions, texte):
        return chercher_personne(prescriptions, texte)

    def filtre_statut(self, prescriptions, statut):
        return prescriptions.filter(statut=statut)

    def filtre_structure(self, prescriptions, structure):
        return prescriptions.filter(structure=structure)

    def filtre_commune(self, prescriptions, commune):
        return prescriptions.filter(commune=commune)

    def filtre_critere(self, prescriptions, critere):
        return prescriptions.filter(criteres=critere)


class ValidationSearchForm(FiltresForm):
    """The bureau insertion's validations: a name search within the tab (``avis``) shown."""

    avis = forms.ChoiceField(
        choices=[("en_attente", "À valider"), ("rendus", "Avis rendus")], required=False, widget=forms.HiddenInput
    )
    q = forms.CharField(label="Rechercher (nom, prénom)", required=False, max_length=100)

    def filtre_q(self, validations, texte):
        return chercher_personne(validations, texte, "prescription__cle_recherche")
