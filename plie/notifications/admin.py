from django.contrib import admin

from plie.notifications.models import EmailSortant, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["titre", "destinataire", "cree_le", "lue_le"]
    list_filter = ["lue_le"]
    search_fields = ["titre", "destinataire__email"]
    raw_id_fields = ["destinataire"]


@admin.register(EmailSortant)
class EmailSortantAdmin(admin.ModelAdmin):
    list_display = ["sujet", "cree_le", "envoye_le", "tentatives"]
    list_filter = ["envoye_le"]
    search_fields = ["sujet"]
    readonly_fields = ["destinataires", "sujet", "corps", "cree_le", "envoye_le", "tentatives", "derniere_erreur"]
