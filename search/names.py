"""The words of an occupation name or a title: its content words, and its head words apart
from the words that qualify them ("Enhetschef" in "Enhetschef inom social omsorg").

Shared by the concept index (`search.concepts`), the group ranker (`search.group_ranker`), the
index's title field and the occupation suggestions (`search.suggest`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from search.text import PLACEMENT_WORDS, STOPWORDS, hyphen_joins, normalize, tokenize

__all__ = ["content_tokens", "iter_words", "name_parts"]


def content_tokens(text: str) -> list[str]:
    """The distinct content words of ``text`` (hyphenated words also written solid), in order:
    stopwords and numbers left out."""
    words = [*tokenize(text), *hyphen_joins(text)]
    return [t for t in dict.fromkeys(words) if t not in STOPWORDS and not t.isdigit()]


def iter_words(texts: Iterable[str]) -> set[str]:
    """Return the content words of ``texts`` (helper for tests and tools)."""
    return {t for text in texts for t in content_tokens(text)}


def name_parts(name: str) -> tuple[list[str], list[str]]:
    """Split an occupation name or a title into its head words and its qualifier words.

    The head is the first noun, with any adjectives before it and any words coordinated
    with it ("Park- och trädgårdsarbetare"); what follows it, above all after a comma, a
    parenthesis or a preposition, qualifies it: "Enhetschef" in "Enhetschef inom social
    omsorg", "Maskinoperatör" in "Maskinoperatör bageri- och konfektyrindustri".
    """
    head: list[str] = []
    for half in name.split("/"):
        text = half.split(",")[0].split("(")[0]
        words = normalize(text).split()
        coordinated = _COORDINATED.match(text) is not None
        found = False
        for i, w in enumerate(words):
            if w in STOPWORDS or w in PLACEMENT_WORDS:
                if found and not (coordinated and w in ("och", "eller")):
                    break
                continue
            found = True
            head.append(w)
            if not w.endswith(_ADJECTIVE_ENDINGS) and not (coordinated and "och" in words[i:]):
                break
    rest = [t for t in content_tokens(name) if t not in head]
    return head, rest


_COORDINATED = re.compile(r"^\W*\w+- (och|eller) ")
_ADJECTIVE_ENDINGS = ("ig", "isk", "sk", "ell", "al", "iv", "ad", "ande", "ende")
