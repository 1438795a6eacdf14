"""The émargement sheets' pages: a parcours's individual and partners' sheets over a period, an atelier
session's collective sheet, and a référent's monthly batch (built by a Celery task, its progress shown,
its file served from the private storage). Every PDF writes the access log, refusals too."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from parcours import emargement
from parcours.forms_emargement import LotEmargementForm, PeriodeEmargementForm
from parcours.models import LotEmargement, Parcours, SeanceAtelier, StatutLot
from parcours.tasks import parcours_du_lot, produire_lot_emargement
from plie import pdf, permissions
from plie.acces.journal import journalise, noter, noter_plusieurs
from plie.acces.models import Action, TypeObjet
from plie.referentiel.models import Referentiel

# The batches listed on the page: the most recent ones (older files stay downloadable from their page).
LOTS_LISTES = 25


def _referentiel():
    """The PLIE's name heads every sheet: without an active référentiel there is none to print."""
    referentiel = Referentiel.objects.active_or_none()
    if referentiel is None:
        raise Http404("Aucun référentiel n'est actif : la coordination doit en activer un.")
    return referentiel


def _parcours(request, pk):
    parcours = get_object_or_404(
        Parcours.objects.visible_to(request.user).select_related("participant", "referent", "referent__structure"),
        pk=pk,
    )
    if not permissions.can_print_emargement(request.user, parcours):
        raise Http404("Feuilles d'émargement réservées au référent du parcours et à la coordination.")
    return parcours


def _page(request, parcours, form, status=200):
    return render(
        request,
        "parcours/emargement.html",
        {
            "parcours": parcours,
            "form": form,
            "lots_visibles": permissions.can_request_lot_emargement(request.user),
        },
        status=status,
    )


@journalise("parcours")
def periode(request, pk):
    """The period form of a parcours's sheets (the current month by default)."""
    parcours = _parcours(request, pk)
    return _page(request, parcours, PeriodeEmargementForm(request.GET))


def _sheet(request, pk, builder, template, nom):
    parcours = _parcours(request, pk)
    form = PeriodeEmargementForm(request.GET)
    if form.is_bound and not form.is_valid():
        return _page(request, parcours, form)  # the errors next to their fields, the dates kept
    debut, fin = form.periode()
    referentiel = _referentiel()
    feuille = builder(parcours, debut, fin)
    contenu = pdf.rendre_pdf(template, {"feuille": feuille, "referentiel": referentiel}, request=request)
    return pdf.reponse_pdf(contenu, f"{nom}-parcours-{parcours.pk}-{debut:%Y%m%d}-{fin:%Y%m%d}.pdf")


@journalise("parcours", action=Action.TELECHARGEMENT)
def individuelle(request, pk):
    """Every entretien, atelier and contact of the period, with the participant's and the référent's boxes."""
    return _sheet(
        request,
        pk,
        lambda parcours, debut, fin: emargement.avec_frise(
            emargement.feuille_individuelle(parcours, debut, fin), request.user
        ),
        "pdf/emargement_individuelle.html",
        "emargement",
    )


@journalise("parcours", action=Action.TELECHARGEMENT)
def partenaires(request, pk):
    """The référent's exchanges with partners about the person over the period (C §III.1.3)."""
    return _sheet(
        request, pk, emargement.feuille_partenaires, "pdf/emargement_partenaires.html", "emargement-partenaires"
    )


