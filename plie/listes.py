"""The one way to build a list page: a filter form that filters its own QuerySet, and pagination.

A list view::

    form = MaListeFiltres(request.GET)                      # a FiltresForm subclass
    rows = form.filtrer(Model.objects.visible_to(request.user)).order_by(...)
    return render(request, "x/list.html", {"form": form, **paginer(request, rows)})

and its template::

    {% include "includes/filtres.html" with form=form %}   {# search box, filters, Filtrer / Effacer #}
    {% liste %} … rows of page_obj … {% vide %}Aucun …{% finliste %}  {# + pagination keeping the filters #}

A ``FiltresForm`` declares its fields (all optional) and, for each, a ``filtre_<field>(queryset, value)``
method called with the cleaned value when the field is filled. An invalid field (junk in the URL) is
ignored and shows its French error next to it; the other filters still apply. A field named ``q`` is the
search box: ``chercher_personne`` searches the normalised identity key (accents, case, hyphens and
apostrophes do not matter), on PostgreSQL and SQLite alike.
"""

from django import forms
from django.core.paginator import Paginator

from plie.normalisation import normaliser

PAR_PAGE = 25


def querystring(request) -> str:
    """The list's query string without the page number: what pagination links carry over."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def paginer(request, queryset, par_page: int = PAR_PAGE) -> dict:
    """``page_obj`` and ``querystring`` for ``includes/pagination.html`` (a junk page number gives a real page)."""
    return {
        "page_obj": Paginator(queryset, par_page).get_page(request.GET.get("page")),
        "querystring": querystring(request),
    }


def chercher_personne(queryset, texte: str, champ: str = "cle_recherche"):
    """Rows whose identity key (``champ``, through a relation if need be) holds every word typed."""
    for mot in normaliser(texte).split():
        queryset = queryset.filter(**{f"{champ}__contains": mot})
    return queryset


class FiltresForm(forms.Form):
    """A GET form that filters a QuerySet: subclass it, declare fields, write ``filtre_<field>`` methods."""

    def __init__(self, data=None, *args, **kwargs):
        # An empty query string is an unbound form: no errors shown on a first visit.
        super().__init__(data or None, *args, **kwargs)
        for name, field in self.fields.items():
            field.required = False
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            widget.attrs.setdefault("class", css)
            if name == "q":
                widget.input_type = "search"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = attrs.get("class", "") + " is-invalid"
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}_error"

    def valeurs(self) -> dict:
        """Cleaned values of the valid, filled fields (junk in one field leaves the others working).

        An unticked box (False) is not a filter.
        """
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in self.errors and value not in (None, "", [], (), False)
        }

    def filtrer(self, queryset):
        for name, value in self.valeurs().items():
            method = getattr(self, f"filtre_{name}", None)
            if method is not None:
                queryset = method(queryset, value)
        return queryset
