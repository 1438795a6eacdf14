from django.urls import path

from parcours.views import courriers

app_name = "courriers"

urlpatterns = [
    path("", courriers.liste, name="liste"),
    path("a-reprendre/", courriers.a_signaler, name="a_signaler"),
    path("<int:pk>/pdf/", courriers.telecharger, name="pdf"),
    path("<int:pk>/poster/", courriers.poster, name="poster"),
    path("echecs/<int:pk>/remplacer/", courriers.repli, name="repli"),
]
