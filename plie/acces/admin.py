from django.contrib import admin

from plie.acces.models import AccesDossier


@admin.register(AccesDossier)
class AccesDossierAdmin(admin.ModelAdmin):
    """Read only: the log is append-only, in the admin as in the database."""

    list_display = ["date", "utilisateur_libelle", "role", "type_objet", "objet_id", "action", "refuse"]
    list_filter = ["refuse", "type_objet", "action", "role"]
    search_fields = ["utilisateur_libelle", "chemin"]
    date_hierarchy = "date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
