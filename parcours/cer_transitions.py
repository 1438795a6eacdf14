"""Where each step of the contract is asked for: its form and the rule that applies it.

The one mapping the contract's views and templates read (no ``if name == …``); the creation
(« rediger ») has its own page, the draft's.
"""

from dataclasses import dataclass

from django.urls import reverse

from parcours import cer
from parcours.cer_forms import ConfirmationForm, MotifForm, SignatureForm
from parcours.models.cer import TRANSITIONS


@dataclass(frozen=True)
class EtapeContrat:
    name: str
    form_class: type
    appliquer: object  # (contrat, by, referentiel, **cleaned_data) -> contrat
    bouton: str

    def url(self, parcours) -> str:
        return reverse("parcours:contrat_etape", args=[parcours.pk, self.name])


ETAPES = {
    e.name: e
    for e in [
        EtapeContrat(
            "signer",
            SignatureForm,
            lambda contrat, by, referentiel, **data: cer.signer(
                contrat, by, data["date_signature"], referentiel=referentiel
            ),
            "Enregistrer les signatures",
        ),
        EtapeContrat(
            "contresigner",
            ConfirmationForm,
            lambda contrat, by, referentiel, **data: cer.contresigner(contrat, by),
            "Signer le contrat pour le bureau insertion",
        ),
        EtapeContrat(
            "valider_integration",
            ConfirmationForm,
            lambda contrat, by, referentiel, **data: cer.valider_integration(contrat, by, referentiel=referentiel),
            "Valider l'intégration",
        ),
        EtapeContrat(
            "refuser_integration",
            MotifForm,
            lambda contrat, by, referentiel, **data: cer.refuser_integration(
                contrat, by, data["motif"], referentiel=referentiel
            ),
            "Refuser l'intégration",
        ),
    ]
}
assert ETAPES.keys() == {n for n, t in TRANSITIONS.items() if t.sources}, "Chaque étape du contrat a sa page."
