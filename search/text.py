"""Swedish text handling for search: normalisation, folding, stemming, compounds and typos.

Everything here is pure and deterministic. Two forms of every word are used:

- the *exact* form: NFC, casefolded, punctuation turned into spaces;
- the *folded* form: the exact form without diacritics (å ä → a, ö → o, é → e).

Folding merges a few real words (målning/malning), so it is for recall only and the index
scores an exact match above a folded one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import Stemmer
from rapidfuzz.distance import OSA

__all__ = [
    "PLACEMENT_WORDS",
    "STOPWORDS",
    "derivation_root",
    "fold",
    "hyphen_joins",
    "inflection_bases",
    "normalize",
    "restored_bases",
    "split_compound",
    "stem",
    "tokenize",
    "typo_budget",
    "typo_distance",
]

# Function words that carry no meaning on their own in a query or a slot text. A query made
# only of these is still searched (see index), so the list can be generous.
STOPWORDS: frozenset[str] = frozenset(
    [
        "och",
        "i",
        "på",
        "av",
        "för",
        "med",
        "till",
        "som",
        "en",
        "ett",
        "att",
        "är",
        "du",
        "vi",
        "hos",
        "den",
        "det",
        "de",
        "om",
        "från",
        "eller",
        "samt",
        "inom",
        "mfl",
        "mm",
        "m",
        "fl",
        "t",
        "ex",
        "etc",
        "alla",
        "man",
        "har",
        "han",
        "hon",
        "sig",
        "sin",
        "sitt",
        "sina",
        "vid",
        "ej",
        "inte",
        "kan",
        "ska",
        "skall",
        "the",
        "and",
        "of",
    ]
)

# Words that say "a placement" or "a job" without naming any kind of work: they frame a title
# ("Praktik som kock", "Vi söker kock") and head everyday compounds ("lagerjobb").
PLACEMENT_WORDS: frozenset[str] = frozenset(
    [
        "praktik",
        "praktikplats",
        "praktikplatser",
        "arbetsträning",
        "söker",
        "sökes",
        "jobb",
        "jobbet",
        "arbete",
        "arbeten",
        "tjänst",
        "plats",
        "platser",
    ]
)

# Anything that is not a letter or a digit separates words: "/ , -" and all other punctuation.
_SEPARATORS = re.compile(r"[^\w]+|_+")

# Letters without a canonical decomposition that still have an obvious ASCII neighbour.
_EXTRA_FOLDS = {"æ": "ae", "ø": "o", "ß": "ss", "ð": "d", "þ": "th", "ł": "l", "đ": "d"}

_stemmer = Stemmer.Stemmer("swedish")


def normalize(text: str) -> str:
    """Return the exact search form of ``text``.

    The result is NFC, casefolded, with every run of non-word characters (including
    ``/ , -``) turned into one space, and stripped. NFC first makes an NFD "Vårgårda" equal
    to an NFC one.
    """
    text = unicodedata.normalize("NFC", text).casefold()
    return " ".join(_SEPARATORS.split(text)).strip()


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in _EXTRA_FOLDS:
        return _EXTRA_FOLDS[ch]
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)) or ch


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Return ``text`` without diacritics (å ä → a, ö → o, é → e, ü → u).

    The input should already be normalised; ASCII text is returned unchanged.
    """
    if text.isascii():
        return text
    return "".join(_fold_char(c) if not c.isascii() else c for c in text)


def tokenize(text: str) -> list[str]:
    """Split ``text`` into exact-form words (see :func:`normalize`), stopwords included."""
    return normalize(text).split()


# Possessive and anchored at a word start: without backtracking inside words (5× faster).
_HYPHENATED = re.compile(r"\b\w++(?:-\w++)+")


