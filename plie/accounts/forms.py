from decimal import Decimal

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm, SetPasswordMixin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from plie.accounts import invitations
from plie.accounts.models import (
    INVITATION_ROLES,
    Invitation,
    InvitationStatut,
    PrescripteurKind,
    Role,
    Structure,
    StructureType,
    User,
)
from plie.accounts.passwords import MIN_BITS
from plie.decimaux import DecimalFrField
from plie.listes import FiltresForm, chercher_personne
from plie.noms import NomField


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Adresse email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        "invalid_login": "Adresse email ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }


class InvitationSearchForm(FiltresForm):
    q = forms.CharField(label="Rechercher (nom, prénom, adresse email)", required=False, max_length=100)
    statut = forms.ChoiceField(label="Statut", required=False, choices=[("", "Tous"), *InvitationStatut.choices])

    def filtre_q(self, rows, texte):
        return chercher_personne(rows, texte)

    def filtre_statut(self, rows, statut):
        return rows.with_statut(statut)


class StructureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, structure):
        return f"{structure.nom} ({structure.type_label})"


class InvitationForm(forms.Form):
    """Who is invited, with which role, for which structure: an existing one, or a new prescripteur.

    Every role may be invited; the role's rule on structures is the user's (``User.clean``). A
    référent's invitation gives the ETP of the post created when the account is activated.
    """

    email = forms.EmailField(label="Adresse email", max_length=254)
    first_name = NomField(label="Prénom", max_length=150)
    last_name = NomField(label="Nom", max_length=150)
    role = forms.ChoiceField(label="Rôle", choices=[(role.value, role.label) for role in INVITATION_ROLES])
    etp = DecimalFrField(
        label="ETP du poste (référent)",
        required=False,
        min_value=Decimal("0.10"),
        max_value=Decimal("1.00"),
        max_digits=3,
        decimal_places=2,
        help_text="Pour un référent seulement, par exemple 0,5 ou 1. Son poste est créé à l'activation du compte.",
    )
    structure = StructureChoiceField(
        label="Structure existante",
        queryset=Structure.objects.filter(active=True).order_by("type", "nom"),
        required=False,
        empty_label="Choisir une structure…",
    )
    nouvelle_structure_nom = forms.CharField(label="Nom de la nouvelle structure", required=False, max_length=200)
    nouvelle_structure_type = forms.ChoiceField(
        label="Type de prescripteur", required=False, choices=[("", "Choisir…"), *PrescripteurKind.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.structure_invitee = None  # the chosen structure, or the new one, unsaved, once the form is valid

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        motif = invitations.motif_adresse_indisponible(email)
        if motif:
            raise forms.ValidationError(motif)
        return email

    def clean(self):
        cleaned = super().clean()
        if "structure" in self.errors:
            return cleaned
        if cleaned.get("role") == Role.REFERENT:
            if cleaned.get("etp") is None and "etp" not in self.errors:
                self.add_error("etp", "Indiquez l'ETP du poste du référent.")
        else:
            cleaned["etp"] = None
        existante = cleaned.get("structure")
        nom = cleaned.get("nouvelle_structure_nom", "").strip()
        kind = cleaned.get("nouvelle_structure_type", "")
        if existante and (nom or kind):
            self.add_error("structure", "Choisissez une structure existante ou créez-en une nouvelle, pas les deux.")
        elif existante:
            self._check_role(cleaned.get("role"), existante, field="structure")
        elif not nom and not kind:
            self.add_error("structure", "Choisissez une structure existante ou créez-en une nouvelle ci-dessous.")
        elif not nom:
            self.add_error("nouvelle_structure_nom", "Donnez le nom de la nouvelle structure.")
        elif not kind:
            self.add_error("nouvelle_structure_type", "Choisissez le type de prescripteur de la nouvelle structure.")
        else:
            structure = self._new_structure(nom, kind)
            if structure:
                self._check_role(cleaned.get("role"), structure, field="nouvelle_structure_type")
        return cleaned

    def _new_structure(self, nom, kind):
        structure = Structure(nom=nom, type=StructureType.PRESCRIPTEUR, type_prescripteur=kind)
        try:
            structure.full_clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field == NON_FIELD_ERRORS:  # the (nom, type) unicity
                    messages = ["Une structure prescriptrice porte déjà ce nom : choisissez-la dans la liste."]
                target = "nouvelle_structure_type" if field == "type_prescripteur" else "nouvelle_structure_nom"
                self.add_error(target, messages)
            return None
        return structure

    def _check_role(self, role, structure, field):
        """The role's rule on structures is the user's (User.clean), asked through the invitation."""
        if not role:
            return
        try:
            Invitation(role=role, structure=structure).clean()
        except ValidationError as error:
            for messages in error.message_dict.values():
                self.add_error(field, messages)
        else:
            self.structure_invitee = structure


def show_strength(field):
    """Let static/js/password-strength.js show how strong the password being typed is."""
    field.widget.attrs["data-password-strength"] = str(MIN_BITS)


class ActivationForm(SetPasswordMixin, forms.Form):
    """The password of an invited person's new account, checked by the project's validators."""

    password1, password2 = SetPasswordMixin.create_password_fields(
        label1="Mot de passe", label2="Confirmation du mot de passe"
    )

    def __init__(self, invitation, *args, **kwargs):
        # The validators compare the password with the name and the address of the account to be.
        self.user = User(email=invitation.email, first_name=invitation.first_name, last_name=invitation.last_name)
        super().__init__(*args, **kwargs)
        show_strength(self.fields["password1"])

    def clean(self):
        self.validate_passwords()
        self.validate_password_for_user(self.user)
        return super().clean()


class StrengthSetPasswordForm(SetPasswordForm):
    """Django's form of the password reset, with the strength shown as the person types."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        show_strength(self.fields["new_password1"])


class StrengthPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        show_strength(self.fields["new_password1"])
