from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from prescriptions.models import CandidatEcarte, EvenementPrescription, Prescription, ValidationPrescription


class ValidationInline(admin.TabularInline):
    model = ValidationPrescription
    extra = 0
    raw_id_fields = ["demandee_par", "avis_par"]


class EvenementInline(admin.TabularInline):
    model = EvenementPrescription
    extra = 0
    readonly_fields = ["type", "statut_avant", "statut_apres", "auteur", "date", "detail"]
    can_delete = False


@admin.register(Prescription)
class PrescriptionAdmin(SimpleHistoryAdmin):
    list_display = ["nom_usage", "prenoms", "date_naissance", "statut", "structure", "envoyee_le"]
    list_filter = ["statut", "structure"]
    search_fields = ["nom_usage", "nom_naissance", "prenoms", "email"]
    raw_id_fields = [
        "prescripteur",
        "participant",
        "parcours",
        "identite_verifiee_par",
        "decidee_par",
        "commune",
    ]
    filter_horizontal = ["criteres"]
    inlines = [ValidationInline, EvenementInline]
    date_hierarchy = "cree_le"


@admin.register(ValidationPrescription)
class ValidationPrescriptionAdmin(SimpleHistoryAdmin):
    list_display = ["prescription", "organisme", "avis", "demandee_le", "avis_le"]
    list_filter = ["organisme", "avis"]
    search_fields = ["prescription__nom_usage", "interlocuteur"]
    raw_id_fields = ["prescription", "demandee_par", "avis_par"]


@admin.register(CandidatEcarte)
class CandidatEcarteAdmin(admin.ModelAdmin):
    list_display = ["prescription", "participant", "autre_prescription", "ecarte_le"]
    search_fields = ["prescription__nom_usage"]
    raw_id_fields = ["prescription", "participant", "autre_prescription", "ecarte_par"]


@admin.register(EvenementPrescription)
class EvenementPrescriptionAdmin(admin.ModelAdmin):
    list_display = ["prescription", "type", "statut_avant", "statut_apres", "auteur", "date"]
    list_filter = ["type"]
    search_fields = ["prescription__nom_usage", "detail"]
    raw_id_fields = ["prescription", "auteur"]
