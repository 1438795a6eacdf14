"""Loading the presets into the database."""

from decimal import Decimal

from django.db import transaction

from plie.referentiel.models import Referentiel
from plie.referentiel.presets import PRESETS
from sorties.models import RegleSortie


@transaction.atomic
def load_preset(code: str, activate: bool = False) -> Referentiel:
    """Create or reset the référentiel ``code`` from its preset; optionally make it the active one."""
    preset = dict(PRESETS[code])
    rules = preset.pop("regles_sortie")
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
    if activate:
        activate_referentiel(referentiel)
    return referentiel


@transaction.atomic
def activate_referentiel(referentiel: Referentiel) -> None:
    # Saved one by one (there are a handful) so that the history records who switched.
    for other in Referentiel.objects.filter(actif=True).exclude(pk=referentiel.pk):
        other.actif = False
        other.save(update_fields=["actif"])
    if not referentiel.actif:
        referentiel.actif = True
        referentiel.save(update_fields=["actif"])
