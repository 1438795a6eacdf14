from django.shortcuts import get_object_or_404, render

from parcours import cer
from parcours.diagnostic import FREINS_FORTS, diagnostic_en_cours, freins_par_theme
from parcours.models import Parcours
from parcours.transitions import PAGES
from plie import permissions, sensitive
from plie.acces.journal import journalise
from plie.acces.models import AccesDossier, TypeObjet


@journalise("parcours")
def parcours_detail(request, pk):
    parcours = get_object_or_404(
        Parcours.objects.visible_to(request.user).select_related(
            "participant",
            "participant__commune",
            "referent",
            "referent__structure",
            "prescripteur",
            "structure_prescriptrice",
            "prescription",
        ),
        pk=pk,
    )
    user = request.user
    visible = permissions.can_view_sensitive(user, parcours)
    fiche = getattr(parcours, "prescription", None)  # parcours accepted from an online referral
    if fiche is not None and not permissions.can_view_prescription(user, fiche):
        fiche = None
    actions = [
        (t, PAGES[t.name].url(parcours))
        for t in parcours.transitions_possibles()
        if permissions.can_apply_transition(user, parcours, t)
    ]
    autres_parcours = (
        Parcours.objects.visible_to(user)
        .filter(participant=parcours.participant)
        .exclude(pk=parcours.pk)
        .order_by("-date_prescription")
    )
    diagnostic_visible = permissions.can_view_diagnostic(user, parcours)
    contrat_visible = permissions.can_view_contrat(user, parcours)
    diagnostic = diagnostic_en_cours(parcours, creer=False) if diagnostic_visible else None
    return render(
        request,
        "parcours/detail.html",
        {
            "diagnostic_visible": diagnostic_visible,
            "contrat_visible": contrat_visible,
            "contrat": cer.contrat_en_cours(parcours) if contrat_visible else None,
            "diagnostic_modifiable": permissions.can_edit_diagnostic(user, parcours),
            "diagnostic": diagnostic,
            "freins_forts": [f for f in freins_par_theme(diagnostic) if f.niveau in FREINS_FORTS] if diagnostic else [],
            "parcours": parcours,
            "participant": parcours.participant,
            "criteres": sensitive.criteres_visibles(parcours.participant.criteres.all(), visible),
            "sensitive": visible,
            "actions": actions,
            "journal": parcours.transitions.select_related("auteur"),
            "veilles": [(v, sensitive.motif_veille(v, visible)) for v in parcours.periodes_veille.all()],
            "autres_parcours": autres_parcours,
            "tentatives": parcours.tentatives_contact.journal(),
            "premier_rdv": parcours.rendez_vous.premier_rdv(),
            "can_log_contact": permissions.can_log_contact_attempt(user, parcours),
            "fiche": fiche,
            # « Qui a consulté ce dossier » : the coordination only; one query, whatever the log holds.
            "acces_recents": (
                list(AccesDossier.objects.pour_objet(TypeObjet.PARCOURS, parcours.pk)[:10])
                if permissions.can_view_access_log(user)
                else None
            ),
        },
    )
