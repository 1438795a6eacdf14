"""The pages of the requests for a decision (:mod:`parcours.demandes`): the request form of one type, the
coordination's « Demandes à traiter », a request's page with its decisions, the withdrawal; and the
dossier's « Demandes » card (:func:`carte`).

A request quotes a veille motive and free text about the person: its pages are for whom the
sensitive-data rule allows (``Demande.objects.visible_to``; a 404 for anyone else). Every page logs an
access to the person's parcours (:func:`_journalise_demande` for the pages whose URL names a request).
"""

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from parcours import demandes
from parcours.forms_demandes import AccepterForm, DemandeForm, DemandesFiltres, RefuserForm, RetirerForm, version
from parcours.models import Demande, MotifVeille, Parcours, StatutDemande, TypeDemande
from parcours.workflow import TransitionError
from plie import permissions, sensitive
from plie.acces.journal import REFUSED_STATUSES, journalise, journalise_liste, noter
from plie.acces.models import BIGINT_MAX, TypeObjet
from plie.listes import paginer
from plie.referentiel.models import NoActiveReferentiel, Referentiel

DERNIERES = 10  # requests on the dossier's card


def _parcours_de(pk):
    """The parcours a request is about (None for an id that names no request)."""
    if not 0 < pk <= BIGINT_MAX:
        return None
    return Demande.objects.filter(pk=pk).values_list("parcours_id", flat=True).first()


def _journalise_demande(view):
    """Log the access to the person's parcours for a page whose URL names a request, refusals too.

    The id in the URL is a request's, not the logged object's: the resolver test lists these pages
    among its motivated exemptions (tests/plie/acces/test_acces.py), so the view does not carry the
    mark that says « the id in my URL is the logged object »."""

    @functools.wraps(view)
    def wrapper(request, pk, **kwargs):
        try:
            response = view(request, pk, **kwargs)
        except (Http404, PermissionDenied):
            noter(request, TypeObjet.PARCOURS, _parcours_de(pk), refuse=True)
            raise
        refuse = response.status_code in REFUSED_STATUSES
        parcours_id = getattr(response, "journal_parcours", None) or _parcours_de(pk)
        noter(request, TypeObjet.PARCOURS, parcours_id, refuse=refuse)
        return response

    return wrapper


