from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

from parcours.views.conformite import conformite
from parcours.views.convocations import reponse as convocation_reponse
from plie.accounts.views import referent_list
from plie.views.home import healthz, home

admin.site.site_header = "Administration du PLIE"
admin.site.site_title = "Administration du PLIE"
admin.site.index_title = "Données"

urlpatterns = [
    path("", home, name="home"),
    path("healthz/", healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that name none (the admin): no 404 in their console. The
    # unhashed name: urls.py is imported before collectstatic has written the manifest (check --deploy).
    path("favicon.ico", login_not_required(RedirectView.as_view(url=f"{settings.STATIC_URL}img/favicon.svg"))),
    path("compte/", include("plie.accounts.urls")),
    path("parcours/", include("parcours.urls")),
    path("c/<str:jeton>/", convocation_reponse, name="convocation_reponse"),
    path("agenda/", include("parcours.agenda_urls")),
    path("courriers/", include("parcours.courriers_urls")),
    path("ateliers/", include("parcours.ateliers_urls")),
    path("emargement/", include("parcours.emargement_urls")),
    path("bilans/", include("parcours.bilan_urls")),
    path("demandes/", include("parcours.demandes_urls")),
    path("suspensions/", include("parcours.suspensions_urls")),
    path("revue-des-parcours/", include("parcours.revue_urls")),
    path("respect-du-rythme/", conformite, name="conformite"),
    path("prescriptions/", include("prescriptions.urls")),
    path("journal-des-acces/", include("plie.acces.urls")),
    path("notifications/", include("plie.notifications.urls")),
    # The SMS provider's callbacks (delivery statuses, replies): a shared secret, no session.
    path("webhooks/", include("plie.notifications.webhook_urls")),
    path("referents/", referent_list, name="referents"),
    path("", include("plie.accounts.gestion_urls")),
    path("referentiel/", include("plie.referentiel.urls")),
    path("territoire/", include("plie.territoire.urls")),
    path("ressources/", include("plie.territoire.ressources_urls")),
    path("budget-ateliers/", include("financement.urls")),
    path("admin/", admin.site.urls),
]
