"""The ateliers collectifs' pages: the list, a new series, an atelier (its sessions and the people
invited), inviting, and a session (attendance, change, cancellation, locking the émargement).

The référents see the ateliers they run, the coordination every one; the others get a 403 on the list
and a 404 on an atelier. The pages that name participants write the access log, one row per person shown
(``journal_objets``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from parcours import ateliers
from parcours.forms_ateliers import AnnulationForm, AtelierForm, AteliersFiltres, PresencesForm, SeanceForm, VersionForm
from parcours.models import Atelier, InscriptionAtelier, SeanceAtelier, StatutSeance
from plie import permissions
from plie.acces.journal import journalise_liste
from plie.acces.models import BIGINT_MAX
from plie.listes import chercher_personne, paginer
from plie.workflow import TransitionError


def _journalise_participants(view):
    """``@_journalise_participants``: one row per person the page names (their parcours), a refused
    row for a refusal. The URL's id is an atelier or a session, which designates nobody: the resolver
    test (tests/plie/acces/test_acces.py) lists these pages among its motivated exemptions, so the
    view does not carry the mark that says « the id in my URL is the logged object »."""
    wrapped = journalise_liste("parcours")(view)
    del wrapped.journal_des_acces
    return wrapped


def _add_error(form, error):
    field = error.field
    if field and field.startswith(("statut_", "duree_")) and field in form.fields:
        form.add_error(field, error.message)
        return
    form.add_error(field if field in form.fields else None, error.message)


def _liste_permise(user):
    if not permissions.can_list_ateliers(user):
        raise PermissionDenied


def _atelier(request, pk):
    # Whom may not list them finds no atelier either: a 404, as for any object not theirs.
    qs = permissions.ateliers_visibles(request.user, Atelier.objects.all())
    return get_object_or_404(
        qs.select_related("animateur", "animateur__structure", "co_animateur", "co_animateur__structure", "lieu"),
        pk=pk,
    )


def _seance(request, pk):
    ateliers_vus = permissions.ateliers_visibles(request.user, Atelier.objects.all())
    return get_object_or_404(
        SeanceAtelier.objects.filter(atelier__in=ateliers_vus).select_related(
            "atelier", "atelier__animateur", "atelier__co_animateur", "lieu", "lieu__commune", "emargement_clos_par"
        ),
        pk=pk,
    )


def _gere(request, atelier):
    if not permissions.can_manage_atelier(request.user, atelier):
        raise Http404("Action réservée aux animateurs de l'atelier et à la coordination.")


def liste(request):
    _liste_permise(request.user)
    form = AteliersFiltres(request.GET)
    now = timezone.now()
    rows = (
        form.filtrer(permissions.ateliers_visibles(request.user, Atelier.objects.all()))
        .select_related("animateur", "co_animateur")
        .annotate(
            invites=Count("inscriptions", distinct=True),
            prochaine=Min("seances__debut", filter=Q(seances__statut=StatutSeance.PREVUE, seances__fin__gte=now)),
        )
        .order_by("-premiere_date", "theme", "id")
    )
    return render(
        request,
        "ateliers/liste.html",
        {"form": form, "peut_creer": permissions.can_create_atelier(request.user), **paginer(request, rows)},
    )


def creer(request):
    if not permissions.can_create_atelier(request.user):
        raise PermissionDenied
    form = AtelierForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            atelier = ateliers.creer_serie(request.user, **form.cleaned_data)
        except TransitionError as error:
            _add_error(form, error)
        else:
            messages.success(request, f"Atelier « {atelier.theme} » créé : {atelier.nombre_seances} séance(s).")
            return redirect("ateliers:detail", pk=atelier.pk)
    return render(request, "ateliers/creer.html", {"form": form})


@_journalise_participants
def detail(request, pk):
    atelier = _atelier(request, pk)
    seances = list(atelier.seances.select_related("lieu", "lieu__commune").annotate(notees=Count("presences")))
    inscriptions = list(
        atelier.inscriptions.select_related("parcours", "parcours__participant", "parcours__referent").order_by(
            "parcours__participant__nom_usage", "parcours__participant__prenoms", "id"
        )
    )
    response = render(
        request,
        "ateliers/detail.html",
        {
            "atelier": atelier,
            "seances": seances,
            "inscriptions": inscriptions,
            "places_restantes": ateliers.places_restantes(atelier, len(inscriptions)),
            "peut_gerer": permissions.can_manage_atelier(request.user, atelier),
        },
    )
    response.journal_objets = [i.parcours_id for i in inscriptions]
    return response


@_journalise_participants
def inviter(request, pk):
    atelier = _atelier(request, pk)
    _gere(request, atelier)
    q = (request.GET.get("q") or "")[:100]
    invitables = ateliers.parcours_invitables(atelier, request.user).select_related("participant", "referent")
    if q:
        invitables = chercher_personne(invitables, q, "participant__cle_recherche")
    invitables = invitables.order_by("participant__nom_usage", "participant__prenoms", "id")
    erreur = ""
    choisis = []
    if request.method == "POST":
        # Junk or an id beyond the column's range (a forged form) is no one.
        choisis = [int(v) for v in request.POST.getlist("parcours") if v.isdigit() and int(v) <= BIGINT_MAX]
        try:
            rows = ateliers.inviter(atelier, request.user, choisis)
        except TransitionError as error:
            erreur = error.message
        else:
            messages.success(request, f"{len(rows)} personne(s) invitée(s).")
            return redirect("ateliers:detail", pk=atelier.pk)
    context = paginer(request, invitables)
    template = "ateliers/_invitables.html" if request.headers.get("HX-Request") else "ateliers/inviter.html"
    response = render(
        request,
        template,
        {
            "atelier": atelier,
            "q": q,
            "erreur": erreur,
            "choisis": choisis,
            "places_restantes": ateliers.places_restantes(atelier),
            **context,
        },
    )
    response.journal_objets = [p.pk for p in context["page_obj"]]
    return response


@require_POST
@_journalise_participants
def desinviter(request, pk):
    ateliers_vus = permissions.ateliers_visibles(request.user, Atelier.objects.all())
    inscription = get_object_or_404(
        InscriptionAtelier.objects.filter(atelier__in=ateliers_vus).select_related("atelier", "parcours__participant"),
        pk=pk,
    )
    _gere(request, inscription.atelier)
    try:
        ateliers.desinviter(inscription, request.user)
    except TransitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Invitation de {inscription.parcours.participant.nom_complet} retirée.")
    response = redirect("ateliers:detail", pk=inscription.atelier_id)
    response.journal_objets = [inscription.parcours_id]
    return response


@_journalise_participants
def seance(request, pk):
    """The session and its attendance sheet (one form for everyone invited)."""
    seance = _seance(request, pk)
    atelier = seance.atelier
    inscriptions = list(
        atelier.inscriptions.select_related("parcours__participant").order_by(
            "parcours__participant__nom_usage", "parcours__participant__prenoms", "id"
        )
    )
    presences = {p.parcours_id: p for p in seance.presences.all()}
    peut_gerer = permissions.can_manage_atelier(request.user, atelier)
    form = PresencesForm(seance, inscriptions, presences, request.POST or None)
    if request.method == "POST":
        if not peut_gerer:
            raise Http404("Action réservée aux animateurs de l'atelier et à la coordination.")
        if form.is_valid():
            try:
                ateliers.noter_presences(
                    form.seance_lue(), request.user, form.lignes_de_presence(), contenu=form.cleaned_data["contenu"]
                )
            except TransitionError as error:
                _add_error(form, error)
                seance.refresh_from_db()
            else:
                messages.success(request, "Présences enregistrées.")
                return redirect("ateliers:seance", pk=seance.pk)
    response = render(
        request,
        "ateliers/seance.html",
        {
            "seance": seance,
            "atelier": atelier,
            "form": form,
            "inscriptions": inscriptions,
            "lignes": [(i, presences.get(i.parcours_id)) for i in inscriptions],
            "peut_gerer": peut_gerer,
            "peut_noter": peut_gerer and seance.statut != StatutSeance.ANNULEE and not seance.emargement_clos,
            "commencee": seance.debut <= timezone.now() + ateliers.TOLERANCE_HORLOGE,
        },
    )
    response.journal_objets = [i.parcours_id for i in inscriptions]
    return response


@_journalise_participants
def seance_modifier(request, pk):
    seance = _seance(request, pk)
    _gere(request, seance.atelier)
    form = SeanceForm(seance, request.POST or None)
    if request.method == "POST" and form.is_valid():
        debut, fin = form.moments()
        try:
            ateliers.modifier_seance(
                form.seance_lue(),
                request.user,
                debut=debut,
                fin=fin,
                lieu=form.cleaned_data["lieu"],
                lieu_precision=form.cleaned_data["lieu_precision"],
            )
        except TransitionError as error:
            _add_error(form, error)
            seance.refresh_from_db()
        else:
            messages.success(
                request, f"Séance {seance.numero} déplacée au {timezone.localtime(debut):%d/%m/%Y à %H:%M}."
            )
            return redirect("ateliers:seance", pk=seance.pk)
    return render(request, "ateliers/seance_modifier.html", {"seance": seance, "form": form})


@_journalise_participants
def seance_annuler(request, pk):
    seance = _seance(request, pk)
    _gere(request, seance.atelier)
    form = AnnulationForm(seance, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ateliers.annuler_seance(form.seance_lue(), request.user, form.cleaned_data["motif"])
        except TransitionError as error:
            _add_error(form, error)
            seance.refresh_from_db()
        else:
            messages.success(request, f"Séance {seance.numero} annulée.")
            return redirect("ateliers:detail", pk=seance.atelier_id)
    return render(request, "ateliers/seance_annuler.html", {"seance": seance, "form": form})


@_journalise_participants
def seance_clore(request, pk):
    seance = _seance(request, pk)
    _gere(request, seance.atelier)
    form = VersionForm(seance, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ateliers.clore_emargement(form.seance_lue(), request.user)
        except TransitionError as error:
            _add_error(form, error)
            seance.refresh_from_db()
        else:
            messages.success(request, "Émargement clos : les présences de cette séance ne changent plus.")
            return redirect("ateliers:seance", pk=seance.pk)
    return render(request, "ateliers/seance_clore.html", {"seance": seance, "form": form})
