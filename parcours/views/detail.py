from django.shortcuts import get_object_or_404, render

from parcours import absences
from parcours.models import Parcours
from parcours.transitions import PAGES
from parcours.views import entretiens
from plie import permissions, sensitive
from plie.acces.journal import journalise
from plie.acces.models import AccesDossier, TypeObjet


@journalise("parcours")
def parcours_detail(request, pk):
    parcours = get_object_or_404(
        # The absence to follow and its tasks come with the row (the « Entretiens et contacts » card).
        absences.avec_absence(Parcours.objects.visible_to(request.user)).select_related(
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
    return render(
        request,
        "parcours/detail.html",
        {
            "parcours": parcours,
            "participant": parcours.participant,
            "criteres": sensitive.criteres_visibles(parcours.participant.criteres.all(), visible),
            "sensitive": visible,
            "actions": actions,
            "journal": parcours.transitions.select_related("auteur"),
            "veilles": [(v, sensitive.motif_veille(v, visible)) for v in parcours.periodes_veille.all()],
            "autres_parcours": autres_parcours,
            "tentatives": parcours.tentatives_contact.de_l_accueil(parcours).journal(),
            "suivi_entretiens": entretiens.carte(parcours, user),
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
