"""The password rule: CNIL délibération 2022-100, case 1 (a password alone, at least 80 bits).

The strength is estimated as the CNIL does, from the length and the character classes used:
``length × log2(pool)``, the pool being the sum of the classes present (26 lowercase letters,
26 uppercase, 10 digits, 37 special characters, any character outside ASCII letters and digits
counting as special). On top of that, what people really type is recognised the way zxcvbn does:
a common French word, a walk along a keyboard row, a sequence, a repeated character or a year
costs a small fixed number of bits instead of the bits of its characters, so that ``Azerty12345678``
weighs 14 bits and not 83.
"""

import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError

MIN_BITS = 80
WORDS_FILE = Path(__file__).parent / "data" / "mots_courants.txt"
MIN_PATTERN_LENGTH = 4

# (name in a French sentence, size of the class); the order is the order of the message.
LOWER, UPPER, DIGITS, SPECIAL = "minuscules", "majuscules", "chiffres", "caractères spéciaux"
POOLS = {LOWER: 26, UPPER: 26, DIGITS: 10, SPECIAL: 37}

# What a recognised pattern costs, in bits, whatever its length: about log2 of how many such
# patterns an attacker tries first (a few hundred words, a few dozen walks, 200 years…).
WORD, WALK, SEQUENCE, REPEAT, YEAR = "mot", "clavier", "suite", "repetition", "annee"
PATTERN_BITS = {WORD: 11, WALK: 8, SEQUENCE: 6, REPEAT: 5, YEAR: 7}
PATTERN_LABELS = {
    WORD: "un mot courant",
    WALK: "une suite de touches du clavier",
    SEQUENCE: "une suite de caractères",
    REPEAT: "un caractère répété",
    YEAR: "une année",
}

KEYBOARD_ROWS = [
    "azertyuiop",
    "qsdfghjklm",
    "wxcvbn",  # AZERTY
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",  # QWERTY
    "1234567890",
]
# Leet speak undone; ``1`` reads as ``i`` or as ``l``, so words are looked for in both readings.
LEET = [
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"},
    {"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"},
]
YEAR_PATTERN = re.compile(r"(?=((?:19|20)\d\d))")


@dataclass(frozen=True)
class Pattern:
    kind: str
    start: int
    end: int
    text: str  # as recognised: lower case, leet speak undone

    @property
    def bits(self) -> int:
        return PATTERN_BITS[self.kind]

    def describe(self) -> str:
        text = self.text if len(self.text) <= 20 else self.text[:20] + "…"
        return f"« {text} », {PATTERN_LABELS[self.kind]}"


@dataclass
class Estimate:
    bits: int
    raw_bits: int  # from length and classes alone, before the patterns are discounted
    classes: list[str]
    patterns: list[Pattern] = field(default_factory=list)

    @property
    def pool(self) -> int:
        return sum(POOLS[name] for name in self.classes)


def character_class(char: str) -> str:
    if "a" <= char <= "z":
        return LOWER
    if "A" <= char <= "Z":
        return UPPER
    if "0" <= char <= "9":
        return DIGITS
    return SPECIAL


def bits_per_character(classes) -> float:
    pool = sum(POOLS[name] for name in classes)
    return math.log2(pool) if pool else 0.0


def estimate(password: str) -> Estimate:
    """The estimated strength of ``password``, in whole bits, and the patterns that lowered it."""
    classes = [name for name in POOLS if any(character_class(char) == name for char in password)]
    per_char = bits_per_character(classes)
    by_end: dict[int, list[Pattern]] = {}
    for pattern in find_patterns(password):
        by_end.setdefault(pattern.end, []).append(pattern)
    # The cheapest reading of the password, left to right: each character at its class price,
    # or a whole pattern at its fixed price (zxcvbn's minimum-entropy match sequence).
    cost = [0.0] * (len(password) + 1)
    chosen: list[Pattern | None] = [None] * (len(password) + 1)
    for end in range(1, len(password) + 1):
        cost[end], chosen[end] = cost[end - 1] + per_char, None
        for pattern in by_end.get(end, ()):
            if cost[pattern.start] + pattern.bits < cost[end]:
                cost[end], chosen[end] = cost[pattern.start] + pattern.bits, pattern
    used = []
    position = len(password)
    while position > 0:
        pattern = chosen[position]
        if pattern is None:
            position -= 1
        else:
            used.append(pattern)
            position = pattern.start
    return Estimate(
        bits=_round(cost[-1]), raw_bits=_round(len(password) * per_char), classes=classes, patterns=used[::-1]
    )


def _round(bits: float) -> int:
    """To the nearest bit, halves up: 12 characters of the four classes make 79.55, hence 80."""
    return math.floor(bits + 0.5)


def find_patterns(password: str) -> list[Pattern]:
    lowered = "".join(_plain_lower(char) for char in password)
    return [
        *_words(lowered),
        *_runs(lowered, WALK, _walk_link),
        *_runs(lowered, SEQUENCE, _sequence_link),
        *_repeats(lowered),
        *(Pattern(YEAR, m.start(), m.start() + 4, m.group(1)) for m in YEAR_PATTERN.finditer(lowered)),
    ]


