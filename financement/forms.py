"""Forms of the ateliers' budget: an expense (entered or changed by its référent), the refusal's motive,
the year shown, and the filters of the expenses to validate."""

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone

from financement import depenses as regles
from financement.models import DepenseAtelier, StatutDepense
from parcours.forms import DATE_WIDGET
from parcours.models import Atelier
from plie import fichiers, longueurs
from plie.accounts.models import User
from plie.conflits import ConflictDetectionMixin
from plie.decimaux import DecimalFrField
from plie.listes import FiltresForm, chercher_personne

FICHIER_A_RECHOISIR = "Le formulaire n'est pas enregistré : choisissez à nouveau le justificatif avant d'envoyer."


class AtelierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, atelier):
        return f"{atelier.theme} (à partir du {atelier.premiere_date:%d/%m/%Y})"


class DepenseForm(ConflictDetectionMixin, forms.ModelForm):
    """An expense of the référent's budget. The receipt is a form-only field (``fichier``), checked by
    :mod:`plie.fichiers`; the rules spanning the budget are the service's (:mod:`financement.depenses`)."""

    fichier = fichiers.FichierVerifieField(label="Justificatif", required=False)
    retirer_justificatif = forms.BooleanField(label="Retirer le justificatif joint", required=False)

    class Meta:
        model = DepenseAtelier
        fields = ["date", "montant", "categorie", "fournisseur", "objet", "atelier"]
        widgets = {"date": DATE_WIDGET}
        field_classes = {"montant": DecimalFrField}
        labels = {"montant": "Montant (€)"}
        help_texts = {
            "montant": "TTC, par exemple 45,50.",
            "objet": "Ce que la dépense a permis (sans nom de participant).",
            "fournisseur": "L'enseigne, le transporteur ou le prestataire.",
        }

    def __init__(self, *args, referentiel=None, referent=None, **kwargs):
        super().__init__(*args, **kwargs)
        referent = referent or self.instance.referent
        self.fields["categorie"] = forms.ChoiceField(
            label="Catégorie",
            choices=[("", "Choisir…"), *((c, c) for c in regles.categories(referentiel))],
        )
        self.fields["atelier"] = AtelierChoiceField(
            label="Atelier",
            queryset=Atelier.objects.animes_par(referent).order_by("-premiere_date", "theme", "id"),
            required=False,
            empty_label="Aucun en particulier",
            help_text="L'atelier que la dépense a servi, parmi ceux que vous animez.",
        )
        if self.instance.pk is None or not self.instance.justificatif:
            del self.fields["retirer_justificatif"]
        else:
            self.fields[
                "fichier"
            ].help_text = f"Joint : {self.instance.justificatif_nom}. Un nouveau fichier le remplace. {fichiers.AIDE}"
        for name in ("fournisseur", "objet"):
            self.fields[name].max_length = DepenseAtelier._meta.get_field(name).max_length

    def clean_montant(self):
        montant = self.cleaned_data.get("montant")
        if montant is not None and montant <= 0:
            raise forms.ValidationError("Le montant d'une dépense est positif (par exemple 45,50).")
        return montant

    def clean(self):
        data = super().clean()
        if self.errors:
            self._fichier_a_rechoisir()
        return data

    def refuser(self, error):
        """Show a rule's refusal (financement.depenses.DepenseError) next to its field."""
        self.add_error(error.field if error.field in self.fields else None, error.message)
        self._fichier_a_rechoisir()

    def _fichier_a_rechoisir(self):
        # A file input cannot be shown again: say so next to it, whatever else was refused.
        if self.cleaned_data.get("fichier"):
            self.add_error("fichier", FICHIER_A_RECHOISIR)


class RefusForm(forms.Form):
    motif = forms.CharField(
        label="Motif du refus",
        max_length=longueurs.COMMENTAIRE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Le référent le lit dans sa notification.",
    )
    vu_le = forms.DateTimeField(widget=forms.HiddenInput, required=False)


class DecisionForm(forms.Form):
    """The validation button: the version of the expense as shown (a later change by its référent is refused)."""

    vu_le = forms.DateTimeField(widget=forms.HiddenInput, required=False)


def version(depense) -> str:
    """What a decision form carries of the expense it decides: its last change, to the microsecond, with its offset."""
    return depense.modifie_le.isoformat()


class AnneeForm(FiltresForm):
    annee = forms.TypedChoiceField(label="Année", coerce=int)

    def __init__(self, data=None, *, annees):
        super().__init__(data)
        self.fields["annee"].choices = [(a, str(a)) for a in annees]
        self.fields["annee"].initial = timezone.localdate().year

    def annee_choisie(self) -> int:
        return self.valeurs().get("annee") or timezone.localdate().year


def referents():
    return (
        User.objects.referents()
        .filter(referent_profile__isnull=False)
        .select_related("referent_profile")
        .order_by("last_name", "first_name", "id")
    )


class ReferentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name()


class MoisField(forms.DateField):
    """A month typed « 2026-03 » (what <input type="month"> sends) or « 03/2026 »: its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%m/%Y"]


class DepensesFiltresForm(FiltresForm):
    q = forms.CharField(label="Référent, fournisseur ou objet", max_length=100)
    statut = forms.ChoiceField(label="Statut", choices=[("", "Tous"), *StatutDepense.choices])
    referent = ReferentChoiceField(label="Référent", queryset=referents(), empty_label="Tous")
    mois = MoisField(label="Mois")

    def __init__(self, data=None):
        super().__init__(data)
        self.fields["referent"].queryset = referents()

    def filtre_q(self, rows, texte):
        par_nom = chercher_personne(rows, texte, champ="referent__cle_recherche")
        mots = texte.split()
        par_texte = rows
        for mot in mots:
            par_texte = par_texte.filter(Q(fournisseur__icontains=mot) | Q(objet__icontains=mot))
        return rows.filter(Q(pk__in=par_nom.values("pk")) | Q(pk__in=par_texte.values("pk")))

    def filtre_statut(self, rows, statut):
        return rows.filter(statut=statut)

    def filtre_referent(self, rows, referent):
        return rows.filter(referent=referent)

    def filtre_mois(self, rows, mois):
        fin = (mois.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return rows.filter(date__gte=mois.replace(day=1), date__lt=fin)
