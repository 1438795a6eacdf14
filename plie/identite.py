"""Who a person is: the identity fields a referral and a participant share, and their search key.

``Prescription`` and ``Participant`` both inherit ``PersonneIdentifiee``: one ``nom_complet``, and one
``cle_recherche`` holding the names reduced by the duplicate rule's normaliser
(:func:`plie.normalisation.normaliser`), so that "andre" finds "ANDRÉ" and "bensaid" finds "BENSAÏD" on
PostgreSQL and SQLite alike. The key is filled on every save, and by ``bulk_create``/``bulk_update``
through ``IdentiteQuerySet`` (the demo and the benchmarks seed in bulk). On PostgreSQL a trigram
index on the key (migrations ``*_cle_recherche``, skipped on SQLite) serves the substring search.
"""

from django.db import models

from plie.normalisation import normaliser

CHAMPS_NOMS = ("nom_usage", "nom_naissance", "prenoms")
CLE_MAX = 460  # three names of 150 characters and their spaces


class Sexe(models.TextChoices):
    FEMME = "F", "Femme"
    HOMME = "M", "Homme"


def cle_recherche(personne) -> str:
    return normaliser(" ".join(getattr(personne, champ) or "" for champ in CHAMPS_NOMS))


class IdentiteQuerySet(models.QuerySet):
    """Bulk writes fill the search key as ``save`` does."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.cle_recherche = cle_recherche(obj)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if set(fields) & set(CHAMPS_NOMS):
            for obj in objs:
                obj.cle_recherche = cle_recherche(obj)
            fields = [*fields, "cle_recherche"]
        return super().bulk_update(objs, fields, *args, **kwargs)


class PersonneIdentifiee(models.Model):
    nom_usage = models.CharField("nom d'usage", max_length=150)
    nom_naissance = models.CharField("nom de naissance", max_length=150, blank=True)
    prenoms = models.CharField("prénom(s)", max_length=150)
    sexe = models.CharField("sexe", max_length=1, choices=Sexe.choices)
    date_naissance = models.DateField("date de naissance")
    cle_recherche = models.CharField(
        "clé de recherche",
        max_length=CLE_MAX,
        blank=True,
        editable=False,
        help_text="Noms sans accents ni majuscules ni ponctuation, remplie à l'enregistrement.",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.cle_recherche = cle_recherche(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(CHAMPS_NOMS):
            kwargs["update_fields"] = {*update_fields, "cle_recherche"}
        super().save(*args, **kwargs)

    @property
    def nom_complet(self) -> str:
        """« NOM (née NAISSANCE) Prénoms »; empty for a draft without names."""
        nom = (self.nom_usage or "").upper()
        if self.nom_naissance and self.nom_naissance.casefold() != (self.nom_usage or "").casefold():
            nom = f"{nom} (né{'e' if self.sexe == Sexe.FEMME else ''} {self.nom_naissance.upper()})"
        return f"{nom} {self.prenoms or ''}".strip()


# --- migrations -------------------------------------------------------------------------------


def remplir_cles(app_label: str, model_name: str):
    """A RunPython function filling the key of existing rows (the historical model has no ``save``)."""

    def run(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        rows = []
        for row in model.objects.only(*CHAMPS_NOMS).iterator(chunk_size=2000):
            row.cle_recherche = cle_recherche(row)
            rows.append(row)
            if len(rows) >= 2000:
                model.objects.bulk_update(rows, ["cle_recherche"])
                rows = []
        model.objects.bulk_update(rows, ["cle_recherche"])

    return run


def index_trigramme(table: str, nom: str):
    """RunPython (forward, backward) creating a trigram GIN index on ``table.cle_recherche``.

    PostgreSQL only: on SQLite (the demo's default) both do nothing, and ``contains`` scans the key.
    """

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{nom}" ON "{table}" USING gin ("cle_recherche" gin_trgm_ops)'
            )

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'DROP INDEX IF EXISTS "{nom}"')

    return forward, backward
