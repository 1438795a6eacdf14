"""« Revue des parcours » (C §IV.1.4): the long parcours and those without action, for the coordination."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from parcours import revue
from parcours.models import Parcours
from plie import permissions
from plie.acces.journal import journalise_liste
from plie.accounts.models import Role, User
from plie.listes import FiltresForm, chercher_personne, paginer
from plie.referentiel.models import Referentiel


class ReferentFiltre(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.email


class RevueFiltres(FiltresForm):
    q = forms.CharField(label="Rechercher (nom, prénom)", max_length=100)
    motif = forms.ChoiceField(label="Raison", choices=[("", "Toutes les raisons"), *revue.MOTIFS])
    referent = ReferentFiltre(
        label="Référent",
        queryset=User.objects.filter(role=Role.REFERENT).order_by("last_name", "first_name", "pk"),
        empty_label="Tous les référents",
    )

    def filtre_q(self, parcours, texte):
        return chercher_personne(parcours, texte, "participant__cle_recherche")

    def filtre_motif(self, parcours, motif):
        return parcours.filter(longue=True) if motif == revue.DUREE else parcours.filter(sans_action=True)

    def filtre_referent(self, parcours, referent):
        return parcours.filter(referent=referent)


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
