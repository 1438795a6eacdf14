"""The ateliers' budget pages: a référent's own (« Mon budget ateliers »), every référent's for the
coordination, an opérateur's référents' (read only), the PLIE's totals per category for a financeur (no
name); the prescripteur and the bureau insertion get a 403 (``permissions.can_view_budgets_ateliers``).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from financement import depenses as regles
from financement.forms import AnneeForm, DecisionForm, version
from financement.models import StatutDepense
from plie import permissions
from plie.accounts.models import Role, User
from plie.listes import paginer


def _autorise(request):
    if not permissions.can_view_budgets_ateliers(request.user):
        raise PermissionDenied


def budget(request):
    _autorise(request)
    user = request.user
    if user.has_role(Role.REFERENT):
        return _page_referent(request, user)
    if permissions.sees_budget_totals_only(user):
        return _totaux(request)
    return _referents(request)


def budget_referent(request, pk):
    """One référent's budget, as the coordination or their opérateur reads it (404 for anyone else)."""
    referent = get_object_or_404(User.objects.referents(), pk=pk)
    if not permissions.can_view_budget_referent(request.user, referent):
        raise Http404("Budget indisponible.")
    return _page_referent(request, referent)


def _page_referent(request, referent):
    user = request.user
    referentiel = regles.referentiel_actif()
    form = AnneeForm(request.GET, annees=regles.annees(referent))
    annee = form.annee_choisie()
    rows = (
        regles.depenses_visibles(user)
        .filter(referent=referent, date__year=annee)
        .select_related("atelier")
        .order_by("-date", "-id")
    )
    decide = permissions.can_decide_depenses_ateliers(user)
    return render(
        request,
        "depenses/budget_referent.html",
        {
            "form": form,
            "referent": referent,
            "annee": annee,
            "budget": regles.budget(referent, annee, referentiel),
            "referentiel": referentiel,
            "peut_saisir": referent.pk == user.pk and permissions.can_add_depense_atelier(user),
            "a_soi": referent.pk == user.pk,
            "decide": decide,
            "statuts": StatutDepense,
            **_lignes(request, rows, user, decide),
        },
    )


def _lignes(request, rows, user, decide):
    """The page of expenses, each with what the user may do to it (and the version a decision carries)."""
    context = paginer(request, rows)
    context["depenses"] = [
        {
            "depense": d,
            "modifiable": permissions.can_edit_depense_atelier(user, d),
            "decision": DecisionForm(initial={"vu_le": version(d)}, auto_id=False)
            if decide and d.statut == StatutDepense.A_VALIDER
            else None,
        }
        for d in context["page_obj"]
    ]
    return context


def _referents(request):
    """Every référent's line (the coordination), or an opérateur's own référents'."""
    user = request.user
    referentiel = regles.referentiel_actif()
    form = AnneeForm(request.GET, annees=regles.annees())
    annee = form.annee_choisie()
    referents = (
        User.objects.referents().filter(referent_profile__isnull=False).order_by("last_name", "first_name", "id")
    )
    if not permissions.is_coordination(user):
        referents = referents.filter(structure_id=user.structure_id)
    lignes = regles.budgets_des_referents(referents, annee, referentiel)
    return render(
        request,
        "depenses/budgets.html",
        {
            "form": form,
            "annee": annee,
            "lignes": lignes,
            "referentiel": referentiel,
            "decide": permissions.can_decide_depenses_ateliers(user),
            "a_valider": sum(ligne.nombre_a_valider for ligne in lignes),
        },
    )


def _totaux(request):
    """The financeur's page: the PLIE's budget and its expenses per category, no référent named."""
    referentiel = regles.referentiel_actif()
    form = AnneeForm(request.GET, annees=regles.annees())
    annee = form.annee_choisie()
    totaux = regles.totaux_par_categorie(annee)
    return render(
        request,
        "depenses/totaux.html",
        {
            "form": form,
            "annee": annee,
            "referentiel": referentiel,
            "budget_total": regles.budget_total(annee, referentiel),
            "totaux": totaux,
            "total_valide": sum((t["valide"] for t in totaux), 0),
            "total_a_valider": sum((t["a_valider"] for t in totaux), 0),
        },
    )
