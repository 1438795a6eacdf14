from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from plie.decimaux import DECIMAUX_FR
from plie.referentiel.models import CriterePublic, Referentiel
from sorties.models import RegleSortie


class RegleSortieInline(admin.TabularInline):
    model = RegleSortie
    extra = 0
    fields = ["ordre", "situations", "conditions", "classe", "neutralisee", "libelle", "source"]


@admin.register(Referentiel)
class ReferentielAdmin(SimpleHistoryAdmin):
    list_display = ["nom", "code", "actif", "file_active_par_etp", "duree_mesure_mois", "veille_duree_max_mois"]
    list_filter = ["actif"]
    search_fields = ["nom", "code"]
    inlines = [RegleSortieInline]
    formfield_overrides = DECIMAUX_FR


@admin.register(CriterePublic)
class CriterePublicAdmin(admin.ModelAdmin):
    list_display = ["libelle", "code", "ordre", "sensible"]
    search_fields = ["libelle", "code"]
