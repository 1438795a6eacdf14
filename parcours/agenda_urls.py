from django.urls import path

from parcours.views import agenda

app_name = "agenda"

urlpatterns = [
    path("", agenda.agenda, name="agenda"),
    path("absences/", agenda.absences, name="absences"),
    path("absences/nouvelle/", agenda.absence_create, name="absence_create"),
    path("absences/<int:pk>/", agenda.absence_edit, name="absence_edit"),
    path("absences/<int:pk>/supprimer/", agenda.absence_delete, name="absence_delete"),
]
