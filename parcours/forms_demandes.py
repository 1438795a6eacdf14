"""Forms of the requests for a decision (parcours.demandes): the request of one type, built from its
sorte's facts; the decisions (accept, refuse, withdraw), each carrying the version it was read at; the
filters of « Demandes à traiter »."""

import datetime

from django import forms

from parcours.forms import DATE_WIDGET, ReferentChoiceField, annee_plausible
from parcours.models import MotifVeille, TypeDemande
from plie import longueurs
from plie.accounts.models import User
from plie.listes import FiltresForm, chercher_personne

PRESENTIEL_IMPOSSIBLE = "La personne ne peut pas venir aux entretiens (la coordination étudiera une réorientation)"


def _date(label, required, message):
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE_WIDGET,
        validators=[annee_plausible],
        error_messages={"required": message, "invalid": "Saisissez une date valide (JJ/MM/AAAA)."},
    )


def _texte(label, required=False, message="", help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=longueurs.COMMENTAIRE,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": longueurs.COMMENTAIRE}),
        help_text=help_text or f"{longueurs.COMMENTAIRE} caractères au plus.",
        error_messages={
            "required": message or "Ce champ est obligatoire.",
            "max_length": "%(limit_value)d caractères au plus (vous en avez saisi %(show_value)d).",
        },
    )


T = TypeDemande


def _autres_referents(parcours):
    """The référents in post but the one following the person."""
    return User.objects.active_referents().exclude(pk=parcours.referent_id).order_by("last_name", "first_name", "id")


def _champ(champ, type_, parcours):
    """The form field of one fact of a request (a Demande field), as the type asks it."""
    if champ == "motif_veille":
        return forms.ChoiceField(
            label="Motif de la veille",
            choices=[("", "Choisir…"), *MotifVeille.choices],
            error_messages={"required": "Choisissez le motif de la veille."},
        )
    if champ == "debut":
        return _date("Début de la veille", True, "Indiquez le début de la veille.")
    if champ == "fin_prevue":
        if type_ == T.RENOUVELLEMENT_VEILLE:
            return _date("Nouvelle fin prévue de la veille", True, "Indiquez la nouvelle fin prévue.")
        return _date("Fin prévue de la veille", True, "Indiquez la fin prévue de la veille.")
    if champ == "date_effet":
        return _date("Reprise de l'accompagnement le", True, "Indiquez la date de fin de la veille.")
    if champ == "presentiel_impossible":
        return forms.BooleanField(label=PRESENTIEL_IMPOSSIBLE, required=False)
    if champ == "justification":
        if type_ == T.DEROGATION_DISTANCE:
            return _texte(
                "Pourquoi la personne demande un accompagnement à distance",
                True,
                "Indiquez pourquoi la personne demande un accompagnement à distance.",
            )
        if type_ == T.REORIENTATION:
            return _texte("Pourquoi réorienter la personne", True, "Indiquez pourquoi réorienter la personne.")
        return _texte("Justification (facultatif)")
    if champ == "referent_propose":
        return ReferentChoiceField(
            label="Référent proposé",
            queryset=_autres_referents(parcours),
            required=False,
            empty_label="Pas de préférence : la coordination choisira",
        )
    if champ == "objectifs":
        return _texte("Objectifs pour la période suivante")
    raise ValueError(f"Champ de demande inconnu : {champ}")


class VersionForm(forms.Form):
    """The version of the object as the person read it (its ``modifie_le``): a change meanwhile is refused."""

    version = forms.DateTimeField(widget=forms.HiddenInput, required=False)

    def version_lue(self, objet):
        """``objet`` as the person saw it: the kernel compares its version with the row's. A missing or
        altered token is a version nobody read (so refused as stale)."""
        version = self.cleaned_data.get("version")
        objet.modifie_le = version or datetime.datetime.min.replace(tzinfo=datetime.UTC)
        return objet

    def full_clean(self):
        super().full_clean()
        # A junk token is not the person's mistake to correct: it reads as a stale copy, said at the top.
        if "version" in self._errors:
            del self._errors["version"]
            self.cleaned_data["version"] = None


def version(objet) -> str:
    return objet.modifie_le.isoformat()


class DemandeForm(VersionForm):
    def __init__(self, sorte, parcours, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sorte = sorte
        for name in sorte.champs:
            self.fields[name] = _champ(name, sorte.type, parcours)
        self.initial.setdefault("version", version(parcours))

    def faits(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.sorte.champs}


class AccepterForm(VersionForm):
    prefix = "accepter"  # beside the refusal's form on the request's page
    motif = _texte("Commentaire (facultatif)")

    def __init__(self, demande, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", version(demande))
        if demande.type == T.REORIENTATION:
            self.fields["referent"] = ReferentChoiceField(
                label="Réorienter vers",
                queryset=_autres_referents(demande.parcours),
                empty_label="Choisir un référent…",
                error_messages={"required": "Choisissez le référent vers qui réorienter la personne."},
            )
            self.initial.setdefault("referent", demande.referent_propose_id)
            self.order_fields(["referent", "motif"])


class RefuserForm(VersionForm):
    prefix = "refuser"
    motif = _texte("Raison du refus", True, "Indiquez la raison du refus.")

    def __init__(self, demande, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", version(demande))


class RetirerForm(VersionForm):
    motif = _texte("Pourquoi la retirer (facultatif)")

    def __init__(self, demande, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", version(demande))


class NomChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.email


class DemandesFiltres(FiltresForm):
    q = forms.CharField(label="Rechercher (nom, prénom)", required=False, max_length=100)
    type = forms.ChoiceField(label="Demande", choices=[("", "Toutes les demandes"), *TypeDemande.choices])
    decision = forms.ChoiceField(
        label="Décidée",
        choices=[("", "En cellule ou par l'équipe"), ("cellule", "En cellule de suivi"), ("equipe", "Par l'équipe")],
    )
    referent = NomChoiceField(label="Référent", queryset=User.objects.none(), empty_label="Tous les référents")

    def __init__(self, data=None):
        super().__init__(data)
        self.fields["referent"].queryset = User.objects.referents().order_by("last_name", "first_name", "id")

    def filtre_q(self, demandes, texte):
        return chercher_personne(demandes, texte, "parcours__participant__cle_recherche")

    def filtre_type(self, demandes, type_):
        return demandes.filter(type=type_)

    def filtre_decision(self, demandes, decision):
        return demandes.filter(decision_en_cellule=decision == "cellule")

    def filtre_referent(self, demandes, referent):
        return demandes.filter(parcours__referent=referent)
