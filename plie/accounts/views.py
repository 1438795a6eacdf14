from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator

from parcours.charges import charges, with_file_active
from plie import permissions
from plie.accounts import invitations, lockout
from plie.accounts.forms import ActivationForm, InvitationForm, InvitationSearchForm, StrengthSetPasswordForm
from plie.accounts.models import Invitation, LieuAccompagnement, Role, Structure, User
from plie.listes import FiltresForm, paginer
from plie.normalisation import normaliser
from plie.referentiel.models import Referentiel

STATUTS = [("", "Tous"), ("actif", "En poste"), ("vacant", "Poste vacant")]


class ReferentSearchForm(FiltresForm):
    q = forms.CharField(label="Rechercher (nom, commune d'accompagnement)", required=False, max_length=100)
    structure = forms.ModelChoiceField(
        label="Employeur",
        queryset=Structure.objects.operateurs(),
        required=False,
        empty_label="Tous",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    statut = forms.ChoiceField(label="Statut", choices=STATUTS, required=False)

    def filtre_q(self, referents, texte):
        for word in texte.split():
            if not (mot := normaliser(word)):
                continue
            # Through a subquery: joining the places here would multiply the file-active count. The
            # names however typed (their key); the commune as written.
            matching = User.objects.filter(
                Q(cle_recherche__contains=mot) | Q(referent_profile__lieux__commune__nom__icontains=word)
            )
            referents = referents.filter(pk__in=matching.values("pk"))
        return referents

    def filtre_structure(self, referents, structure):
        return referents.filter(structure=structure)

    def filtre_statut(self, referents, statut):
        return referents.filter(referent_profile__actif=statut == "actif")


def referent_list(request):
    """Référents with their post (ETP, places, vacancy) and their load. Opérateurs see their own."""
    user = request.user
    if not permissions.can_view_referents(user):
        raise PermissionDenied
    form = ReferentSearchForm(request.GET)
    referents = User.objects.filter(role=Role.REFERENT, referent_profile__isnull=False)
    if user.has_role(Role.OPERATEUR):
        referents = referents.filter(structure=user.structure)
        del form.fields["structure"]
    referents = form.filtrer(referents)
    referents = with_file_active(
        referents.select_related("structure", "referent_profile").prefetch_related(
            Prefetch("referent_profile__lieux", queryset=LieuAccompagnement.objects.select_related("commune"))
        )
    ).order_by("-referent_profile__actif", "last_name", "first_name")
    listing = paginer(request, referents)
    page = listing["page_obj"]
    page.object_list = charges(Referentiel.objects.active_or_none(), page.object_list)
    return render(
        request,
        "referents/list.html",
        {
            "form": form,
            **listing,
            "may_manage": permissions.can_manage_postes(user),
            "may_reassign": permissions.can_reassign(user),
        },
    )


# --- invitations ----------------------------------------------------------------------------


def invitation_list(request):
    if not permissions.can_invite(request.user):
        raise PermissionDenied
    form = InvitationSearchForm(request.GET)
    rows = form.filtrer(Invitation.objects.select_related("structure", "invite_par"))
    return render(request, "accounts/invitation_list.html", {"form": form, **paginer(request, rows)})


def invitation_create(request):
    if not permissions.can_invite(request.user):
        raise PermissionDenied
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invitation = invitations.inviter(
            Invitation(
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=data["role"],
                etp=data["etp"],
                structure=form.structure_invitee,
                invite_par=request.user,
            )
        )
        messages.success(request, f"L'invitation est envoyée à {invitation.email}.")
        return redirect("invitation_list")
    return render(request, "accounts/invitation_form.html", {"form": form})


def invitation_action(request, pk, action):
    """GET asks for confirmation, POST applies: renew (a new link) or cancel (delete) an invitation."""
    if not permissions.can_invite(request.user):
        raise PermissionDenied
    invitation = get_object_or_404(Invitation.objects.non_acceptees().select_related("structure"), pk=pk)
    if request.method == "POST":
        if action == "renvoyer":
            invitations.renvoyer(invitation)
            messages.success(request, f"Un nouveau lien est envoyé à {invitation.email} ; l'ancien ne fonctionne plus.")
        else:
            invitations.annuler(invitation)
            messages.success(request, f"L'invitation de {invitation.email} est annulée.")
        return redirect("invitation_list")
    return render(request, "accounts/invitation_confirm.html", {"invitation": invitation, "action": action})


# The emailed link's token moves into the session at once and the browser goes on to a URL without
# it (Django's PasswordResetConfirmView does the same): the token then never reaches the access logs
# of the web server or of a proxy, nor the Referer header of the next request.
INVITATION_SESSION_KEY = "_invitation_token"
TOKEN_MAX_LENGTH = 100  # tokens are 43 characters; junk is cut before it reaches the session


@login_not_required
def invitation_link(request, token):
    """The link of the email: keep its token in the session, redirect to the token-free page.

    Tokens are guessed by opening links: an IP that opened too many invalid ones is locked out.
    """
    if lockout.is_locked(request, lockout.LINK):
        lockout.count_failure(request, lockout.LINK)  # as for logins: a try while locked restarts the wait
        return lockout.lockout_response(request)
    try:
        invitations.invitation_pour(token)
    except invitations.InvitationInvalide:
        if lockout.count_failure(request, lockout.LINK):
            return lockout.lockout_response(request)
    request.session[INVITATION_SESSION_KEY] = token[:TOKEN_MAX_LENGTH]
    return redirect("invitation_activate")


@login_not_required
def invitation_activate(request):
    """Anyone holding the link chooses a password; the account is created and they are logged in."""
    token = request.session.get(INVITATION_SESSION_KEY)
    if not token:
        return _invitation_invalid(
            request,
            "Ouvrez le lien d'activation reçu par email : cette page ne s'ouvre qu'à partir de lui.",
        )
    try:
        invitation = invitations.invitation_pour(token)
    except invitations.InvitationInvalide as error:
        return _invitation_invalid(request, error.message)
    form = ActivationForm(invitation, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.accepter(token, form.cleaned_data["password1"])
        except invitations.InvitationInvalide as error:
            return _invitation_invalid(request, error.message)
        del request.session[INVITATION_SESSION_KEY]
        login(request, user, backend="plie.accounts.backends.EmailBackend")
        messages.success(request, f"Bienvenue {user.first_name} : votre compte est activé.")
        return redirect("home")
    return render(request, "accounts/invitation_activate.html", {"form": form, "invitation": invitation})


def _invitation_invalid(request, reason):
    return render(request, "accounts/invitation_invalid.html", {"reason": reason}, status=410)


# --- password reset, throttled --------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view; every request for one address from one IP counts, so that nobody floods a mailbox.

    Known and unknown addresses are counted alike: the lockout says nothing of who has an account.
    """

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        if lockout.count_failure(self.request, lockout.RESET_PREFIX + form.cleaned_data["email"]):
            return lockout.lockout_response(self.request)
        return super().form_valid(form)


# Overriding dispatch drops the marks Django's own dispatch carries: anonymous people must reach it.
@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view (the token leaves the URL for set-password); invalid links count as failures."""

    form_class = StrengthSetPasswordForm

    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("token") == self.reset_url_token:  # the token is in the session, already checked
            return super().dispatch(request, *args, **kwargs)
        if lockout.is_locked(request, lockout.LINK):
            lockout.count_failure(request, lockout.LINK)
            return lockout.lockout_response(request)
        response = super().dispatch(request, *args, **kwargs)
        # A valid link redirects to set-password; an invalid one renders "Lien invalide".
        if response.status_code != 302 and lockout.count_failure(request, lockout.LINK):
            return lockout.lockout_response(request)
        return response
