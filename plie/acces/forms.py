import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone

from plie.acces.models import BIGINT_MAX, TypeObjet
from plie.listes import FiltresForm, chercher_personne

DATE_ERROR = "Saisissez une date au format JJ/MM/AAAA, par exemple 05/03/2026."
# Dates outside these years are typing errors; they would also overflow the timezone arithmetic.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _date_field(label):
    return forms.DateField(
        label=label,
        required=False,
        error_messages={"invalid": DATE_ERROR},
        widget=forms.TextInput(attrs={"placeholder": "JJ/MM/AAAA", "inputmode": "numeric", "maxlength": 10}),
    )


class JournalFilterForm(FiltresForm):
    """The filters of the journal; each valid field filters, an invalid one is reported beside itself."""

    q = forms.CharField(label="Personne (nom ou email)", required=False, max_length=100)
    dossier = forms.CharField(label="Dossier de (nom, prénom)", required=False, max_length=100)
    type_objet = forms.ChoiceField(label="Type d'objet", required=False, choices=[("", "Tous"), *TypeObjet.choices])
    refuse = forms.ChoiceField(
        label="Accès",
        required=False,
        choices=[("", "Tous"), ("oui", "Refusés seulement"), ("non", "Accordés seulement")],
    )
    du = _date_field("Du")
    au = _date_field("Au")
    objet = forms.IntegerField(
        label="N° de l'objet",
        required=False,
        min_value=1,
        max_value=BIGINT_MAX,
        error_messages={"invalid": "Saisissez un nombre entier."},
    )

    def _clean_year(self, name):
        value = self.cleaned_data.get(name)
        if value and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise forms.ValidationError(f"Saisissez une date entre {FIRST_YEAR} et {LAST_YEAR}.")
        return value

    def clean_du(self):
        return self._clean_year("du")

    def clean_au(self):
        return self._clean_year("au")

    def clean(self):
        data = super().clean()
        if data.get("du") and data.get("au") and data["du"] > data["au"]:
            self.add_error("au", "La date de fin précède la date de début.")  # also drops it from the filters
        return data

    def filtre_q(self, rows, texte):
        for word in texte.split():
            rows = rows.filter(utilisateur_libelle__icontains=word)
        return rows

    def filtre_dossier(self, rows, texte):
        """The accesses to the file of a person named so (however typed), through the object's table."""
        from parcours.models import Parcours, Participant
        from prescriptions.models import Prescription

        return rows.filter(
            Q(
                type_objet=TypeObjet.PARCOURS,
                objet_id__in=chercher_personne(Parcours.objects, texte, "participant__cle_recherche").values("pk"),
            )
            | Q(
                type_objet=TypeObjet.PARTICIPANT,
                objet_id__in=chercher_personne(Participant.objects, texte).values("pk"),
            )
            | Q(
                type_objet=TypeObjet.PRESCRIPTION,
                objet_id__in=chercher_personne(Prescription.objects, texte).values("pk"),
            )
        )

    def filtre_type_objet(self, rows, value):
        return rows.filter(type_objet=value)

    def filtre_refuse(self, rows, value):
        return rows.filter(refuse=value == "oui")

    def filtre_objet(self, rows, value):
        return rows.filter(objet_id=value)

    def filtre_du(self, rows, value):
        return rows.filter(date__gte=_start_of(value))

    def filtre_au(self, rows, value):
        return rows.filter(date__lt=_start_of(value + datetime.timedelta(days=1)))


def _start_of(day):
    """Midnight in Paris, the day the person typed."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