def seance(request, pk):
    """The collective sheet of one session: it names everyone invited, so each is logged (by hand: the
    URL names a session, not a parcours); a refusal is logged too."""
    seance = (
        SeanceAtelier.objects.select_related(
            "atelier__animateur__structure", "atelier__co_animateur__structure", "lieu__commune"
        )
        .filter(pk=pk)
        .first()
    )
    if seance is None or not permissions.can_print_emargement_seance(request.user, seance.atelier):
        noter(request, TypeObjet.PARCOURS, None, action=Action.TELECHARGEMENT, refuse=True)
        raise Http404("Feuille réservée aux animateurs de l'atelier et à la coordination.")
    referentiel = _referentiel()
    feuille = emargement.feuille_seance(seance)
    contenu = pdf.rendre_pdf("pdf/emargement_seance.html", {"feuille": feuille, "referentiel": referentiel}, request)
    noter_plusieurs(request, TypeObjet.PARCOURS, feuille.parcours_ids, action=Action.TELECHARGEMENT)
    return pdf.reponse_pdf(contenu, f"emargement-seance-{seance.pk}.pdf")


# --- the monthly batch ----------------------------------------------------------------------------


def _lots_visibles(user):
    lots = LotEmargement.objects.select_related("referent", "demande_par")
    return lots if permissions.is_coordination(user) else lots.filter(referent=user)


@require_http_methods(["GET", "POST"])
def lots(request):
    """Ask for a month's batch of individual sheets, and the latest batches."""
    user = request.user
    if not permissions.can_request_lot_emargement(user):
        raise PermissionDenied
    choix = permissions.is_coordination(user)
    form = LotEmargementForm(request.POST or None, choix_du_referent=choix)
    if request.method == "POST" and form.is_valid():
        referent = form.cleaned_data["referent"] if choix else user
        if not permissions.can_request_lot_emargement(user, referent):
            form.add_error("referent", "Choisissez un référent.")
        else:
            lot = _demander(referent, form.cleaned_data["mois"], user)
            return redirect("emargement:lot", pk=lot.pk)
    return render(
        request,
        "parcours/emargement_lots.html",
        {"form": form, "lots": list(_lots_visibles(user)[:LOTS_LISTES]), "limite": LOTS_LISTES},
    )


def _demander(referent, mois, by):
    """The batch, queued once committed; a batch of the same month still being built is reused."""
    with transaction.atomic():
        lot = (
            LotEmargement.objects.select_for_update()
            .filter(referent=referent, mois=mois, statut__in=[StatutLot.EN_ATTENTE, StatutLot.EN_COURS])
            .first()
        )
        if lot is None:
            lot = LotEmargement.objects.create(referent=referent, mois=mois, demande_par=by)
            transaction.on_commit(lambda: produire_lot_emargement.delay(lot.pk))
    return lot


def _lot(request, pk):
    lot = get_object_or_404(LotEmargement.objects.select_related("referent", "demande_par"), pk=pk)
    if not permissions.can_view_lot_emargement(request.user, lot):
        raise Http404("Lot réservé au référent et à la coordination.")
    return lot


def lot(request, pk):
    """The batch's progress: htmx asks again every 2 seconds until it is done; without JavaScript, a
    reload shows the same. It names the référent and the month, no participant."""
    lot = _lot(request, pk)
    template = "parcours/_emargement_lot_etat.html" if request.htmx else "parcours/emargement_lot.html"
    response = render(request, template, {"lot": lot})
    patch_vary_headers(response, ["HX-Request"])
    return response


def lot_fichier(request, pk):
    """The batch's merged PDF, from the private storage: one access-log row per parcours it prints."""
    try:
        lot = _lot(request, pk)
        if lot.statut != StatutLot.TERMINE or not lot.fichier or not lot.fichier.storage.exists(lot.fichier.name):
            raise Http404("Ce lot n'a pas (encore) de fichier.")
    except Http404:
        noter(request, TypeObjet.PARCOURS, None, action=Action.TELECHARGEMENT, refuse=True)
        raise
    # A month without any contact prints nobody: nothing to log then.
    noter_plusieurs(request, TypeObjet.PARCOURS, parcours_du_lot(lot), action=Action.TELECHARGEMENT)
    response = FileResponse(
        lot.fichier.open("rb"),
        as_attachment=True,
        filename=f"emargement-{lot.referent.last_name or lot.referent.pk}-{lot.mois:%Y-%m}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
