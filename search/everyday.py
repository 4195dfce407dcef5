"""The everyday words for workplaces and kinds of work (``data/everyday.tsv``): the curated
table that maps the words coordinators use ("dagis", "mack", "bygge") to the taxonomy words
they stand for. Admins add more beside it (`search.vocabulary`)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from search.text import normalize

__all__ = ["everyday_words"]


@cache
def everyday_words() -> dict[str, tuple[str, ...]]:
    """Return the everyday words for workplaces and kinds of work (``data/everyday.tsv``),
    each with the taxonomy words it stands for, all normalised ("dagis" → förskola, …)."""
    text = resources.files("search").joinpath("data", "everyday.tsv").read_text("utf-8")
    out: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, _, targets = line.partition("\t")
        out[normalize(word.strip())] = tuple(normalize(t) for t in targets.split())
    return out
