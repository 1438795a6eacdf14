"""« Revue des parcours » (C §IV.1.4): the long parcours and those without action, and the measures to renew
(N §III.d: passed without a renewal asked, ending soon, the maximum length near), for the coordination."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from parcours import horloge, revue
from parcours.models import Parcours
from plie import permissions
from plie.acces.journal import journalise_liste
from plie.accounts.models import Role, User
from plie.listes import FiltresForm, chercher_personne, paginer
from plie.referentiel.models import Referentiel


class ReferentFiltre(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.email


class ReferentFiltres(FiltresForm):
    q = forms.CharField(label="Rechercher (nom, prénom)", max_length=100)
    referent = ReferentFiltre(
        label="Référent",
        queryset=User.objects.filter(role=Role.REFERENT).order_by("last_name", "first_name", "pk"),
        empty_label="Tous les référents",
    )

    def filtre_q(self, parcours, texte):
        return chercher_personne(parcours, texte, "participant__cle_recherche")

    def filtre_referent(self, parcours, referent):
        return parcours.filter(referent=referent)


class RevueFiltres(ReferentFiltres):
    motif = forms.ChoiceField(label="Raison", choices=[("", "Toutes les raisons"), *revue.MOTIFS])
    field_order = ["q", "motif", "referent"]

    def filtre_motif(self, parcours, motif):
        return parcours.filter(longue=True) if motif == revue.DUREE else parcours.filter(sans_action=True)


ECHUES, FINS, LIMITES = "echues", "fins", "limites"
QUOI = (
    (ECHUES, "Mesures échues sans demande de renouvellement"),
    (FINS, "Mesures échues ou finissant bientôt"),
    (LIMITES, "Durée maximale proche ou atteinte"),
)


class MesuresFiltres(ReferentFiltres):
    quoi = forms.ChoiceField(label="Afficher", choices=[("", "Toutes les échéances"), *QUOI])
    field_order = ["q", "quoi", "referent"]

    def garder(self, rows):
        """The rows of the kind chosen, among those of ``horloge.a_renouveler``."""
        quoi = self.valeurs().get("quoi")
        if quoi == ECHUES:
            return [r for r in rows if r.echue_sans_demande]
        if quoi == FINS:
            return [r for r in rows if r.fin is not None]
        if quoi == LIMITES:
            return [r for r in rows if r.limite_proche]
        return rows


@journalise_liste("parcours")
def revue_parcours(request):
    if not permissions.can_view_revue_parcours(request.user):
        raise PermissionDenied
    referentiel = Referentiel.objects.active_or_none()
    today = timezone.localdate()
    rows = revue.a_revoir(
        Parcours.objects.visible_to(request.user).select_related("participant", "referent"), referentiel, today
    )
    context = {"referentiel": referentiel, "configuree": rows is not None}
    if rows is not None:
        form = RevueFiltres(request.GET)
        context.update(form=form, seuils=revue.seuils(referentiel, today), **paginer(request, form.filtrer(rows)))
        context["lignes"] = [(p, revue.raisons(p, today)) for p in context["page_obj"]]
    response = render(request, "parcours/revue.html", context)
    response.journal_objets = [p.pk for p, _ in context.get("lignes", [])]
    return response


@journalise_liste("parcours")
def revue_mesures(request):
    """Every measure to renew of the PLIE, the most urgent first: the list the coordination's home counts."""
    if not permissions.can_view_revue_parcours(request.user):
        raise PermissionDenied
    referentiel = Referentiel.objects.active_or_none()
    context = {"referentiel": referentiel, "mesures_configurees": horloge.a_des_mesures(referentiel)}
    if context["mesures_configurees"]:
        form = MesuresFiltres(request.GET)
        parcours = form.filtrer(Parcours.objects.visible_to(request.user))
        rows = form.garder(horloge.a_renouveler(parcours, referentiel))
        context.update(form=form, alerte_jours=horloge.jours_d_alerte(referentiel), **paginer(request, rows))
        # The rows of the page alone, with their participant and référent.
        page = context["page_obj"]
        page.object_list = horloge.avec_parcours(page.object_list)
    response = render(request, "parcours/revue_mesures.html", context)
    page = context.get("page_obj")
    response.journal_objets = [m.parcours.pk for m in page] if page is not None else []
    return response
