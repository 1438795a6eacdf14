"""Forms of the ateliers collectifs: the list's filters, a series, a session's change, cancellation and
attendance. Every form that changes a session carries the version it was read at (``version``): the
workflow kernel refuses a stale copy."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from parcours.ateliers import MOTIF_MAX, animateurs_possibles
from parcours.forms import DATE_WIDGET, TIME_INPUT_FORMATS, TIME_WIDGET, LieuChoiceField, ReferentChoiceField
from parcours.models import Periodicite, StatutPresence
from parcours.models.ateliers import CAPACITE_MAX, DUREE_PRESENCE_MAX, SEANCES_MAX
from plie import longueurs
from plie.accounts.models import LieuAccompagnement
from plie.listes import FiltresForm


class AteliersFiltres(FiltresForm):
    q = forms.CharField(label="Thème", max_length=100)
    quand = forms.ChoiceField(label="Séances", choices=[("", "Toutes"), ("a_venir", "À venir"), ("passes", "Passées")])
    animateur = ReferentChoiceField(label="Animateur", queryset=None, empty_label="Tous les animateurs")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["animateur"].queryset = animateurs_possibles()

    def filtre_q(self, queryset, value):
        return queryset.filter(theme__icontains=value.strip())

    def filtre_quand(self, queryset, value):
        now = timezone.now()
        if value == "a_venir":
            return queryset.filter(seances__fin__gte=now).distinct()
        return queryset.exclude(seances__fin__gte=now)

    def filtre_animateur(self, queryset, value):
        return queryset.animes_par(value)


def _lieu_field():
    return LieuChoiceField(
        label="Lieu",
        queryset=LieuAccompagnement.objects.select_related("commune"),
        required=False,
        empty_label="Un autre lieu (précisez-le ci-dessous)",
    )


class AtelierForm(forms.Form):
    theme = forms.CharField(label="Thème", max_length=200)
    description = forms.CharField(
        label="Contenu prévu (facultatif)",
        required=False,
        max_length=longueurs.COMMENTAIRE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    animateur = ReferentChoiceField(label="Animateur", queryset=None, empty_label="Choisir un référent…")
    co_animateur = ReferentChoiceField(
        label="Co-animateur (en binôme, facultatif)",
        queryset=None,
        required=False,
        empty_label="Seul, sans co-animateur",
        help_text="Un autre référent, éventuellement d'un autre opérateur.",
    )
    lieu = _lieu_field()
    lieu_precision = forms.CharField(label="Précision sur le lieu", max_length=200, required=False)
    capacite = forms.IntegerField(
        label="Nombre de places", min_value=1, max_value=CAPACITE_MAX, widget=forms.NumberInput(attrs={"min": 1})
    )
    premiere_date = forms.DateField(label="Date de la première séance", widget=DATE_WIDGET)
    heure_debut = forms.TimeField(label="Heure de début", widget=TIME_WIDGET, input_formats=TIME_INPUT_FORMATS)
    heure_fin = forms.TimeField(label="Heure de fin", widget=TIME_WIDGET, input_formats=TIME_INPUT_FORMATS)
    periodicite = forms.ChoiceField(label="Périodicité", choices=Periodicite.choices, initial=Periodicite.UNIQUE)
    nombre_seances = forms.IntegerField(
        label="Nombre de séances",
        min_value=1,
        max_value=SEANCES_MAX,
        initial=1,
        help_text="Pour une série : par exemple 8 vendredis de suite.",
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("animateur", "co_animateur"):
            self.fields[name].queryset = animateurs_possibles()
        if not self.is_bound and user.pk in set(animateurs_possibles().values_list("pk", flat=True)):
            self.initial.setdefault("animateur", user.pk)


class VersionForm(forms.Form):
    """The session's version as the person read it (its ``modifie_le``)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, seance, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seance = seance
        self.initial.setdefault("version", seance.modifie_le.isoformat())

    def seance_lue(self):
        """The session as the person saw it: the kernel compares its version with the row's."""
        version = parse_datetime(self.cleaned_data.get("version") or "")
        if version is not None:
            self.seance.modifie_le = version
        return self.seance


class SeanceForm(VersionForm):
    date = forms.DateField(label="Date", widget=DATE_WIDGET)
    heure_debut = forms.TimeField(label="Heure de début", widget=TIME_WIDGET, input_formats=TIME_INPUT_FORMATS)
    heure_fin = forms.TimeField(label="Heure de fin", widget=TIME_WIDGET, input_formats=TIME_INPUT_FORMATS)
    lieu = _lieu_field()
    lieu_precision = forms.CharField(label="Précision sur le lieu", max_length=200, required=False)

    def __init__(self, seance, *args, **kwargs):
        debut, fin = timezone.localtime(seance.debut), timezone.localtime(seance.fin)
        kwargs.setdefault(
            "initial",
            {
                "date": debut.date(),
                "heure_debut": debut.time(),
                "heure_fin": fin.time(),
                "lieu": seance.lieu_id,
                "lieu_precision": seance.lieu_precision,
            },
        )
        super().__init__(seance, *args, **kwargs)

    def moments(self):
        data = self.cleaned_data
        return (
            timezone.make_aware(datetime.datetime.combine(data["date"], data["heure_debut"])),
            timezone.make_aware(datetime.datetime.combine(data["date"], data["heure_fin"])),
        )


class AnnulationForm(VersionForm):
    motif = forms.CharField(label="Motif de l'annulation", max_length=MOTIF_MAX)


class PresencesForm(VersionForm):
    """One line per invited participant (presence, time attended), and what the session did."""

    contenu = forms.CharField(
        label="Ce qui a été fait",
        required=False,
        max_length=longueurs.COMMENTAIRE,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, seance, inscriptions, presences, *args, **kwargs):
        super().__init__(seance, *args, **kwargs)
        self.initial.setdefault("contenu", seance.contenu)
        self.lignes = []
        for inscription in inscriptions:
            pk = inscription.parcours_id
            presence = presences.get(pk)
            statut = forms.ChoiceField(
                label=inscription.parcours.participant.nom_complet,
                choices=StatutPresence.choices,
                widget=forms.RadioSelect,
                initial=presence.statut if presence else None,
            )
            duree = forms.IntegerField(
                label="Durée de présence (minutes)",
                required=False,
                min_value=1,
                max_value=DUREE_PRESENCE_MAX,
                initial=presence.duree_minutes if presence and presence.duree_minutes else seance.duree_minutes,
                help_text="Présente : la durée de la séance, sauf arrivée tardive ou départ anticipé.",
            )
            self.fields[f"statut_{pk}"], self.fields[f"duree_{pk}"] = statut, duree
            self.lignes.append((inscription, f"statut_{pk}", f"duree_{pk}"))

    def lignes_de_presence(self):
        from parcours.ateliers import LignePresence

        return [
            LignePresence(
                inscription.parcours_id,
                self.cleaned_data.get(statut) or "",
                self.cleaned_data.get(duree) if self.cleaned_data.get(statut) == StatutPresence.PRESENT else None,
            )
            for inscription, statut, duree in self.lignes
        ]

    def champs(self):
        """(inscription, statut field, durée field) bound, for the template."""
        return [(inscription, self[statut], self[duree]) for inscription, statut, duree in self.lignes]
