from django.contrib import admin

from financement.models import InstantaneEtats


@admin.register(InstantaneEtats)
class InstantaneEtatsAdmin(admin.ModelAdmin):
    list_display = ["date", "etat", "nombre", "calcule_le"]
    list_filter = ["etat"]
    search_fields = ["etat"]
    date_hierarchy = "date"
