"""The everyday words for workplaces and kinds of work (``data/everyday.tsv``): the curated
table that maps the words coordinators use ("dagis", "mack", "bygge") to the taxonomy words
they stand for, and the everyday verbs of work (``data/everyday_verbs.tsv``: "måla", and
phrases of a verb and its object, "klippa hår"). Admins add more words beside them
(`search.vocabulary`)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from search.text import fold, normalize

__all__ = ["everyday_verbs", "everyday_words"]


@cache
def _table(name: str) -> dict[str, tuple[str, ...]]:
    text = resources.files("search").joinpath("data", name).read_text("utf-8")
    out: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, _, targets = line.partition("\t")
        out[normalize(word.strip())] = tuple(normalize(t) for t in targets.split())
    return out


@cache
def everyday_words() -> dict[str, tuple[str, ...]]:
    """Return the everyday words for workplaces and kinds of work, and the everyday verbs,
    each with the taxonomy words it stands for, all normalised ("dagis" → förskola, …; "klippa
    hår" → frisör)."""
    return {**_table("everyday.tsv"), **_table("everyday_verbs.tsv")}


@cache
def everyday_verbs() -> frozenset[str]:
    """The everyday verbs of one word (folded): they stand for their work, but are never the
    last part of an unknown compound, as a noun of the table is ("tillbaka" is no "baka")."""
    return frozenset(fold(w) for w in _table("everyday_verbs.tsv") if " " not in w)
