from django.db import transaction
from django.utils import timezone

from financement.models import InstantaneEtats
from parcours.models import Parcours


@transaction.atomic
def photographier_file_active(date=None) -> dict:
    """Record today's count of parcours per state. A second run the same day updates the rows."""
    date = date or timezone.localdate()
    counts = Parcours.objects.counts_by_etat()
    for etat, nombre in counts.items():
        InstantaneEtats.objects.update_or_create(date=date, etat=etat, defaults={"nombre": nombre})
    return counts
