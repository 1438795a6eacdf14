from axes.models import AccessFailureLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from plie.accounts import invitations
from plie.accounts.models import Invitation, LieuAccompagnement, ReferentProfile, Structure, User
from plie.decimaux import DECIMAUX_FR

# Axes' lockout records: AccessAttempt (the current counts; deleting a row unlocks at once) and
# AccessLog (successful logins) stay in the admin. The failure log is not enabled
# (AXES_ENABLE_ACCESS_FAILURE_LOG), so its page would stay empty.
admin.site.unregister(AccessFailureLog)


@admin.register(Structure)
class StructureAdmin(SimpleHistoryAdmin):
    list_display = ["nom", "type", "type_prescripteur", "commune", "active"]
    list_filter = ["type", "type_prescripteur", "active"]
    search_fields = ["nom", "siret", "email"]
    autocomplete_fields = ["commune"]


class ReferentProfileInline(admin.StackedInline):
    model = ReferentProfile
    extra = 0
    filter_horizontal = ["lieux"]
    formfield_overrides = DECIMAUX_FR  # the ETP, typed « 0,8 »


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["last_name", "first_name"]
    list_display = ["email", "first_name", "last_name", "role", "structure", "is_active"]
    list_filter = ["role", "is_active", "is_staff", "structure__type"]
    search_fields = ["email", "first_name", "last_name", "structure__nom"]
    autocomplete_fields = ["structure"]
    inlines = [ReferentProfileInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name", "telephone"]}),
        ("Rôle", {"fields": ["role", "structure"]}),
        ("Droits", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "first_name", "last_name", "role", "structure", "password1", "password2"],
            },
        )
    ]


@admin.register(LieuAccompagnement)
class LieuAccompagnementAdmin(admin.ModelAdmin):
    list_display = ["nom", "commune", "adresse"]
    list_filter = ["commune__epci_nom"]
    search_fields = ["nom", "adresse", "commune__nom"]
    autocomplete_fields = ["commune"]


@admin.register(ReferentProfile)
class ReferentProfileAdmin(SimpleHistoryAdmin):
    list_display = ["user", "etp", "actif", "date_debut", "date_vacance"]
    list_filter = ["actif", "user__structure"]
    search_fields = ["user__first_name", "user__last_name", "user__email"]
    filter_horizontal = ["lieux"]
    formfield_overrides = DECIMAUX_FR


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read and fix invitations; one added here gets its link by email, as from the coordination's pages."""

    list_display = ["email", "first_name", "last_name", "role", "structure", "cree_le", "expire_le", "acceptee_le"]
    list_filter = ["role", "structure__type_prescripteur"]
    search_fields = ["email", "first_name", "last_name", "structure__nom"]
    formfield_overrides = DECIMAUX_FR  # a référent's ETP, typed « 0,8 »
    list_select_related = ["structure"]
    autocomplete_fields = ["structure", "invite_par"]
    readonly_fields = ["token_hash", "cree_le", "expire_le", "acceptee_le", "user"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        obj.invite_par = obj.invite_par or request.user
        invitations.inviter(obj)
