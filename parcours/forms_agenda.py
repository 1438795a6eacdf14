"""Forms of the référent's agenda (which référent, which day, which view), of their absences, and of the
« Respect du rythme » period."""

import datetime

from django import forms
from django.utils import timezone

from parcours.agenda import VUE_SEMAINE, VUES
from parcours.forms import DATE_WIDGET
from parcours.models import AbsenceReferent, NatureAbsence
from plie.accounts.models import User
from plie.conflits import ConflictDetectionMixin
from plie.listes import FiltresForm

# A period longer than this is refused on the compliance page (its figures would take long to compute).
PERIODE_MAX_JOURS = 366


def referents():
    """Every référent with a post, vacant ones included (their past agenda and absences stay readable)."""
    return (
        User.objects.referents()
        .filter(referent_profile__isnull=False)
        .select_related("referent_profile")
        .order_by("last_name", "first_name", "id")
    )


class ReferentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        vacant = "" if user.referent_profile.actif else " (poste vacant)"
        return f"{user.get_full_name()}{vacant}"


def _referent_field(label="Référent", required=False):
    return ReferentChoiceField(
        label=label,
        queryset=referents(),
        required=required,
        empty_label="Choisir un référent…",
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class AgendaForm(FiltresForm):
    """The GET form of the agenda: the référent (for the coordination only), the day, day or week."""

    referent = _referent_field()
    jour = forms.DateField(label="Jour", widget=DATE_WIDGET)
    vue = forms.ChoiceField(label="Vue", choices=VUES)

    def __init__(self, data=None, *, choix_du_referent=False):
        super().__init__(data)
        if not choix_du_referent:
            del self.fields["referent"]
        self.fields["jour"].initial = timezone.localdate()
        self.fields["vue"].initial = VUE_SEMAINE


class AbsencesFiltresForm(FiltresForm):
    referent = _referent_field()

    def __init__(self, data=None, *, choix_du_referent=False):
        super().__init__(data)
        if not choix_du_referent:
            del self.fields["referent"]

    def filtre_referent(self, absences, referent):
        return absences.filter(referent=referent)


class AbsenceReferentForm(ConflictDetectionMixin, forms.ModelForm):
    """Enter or change an absence. The coordination chooses the référent of a new one (``choix_du_referent``);
    a référent enters their own."""

    class Meta:
        model = AbsenceReferent
        fields = ["debut", "fin", "nature", "commentaire"]
        widgets = {"debut": DATE_WIDGET, "fin": DATE_WIDGET}
        help_texts = {"fin": "Le même jour que le premier pour une absence d'une journée."}

    def __init__(self, *args, choix_du_referent=False, referent_initial=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nature"].choices = [("", "Choisir…"), *NatureAbsence.choices]
        if choix_du_referent and self.instance.pk is None:
            self.fields["referent"] = _referent_field(required=True)
            self.fields["referent"].initial = referent_initial
            self.order_fields(["referent", *self.Meta.fields])

    def referent(self):
        if "referent" in self.fields:
            return self.cleaned_data.get("referent")
        return self.instance.referent if self.instance.referent_id else None

    def clean(self):
        data = super().clean()
        debut, fin, referent = data.get("debut"), data.get("fin"), self.referent()
        if debut and fin and fin < debut:
            self.add_error("fin", f"Le dernier jour d'absence ne peut précéder le premier, le {debut:%d/%m/%Y}.")
        elif debut and fin and referent is not None:
            voulue = AbsenceReferent(pk=self.instance.pk, referent=referent, debut=debut, fin=fin)
            deja = AbsenceReferent.objects.chevauchant(voulue).order_by("debut").first()
            if deja is not None:
                self.add_error(
                    "debut",
                    f"Une absence est déjà saisie sur ces jours ({deja.libelle.lower()}) : modifiez-la plutôt.",
                )
        if referent is not None:
            self.instance.referent = referent
        return data


def mois_precedent(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last full month before ``today``."""
    fin = today.replace(day=1) - datetime.timedelta(days=1)
    return fin.replace(day=1), fin


class PeriodeForm(FiltresForm):
    """The period of the compliance page (the last full month unless another is asked for)."""

    debut = forms.DateField(label="Du", widget=DATE_WIDGET)
    fin = forms.DateField(label="Au", widget=DATE_WIDGET)

    def __init__(self, data=None):
        super().__init__(data)
        self.defaut = mois_precedent(timezone.localdate())
        self.fields["debut"].initial, self.fields["fin"].initial = self.defaut

    def clean(self):
        data = super().clean()
        debut, fin = data.get("debut"), data.get("fin")
        if debut and fin:
            if fin < debut:
                self.add_error("fin", f"La fin de la période ne peut précéder son début, le {debut:%d/%m/%Y}.")
            elif (fin - debut).days >= PERIODE_MAX_JOURS:
                self.add_error("fin", f"Choisissez une période d'au plus {PERIODE_MAX_JOURS} jours.")
        return data

    def periode(self) -> tuple[datetime.date, datetime.date]:
        """The period asked for; the last full month when none is, or when it is refused (its error is shown)."""
        valeurs = self.valeurs()
        debut, fin = valeurs.get("debut"), valeurs.get("fin")
        if self.errors or (debut is None and fin is None):
            return self.defaut
        # One date given: the month it falls in, from it or up to it.
        debut = debut or fin.replace(day=1)
        fin = fin or (debut.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
        return debut, fin