def _add_error(form, error, objet):
    """The refusal next to its field (at the top when it names none); the form keeps what was typed and
    now carries the version just read, so that a second submit, after reading, is not refused again."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
    objet.refresh_from_db()
    form.data = form.data.copy()
    form.data[form.add_prefix("version")] = version(objet)


def _message_decideur(demande) -> str:
    if demande.decision_en_cellule:
        return "La demande sera présentée à la prochaine cellule de suivi."
    return "La coordination du PLIE décidera."


# --- the dossier's card ------------------------------------------------------------------------------


def carte(user, parcours, referentiel, *, etapes=None, veilles=()) -> dict:
    """The « Demandes » card: the latest requests (the waiting ones first: at most one per type) and the
    types one may ask now. One query, and only when the parcours has requests (``a_des_demandes``).
    ``etapes``/``veilles``: the dossier's rows, for the veille offered when an étape emploi or formation began."""
    if not permissions.can_view_demandes(user, parcours):
        return {"demandes_visibles": False}
    liste = []
    if getattr(parcours, "a_des_demandes", True):
        attente = Case(
            When(statut=StatutDemande.DEMANDEE, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        liste = list(parcours.demandes.select_related("auteur").order_by(attente, "-demandee_le", "-id")[:DERNIERES])
    en_attente = [d.type for d in liste if d.a_decider]
    possibles = (
        demandes.possibles(parcours, referentiel, en_attente=en_attente)
        if permissions.can_request_demande(user, parcours)
        else []
    )
    offerte = (
        demandes.etape_pour_veille(parcours, etapes, veilles)
        if any(s.type == TypeDemande.ENTREE_VEILLE for s in possibles)
        else None
    )
    return {
        "demandes_visibles": True,
        "demandes_liste": liste,
        "demandes_possibles": possibles,
        "veille_proposee": offerte,
    }


# --- asking ------------------------------------------------------------------------------------------


def _initial(request, parcours, sorte) -> dict:
    """A veille offered for an étape emploi or formation (``?etape=``): its motive and dates, to check."""
    etape_pk = request.GET.get("etape", "")
    if sorte.type != TypeDemande.ENTREE_VEILLE or not etape_pk.isdigit() or len(etape_pk) > 12:
        return {}
    etape = parcours.etapes.filter(pk=int(etape_pk)).first()
    if etape is None:
        return {}
    return {
        "motif_veille": MotifVeille.EMPLOI_FORMATION,
        "debut": etape.date_debut,
        "fin_prevue": etape.date_fin_prevue,
    }


@journalise("parcours")
def nouvelle(request, pk, type):
    parcours = get_object_or_404(
        Parcours.objects.visible_to(request.user).select_related("participant", "referent"), pk=pk
    )
    if type not in TypeDemande.values or not permissions.can_request_demande(request.user, parcours):
        raise Http404("Demande indisponible pour ce parcours.")
    sorte = demandes.SORTES[TypeDemande(type)]
    referentiel = Referentiel.objects.active_or_none()
    if request.method != "POST":
        # A POST is left to the service, which says in words why the type may no longer be asked.
        en_attente = parcours.demandes.a_decider().values_list("type", flat=True)
        if sorte not in demandes.possibles(parcours, referentiel, en_attente=list(en_attente)):
            raise Http404("Demande indisponible pour ce parcours.")
    form = DemandeForm(sorte, parcours, request.POST or None, initial=_initial(request, parcours, sorte))
    if request.method == "POST" and form.is_valid():
        try:
            demande = demandes.demander(
                request.user,
                form.version_lue(parcours),
                sorte.type,
                referentiel=Referentiel.objects.active(),
                **form.faits(),
            )
        except TransitionError as error:
            _add_error(form, error, parcours)
        except NoActiveReferentiel as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"« {sorte.libelle} » demandée. {_message_decideur(demande)}")
            return redirect("parcours:detail", pk=parcours.pk)
    return render(
        request,
        "demandes/nouvelle.html",
        {
            "parcours": parcours,
            "sorte": sorte,
            "form": form,
            "en_cellule": demandes.en_cellule(referentiel, sorte.type),
        },
    )


# --- the coordination's list -------------------------------------------------------------------------


@journalise_liste("parcours")
def a_traiter(request):
    if not permissions.can_decide_demande(request.user):
        raise PermissionDenied
    form = DemandesFiltres(request.GET)
    rows = form.filtrer(
        Demande.objects.visible_to(request.user)
        .a_decider()
        .select_related("parcours__participant", "parcours__referent", "auteur")
    ).order_by("demandee_le", "id")
    context = paginer(request, rows)
    response = render(request, "demandes/a_traiter.html", {"form": form, **context})
    response.journal_objets = [d.parcours_id for d in context["page_obj"]]
    return response


# --- one request -------------------------------------------------------------------------------------


def _demande(request, pk):
    return get_object_or_404(
        Demande.objects.visible_to(request.user).select_related(
            "parcours__participant", "parcours__referent", "auteur", "decide_par", "referent_propose"
        ),
        pk=pk,
    )


# How a fact reads, when not as itself (a date as JJ/MM/AAAA, the others as typed); None: not shown.
EN_MOTS = {
    "motif_veille": lambda d, visible: d.get_motif_veille_display() if visible else f"motif {sensitive.MASQUE}",
    "presentiel_impossible": lambda d, visible: (
        "oui : la coordination étudiera une réorientation" if d.presentiel_impossible else None
    ),
    "referent_propose": lambda d, visible: (
        d.referent_propose.get_full_name() if d.referent_propose else "pas de préférence"
    ),
    # Free text about the person (plie.sensitive.TEXTES_LIBRES).
    "justification": lambda d, visible: d.justification if visible else sensitive.MASQUE,
    "objectifs": lambda d, visible: d.objectifs if visible else sensitive.MASQUE,
}


def _faits(demande, visible):
    """The request's facts as its form asked them, in words (the veille motive and the free text under the
    sensitive rule: the page is only for whom it allows, and says so once more here)."""
    sorte = demandes.SORTES[TypeDemande(demande.type)]
    faits = []
    for champ in sorte.champs:
        if champ in EN_MOTS:
            value = EN_MOTS[champ](demande, visible)
            if value is None:
                continue
        else:
            value = getattr(demande, champ)
            value = f"{value:%d/%m/%Y}" if value else ""
        faits.append((Demande._meta.get_field(champ).verbose_name, value or "—"))
    if demande.autonomie_numerique:
        faits.append(("Autonomie numérique évaluée", demande.get_autonomie_numerique_display()))
    if demande.periode_debut and demande.periode_fin:
        faits.append(("Période du bilan", f"du {demande.periode_debut:%d/%m/%Y} au {demande.periode_fin:%d/%m/%Y}"))
    return faits


def _detail(request, demande, *, accepter=None, refuser=None):
    user = request.user
    decide = permissions.can_decide_demande(user, demande)
    response = render(
        request,
        "demandes/detail.html",
        {
            "demande": demande,
            "parcours": demande.parcours,
            "faits": _faits(demande, permissions.can_view_demandes(user, demande.parcours)),
            "transitions": list(demande.transitions.select_related("auteur").order_by("date", "id")),
            "form_accepter": (AccepterForm(demande) if accepter is None else accepter) if decide else None,
            "form_refuser": (RefuserForm(demande) if refuser is None else refuser) if decide else None,
            "peut_retirer": permissions.can_withdraw_demande(user, demande),
        },
    )
    response.journal_parcours = demande.parcours_id
    return response


def _deja_decidee(request, demande, error):
    """Decided or withdrawn meanwhile: no decision form is left to show the refusal in; the page says it."""
    messages.error(request, f"{error.message} Elle est désormais « {demande.get_statut_display().lower()} ».")
    response = redirect("demandes:detail", pk=demande.pk)
    response.journal_parcours = demande.parcours_id
    return response


@_journalise_demande
def detail(request, pk):
    return _detail(request, _demande(request, pk))


def _decidable(request, pk):
    demande = _demande(request, pk)
    if not permissions.can_decide_demande(request.user):
        raise Http404("Décision indisponible.")
    return demande


@require_POST
@_journalise_demande
def accepter(request, pk):
    demande = _decidable(request, pk)
    form = AccepterForm(demande, request.POST)
    if form.is_valid():
        try:
            demandes.accepter(
                request.user,
                form.version_lue(demande),
                referentiel=Referentiel.objects.active(),
                motif=form.cleaned_data["motif"],
                referent=form.cleaned_data.get("referent"),
            )
        except TransitionError as error:
            _add_error(form, error, demande)
            if not demande.a_decider:
                return _deja_decidee(request, demande, error)
        except NoActiveReferentiel as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"« {demande.get_type_display()} » acceptée : c'est appliqué au parcours.")
            return redirect("parcours:detail", pk=demande.parcours_id)
    return _detail(request, demande, accepter=form)


