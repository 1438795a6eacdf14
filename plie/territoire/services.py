import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from plie.territoire.models import Commune

DATA_FILE = Path(__file__).resolve().parent / "data" / "communes.json"


@transaction.atomic
def load_communes(path: Path = DATA_FILE) -> tuple[int, int]:
    """Create or update the shipped communes. Coordinates fixed by hand are kept.

    Returns (created, updated).
    """
    created = updated = 0
    existing = {c.insee: c for c in Commune.objects.all()}
    for row in json.loads(path.read_text(encoding="utf-8")):
        values = {
            "nom": row["nom"],
            "codes_postaux": " ".join(row["codes_postaux"]),
            "epci_siren": row["epci_siren"],
            "epci_nom": row["epci_nom"],
            "departement": row["departement"],
        }
        commune = existing.get(row["insee"])
        if commune is None:
            commune = Commune(insee=row["insee"], **values)
            created += 1
        else:
            for field, value in values.items():
                setattr(commune, field, value)
            updated += 1
        if not commune.has_centroid and row["latitude"] is not None:
            commune.latitude = Decimal(str(row["latitude"]))
            commune.longitude = Decimal(str(row["longitude"]))
        commune.save()
    return created, updated
