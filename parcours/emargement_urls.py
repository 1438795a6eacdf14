"""The émargement sheets (parcours.views.emargement). ``emargement:seance`` (a session's pk) is the
collective sheet the session page links to."""

from django.urls import path

from parcours.views import emargement

app_name = "emargement"

urlpatterns = [
    path("parcours/<int:pk>/", emargement.periode, name="parcours"),
    path("parcours/<int:pk>/feuille-individuelle/", emargement.individuelle, name="individuelle"),
    path("parcours/<int:pk>/feuille-partenaires/", emargement.partenaires, name="partenaires"),
    path("seance/<int:pk>/", emargement.seance, name="seance"),
    path("lots/", emargement.lots, name="lots"),
    path("lots/<int:pk>/", emargement.lot, name="lot"),
    path("lots/<int:pk>/fichier/", emargement.lot_fichier, name="lot_fichier"),
]
