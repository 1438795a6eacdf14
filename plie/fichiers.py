"""The one check of every uploaded file (a receipt today, any attachment tomorrow).

An upload is refused unless it is a PDF, PNG or JPEG of at most ``TAILLE_MAX`` bytes, not empty, whose
name has one extension (``facture.pdf.exe`` and ``photo.php.jpg`` are refused) and whose content is what
the extension says: read from its first bytes (``%PDF-``, the PNG and JPEG signatures), an image opened and
verified by Pillow. The browser's content type is never trusted; the checked one is returned and is the
one the file is later served with. The stored name is drawn at random (no part of the person's file name
or path reaches the disk); the name typed by the person is kept, cleaned, for display only.
"""

import os
import unicodedata
import uuid
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

TAILLE_MAX = 5 * 1024 * 1024  # 5 Mo
TAILLE_MAX_LIBELLE = "5 Mo"
NOM_MAX = 150  # the length of the columns keeping the displayed name

# Extension → (checked content type, what a person calls it, Pillow's format name or None).
FORMATS = {
    ".pdf": ("application/pdf", "un PDF", None),
    ".png": ("image/png", "une image PNG", "PNG"),
    ".jpg": ("image/jpeg", "une image JPEG", "JPEG"),
    ".jpeg": ("image/jpeg", "une image JPEG", "JPEG"),
}
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
# Inner extensions that make a name lie about what it is (« facture.pdf.exe », « photo.php.jpg »).
_PROGRAMMES_ET_DOCUMENTS = (
    "exe com bat cmd msi scr pif vbs vbe js jse mjs jar sh bash ps1 py pl rb php phtml asp aspx jsp cgi html "
    "htm xhtml shtml svg xml hta swf dll lnk reg app dmg apk deb rpm iso zip rar 7z gz tar doc docx xls xlsx "
    "xlsm docm ppt pptx odt ods rtf"
)
EXTENSIONS_TROMPEUSES = {e.lstrip(".") for e in FORMATS} | set(_PROGRAMMES_ET_DOCUMENTS.split())
AIDE = f"PDF, PNG ou JPEG, {TAILLE_MAX_LIBELLE} au plus."
ACCEPT = ",".join([*FORMATS, "application/pdf", "image/png", "image/jpeg"])


@dataclass(frozen=True)
class FichierVerifie:
    """An upload that passed every check."""

    fichier: object  # the UploadedFile, rewound
    type: str  # the checked content type, the one it is served with
    extension: str  # ".pdf", ".png", ".jpg" or ".jpeg", lowercase
    nom: str  # the person's file name, cleaned, for display (never a path)

    def nom_stocke(self) -> str:
        """A random name with the checked extension: nothing the person typed reaches the disk."""
        return f"{uuid.uuid4().hex}{self.extension}"


def nom_affiche(nom: str) -> str:
    """The last part of the name sent, without control characters, quotes or separators; at most ``NOM_MAX``."""
    nom = unicodedata.normalize("NFC", nom or "").replace("\\", "/").rsplit("/", 1)[-1]
    nom = "".join(c for c in nom if unicodedata.category(c)[0] != "C" and c not in '"<>:|?*')
    nom = " ".join(nom.split()).strip(". ")
    if len(nom) > NOM_MAX:
        racine, extension = os.path.splitext(nom)
        nom = racine[: NOM_MAX - len(extension) - 1] + "…" + extension
    return nom or "justificatif"


def _extension(nom: str) -> str:
    parts = nom.lower().split(".")
    if len(parts) < 2 or not parts[-1]:
        raise ValidationError(
            f"Ce fichier n'a pas d'extension : seuls les fichiers PDF, PNG et JPEG sont acceptés ({_liste()}).",
            code="extension",
        )
    inner = [p.strip() for p in parts[1:-1]]
    trompeuses = [p for p in inner if p in EXTENSIONS_TROMPEUSES]
    if trompeuses:
        double = "." + ".".join([trompeuses[-1], parts[-1]])
        raise ValidationError(
            f"Le nom du fichier porte une double extension (« {double} ») : renommez-le avec une seule "
            f"extension ({_liste()}).",
            code="double_extension",
        )
    extension = "." + parts[-1].strip()
    if extension not in FORMATS:
        raise ValidationError(
            f"Les fichiers « {extension} » ne sont pas acceptés : seuls les PDF, PNG et JPEG le sont ({_liste()}).",
            code="extension",
        )
    return extension


def _octets(n) -> str:
    return f"{n:,} octets".replace(",", "\u202f")


def _liste() -> str:
    return ", ".join(FORMATS)


def _lire(fichier, n) -> bytes:
    fichier.seek(0)
    debut = fichier.read(n)
    fichier.seek(0)
    return debut


def _contenu(fichier, extension):
    type_attendu, libelle, format_pillow = FORMATS[extension]
    debut = _lire(fichier, 16)
    reconnu = next((t for t, sigs in SIGNATURES.items() if any(debut.startswith(s) for s in sigs)), None)
    if reconnu != type_attendu:
        raise ValidationError(
            f"Le contenu de ce fichier n'est pas {libelle}, malgré son extension « {extension} » : enregistrez "
            "le document au bon format ou choisissez le bon fichier.",
            code="contenu",
        )
    if format_pillow is not None:
        _verifier_image(fichier, format_pillow, libelle)
    return type_attendu


def _verifier_image(fichier, format_pillow, libelle):
    from PIL import Image

    try:
        fichier.seek(0)
        with Image.open(fichier) as image:
            lu = image.format
            image.verify()  # the structure and checksums, without decoding every pixel
    except Exception:  # Pillow raises many kinds (SyntaxError, OSError, DecompressionBombError…)
        lu = None
    finally:
        fichier.seek(0)
    if lu != format_pillow:
        raise ValidationError(
            f"Cette image est illisible ou abîmée : ce n'est pas {libelle} valide. Enregistrez-la à nouveau.",
            code="image",
        )


def verifier_fichier(fichier, *, taille_max=TAILLE_MAX) -> FichierVerifie:
    """Every check, in the order a person can act on; raises ValidationError with a French message."""
    taille = fichier.size or 0
    if taille == 0:
        raise ValidationError("Ce fichier est vide (0 octet) : choisissez le bon fichier.", code="vide")
    if taille > taille_max:
        raise ValidationError(
            f"Ce fichier pèse {filesizeformat(taille)} ({_octets(taille)}), au-delà de la taille maximale de "
            f"{TAILLE_MAX_LIBELLE} ({_octets(taille_max)}) : réduisez-le (un scan en 150 points par pouce suffit) "
            "ou choisissez-en un autre.",
            code="taille",
        )
    nom = nom_affiche(getattr(fichier, "name", "") or "")
    extension = _extension(nom)
    type_verifie = _contenu(fichier, extension)
    return FichierVerifie(fichier=fichier, type=type_verifie, extension=extension, nom=nom)


class FichierVerifieField(forms.FileField):
    """A form field running :func:`verifier_fichier`: its cleaned value is a :class:`FichierVerifie` (or None)."""

    widget = forms.FileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", AIDE)
        kwargs.setdefault("allow_empty_file", True)  # refused below, with our message
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["accept"] = ACCEPT
        return attrs

    def clean(self, data, initial=None):
        fichier = super().clean(data, initial)
        if not fichier:
            return None
        return verifier_fichier(fichier)
