from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from parcours import absences, alertes, ateliers, cer, diagnostic, frise, horloge, journal, rythme, veille
from parcours.models import Demande, InscriptionAtelier, ObjetRendezVous, Parcours, PeriodeVeille, StatutRendezVous
from parcours.transitions import PAGES
from parcours.views import demandes as demandes_views
from parcours.views import entretiens
from parcours.views.etapes import etapes_du_parcours
from parcours.views.journal import demande_journal, section_journal
from plie import permissions, sensitive
from plie.acces.journal import journalise
from plie.acces.models import AccesDossier, TypeObjet
from plie.referentiel.models import Referentiel
from prescriptions.models import Prescription


def premier_rdv(rendez_vous):
    """The first appointment among the parcours's (in date order), the cancelled ones left out."""
    return next(
        (r for r in rendez_vous if r.objet == ObjetRendezVous.PREMIER_RDV and r.statut != StatutRendezVous.ANNULE),
        None,
    )


def prochain_rdv(rendez_vous):
    """The next appointment still to come (in date order), or None."""
    now = timezone.now()
    return next((r for r in rendez_vous if r.statut == StatutRendezVous.PREVU and r.debut >= now), None)


def _frise(parcours, etapes, rendez_vous, presences_atelier, veilles, ateliers_visibles, today):
    """« Frise du parcours »: drawn from the rows the other cards read (no query of its own). The étapes
    for whom sees their card; the attendances at ateliers (they tell the person's actions) for whom may
    read sensitive data; the entretiens, veilles and decisions as their cards show them to every reader."""
    return frise.frise(
        parcours,
        etapes=None if etapes is None else [e for e, _, _ in etapes],
        rendez_vous=rendez_vous,
        presences=presences_atelier if ateliers_visibles else None,
        veilles=veilles,
        decisions=frise.decisions_annotees(parcours),
        today=today,
    )


