from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from parcours.models import (
    AbsenceReferent,
    Atelier,
    Contrat,
    Convocation,
    Demande,
    Diagnostic,
    Etape,
    EvenementContrat,
    EvenementEtape,
    FreinDiagnostic,
    InscriptionAtelier,
    LotEmargement,
    Parcours,
    Participant,
    PeriodeVeille,
    PresenceAtelier,
    RendezVous,
    SeanceAtelier,
    Signature,
    SuspensionMesure,
    TentativeContact,
    TransitionDemande,
    TransitionParcours,
    TransitionRendezVous,
    TransitionSeance,
)


@admin.register(Participant)
class ParticipantAdmin(SimpleHistoryAdmin):
    list_display = ["nom_usage", "prenoms", "date_naissance", "commune", "consentement"]
    list_filter = ["sexe", "consentement", "criteres", "commune__epci_nom"]
    search_fields = ["nom_usage", "nom_naissance", "prenoms", "email", "telephone_mobile"]
    autocomplete_fields = ["commune"]
    filter_horizontal = ["criteres"]
    date_hierarchy = "cree_le"


class PeriodeVeilleInline(admin.TabularInline):
    model = PeriodeVeille
    extra = 0


class TransitionParcoursInline(admin.TabularInline):
    model = TransitionParcours
    extra = 0
    can_delete = False
    readonly_fields = ["transition", "etat_avant", "etat_apres", "auteur", "date", "motif"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Parcours)
class ParcoursAdmin(SimpleHistoryAdmin):
    list_display = ["participant", "etat", "referent", "date_prescription", "date_entree", "date_sortie"]
    list_filter = ["etat", "rup", "a_distance", "referent__structure", "structure_prescriptrice__type_prescripteur"]
    search_fields = ["participant__nom_usage", "participant__prenoms", "referent__last_name"]
    autocomplete_fields = ["participant", "referent", "prescripteur", "structure_prescriptrice"]
    date_hierarchy = "date_prescription"
    inlines = [PeriodeVeilleInline, TransitionParcoursInline]
    # The state moves only through the transition methods, which log who and why.
    readonly_fields = ["etat"]


@admin.register(PeriodeVeille)
class PeriodeVeilleAdmin(SimpleHistoryAdmin):
    list_display = ["parcours", "motif", "debut", "fin_prevue", "fin", "renouvellements"]
    list_filter = ["motif"]
    search_fields = ["parcours__participant__nom_usage"]


@admin.register(TransitionParcours)
class TransitionParcoursAdmin(admin.ModelAdmin):
    list_display = ["parcours", "transition", "etat_avant", "etat_apres", "auteur", "date"]
    list_filter = ["transition", "etat_apres"]
    search_fields = ["parcours__participant__nom_usage", "motif"]
    date_hierarchy = "date"


class TransitionRendezVousInline(admin.TabularInline):
    model = TransitionRendezVous
    extra = 0
    can_delete = False
    readonly_fields = ["transition", "statut_avant", "statut_apres", "auteur", "date", "motif"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RendezVous)
class RendezVousAdmin(SimpleHistoryAdmin):
    list_display = ["parcours", "objet", "debut", "modalite", "lieu", "statut"]
    list_filter = ["objet", "statut", "modalite"]
    search_fields = ["parcours__participant__nom_usage", "lieu_precision"]
    autocomplete_fields = ["parcours"]
    list_select_related = ["parcours__participant", "lieu", "lieu__commune"]
    date_hierarchy = "debut"
    inlines = [TransitionRendezVousInline]
    # The state moves only through the transitions, which log who and when.
    readonly_fields = ["statut", "cree_par", "cree_le", "cloture_le", "cloture_par"]


@admin.register(TransitionRendezVous)
class TransitionRendezVousAdmin(admin.ModelAdmin):
    list_display = ["rendez_vous", "transition", "statut_avant", "statut_apres", "auteur", "date"]
    list_filter = ["transition", "statut_apres"]
    search_fields = ["rendez_vous__parcours__participant__nom_usage"]
    list_select_related = ["rendez_vous", "auteur"]
    date_hierarchy = "date"


@admin.register(TentativeContact)
class TentativeContactAdmin(SimpleHistoryAdmin):
    list_display = ["parcours", "date", "canal", "abouti", "auteur"]
    list_filter = ["canal", "abouti"]
    search_fields = ["parcours__participant__nom_usage"]
    autocomplete_fields = ["parcours"]
    list_select_related = ["parcours__participant", "auteur"]
    date_hierarchy = "date"
    readonly_fields = ["auteur"]


class EvenementEtapeInline(admin.TabularInline):
    model = EvenementEtape
    extra = 0
    can_delete = False
    readonly_fields = ["transition", "etat_avant", "etat_apres", "auteur", "date", "motif"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Etape)
