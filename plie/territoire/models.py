"""Communes of the PLIE's territory, with the centroid used to rank référents by distance."""

import math

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from plie import longueurs
from plie.longueurs import longueur_max
from plie.normalisation import normaliser

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


# --- the ressources du territoire ---------------------------------------------------------------


class CategorieRessource(models.TextChoices):
    MOBILITE = "mobilite", "Mobilité"
    SANTE = "sante", "Santé"
    FORMATION = "formation", "Formation"
    GARDE_ENFANTS = "garde_enfants", "Garde d'enfants"
    LANGUE = "langue", "Langue, illettrisme"
    PROJET_PROFESSIONNEL = "projet_professionnel", "Projet professionnel"
    EMPLOI = "emploi", "Emploi"
    LOGEMENT = "logement", "Logement"
    ACCES_DROITS = "acces_droits", "Accès aux droits, social"
    AUTRE = "autre", "Autre"


class RessourceQuerySet(models.QuerySet):
    def du_referentiel(self, referentiel):
        """The catalogue of one PLIE (none without an active référentiel)."""
        return self.filter(referentiel=referentiel) if referentiel is not None else self.none()

    def actives(self):
        return self.filter(active=True)

    def search(self, text):
        """Every word typed is in the name or the porteur (accents and case aside), or the structure's name."""
        rows = self
        for mot in normaliser(text).split():
            rows = rows.filter(Q(cle_recherche__contains=mot) | Q(structure__nom__icontains=mot))
        return rows


class RessourceTerritoire(models.Model):
    """A local tool the référent mobilises to lift a frein or build the parcours (N §III.d, C §II.2.2).

    Kept by the coordination, one catalogue per PLIE (its référentiel); référents read it and link an
    étape to one. A ressource is deactivated, never deleted: the étapes that used it keep it.
    """

    referentiel = models.ForeignKey(
        "referentiel.Referentiel", verbose_name="PLIE", on_delete=models.PROTECT, related_name="ressources"
    )
    nom = models.CharField("nom", max_length=200)
    categorie = models.CharField("catégorie", max_length=30, choices=CategorieRessource.choices)
    structure = models.ForeignKey(
        "accounts.Structure",
        verbose_name="structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ressources",
        help_text="La structure qui la porte, si elle est dans la liste des structures.",
    )
    porteur = models.CharField(
        "porteur", max_length=200, blank=True, help_text="Sinon, qui la porte (« Région Nouvelle-Aquitaine »)."
    )
    contact = models.CharField(
        "contact", max_length=300, blank=True, help_text="Téléphone, email, adresse ou personne à joindre."
    )
    conditions = models.TextField(
        "conditions et démarche",
        blank=True,
        max_length=longueurs.COMMENTAIRE,
        help_text="Public visé, conditions d'accès, comment la mobiliser.",
    )
    active = models.BooleanField("active", default=True, help_text="Une ressource inactive n'est plus proposée.")
    # nom and porteur reduced by the one normaliser: the catalogue's search ignores accents and case.
    cle_recherche = models.CharField(max_length=420, editable=False, default="")

    cree_le = models.DateTimeField("créée le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifiée le", auto_now=True)

    history = HistoricalRecords()
    objects = RessourceQuerySet.as_manager()

    class Meta:
        verbose_name = "ressource du territoire"
        verbose_name_plural = "ressources du territoire"
        ordering = ["nom", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["referentiel", "nom"],
                name="ressource_nom_unique_par_plie",
                violation_error_message="Une ressource de ce nom existe déjà dans le catalogue.",
            ),
            models.CheckConstraint(
                condition=Q(categorie__in=CategorieRessource.values),
                name="ressource_categorie_known",
                violation_error_message="Catégorie de ressource inconnue.",
            ),
            models.CheckConstraint(
                condition=Q(structure__isnull=False) | ~Q(porteur=""),
                name="ressource_has_porteur",
                violation_error_message="Indiquez la structure qui porte la ressource, ou son porteur.",
            ),
            longueur_max("ressource", "conditions", longueurs.COMMENTAIRE),
        ]

    def __str__(self):
        return self.nom

    def save(self, *args, **kwargs):
        self.cle_recherche = normaliser(f"{self.nom} {self.porteur}")[:420]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "cle_recherche"}
        super().save(*args, **kwargs)

    @property
    def porteur_libelle(self) -> str:
        return self.structure.nom if self.structure_id else self.porteur