def required_length(classes) -> int:
    """How many characters of these classes reach the minimum."""
    per_char = bits_per_character(classes)
    return math.ceil((MIN_BITS - 0.5) / per_char) if per_char else 0


def _plain_lower(char: str) -> str:
    """One character for one, so that positions stay those of the password: ``É`` → ``e``."""
    lower = char.lower()
    if len(lower) != 1:
        return char
    base = unicodedata.normalize("NFKD", lower)[0]
    return base if base.isascii() else lower


@cache
def common_words() -> frozenset[str]:
    words = set()
    for line in WORDS_FILE.read_text(encoding="utf-8").splitlines():
        word = "".join(_plain_lower(char) for char in line.strip())
        if word and not word.startswith("#") and len(word) >= MIN_PATTERN_LENGTH:
            words.add(word)
    return frozenset(words)


def _words(lowered: str):
    words = common_words()
    longest = max(map(len, words))
    found = set()
    for leet in LEET:
        text = "".join(leet.get(char, char) for char in lowered)
        for start in range(len(text)):
            for end in range(start + MIN_PATTERN_LENGTH, min(start + longest, len(text)) + 1):
                if text[start:end] in words:
                    found.add(Pattern(WORD, start, end, text[start:end]))
    return found


@cache
def _neighbours() -> dict[str, set[str]]:
    neighbours: dict[str, set[str]] = {}
    for row in KEYBOARD_ROWS:
        for left, right in zip(row, row[1:], strict=False):
            neighbours.setdefault(left, set()).add(right)
            neighbours.setdefault(right, set()).add(left)
    return neighbours


def _walk_link(left: str, right: str):
    return True if right in _neighbours().get(left, ()) else None


def _sequence_link(left: str, right: str):
    """+1 or -1 between two digits or two letters that follow each other (the direction), else None."""
    same_kind = (left.isdigit() and right.isdigit()) or ("a" <= left <= "z" and "a" <= right <= "z")
    step = ord(right) - ord(left)
    return step if same_kind and step in (1, -1) else None


def _runs(lowered: str, kind: str, link):
    """Every maximal stretch of 4 characters or more whose successive pairs share one link."""
    found = []
    start = 0
    for position in range(1, len(lowered) + 1):
        current = link(lowered[position - 1], lowered[position]) if position < len(lowered) else None
        previous = link(lowered[position - 2], lowered[position - 1]) if position - start >= 2 else current
        if current is None or current != previous:
            if position - start >= MIN_PATTERN_LENGTH:
                found.append(Pattern(kind, start, position, lowered[start:position]))
            # 12321: the pair that breaks the run may begin the next one.
            start = position - 1 if current is not None else position
    return found


def _repeats(lowered: str):
    return [Pattern(REPEAT, match.start(), match.end(), match.group(0)) for match in re.finditer(r"(.)\1{2,}", lowered)]


def _join(items: list[str], last: str = " et ") -> str:
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + last + items[-1]


class CnilPasswordValidator:
    """At least ``min_bits`` estimated bits (CNIL 2022-100, case 1), with predictable parts discounted."""

    def __init__(self, min_bits: int = MIN_BITS):
        self.min_bits = min_bits

    def validate(self, password, user=None):
        result = estimate(password)
        if result.bits >= self.min_bits:
            return
        described = []
        for pattern in result.patterns:
            if pattern.describe() not in described:
                described.append(pattern.describe())
        patterns = _join(described[:3], last=", et ")
        if result.raw_bits >= self.min_bits:
            raise ValidationError(
                "Ce mot de passe est trop prévisible : il contient %(patterns)s. "
                "Sa robustesse est estimée à %(bits)d bits, il en faut %(min_bits)d.",
                code="password_too_predictable",
                params={"patterns": patterns, "bits": result.bits, "min_bits": self.min_bits},
            )
        classes = result.classes or list(POOLS)
        if len(classes) == len(POOLS):
            advice = "Avec les quatre types de caractères, il faut au moins %(length)d caractères."
        else:
            advice = (
                "Avec %(classes)s, il faut au moins %(length)d caractères ; chaque type de caractères ajouté "
                "en demande moins (12 avec les quatre : minuscules, majuscules, chiffres et caractères spéciaux)."
            )
        if described:
            advice += " De plus, ses parties prévisibles comptent très peu : %(patterns)s."
        raise ValidationError(
            "Ce mot de passe est trop court pour ses types de caractères : estimé à %(bits)d bits, "
            "il en faut %(min_bits)d. " + advice,
            code="password_too_weak",
            params={
                "bits": result.bits,
                "min_bits": self.min_bits,
                "classes": _join([f"des {name}" for name in classes]),
                "length": required_length(classes),
                "patterns": patterns,
            },
        )

    def get_help_text(self):
        return (
            "Votre mot de passe doit être assez robuste (recommandation de la CNIL) : par exemple 12 caractères "
            "mêlant minuscules, majuscules, chiffres et caractères spéciaux, ou 14 caractères avec trois de ces "
            "types. Les mots courants, les années, les suites (1234, abcd) et les suites de touches du clavier "
            "(azerty) ne comptent presque pas."
        )
