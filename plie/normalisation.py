"""The one normaliser of people's names: the duplicate rule compares with it, the search key stores it.

"Éloïse N’Diaye", "ELOISE N'DIAYE" and "eloise n diaye" all become "eloise n diaye".
"""

import functools
import unicodedata

# NFKD leaves these French ligatures whole ("Lætitia", "Cœur"); typed as "ae"/"oe" just as often.
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})


@functools.lru_cache(maxsize=8192)
def normaliser(texte: str) -> str:
    """Reduce a name to what survives every way of typing it.

    Accents and case go; apostrophes of every shape (’ ' ‘ `), hyphens, dots, commas — anything
    that is not a letter or a digit — become a single space. Remembered (names repeat: the queue
    compares each referral with every known person born the same day, a thousand names a page).
    """
    # casefold before NFKD: casefolding can itself produce combining marks ("İ" -> "i̇").
    decomposed = unicodedata.normalize("NFKD", (texte or "").casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(LIGATURES)
    return " ".join("".join(c if c.isalnum() else " " for c in letters).split())