class EtapeAdmin(SimpleHistoryAdmin):
    list_display = ["parcours", "type", "etat", "date_debut", "date_fin_prevue", "date_fin", "ressource"]
    list_filter = ["type", "etat"]
    search_fields = ["parcours__participant__nom_usage"]
    autocomplete_fields = ["parcours", "ressource"]
    list_select_related = ["parcours__participant", "ressource"]
    date_hierarchy = "date_debut"
    inlines = [EvenementEtapeInline]
    # The state moves only through the transition methods, which log who and why.
    readonly_fields = ["etat", "cree_par"]


@admin.register(EvenementEtape)
class EvenementEtapeAdmin(admin.ModelAdmin):
    list_display = ["etape", "transition", "etat_avant", "etat_apres", "auteur", "date"]
    list_filter = ["transition", "etat_apres"]
    search_fields = ["etape__parcours__participant__nom_usage"]
    list_select_related = ["etape__parcours__participant", "auteur"]
    date_hierarchy = "date"


class FreinDiagnosticInline(admin.TabularInline):
    model = FreinDiagnostic
    extra = 0
    fields = ["theme", "niveau", "commentaire"]


@admin.register(Diagnostic)
class DiagnosticAdmin(SimpleHistoryAdmin):
    list_display = ["parcours", "nature", "modifie_le", "fige_le"]
    list_filter = ["nature"]
    raw_id_fields = ["parcours", "modifie_par"]
    # A frozen copy is a record of what was decided at the signature or the exit: never edited here.
    readonly_fields = ["nature", "fige_le", "modifie_le"]
    inlines = [FreinDiagnosticInline]


@admin.register(FreinDiagnostic)
class FreinDiagnosticAdmin(SimpleHistoryAdmin):
    list_display = ["diagnostic", "theme", "niveau"]
    list_filter = ["theme", "niveau"]
    raw_id_fields = ["diagnostic"]


class EvenementContratInline(admin.TabularInline):
    model = EvenementContrat
    extra = 0
    can_delete = False
    readonly_fields = ["transition", "statut_avant", "statut_apres", "auteur", "date", "motif"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Contrat)
class ContratAdmin(SimpleHistoryAdmin):
    list_display = ["parcours", "statut", "date_signature", "signe_bi_le"]
    list_filter = ["statut"]
    raw_id_fields = ["parcours", "signe_par_referent", "signe_bi_par"]
    # The status moves through the contract's steps (parcours.cer), never by hand.
    readonly_fields = ["statut", "date_signature", "signe_par_referent", "signe_bi_le", "signe_bi_par", "decision_le"]
    inlines = [EvenementContratInline]


@admin.register(EvenementContrat)
class EvenementContratAdmin(admin.ModelAdmin):
    list_display = ["contrat", "transition", "statut_avant", "statut_apres", "auteur", "date"]
    readonly_fields = ["contrat", "transition", "statut_avant", "statut_apres", "auteur", "date", "motif"]

    def has_add_permission(self, request):
        return False


@admin.register(AbsenceReferent)
class AbsenceReferentAdmin(SimpleHistoryAdmin):
    list_display = ["referent", "debut", "fin", "nature"]
    list_filter = ["nature"]
    search_fields = ["referent__last_name", "referent__first_name", "commentaire"]
    raw_id_fields = ["referent", "cree_par"]
    date_hierarchy = "debut"


# Ateliers collectifs: the sessions' states move only through parcours.ateliers (locked, logged).


class SeanceAtelierInline(admin.TabularInline):
    model = SeanceAtelier
    extra = 0
    can_delete = False
    fields = ["numero", "debut", "fin", "statut", "emargement_clos_le"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Atelier)
class AtelierAdmin(SimpleHistoryAdmin):
    list_display = ["theme", "animateur", "co_animateur", "premiere_date", "periodicite", "nombre_seances", "capacite"]
    list_filter = ["periodicite"]
    search_fields = ["theme", "animateur__last_name", "co_animateur__last_name"]
    raw_id_fields = ["animateur", "co_animateur", "lieu", "cree_par"]
    list_select_related = ["animateur", "co_animateur"]
    date_hierarchy = "premiere_date"
    inlines = [SeanceAtelierInline]
    # The sessions are made with the series (parcours.ateliers.creer_serie).
    readonly_fields = ["periodicite", "nombre_seances", "premiere_date", "cree_par"]

    def has_add_permission(self, request):
        return False


class TransitionSeanceInline(admin.TabularInline):
    model = TransitionSeance
    extra = 0
    can_delete = False
    fields = ["date", "transition", "statut_avant", "statut_apres", "auteur", "motif"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SeanceAtelier)
