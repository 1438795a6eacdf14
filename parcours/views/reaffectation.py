from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from parcours.reaffectation import ReaffectationError, parcours_a_reaffecter, reaffecter
from plie import longueurs, permissions
from plie.acces.journal import noter_plusieurs
from plie.acces.models import TypeObjet
from plie.accounts.models import Role, User


class ReferentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, referent):
        return f"{referent.get_full_name()} ({referent.structure})"


class ReaffectationForm(forms.Form):
    """One select per open parcours (empty: it stays), or one référent for every parcours left empty."""

    tous = ReferentChoiceField(
        label="Confier tous les parcours à",
        queryset=User.objects.none(),
        required=False,
        empty_label="— choisir parcours par parcours ci-dessous —",
        help_text="Les parcours pour lesquels vous choisissez un référent ci-dessous vont à celui-ci.",
    )
    motif = forms.CharField(
        label="Motif",
        max_length=longueurs.MOTIF,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Inscrit au journal de chaque parcours (par exemple : poste vacant depuis le 01/12/2026).",
    )

    def __init__(self, *args, ancien, parcours, **kwargs):
        super().__init__(*args, **kwargs)
        referents = User.objects.active_referents().exclude(pk=ancien.pk).order_by("last_name", "first_name")
        self.fields["tous"].queryset = referents
        self.parcours = parcours
        # One query for every select of the page, however many parcours it lists.
        self.referents = {r.pk: r for r in referents}
        choices = [("", "— reste suivi —")] + [
            (pk, self.fields["tous"].label_from_instance(r)) for pk, r in self.referents.items()
        ]
        for p in parcours:
            self.fields[self.field_name(p)] = forms.TypedChoiceField(
                label=f"Nouveau référent de {p.participant.nom_complet}",
                choices=choices,
                coerce=int,
                required=False,
                empty_value=None,
            )

    @staticmethod
    def field_name(parcours):
        return f"parcours_{parcours.pk}"

    def rows(self):
        return [(p, self[self.field_name(p)]) for p in self.parcours]

    def moves(self):
        tous = self.cleaned_data.get("tous")
        moves = {}
        for p in self.parcours:
            choisi = self.cleaned_data.get(self.field_name(p))
            nouveau = self.referents[choisi] if choisi is not None else tous
            if nouveau is not None:
                moves[p.pk] = nouveau
        return moves

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.moves():
            raise forms.ValidationError(
                "Choisissez un référent pour tous les parcours, ou pour au moins un parcours ci-dessous."
            )
        return cleaned


def reaffectation(request, pk):
    """The open parcours of a référent, each to give to another référent; one POST moves them all."""
    if not permissions.can_reassign(request.user):
        raise PermissionDenied
    ancien = get_object_or_404(User.objects.filter(role=Role.REFERENT).select_related("structure"), pk=pk)
    parcours = list(parcours_a_reaffecter(ancien))
    form = ReaffectationForm(request.POST or None, ancien=ancien, parcours=parcours)
    # The page names every person it lists: each shown parcours is an access of the log.
    noter_plusieurs(request, TypeObjet.PARCOURS, [p.pk for p in parcours])
    if request.method == "POST" and form.is_valid():
        try:
            moved = reaffecter(request.user, ancien, form.moves(), form.cleaned_data["motif"])
        except ReaffectationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                f"{len(moved)} parcours réaffecté{'s' if len(moved) > 1 else ''} ; "
                "chaque nouveau référent est prévenu.",
            )
            return redirect("referents")
    return render(request, "parcours/reaffectation.html", {"form": form, "ancien": ancien})
