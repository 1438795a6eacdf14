"""The one way to build a list page: a filter form that filters its own QuerySet, and pagination.

A list view::

    form = MaListeFiltres(request.GET)                      # a FiltresForm subclass
    rows = form.filtrer(Model.objects.visible_to(request.user)).order_by(...)
    return render(request, "x/list.html", {"form": form, **paginer(request, rows)})

and its template::

    {% include "includes/filtres.html" with form=form %}   {# search box, filters, Filtrer / Effacer #}
    {% liste %} … rows of page_obj … {% vide %}Aucun …{% finliste %}  {# + pagination keeping the filters #}

A list shows its size with ``{{ page_obj.paginator.nombre }}`` (« 1234 », or « plus de 1 000 »).

Pages stay fast on lists of 100 000 rows (``Paginateur``): the size is counted up to ``BORNE`` rows only
(« plus de 1 000 » beyond, the page links still go on), and a deep page (beyond ``PROFONDEUR`` rows) reads
the ids of its rows first, on the index of the ordering, then those rows alone.

A ``FiltresForm`` declares its fields (all optional) and, for each, a ``filtre_<field>(queryset, value)``
method called with the cleaned value when the field is filled. An invalid field (junk in the URL) is
ignored and shows its French error next to it; the other filters still apply. A field named ``q`` is the
search box: ``chercher_personne`` searches the normalised identity key (accents, case, hyphens and
apostrophes do not matter), on PostgreSQL and SQLite alike.
"""

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from plie import widgets
from plie.normalisation import normaliser

PAR_PAGE = 25
BORNE = 1000  # rows counted exactly; beyond, a list says « plus de 1 000 »
PROFONDEUR = 1000  # a page starting after this many rows reads its ids first
PAGE_MAX = 1_000_000  # a page number in the URL beyond this is junk (the last page is shown)


class Paginateur(Paginator):
    """Django's paginator that counts and skips no more rows than the page asked for needs.

    ``count`` stops at ``borne`` + 1 rows, ``borne`` being ``BORNE`` or the rows up to the page asked for
    if more: the page and its « Suivante » link stay right, and a count over a whole table is never run
    on a first page. ``exact`` says whether ``count`` is the size of the list (else it is a lower bound).

    A deep page (offset ≥ ``profondeur``) selects its ids first (``OFFSET`` over an index of the
    ordering: narrow rows, an index-only scan on PostgreSQL), then the rows of those ids, instead of
    building every skipped row with its joins. When it is the page asked for, that one walk of the
    index, one id further, also gives the count: whether a next page exists.
    """

    def __init__(self, object_list, per_page, demandee=1, borne=BORNE, profondeur=PROFONDEUR):
        super().__init__(object_list, per_page)
        self.demandee = min(demandee, PAGE_MAX)
        self.borne = max(borne, self.demandee * per_page)
        self.profondeur = profondeur
        self._ids = {}  # page number → ids of its rows, read while counting

    def _profonde(self, number) -> bool:
        rows = self.object_list
        deep = (number - 1) * self.per_page >= self.profondeur
        return deep and isinstance(rows, QuerySet) and not rows.query.distinct

    @cached_property
    def count(self):
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return len(rows)
        if self._profonde(self.demandee) and self.borne == self.demandee * self.per_page:
            bottom = (self.demandee - 1) * self.per_page
            ids = list(rows.values_list("pk", flat=True)[bottom : bottom + self.per_page + 1])
            if ids:  # else the page is past the end: counted below, the last page is shown
                self._ids[self.demandee] = ids[: self.per_page]
                return bottom + len(ids)  # borne + 1 when a next page exists
        return rows.order_by().values("pk")[: self.borne + 1].count()

    @property
    def exact(self) -> bool:
        return self.count <= self.borne

    @property
    def nombre(self) -> str:
        """The size of the list as shown: « 1234 », or « plus de 1 000 » (a narrow no-break space)."""
        return str(self.count) if self.exact else f"plus de {self.borne:,}".replace(",", "\u202f")

    @property
    def pages_connues(self) -> int:
        """The number of pages as shown after « Page n sur » (« plus de » that many when not exact)."""
        return self.num_pages if self.exact else self.borne // self.per_page

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        rows = self.object_list
        if number in self._ids:
            return self._get_page(rows.filter(pk__in=self._ids[number]), number, self)
        if self._profonde(number):
            # Deferred join: the ids of the page on the ordering's index, then its rows by primary key.
            return self._get_page(rows.filter(pk__in=rows.values("pk")[bottom:top]), number, self)
        return self._get_page(rows[bottom:top], number, self)


def numero_demande(request) -> int:
    """The page number in the URL; 1 when junk, zero or negative."""
    try:
        return max(1, int(request.GET.get("page", 1)))
    except (TypeError, ValueError):
        return 1


def querystring(request) -> str:
    """The list's query string without the page number: what pagination links carry over."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def paginer(request, queryset, par_page: int = PAR_PAGE) -> dict:
    """``page_obj`` and ``querystring`` for ``includes/pagination.html`` (a junk page number gives a real page)."""
    numero = numero_demande(request)
    return {
        # Past the end of the list: its last page.
        "page_obj": Paginateur(queryset, par_page, demandee=numero).get_page(numero),
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
            if type(field.widget) is forms.Select:  # the same markup, without a template per option
                rapide = widgets.Select(attrs=field.widget.attrs)
                rapide.choices = field.widget.choices
                field.widget = rapide
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
