from plie import permissions
from plie.accounts.models import Role


def navigation(request):
    """The entries of the main navigation, decided by the permission rules."""
    user = request.user
    pending = getattr(request, "second_step_pending", None)
    if not user.is_authenticated or pending:
        # Before the second step, the pages behind it are not offered.
        return {"second_step_pending": bool(pending), "nav_entries": [], "unread_notifications": 0}
    entries = [("home", "Accueil")]
    if permissions.can_instruct_prescriptions(user):
        entries.append(("prescriptions:queue", "Prescriptions"))
    if permissions.can_decide_demande(user):
        entries.append(("demandes:a_traiter", "Demandes à traiter"))
    if permissions.can_prescribe(user):
        entries.append(("prescriptions:mine", "Mes prescriptions"))
    if user.has_role(Role.BUREAU_INSERTION):
        entries.append(("prescriptions:validations", "Validations RSA"))
    if permissions.can_list_parcours(user):
        entries.append(("parcours:list", "Parcours"))
    if permissions.can_view_agenda(user):
        entries.append(("agenda:agenda", "Agenda"))
    if permissions.can_list_courriers(user):
        entries.append(("courriers:liste", "Courriers à envoyer"))
    if permissions.can_list_ateliers(user):
        entries.append(("ateliers:list", "Ateliers"))
    if permissions.can_request_lot_emargement(user):
        entries.append(("emargement:lots", "Émargement"))
    if permissions.can_view_conformite(user):
        entries.append(("conformite", "Respect du rythme"))
    if permissions.can_view_revue_parcours(user):
        entries.append(("revue", "Revue des parcours"))
    if permissions.can_view_budgets_ateliers(user):
        entries.append(("depenses:budget", "Budget ateliers"))
    if permissions.can_decide_depenses_ateliers(user):
        entries.append(("depenses:a_valider", "Dépenses à valider"))
    if permissions.can_view_referents(user):
        entries.append(("referents", "Référents"))
    if permissions.can_view_referentiel(user):
        entries.append(("referentiel:detail", "Référentiel"))
    if permissions.can_edit_referentiel(user):
        entries.append(("referentiel:convocations", "Convocations"))
    if permissions.can_edit_communes(user):
        entries.append(("territoire:list", "Territoire"))
    if permissions.can_view_ressources(user):
        entries.append(("ressources:list", "Ressources"))
    if permissions.can_manage_structures(user):
        entries.append(("structure_list", "Structures"))
    if permissions.can_manage_postes(user):
        entries.append(("lieu_list", "Lieux"))
    if permissions.can_invite(user):
        entries.append(("invitation_list", "Invitations"))
    if permissions.is_coordination(user):
        entries.append(("user_list", "Comptes"))
    if permissions.can_view_access_log(user):
        entries.append(("acces:journal", "Journal des accès"))
    from plie.notifications.models import Notification

    unread = Notification.objects.filter(destinataire=user).non_lues().count()
    return {"second_step_pending": False, "nav_entries": entries, "unread_notifications": unread}
