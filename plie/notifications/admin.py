from django.contrib import admin

from plie.notifications.models import EvenementFournisseur, Message, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["titre", "destinataire", "cree_le", "lue_le"]
    list_filter = ["lue_le"]
    search_fields = ["titre", "destinataire__email"]
    raw_id_fields = ["destinataire"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read only: messages are written by their cause and sent by the outbox."""

    list_display = ["sujet", "canal", "genre", "statut", "du_le", "envoye_le", "tentatives"]
    list_filter = ["canal", "genre", "statut"]
    search_fields = ["sujet", "cle"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EvenementFournisseur)
class EvenementFournisseurAdmin(admin.ModelAdmin):
    """Read only: the provider's webhooks, kept once each (a replay is ignored)."""

    list_display = ["fournisseur", "genre", "cle", "message", "recu_le"]
    list_filter = ["fournisseur", "genre"]
    search_fields = ["cle"]
    raw_id_fields = ["message"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