@require_POST
@_journalise_demande
def refuser(request, pk):
    demande = _decidable(request, pk)
    form = RefuserForm(demande, request.POST)
    if form.is_valid():
        try:
            demandes.refuser(request.user, form.version_lue(demande), motif=form.cleaned_data["motif"])
        except TransitionError as error:
            _add_error(form, error, demande)
            if not demande.a_decider:
                return _deja_decidee(request, demande, error)
        else:
            messages.success(
                request, f"« {demande.get_type_display()} » refusée pour {demande.parcours.participant.nom_complet}."
            )
            return redirect("demandes:a_traiter")
    return _detail(request, demande, refuser=form)


@_journalise_demande
def retirer(request, pk):
    demande = _demande(request, pk)
    user = request.user
    decidee = not demande.a_decider and (permissions.is_coordination(user) or demande.auteur_id == user.pk)
    if not decidee and not permissions.can_withdraw_demande(user, demande):
        raise Http404("Cette demande ne peut pas être retirée.")
    # Already decided or withdrawn (by someone else meanwhile, say): the page says so, with no form.
    form = None if decidee else RetirerForm(demande, request.POST or None)
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            demandes.retirer(request.user, form.version_lue(demande), motif=form.cleaned_data["motif"])
        except TransitionError as error:
            _add_error(form, error, demande)
        else:
            messages.success(request, f"« {demande.get_type_display()} » retirée.")
            return redirect("parcours:detail", pk=demande.parcours_id)
    context = {"demande": demande, "parcours": demande.parcours, "form": form}
    response = render(request, "demandes/retirer.html", context)
    response.journal_parcours = demande.parcours_id
    return response
