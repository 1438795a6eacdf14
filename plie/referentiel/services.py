"""Loading the presets into the database."""

from decimal import Decimal

from django.db import transaction

from plie.referentiel.models import Referentiel
from plie.referentiel.presets import PRESETS
from plie.territoire.models import RessourceTerritoire
from sorties.models import RegleSortie


@transaction.atomic
def load_preset(code: str, activate: bool = False) -> Referentiel:
    """Create or reset the référentiel ``code`` from its preset; optionally make it the active one."""
    preset = dict(PRESETS[code])
    rules = preset.pop("regles_sortie")
    ressources = preset.pop("ressources")
    if preset["budget_ateliers_par_etp"] is not None:
        preset["budget_ateliers_par_etp"] = Decimal(preset["budget_ateliers_par_etp"])
    referentiel = Referentiel.objects.filter(code=code).first() or Referentiel(code=code)
    for field, value in preset.items():
        setattr(referentiel, field, value)
    referentiel.full_clean(exclude=["actif"])
    referentiel.save()
    referentiel.regles_sortie.all().delete()
    for ordre, data in enumerate(rules, start=1):
        regle = RegleSortie(referentiel=referentiel, ordre=ordre * 10, **data)
        regle.full_clean()
        regle.save()
    load_ressources(referentiel, ressources, reset=True)
    if activate:
        activate_referentiel(referentiel)
    return referentiel


def load_ressources(referentiel: Referentiel, ressources: list[dict] | None = None, *, reset=False) -> int:
    """Pre-fill the PLIE's catalogue of ressources du territoire from its preset; the number written.

    Without ``reset``, only an empty catalogue is filled (a référentiel loaded before the catalogue
    existed): what the coordination renamed or deactivated is never brought back. With it, the
    preset's ressources get their preset values again, by name; those the coordination added stay.
    """
    if ressources is None:
        ressources = PRESETS[referentiel.code]["ressources"]
    if not reset and referentiel.ressources.exists():
        return 0
    for data in ressources:
        values = {k: v for k, v in data.items() if k != "source"}  # the citation lives in presets.py
        ressource = RessourceTerritoire.objects.filter(referentiel=referentiel, nom=values["nom"]).first()
        ressource = ressource or RessourceTerritoire(referentiel=referentiel, active=True)
        for field, value in values.items():
            setattr(ressource, field, value)
        ressource.full_clean()
        ressource.save()
    return len(ressources)


@transaction.atomic
def activate_referentiel(referentiel: Referentiel) -> None:
    # Saved one by one (there are a handful) so that the history records who switched.
    for other in Referentiel.objects.filter(actif=True).exclude(pk=referentiel.pk):
        other.actif = False
        other.save(update_fields=["actif"])
    if not referentiel.actif:
        referentiel.actif = True
        referentiel.save(update_fields=["actif"])
