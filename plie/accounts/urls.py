from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from plie.accounts import second_factor_views
from plie.accounts.forms import EmailAuthenticationForm, StrengthPasswordChangeForm
from plie.accounts.views import (
    PasswordResetConfirmView,
    PasswordResetView,
    invitation_action,
    invitation_activate,
    invitation_create,
    invitation_link,
    invitation_list,
)
from plie.sessions import keep_alive

urlpatterns = [
    path(
        "connexion/",
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/changer/",
        auth_views.PasswordChangeView.as_view(
            form_class=StrengthPasswordChangeForm, success_url=reverse_lazy("password_change_done")
        ),
        name="password_change",
    ),
    path("mot-de-passe/change/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("mot-de-passe/oublie/", PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe/oublie/envoye/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("mot-de-passe/nouveau/<uidb64>/<token>/", PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path(
        "mot-de-passe/nouveau/termine/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("session/maintenir/", keep_alive, name="session_keep_alive"),
    path("invitations/", invitation_list, name="invitation_list"),
    path("invitations/nouvelle/", invitation_create, name="invitation_create"),
    path("invitations/<int:pk>/renvoyer/", invitation_action, {"action": "renvoyer"}, name="invitation_renew"),
    path("invitations/<int:pk>/annuler/", invitation_action, {"action": "annuler"}, name="invitation_cancel"),
    path("activer/", invitation_activate, name="invitation_activate"),
    path("activer/<str:token>/", invitation_link, name="invitation_link"),
    path("double-authentification/", second_factor_views.verify, name="second_factor_verify"),
    path("double-authentification/configurer/", second_factor_views.enrol, name="second_factor_enrol"),
    path(
        "double-authentification/codes-de-secours/", second_factor_views.backup_codes, name="second_factor_backup_codes"
    ),
    path("double-authentification/gerer/", second_factor_views.manage, name="second_factor_manage"),
    path("double-authentification/desactiver/", second_factor_views.disable, name="second_factor_disable"),
    path("utilisateurs/", second_factor_views.user_list, name="user_list"),
    path(
        "utilisateurs/<int:pk>/double-authentification/reinitialiser/",
        second_factor_views.reset,
        name="second_factor_reset",
    ),
]
