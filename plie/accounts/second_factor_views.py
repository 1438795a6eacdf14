"""The second-factor pages: the login step, enrolment, backup codes, and a colleague's reset."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django_otp import login as otp_login
from django_otp import user_has_device

from plie import permissions
from plie.accounts import second_factor
from plie.accounts.models import Role, User
from plie.listes import FiltresForm, chercher_personne, paginer
from plie.redirects import safe_next


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="Les 6 chiffres affichés par votre application, ou l'un de vos codes de secours.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label="Code affiché par l'application",
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class UserSearchForm(FiltresForm):
    q = forms.CharField(label="Rechercher (nom, prénom, adresse email)", required=False, max_length=100)
    role = forms.ChoiceField(label="Rôle", required=False, choices=[("", "Tous"), *Role.choices])
    etat = forms.ChoiceField(
        label="État", required=False, choices=[("", "Actifs"), ("desactives", "Désactivés"), ("tous", "Tous")]
    )

    def filtrer(self, users):
        # No state chosen means the active accounts: the deactivated ones are kept for their history.
        if "etat" not in self.valeurs():
            users = users.filter(is_active=True)
        return super().filtrer(users)

    def filtre_q(self, users, texte):
        return chercher_personne(users, texte)

    def filtre_role(self, users, role):
        return users.filter(role=role)

    def filtre_etat(self, users, etat):
        return users if etat == "tous" else users.filter(is_active=etat != "desactives")


def _next(request, default="home"):
    """Where to go after the step: a local path in ``next``, else the default (one rule: plie.redirects)."""
    return safe_next(request, reverse(default) if default else "")


def verify(request):
    """The login's second step."""
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    if not second_factor.is_enrolled(user):
        return redirect("second_factor_enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.locked_until(user):
            form.add_error("code", "Trop de codes erronés : patientez quelques instants avant de réessayer.")
        elif (device := second_factor.verify(user, form.cleaned_data["code"])) is not None:
            otp_login(request, device)
            if device.name == second_factor.BACKUP_DEVICE_NAME:
                left = second_factor.backup_codes_left(user)
                messages.warning(
                    request,
                    f"Vous vous êtes connecté(e) avec un code de secours : il vous en reste {left}. "
                    "Générez-en de nouveaux depuis « Double authentification » si besoin.",
                )
            return redirect(_next(request))
        else:
            form.add_error(
                "code", "Ce code n'est pas valide. Vérifiez l'heure de votre téléphone, ou utilisez un code de secours."
            )
    return render(request, "accounts/second_factor_verify.html", {"form": form, "next": _next(request, "")})


def enrol(request):
    """Scan the QR code (or type the secret), then type the first code to confirm."""
    user = request.user
    if second_factor.is_enrolled(user) and not user.is_verified():
        return redirect("second_factor_verify")
    device = second_factor.pending_app_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token("".join(form.cleaned_data["code"].split())):
            codes = second_factor.confirm_app_device(device)
            otp_login(request, device)
            request.session["second_factor_codes"] = codes
            messages.success(request, "La double authentification est activée.")
            return redirect(f"{reverse('second_factor_backup_codes')}?{urlencode({'next': _next(request, '')})}")
        form.add_error(
            "code", "Ce code ne correspond pas. Vérifiez que l'heure de votre téléphone est à jour et réessayez."
        )
    return render(
        request,
        "accounts/second_factor_enrol.html",
        {
            "form": form,
            "qr_code": second_factor.qr_code_data_uri(device),
            "secret": second_factor.secret_for_typing(device),
            "required": permissions.must_use_second_factor(user),
            "next": _next(request, ""),
        },
    )


def backup_codes(request):
    """Shows new codes once (after enrolment or on request); GET after that shows how many are left."""
    user = request.user
    if not second_factor.is_enrolled(user):
        return redirect("second_factor_enrol")
    if request.method == "POST":
        if not user.is_verified():
            raise PermissionDenied
        request.session["second_factor_codes"] = second_factor.new_backup_codes(user)
        return redirect("second_factor_backup_codes")
    codes = request.session.pop("second_factor_codes", None)
    return render(
        request,
        "accounts/second_factor_codes.html",
        {"codes": codes, "left": second_factor.backup_codes_left(user), "next": _next(request, "")},
    )


def manage(request):
    user = request.user
    return render(
        request,
        "accounts/second_factor_manage.html",
        {
            "enrolled": second_factor.is_enrolled(user),
            "required": permissions.must_use_second_factor(user),
            "left": second_factor.backup_codes_left(user),
        },
    )


def disable(request):
    """Those who are not required to use it may turn it off (after a verified login); GET confirms."""
    user = request.user
    if permissions.must_use_second_factor(user) or not user.is_verified():
        raise PermissionDenied
    if request.method == "POST":
        second_factor.reset(user)
        messages.success(request, "La double authentification est désactivée pour votre compte.")
        return redirect("second_factor_manage")
    return render(request, "accounts/second_factor_disable.html")


# --- the coordination helps a colleague who lost their phone ---------------------------------


def user_list(request):
    """The accounts, with their second factor; the coordination resets a lost device from here."""
    if not permissions.is_coordination(request.user):
        raise PermissionDenied
    form = UserSearchForm(request.GET)
    users = form.filtrer(User.objects.select_related("structure"))
    listing = paginer(request, users.order_by("last_name", "first_name", "pk"))
    page = listing["page_obj"]
    enrolled = set(
        second_factor.TOTPDevice.objects.filter(user__in=page.object_list, confirmed=True).values_list(
            "user_id", flat=True
        )
    )
    rows = [(u, u.pk in enrolled) for u in page.object_list]
    return render(request, "accounts/user_list.html", {"form": form, "rows": rows, **listing})


def reset(request, pk):
    target = get_object_or_404(User.objects.filter(is_active=True), pk=pk)
    if not permissions.can_reset_second_factor(request.user, target):
        raise PermissionDenied
    if request.method == "POST":
        second_factor.reset(target, par=request.user)
        messages.success(
            request,
            f"La double authentification de {target.get_full_name()} est réinitialisée : "
            "elle ou il en configurera une nouvelle à sa prochaine connexion.",
        )
        return redirect("user_list")
    return render(
        request,
        "accounts/second_factor_reset.html",
        {"target": target, "enrolled": user_has_device(target, confirmed=True)},
    )
