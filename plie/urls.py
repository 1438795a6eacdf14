from django.contrib import admin
from django.urls import include, path

from plie.accounts.views import referent_list
from plie.views.home import healthz, home

admin.site.site_header = "Administration du PLIE"
admin.site.site_title = "Administration du PLIE"
admin.site.index_title = "Données"

urlpatterns = [
    path("", home, name="home"),
    path("healthz/", healthz, name="healthz"),
    path("compte/", include("plie.accounts.urls")),
    path("parcours/", include("parcours.urls")),
    path("prescriptions/", include("prescriptions.urls")),
    path("journal-des-acces/", include("plie.acces.urls")),
    path("notifications/", include("plie.notifications.urls")),
    path("referents/", referent_list, name="referents"),
    path("referentiel/", include("plie.referentiel.urls")),
    path("territoire/", include("plie.territoire.urls")),
    path("admin/", admin.site.urls),
]
