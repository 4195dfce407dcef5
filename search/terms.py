"""Turning a query string into weighted terms with their vocabulary expansions."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from search.lexicon import Expansion, Lexicon
from search.text import PLACEMENT_WORDS, STOPWORDS, fold, normalize

__all__ = ["Term", "parse_terms"]

# A compound part is a little weaker evidence than the whole word.
_PART_FACTOR = 0.9
_PLACEMENT_PART = 0.2
_FOLDED_PLACEMENT = frozenset(fold(w) for w in PLACEMENT_WORDS)


@dataclass(frozen=True, slots=True)
class Term:
    """One thing to look for: ``word`` is the query word it came from (for explanations)."""

    word: str
    weight: float
    expansions: tuple[Expansion, ...]
    compound_part: bool = False
    # The folded word or compound part this term looks for ("kassa" for a part of "kassajobb").
    text: str = ""


def _idf(expansions: tuple[Expansion, ...], df: Callable[[str], int], n: int) -> float:
    if not expansions:
        return math.log(1 + n)
    top = expansions[0].weight
    freq = max((df(e.token) for e in expansions if e.weight >= top * 0.95), default=0)
    return math.log(1 + (n + 1) / (1 + freq)) + 0.1


def parse_terms(
    q: str,
    lexicon: Lexicon,
    df: Callable[[str], int],
    n_docs: int,
) -> list[Term]:
    """Return the query's terms with weights that sum to 1 (empty if the query has no words).

    Stopwords are dropped unless the query has nothing else. The last word may match as a
    prefix unless the query ends with a space (the user finished typing it). A word the
    vocabulary does not know, and that splits into known words, becomes one term per part.
    Weights follow inverse document frequency from ``df`` over ``n_docs`` documents.
    """
    words = normalize(q).split()
    content = [w for w in words if w not in STOPWORDS]
    words = content or words
    if not words:
        return []
    typing_last = not q[-1:].isspace()
    raw: list[tuple[str, tuple[Expansion, ...], bool, float, str]] = []
    for i, word in enumerate(words):
        last = typing_last and i == len(words) - 1
        exps = lexicon.expand(word, allow_prefix=last)
        # A word the vocabulary knows (or completes, or knows with one typo) stays whole;
        # otherwise a split into known words beats a guess with two typos.
        known = any(e.kind in ("exact", "folded", "stem", "prefix", "synonym") for e in exps)
        close_typo = any(e.kind == "typo" and e.weight >= 0.7 for e in exps)
        parts = None
        if not known and not close_typo:
            parts = lexicon.split(fold(word), allow_unknown_tail=not exps)
        if parts:
            for part in parts:
                part_exps = tuple(
                    Expansion(e.token, "compound", e.weight * _PART_FACTOR)
                    for e in lexicon.expand(part, allow_prefix=False, min_compound=3)
                )
                idf = _idf(part_exps, df, n_docs)
                if part in _FOLDED_PLACEMENT and len(parts) > 1:
                    idf *= _PLACEMENT_PART  # "jobb" in "lagerjobb" only says it is work
                raw.append((word, part_exps, True, idf, part))
        else:
            raw.append((word, exps, False, _idf(exps, df, n_docs), fold(word)))
    total = sum(r[3] for r in raw) or 1.0
    return [Term(word, idf / total, exps, part, text) for word, exps, part, idf, text in raw]
