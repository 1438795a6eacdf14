from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from plie.decimaux import DECIMAUX_FR
from plie.territoire.models import Commune, RessourceTerritoire


@admin.register(Commune)
class CommuneAdmin(SimpleHistoryAdmin):
    list_display = ["nom", "insee", "codes_postaux", "epci_nom", "latitude", "longitude"]
    list_filter = ["epci_nom", "departement"]
    search_fields = ["nom", "insee", "codes_postaux"]
    formfield_overrides = DECIMAUX_FR


@admin.register(RessourceTerritoire)
class RessourceTerritoireAdmin(SimpleHistoryAdmin):
    list_display = ["nom", "categorie", "referentiel", "structure", "porteur", "active"]
    list_filter = ["referentiel", "categorie", "active"]
    search_fields = ["nom", "porteur", "structure__nom"]
    autocomplete_fields = ["structure"]
    list_select_related = ["referentiel", "structure"]
