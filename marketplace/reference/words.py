"""Swedish word forms: the normalised ("exact") form, the folded form and the Snowball stem.

The reference data is keyed by these forms (the gazetteer by a locality's folded name, the
replaced occupation ids' candidates by their labels' stems), and the search indexes and
queries by them too (`search.text` builds its compounds, inflections and typos on top).
Everything here is pure and deterministic. Two forms of every word:

- the *exact* form: NFC, casefolded, punctuation turned into spaces;
- the *folded* form: the exact form without diacritics (å ä → a, ö → o, é → e).

Folding merges a few real words (målning/malning), so it is for recall only.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

__all__ = ["fold", "hyphen_joins", "normalize", "stem", "tokenize"]

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
