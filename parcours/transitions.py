"""Where each parcours transition is asked for: its form's fields and the page that applies it.

The one mapping the views and templates read (no ``if name == …``). A transition without its own
page is asked for on the generic page (``parcours:transition``), whose form shows the declared
fields and calls the transition method of :class:`parcours.models.Parcours` with them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from parcours.workflow import TRANSITIONS


@dataclass(frozen=True)
class PageTransition:
    name: str
    champs: tuple = ()  # the method's parameters, in the order the form shows them (see forms.FIELDS)
    url_name: str = "parcours:transition"
    referentiel: bool = False  # the rule applies the active référentiel, which the view loads
    # Offered only when it can apply (the derogation granted or not): the guard refuses otherwise anyway.
    propose: Callable = staticmethod(lambda parcours: True)

    @property
    def generique(self) -> bool:
        return self.url_name == "parcours:transition"

    def url(self, parcours) -> str:
        args = [parcours.pk, self.name] if self.generique else [parcours.pk]
        return reverse(self.url_name, args=args)

    def appliquer(self, parcours, by, **donnees):
        return getattr(parcours, self.name)(by=by, **donnees)


PAGES = {
    p.name: p
    for p in [
        PageTransition("annuler", ("date",)),
        # The first appointment is more than a date: its own page records the time, the place, and
        # tells the prescripteur.
        PageTransition("accueillir", ("date_premier_rdv",), url_name="parcours:premier_rdv"),
        PageTransition("demarrer_accompagnement", ("date_entree",), referentiel=True),
        PageTransition("mettre_en_veille", ("motif_veille", "debut", "fin_prevue"), referentiel=True),
        PageTransition("prolonger_veille", ("nouvelle_fin_prevue",), referentiel=True),
        PageTransition("reprendre_accompagnement", ("date",)),
        PageTransition("renouveler", referentiel=True),
        PageTransition("accorder_distance", propose=lambda parcours: not parcours.a_distance),
        PageTransition("retirer_distance", propose=lambda parcours: parcours.a_distance),
        PageTransition("proposer_sortie", ("date_sortie_prevue",)),
        PageTransition("retirer_proposition_sortie"),
        PageTransition("valider_sortie", ("date_sortie",)),
        PageTransition("changer_referent", ("referent",)),
    ]
}
# The creation (« orienter ») is asked for on the prescription's acceptance page, which opens the parcours.
assert PAGES.keys() == {n for n, t in TRANSITIONS.items() if t.sources}, "Chaque transition déclarée a sa page."
