"""The frame of every list page: its rows and pagination, or its empty state.

::

    {% load listes %}
    {% liste %}
      <div class="table-responsive"><table …>… rows of page_obj …</table></div>
    {% vide %}
      Aucun parcours ne correspond{% if request.GET %} à cette recherche{% endif %}.
    {% finliste %}

``page_obj`` and ``querystring`` come from :func:`plie.listes.paginer`. With rows, the body is shown
followed by ``includes/pagination.html`` (which keeps the filters in its links); without any, the
``vide`` part is shown as the list's empty-state message (``includes/liste.html``).
"""

from django import template
from django.template.loader import get_template

register = template.Library()


class ListeNode(template.Node):
    def __init__(self, lignes, vide):
        self.lignes, self.vide = lignes, vide

    def render(self, context):
        if context["page_obj"].paginator.count:
            parts = {"lignes": self.lignes.render(context), "vide": ""}
        else:
            parts = {"lignes": "", "vide": self.vide.render(context)}
        with context.push(**parts):
            return get_template("includes/liste.html").template.render(context)


@register.tag
def liste(parser, token):
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% liste %} ne prend pas d'argument : il lit page_obj.")
    lignes = parser.parse(("vide",))
    parser.delete_first_token()
    vide = parser.parse(("finliste",))
    parser.delete_first_token()
    return ListeNode(lignes, vide)
