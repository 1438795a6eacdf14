from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from sorties.models import RegleSortie


@admin.register(RegleSortie)
class RegleSortieAdmin(SimpleHistoryAdmin):
    list_display = ["referentiel", "ordre", "libelle", "classe", "neutralisee"]
    list_filter = ["referentiel", "classe", "neutralisee"]
    search_fields = ["libelle", "source"]
