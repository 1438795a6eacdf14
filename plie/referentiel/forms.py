from django import forms

from plie.conflits import ConflictDetectionMixin
from plie.decimaux import DecimalFrField
from plie.phones import PhoneField
from plie.referentiel import convocations
from plie.referentiel.decisions import TypeDemande
from plie.referentiel.models import CriterePublic, Referentiel


class ListTextarea(forms.Textarea):
    """A JSON list edited one item per line."""

    def format_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value or ""


class LinesField(forms.Field):
    widget = ListTextarea(attrs={"rows": 4})
    max_lines, max_line_length = 50, 200

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return [line.strip() for line in (value or "").splitlines() if line.strip()]

    def validate(self, value):
        super().validate(value)
        if len(value) > self.max_lines:
            raise forms.ValidationError(f"Au plus {self.max_lines} lignes.")
        if any(len(line) > self.max_line_length for line in value):
            raise forms.ValidationError(f"Chaque ligne fait au plus {self.max_line_length} caractères.")


class ReferentielForm(ConflictDetectionMixin, forms.ModelForm):
    epci_sirens = LinesField(label="EPCI du territoire (SIREN, un par ligne)")
    categories_depenses_ateliers = LinesField(
        label="Catégories de dépenses des ateliers (une par ligne)", required=False
    )

    criteres_eligibles = forms.MultipleChoiceField(
        label="Critères de public éligibles", widget=forms.CheckboxSelectMultiple
    )
    criteres_a_valider_en_cellule = forms.MultipleChoiceField(
        label="Critères à faire valider en cellule",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Ils rendent la personne éligible seulement après validation en cellule de suivi.",
    )

    demandes_en_cellule = forms.MultipleChoiceField(
        label="Demandes décidées en cellule de suivi",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        choices=TypeDemande.choices,
        help_text="Les autres sont décidées par l'équipe du PLIE dès qu'elles sont demandées.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = list(CriterePublic.objects.values_list("code", "libelle"))
        self.fields["criteres_eligibles"].choices = choices
        self.fields["criteres_a_valider_en_cellule"].choices = choices

    class Meta:
        model = Referentiel
        field_classes = {"budget_ateliers_par_etp": DecimalFrField}  # typed « 1 000,00 » by French readers
        fields = [
            "nom",
            "source",
            "epci_sirens",
            "rythme_initial_duree_mois",
            "rythme_initial_intervalle_jours",
            "rythme_intervalle_jours",
            "rythme_tout_moyen_en_etape",
            "duree_entretien_minutes",
            "duree_diagnostic_minutes",
            "duree_mesure_mois",
            "duree_max_parcours_mois",
            "veille_duree_max_mois",
            "veille_renouvellements_max",
            "veille_suivi_intervalle_jours",
            "alerte_fin_mesure_jours",
            "revue_duree_parcours_mois",
            "revue_sans_action_mois",
            "demandes_en_cellule",
            "capacite_annuelle_min_par_etp",
            "capacite_annuelle_max_par_etp",
            "file_active_par_etp",
            "delai_premier_contact_jours",
            "delai_documents_cellule_jours_ouvres",
            "criteres_eligibles",
            "criteres_a_valider_en_cellule",
            "inscription_france_travail_obligatoire",
            "validation_france_travail",
            "validation_bureau_insertion_rsa",
            "proposition_km_charge_pleine",
            "cer_libelle",
            "cer_rang_rdv_min",
            "cer_validation_equipe",
            "ateliers_frequence_min_jours",
            "ateliers_comptent_dans_rythme",
            "budget_ateliers_par_etp",
            "categories_depenses_ateliers",
            "objectif_part_rsa",
            "taux_controle",
            "suivi_emploi_mois",
            "absences_avant_cellule",
        ]

    SECTIONS = [
        ("Identité et territoire", ["nom", "source", "epci_sirens"]),
        (
            "Rythme des entretiens",
            [
                "rythme_initial_duree_mois",
                "rythme_initial_intervalle_jours",
                "rythme_intervalle_jours",
                "rythme_tout_moyen_en_etape",
                "duree_entretien_minutes",
                "duree_diagnostic_minutes",
                "absences_avant_cellule",
            ],
        ),
        (
            "Durées, renouvellements et veille",
            [
                "duree_mesure_mois",
                "duree_max_parcours_mois",
                "alerte_fin_mesure_jours",
                "veille_duree_max_mois",
                "veille_renouvellements_max",
                "veille_suivi_intervalle_jours",
            ],
        ),
        (
            "Décisions et revue des parcours",
            ["demandes_en_cellule", "revue_duree_parcours_mois", "revue_sans_action_mois"],
        ),
        (
            "Capacité et délais",
            [
                "capacite_annuelle_min_par_etp",
                "capacite_annuelle_max_par_etp",
                "file_active_par_etp",
                "delai_premier_contact_jours",
                "delai_documents_cellule_jours_ouvres",
            ],
        ),
        (
            "Admission et orientation",
            [
                "criteres_eligibles",
                "criteres_a_valider_en_cellule",
                "inscription_france_travail_obligatoire",
                "validation_france_travail",
                "validation_bureau_insertion_rsa",
                "proposition_km_charge_pleine",
            ],
        ),
        ("Contrat d'entrée", ["cer_libelle", "cer_rang_rdv_min", "cer_validation_equipe"]),
        (
            "Ateliers collectifs",
            [
                "ateliers_frequence_min_jours",
                "ateliers_comptent_dans_rythme",
                "budget_ateliers_par_etp",
                "categories_depenses_ateliers",
            ],
        ),
        ("Objectifs et contrôle", ["objectif_part_rsa", "taux_controle", "suivi_emploi_mois"]),
    ]

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]


class ConvocationsForm(ConflictDetectionMixin, forms.ModelForm):
    """The coordination's « Convocations » settings (plie/referentiel/convocations.py)."""

    telephone_contact = PhoneField(
        label="Numéro à appeler en cas d'empêchement",
        required=False,
        help_text="Vide : le téléphone du référent, s'il en a un.",
    )

    class Meta:
        model = Referentiel
        fields = ["convocation_delai_jours", "convocation_heure", "sms_expediteur", "telephone_contact", "sms_modele"]
        widgets = {
            "convocation_heure": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "sms_modele": forms.Textarea(attrs={"rows": 4}),
        }

    def clean_sms_modele(self):
        modele = self.cleaned_data["sms_modele"]
        convocations.valider_modele(modele)
        return modele
