"""Where each prescription transition is asked for: its page, its form and the service that applies it.

The one mapping the views and templates read (no ``if name == …``). The coordination's simple
decisions (a complement asked, a refusal) share one page, ``prescriptions/decision.html``, built from
their entry and served by ``views.coordination.decision`` at the entry's ``chemin``; the acceptance
(the référent proposal and the eligibility checklist) and the submission (the fiche itself) have their
own view, which reads its form, template and service here too.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from prescriptions import decisions
from prescriptions.forms import AcceptationForm, ComplementForm, PrescriptionForm, RefusForm
from prescriptions.models import Prescription
from prescriptions.workflow import TRANSITIONS

PAGE_DECISION = "prescriptions/decision.html"


@dataclass(frozen=True)
class PageTransition:
    name: str
    url_name: str  # in the ``prescriptions`` namespace; the page takes the prescription's number
    form_class: type
    service: Callable  # service(prescription, by, **the form's cleaned data)
    template: str = PAGE_DECISION
    chemin: str = ""  # the shared decision page's URL segment after the prescription's number
    titre: str = ""  # the shared decision page's title, breadcrumb, explanation and submit button
    ariane: str = ""
    explication: str = ""
    bouton: str = ""
    classe_bouton: str = "btn-primary"
    classe_lien: str = "btn-outline-primary"  # its link on the prescription's page
    succes: str = ""

    @property
    def transition(self):
        return TRANSITIONS[self.name]

    @property
    def generique(self) -> bool:
        return self.template == PAGE_DECISION

    def url(self, prescription) -> str:
        return reverse(f"prescriptions:{self.url_name}", args=[prescription.pk])

    def appliquer(self, prescription, by, **donnees):
        return self.service(prescription, by, **donnees)


# The prescripteur sends the fiche with its « Envoyer la prescription » button (a submit button named
# after the transition), on the page where it is written.
ENVOI = PageTransition("envoyer", "edit", PrescriptionForm, Prescription.envoyer, template="prescriptions/form.html")

ACCEPTATION = PageTransition(
    "accepter",
    "acceptation",
    AcceptationForm,
    decisions.accepter,
    template="prescriptions/acceptation.html",
    classe_lien="btn-primary",
)

# The coordination's decisions, in the order its prescription page offers them.
DECISIONS = (
    ACCEPTATION,
    PageTransition(
        "demander_complement",
        "complement",
        ComplementForm,
        decisions.demander_complement,
        chemin="complement",
        titre="Demander un complément au prescripteur",
        ariane="Complément",
        bouton="Envoyer la question",
        succes="La prescription est renvoyée au prescripteur avec votre question.",
    ),
    PageTransition(
        "refuser",
        "refus",
        RefusForm,
        decisions.refuser,
        chemin="refus",
        titre="Refuser la prescription",
        ariane="Refus",
        explication="Le prescripteur est informé du refus et de son motif par email.",
        bouton="Confirmer le refus",
        classe_bouton="btn-danger",
        classe_lien="btn-outline-danger",
        succes="La prescription est refusée ; le prescripteur en est informé.",
    ),
)

PAGES = {page.name: page for page in (ENVOI, *DECISIONS)}

# Transitions no person asks for on a page of their own, and why.
SANS_PAGE = {
    "examiner": "La première démarche de la coordination sur une prescription reçue (identité vérifiée, "
    "validation demandée) commence son examen.",
}

assert PAGES.keys() | SANS_PAGE.keys() == TRANSITIONS.keys(), "Chaque transition a sa page, ou dit pourquoi non."
assert not PAGES.keys() & SANS_PAGE.keys(), "Une transition a sa page ou n'en a pas."