@journalise("parcours")
def parcours_detail(request, pk):
    today = timezone.localdate()
    # This parcours and the person's others the user may see, in one query: the contract's status and
    # whether the person is in an étape emploi / formation (the rhythm asks) come with each row.
    rows = list(
        frise.annoter(cer.annoter_contrat(Parcours.objects.visible_to(request.user)))
        .annoter_en_action(today)
        .select_related(
            "participant",
            "participant__commune",
            "referent",
            "referent__structure",
            "prescripteur",
            "structure_prescriptrice",
            "prescription",
        )
        .filter(participant__parcours=pk)
        # Whether the user may open the fiche it came from: the prescriptions' own rule, in the same query.
        .annotate(fiche_visible=Exists(Prescription.objects.visible_to(request.user).filter(parcours=OuterRef("pk"))))
        # Whether it has veilles, and was ever invited to an atelier: their queries run only then. A
        # dossier with one or the other stays within 15 queries; with both, 16.
        .annotate(
            a_des_veilles=Exists(PeriodeVeille.objects.filter(parcours=OuterRef("pk"))),
            a_des_ateliers=Exists(InscriptionAtelier.objects.filter(parcours=OuterRef("pk"))),
            # The « Demandes » card reads the requests only then (one more query for a parcours with some).
            a_des_demandes=Exists(Demande.objects.filter(parcours=OuterRef("pk"))),
            # « Mesure » (parcours/horloge.py): suspensions, the référent's absences, a renewal asked.
            **horloge.annotations(),
        )
        .order_by("-date_prescription", "-id")
    )
    parcours = next((p for p in rows if p.pk == pk), None)
    if parcours is None:
        raise Http404("Parcours introuvable.")
    user = request.user
    visible = permissions.can_view_sensitive(user, parcours)
    contrat_visible = permissions.can_view_contrat(user, parcours)
    lecteur = journal.lecteur(user, parcours, contrat_visible=contrat_visible)
    journal_carte = section_journal(request, parcours, lecteur, reverse("parcours:detail", args=[pk]))
    if demande_journal(request):
        response = render(request, "parcours/journal_carte.html", journal_carte)
        patch_vary_headers(response, ["HX-Request", "HX-Target"])
        return response
    fiche = getattr(parcours, "prescription", None)  # parcours accepted from an online referral
    if fiche is not None and not parcours.fiche_visible:
        fiche = None
    actions = [
        (t, PAGES[t.name].url(parcours))
        for t in parcours.transitions_possibles()
        if PAGES[t.name].propose(parcours) and permissions.can_apply_transition(user, parcours, t)
    ]
    autres_parcours = [p for p in rows if p.pk != pk]
    diagnostic_visible = permissions.can_view_diagnostic(user, parcours)
    referentiel = Referentiel.objects.active_or_none()
    diagnostic_modifie_le, freins_forts = diagnostic.resume(parcours) if diagnostic_visible else (None, [])
    # Each list read once, whatever it holds; the rhythm reads the same rows.
    veilles = list(parcours.periodes_veille.all()) if parcours.a_des_veilles else []
    rendez_vous = list(parcours.rendez_vous.select_related("lieu", "lieu__commune"))
    tentatives = list(parcours.tentatives_contact.journal())
    # The ateliers it is invited to, session by session with its attendance: one query for both.
    seances_atelier = ateliers.seances_du_parcours(parcours) if parcours.a_des_ateliers else []
    presences_atelier = ateliers.presences(seances_atelier)
    # The référent's and the coordination's tool: by when the next contact is due (Caen: by any
    # means while the person is in an étape emploi / formation / opération).
    echeance = (
        rythme.echeance(
            parcours,
            referentiel,
            today,
            en_etape=parcours.en_action,
            rendez_vous=(
                rendez_vous + rythme.ateliers_lus(presences_atelier)
                if referentiel.ateliers_comptent_dans_rythme
                else rendez_vous
            ),
            contacts=tentatives,
            veilles=veilles,
        )
        if visible and referentiel
        else None
    )
    # In veille: the regular follow-up by phone or face to face (N §III.d), read from the same rows.
    suivi_veille = (
        veille.suivi(parcours, referentiel, veilles=veilles, rendez_vous=rendez_vous, contacts=tentatives, today=today)
        if visible
        else None
    )
    etapes = etapes_du_parcours(user, parcours)
    # --- « Mesure » (parcours/horloge.py): its suspensions and the référent's absences, a query each only
    # when there are some (and the absences only where the référentiel has measures). ---
    suspensions, absences_mesure = horloge.lire(
        parcours, referentiel, absences_visibles=permissions.can_view_alertes(user, parcours)
    )
    mesure = horloge.carte(
        parcours, referentiel, user=user, veilles=veilles, suspensions=suspensions, absences=absences_mesure
    )
    # --- end of the « Mesure » block ---
    # The absence to follow and its tasks, from the rows above (no query).
    suivi_absence = absences.suivi_lu(rendez_vous, tentatives, presences_atelier)
    suivi_entretiens = entretiens.carte(
        parcours,
        user,
        rendez_vous=rendez_vous,
        tentatives=tentatives,
        referentiel=referentiel,
        presences_atelier=presences_atelier,
        suivi=suivi_absence,
    )
    response = render(
        request,
        "parcours/detail.html",
        {
            "diagnostic_visible": diagnostic_visible,
            "contrat_visible": contrat_visible,
            "emargement_visible": permissions.can_print_emargement(user, parcours),
            "echeance": echeance,
            "alertes": (
                alertes.alertes(
                    parcours,
                    referentiel,
                    echeance=echeance,
                    suivi=suivi_absence,
                    signalement=suivi_entretiens.signalement,
                    rendez_vous=rendez_vous,
                    contacts=tentatives,
                    contrat_visible=contrat_visible,
                    veille=suivi_veille,
                    veilles=veilles,
                    today=today,
                )
                if permissions.can_view_alertes(user, parcours)
                else []
            ),
            "contrat_statut": cer.libelle_statut(parcours.contrat_statut) if contrat_visible else "",
            "diagnostic_modifiable": permissions.can_edit_diagnostic(user, parcours),
            "diagnostic_modifie_le": diagnostic_modifie_le,
            "freins_forts": freins_forts,
            "parcours": parcours,
            "participant": parcours.participant,
            "criteres": sensitive.criteres_visibles(parcours.participant.criteres.all(), visible),
            "sensitive": visible,
            "actions": actions,
            **journal_carte,
            "veilles": [(v, sensitive.motif_veille(v, visible)) for v in veilles],
            "suivi_veille": suivi_veille,
            "autres_parcours": autres_parcours,
            "tentatives": [
                t
                for t in tentatives
                if parcours.date_entree is None or timezone.localdate(t.date) < parcours.date_entree
            ],
            "suivi_entretiens": suivi_entretiens,
            # The « Ateliers » card; the attendance list is also the frise's (one query, with session and atelier).
            "presences_atelier": presences_atelier,
            "ateliers_visibles": permissions.can_view_ateliers_du_parcours(user, parcours),
            "invitations_atelier": ateliers.invitations(seances_atelier),
            "premier_rdv": premier_rdv(rendez_vous),
            "prochain_rdv": prochain_rdv(rendez_vous),
            "mesure": mesure,
            # The contract's name in this PLIE: CER in Niort, dossier de présentation in Caen.
            "contrat_libelle": referentiel.cer_libelle if referentiel else "Contrat d'entrée",
            "can_log_contact": permissions.can_log_contact_attempt(user, parcours),
            "fiche": fiche,
            **etapes,
            "frise": _frise(
                parcours,
                etapes["etapes"],
                rendez_vous,
                presences_atelier,
                veilles,
                permissions.can_view_ateliers_du_parcours(user, parcours),
                today,
            ),
            # --- Demandes de décision: the card (parcours/views/demandes.py), one query when there are some. ---
            **demandes_views.carte(
                user,
                parcours,
                referentiel,
                etapes=None if etapes["etapes"] is None else [e for e, _, _ in etapes["etapes"]],
                veilles=veilles,
            ),
            # « Qui a consulté ce dossier » : the coordination only; one query, whatever the log holds.
            "acces_recents": (
                list(AccesDossier.objects.pour_objet(TypeObjet.PARCOURS, parcours.pk)[:10])
                if permissions.can_view_access_log(user)
                else None
            ),
        },
    )
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response