class SeanceAtelierAdmin(SimpleHistoryAdmin):
    list_display = ["atelier", "numero", "debut", "statut", "emargement_clos_le"]
    list_filter = ["statut"]
    search_fields = ["atelier__theme"]
    list_select_related = ["atelier"]
    date_hierarchy = "debut"
    inlines = [TransitionSeanceInline]
    readonly_fields = ["atelier", "numero", "statut", "motif_annulation", "emargement_clos_le", "emargement_clos_par"]

    def has_add_permission(self, request):
        return False


@admin.register(TransitionSeance)
class TransitionSeanceAdmin(admin.ModelAdmin):
    list_display = ["seance", "transition", "statut_avant", "statut_apres", "auteur", "date"]
    list_filter = ["transition", "statut_apres"]
    search_fields = ["seance__atelier__theme"]
    list_select_related = ["seance__atelier", "auteur"]
    date_hierarchy = "date"


@admin.register(InscriptionAtelier)
class InscriptionAtelierAdmin(SimpleHistoryAdmin):
    list_display = ["atelier", "parcours", "invite_par", "invite_le"]
    search_fields = ["atelier__theme", "parcours__participant__nom_usage"]
    raw_id_fields = ["atelier", "parcours", "invite_par"]
    list_select_related = ["atelier", "parcours__participant", "invite_par"]

    def has_add_permission(self, request):
        return False


@admin.register(PresenceAtelier)
class PresenceAtelierAdmin(SimpleHistoryAdmin):
    list_display = ["seance", "parcours", "statut", "duree_minutes", "saisi_par"]
    list_filter = ["statut"]
    search_fields = ["seance__atelier__theme", "parcours__participant__nom_usage"]
    raw_id_fields = ["seance", "parcours", "saisi_par"]
    list_select_related = ["seance__atelier", "parcours__participant", "saisi_par"]

    def has_add_permission(self, request):
        return False


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    """Read only: a signature is written once, on screen, by its page (parcours.signatures)."""

    list_display = ["signe_le", "signataire", "referent", "rendez_vous", "presence", "seance", "recueillie_par"]
    list_filter = ["signataire"]
    list_select_related = ["referent", "recueillie_par", "rendez_vous", "presence", "seance__atelier"]
    exclude = ["image"]
    readonly_fields = [
        "rendez_vous",
        "presence",
        "seance",
        "signataire",
        "referent",
        "signe_le",
        "recueillie_par",
        "session_empreinte",
    ]
    date_hierarchy = "signe_le"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LotEmargement)
class LotEmargementAdmin(admin.ModelAdmin):
    """Read only: a batch is asked for on its page and built by the Celery task; its file is downloaded
    through the authorised view, never from the admin."""

    list_display = ["mois", "referent", "statut", "faites", "total", "demande_le", "termine_le"]
    list_filter = ["statut"]
    list_select_related = ["referent"]
    exclude = ["fichier"]
    readonly_fields = [
        "referent",
        "mois",
        "statut",
        "total",
        "faites",
        "erreur",
        "demande_par",
        "demande_le",
        "termine_le",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class _LectureSeule(admin.ModelAdmin):
    """Made through their rules only: the admin shows them and never adds nor changes one."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Demande)
class DemandeAdmin(_LectureSeule):
    """Asked and decided through parcours.demandes (the decision applies the parcours's transition); the bilan
    is downloaded through its authorised view, never from the admin."""

    list_display = ["parcours", "type", "statut", "auteur", "demandee_le", "decision_en_cellule", "decide_le"]
    list_filter = ["type", "statut", "decision_en_cellule"]
    search_fields = ["parcours__participant__nom_usage"]
    list_select_related = ["parcours__participant", "auteur"]
    exclude = ["bilan"]
    date_hierarchy = "demandee_le"


@admin.register(TransitionDemande)
class TransitionDemandeAdmin(_LectureSeule):
    list_display = ["demande", "transition", "statut_avant", "statut_apres", "auteur", "date"]
    list_filter = ["transition", "statut_apres"]
    search_fields = ["demande__parcours__participant__nom_usage"]
    list_select_related = ["demande__parcours__participant", "auteur"]
    date_hierarchy = "date"


@admin.register(SuspensionMesure)
class SuspensionMesureAdmin(_LectureSeule):
    """Recorded through parcours.suspensions, which moves the measure's end and the maximum length with it."""

    list_display = ["parcours", "motif", "debut", "fin", "cree_par"]
    list_filter = ["motif"]
    search_fields = ["parcours__participant__nom_usage"]
    list_select_related = ["parcours__participant", "cree_par"]


@admin.register(Convocation)
class ConvocationAdmin(_LectureSeule):
    """Written by parcours.convocations with their messages; answered through the personal link or by SMS.
    The token is the participant's key: never shown here."""

    list_display = ["parcours", "debut", "reponse", "repondu_le", "repondu_par"]
    list_filter = ["reponse", "repondu_par"]
    search_fields = ["parcours__participant__nom_usage"]
    list_select_related = ["parcours__participant"]
    exclude = ["jeton"]
    date_hierarchy = "debut"
