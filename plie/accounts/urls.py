from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from plie.accounts.forms import EmailAuthenticationForm
from plie.accounts.views import invitation_action, invitation_activate, invitation_create, invitation_list
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
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("password_change_done")),
        name="password_change",
    ),
    path("mot-de-passe/change/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "mot-de-passe/oublie/",
        auth_views.PasswordResetView.as_view(
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path("mot-de-passe/oublie/envoye/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("session/maintenir/", keep_alive, name="session_keep_alive"),
    path("invitations/", invitation_list, name="invitation_list"),
    path("invitations/nouvelle/", invitation_create, name="invitation_create"),
    path("invitations/<int:pk>/renvoyer/", invitation_action, {"action": "renvoyer"}, name="invitation_renew"),
    path("invitations/<int:pk>/annuler/", invitation_action, {"action": "annuler"}, name="invitation_cancel"),
    path("activer/<str:token>/", invitation_activate, name="invitation_activate"),
]
