"""Communes of the PLIE's territory, with the centroid used to rank référents by distance."""

import math

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance in kilometres between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


class CommuneQuerySet(models.QuerySet):
    def in_epcis(self, epci_sirens):
        return self.filter(epci_siren__in=list(epci_sirens))

    def du_territoire(self, referentiel, garder=None):
        """The communes the référentiel covers, by name (every commune without one), plus the commune
        ``garder`` (pk) already chosen on a record, so that editing it elsewhere does not lose it."""
        communes = self
        if referentiel is not None:
            communes = self.in_epcis(referentiel.epci_sirens)
            if garder:
                communes = communes | self.filter(pk=garder)
        return communes.order_by("nom")

    def search(self, text):
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(Q(nom__icontains=text) | Q(insee__startswith=text) | Q(codes_postaux__icontains=text))


class Commune(models.Model):
    insee = models.CharField("code INSEE", max_length=5, unique=True)
    nom = models.CharField("nom", max_length=150)
    # Space-separated: a commune has one or several postcodes; searched with icontains.
    codes_postaux = models.CharField("codes postaux", max_length=100)
    epci_siren = models.CharField("SIREN de l'EPCI", max_length=9, db_index=True)
    epci_nom = models.CharField("EPCI", max_length=200)
    departement = models.CharField("département", max_length=3)
    latitude = models.DecimalField("latitude", max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField("longitude", max_digits=8, decimal_places=5, null=True, blank=True)

    history = HistoricalRecords()
    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = "commune"
        ordering = ["nom"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                # NULL compares to nothing: without isnull=False, half a centroid would pass the check.
                | Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="commune_centroid_complete_and_valid",
                violation_error_message=(
                    "Le centroïde a une latitude (-90 à 90) et une longitude (-180 à 180), ou aucune des deux."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.nom} ({self.insee})"

    @property
    def has_centroid(self):
        return self.latitude is not None and self.longitude is not None

    @property
    def postcode_list(self):
        return self.codes_postaux.split()

    def distance_km(self, other: "Commune"):
        """Distance between centroids, or None when one of them is unknown."""
        if not (self.has_centroid and other.has_centroid):
            return None
        return haversine_km(float(self.latitude), float(self.longitude), float(other.latitude), float(other.longitude))
