from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from financement.models import DepenseAtelier, InstantaneEtats, TransitionDepense
from plie.decimaux import DECIMAUX_FR


@admin.register(InstantaneEtats)
class InstantaneEtatsAdmin(admin.ModelAdmin):
    list_display = ["date", "etat", "nombre", "calcule_le"]
    list_filter = ["etat"]
    search_fields = ["etat"]
    date_hierarchy = "date"


class TransitionDepenseInline(admin.TabularInline):
    model = TransitionDepense
    extra = 0
    can_delete = False
    readonly_fields = ["transition", "statut_avant", "statut_apres", "auteur", "date", "motif"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DepenseAtelier)
class DepenseAtelierAdmin(SimpleHistoryAdmin):
    list_display = ["date", "referent", "categorie", "fournisseur", "montant", "statut"]
    list_filter = ["statut", "categorie", "referent__structure"]
    search_fields = ["fournisseur", "objet", "referent__last_name"]
    autocomplete_fields = ["referent"]
    raw_id_fields = ["atelier"]
    date_hierarchy = "date"
    formfield_overrides = DECIMAUX_FR
    inlines = [TransitionDepenseInline]
    # The status moves only through financement.depenses, which logs it; the receipt is checked on upload
    # and read only through the authorised view, which writes the access log (never a /media/ link).
    exclude = ["justificatif"]
    readonly_fields = ["statut", "justificatif_lien", "justificatif_type", "decide_par", "decide_le"]

    @admin.display(description="justificatif")
    def justificatif_lien(self, depense):
        if not depense.justificatif:
            return "—"
        url = reverse("depenses:justificatif", args=[depense.pk])
        return format_html('<a href="{}">{}</a>', url, depense.justificatif_nom or "justificatif")


@admin.register(TransitionDepense)
class TransitionDepenseAdmin(admin.ModelAdmin):
    list_display = ["depense", "transition", "statut_avant", "statut_apres", "auteur", "date"]
    list_filter = ["transition"]
    search_fields = ["depense__fournisseur", "motif"]
    date_hierarchy = "date"