def hyphen_joins(text: str) -> list[str]:
    """Return the hyphenated words of ``text`` written solid ("SIUS-konsulent" → "siuskonsulent").

    People often type such words without the hyphen; indexing the solid form beside the parts
    lets that spelling match exactly (or within the typo budget).
    """
    if "-" not in text:
        return []
    nfc = unicodedata.normalize("NFC", text).casefold()
    return [m.group(0).replace("-", "") for m in _HYPHENATED.finditer(nfc)]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Return the Swedish Snowball stem of a normalised word."""
    return str(_stemmer.stemWord(word))


def typo_budget(length: int) -> int:
    """Return how many typos a word of ``length`` letters may have, as Meilisearch does.

    0 up to 4 letters, 1 up to 8 letters, 2 beyond.
    """
    if length <= 4:
        return 0
    if length <= 8:
        return 1
    return 2


def typo_distance(a: str, b: str, budget: int) -> int | None:
    """Return the number of typos between ``a`` and ``b`` if it is within ``budget``, else None.

    Typos are counted as optimal string alignment edits: an insertion, a deletion, a
    substitution or a swap of two neighbouring letters each count as one typo.
    """
    d = OSA.distance(a, b, score_cutoff=budget)
    return d if d <= budget else None


# Swedish inflection endings (plural, definite, genitive), longest first. Used when the
# Snowball stemmer leaves a word alone because it is too short for its R1 region ("cioer").
_INFLECTIONS = (
    "ornas",
    "arnas",
    "ernas",
    "orna",
    "arna",
    "erna",
    "ens",
    "ets",
    "ans",
    "en",
    "er",
    "ar",
    "or",
    "na",
    "et",
    "an",
    "n",
    "r",
    "s",
    "a",
    "e",
)


def inflection_bases(word: str, min_len: int = 3) -> list[str]:
    """Return the candidate base forms of ``word`` with one inflection ending removed.

    The candidates are ordered longest first and each keeps at least ``min_len`` letters.
    """
    out: list[str] = []
    for ending in _INFLECTIONS:
        if word.endswith(ending) and len(word) - len(ending) >= min_len:
            base = word[: -len(ending)]
            if base not in out:
                out.append(base)
    return out


_CONSONANTS = frozenset("bcdfghjklmnpqrstvwxz")


def restored_bases(base: str) -> list[str]:
    """Return ``base`` and the base forms it may stand for once an inflection ending is gone.

    Swedish drops an unstressed e before -l, -n, -r ("lager" → "lagret", "lagren"; "cykel" →
    "cykeln") and changes a final -a to -or in the plural ("kassa" → "kassor", "kassorna").
    """
    out = [base]
    if len(base) >= 3 and base[-1] in "lnr" and base[-2] in _CONSONANTS:
        out.append(base[:-1] + "e" + base[-1])
    if base[-1:] in _CONSONANTS:
        out.append(base + "a")
    return out


# Derivational endings that turn a verb stem into an activity or an agent: "städning" and
# "städare" share the root "städ", "plattsättning" and "plattsättare" share "plattsätt".
_DERIVATIONS = ("ningen", "ningar", "ning", "arens", "arna", "aren", "are", "ande", "eri", "else")


def derivation_root(word: str, min_len: int = 3) -> str:
    """Return ``word`` without one derivational ending (ning, are, ande, eri, else).

    Returns ``word`` itself when no ending applies or the root would be shorter than
    ``min_len`` letters.
    """
    for ending in _DERIVATIONS:
        if word.endswith(ending) and len(word) - len(ending) >= min_len:
            return word[: -len(ending)]
    return word


def split_compound(
    word: str,
    is_word: Callable[[str], bool],
    min_part: int = 3,
    max_parts: int = 4,
    is_modifier: Callable[[str], bool] | None = None,
    whole: bool = True,
) -> list[str] | None:
    """Split a Swedish compound into known words, or return None.

    ``is_word`` says whether a string is a known word. A part may be followed by the linking
    ``s`` ("arbetsmiljö" = "arbet(e)" + "s" + "miljö") and may have lost a final ``a`` or ``e``
    ("skolkök" = "skol(a)" + "kök"). Each part has at least ``min_part`` letters. The split with
    the fewest parts wins, then the one whose shortest part is longest. The returned parts are
    the known words (with any dropped vowel restored), so ``"lagerjobb"`` gives
    ``["lager", "jobb"]`` when both are known. ``is_modifier`` may accept a part that is not a
    word but only ever the first half of compounds ("lant" in "lantbruk"); it is tried last and
    never for the final part. With ``whole=False`` the word itself does not count as a part,
    so that a known compound ("webbutveckling") still splits into its parts.
    """
    n = len(word)
    if n < 2 * min_part:
        return None

    def known(part: str, final: bool) -> str | None:
        if len(part) < min_part:
            return None
        if is_word(part):
            return part
        for vowel in ("a", "e"):
            if is_word(part + vowel):
                return part + vowel
        if not final and is_modifier is not None and len(part) >= 4 and is_modifier(part):
            return part
        return None

    # best[i] = (parts, -shortest) for word[i:], computed right to left.
    best: list[tuple[int, int, list[str]] | None] = [None] * (n + 1)
    best[n] = (0, 0, [])
    for i in range(n - min_part, -1, -1):
        choice: tuple[int, int, list[str]] | None = None
        for j in range(i + min_part, n + 1):
            if not whole and i == 0 and j == n:
                continue
            part = known(word[i:j], j == n)
            if part is None:
                continue
            starts = [j]
            # A linking "s" may follow any part but the last.
            if j < n and word[j] == "s":
                starts.append(j + 1)
            for k in starts:
                rest = best[k]
                if rest is None or (k == n and k != j):
                    continue
                count = rest[0] + 1
                if count > max_parts:
                    continue
                shortest = min(len(part), -rest[1]) if rest[2] else len(part)
                cand = (count, -shortest, [part, *rest[2]])
                if choice is None or cand[:2] < choice[:2]:
                    choice = cand
        best[i] = choice
    result = best[0]
    if result is None or result[0] < 2:
        return None
    return result[2]
