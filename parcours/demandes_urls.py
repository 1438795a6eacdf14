from django.urls import path

from parcours.views import demandes

app_name = "demandes"

urlpatterns = [
    path("", demandes.a_traiter, name="a_traiter"),
    path("parcours/<int:pk>/<str:type>/", demandes.nouvelle, name="nouvelle"),
    path("<int:pk>/", demandes.detail, name="detail"),
    path("<int:pk>/accepter/", demandes.accepter, name="accepter"),
    path("<int:pk>/refuser/", demandes.refuser, name="refuser"),
    path("<int:pk>/retirer/", demandes.retirer, name="retirer"),
]
