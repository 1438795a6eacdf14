from plie import permissions


def navigation(request):
    """The entries of the main navigation, decided by the permission rules."""
    user = request.user
    if not user.is_authenticated:
        return {}
    entries = [("home", "Accueil")]
    if permissions.can_list_parcours(user):
        entries.append(("parcours:list", "Parcours"))
    if permissions.can_view_referents(user):
        entries.append(("referents", "Référents"))
    if permissions.can_view_referentiel(user):
        entries.append(("referentiel:detail", "Référentiel"))
    if permissions.can_edit_communes(user):
        entries.append(("territoire:list", "Territoire"))
    return {"nav_entries": entries}
