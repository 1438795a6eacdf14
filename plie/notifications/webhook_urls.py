from django.urls import path

from plie.notifications import webhooks

app_name = "webhooks"

urlpatterns = [
    path("sms/<str:fournisseur>/statut/", webhooks.statut, name="sms_statut"),
    path("sms/<str:fournisseur>/reponse/", webhooks.reponse, name="sms_reponse"),
]
