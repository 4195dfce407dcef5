"""The taxonomy's search structures for this process: the concept index, the group ranker
and the taxonomy lexicon, built once per machine and kept in a private disk cache; and
occupation autocomplete over them.

They take seconds to build and never change for a given taxonomy and code, so they are
pickled between processes (`search.disk_cache`). The data comes from `marketplace.reference`; the
structures are the search's own (`search.concepts`, `search.group_ranker`, `search.lexicon`).
"""

from __future__ import annotations

from functools import cache

from search import disk_cache
from search.concepts import ConceptIndex, OccupationSuggestion
from search.everyday import everyday_verbs, everyday_words
from search.group_ranker import GroupRanker
from search.lexicon import Lexicon

__all__ = ["concept_index", "group_ranker", "suggest_occupations", "taxonomy_lexicon"]


@cache
def concept_index() -> ConceptIndex:
    """Return the process-wide concept index (built once, read-only afterwards)."""
    return _static()[0]


@cache
def taxonomy_lexicon() -> Lexicon:
    """Return a lexicon of the taxonomy's words only (for occupation autocomplete)."""
    return _static()[2]


@cache
def group_ranker() -> GroupRanker:
    """Return the process-wide group ranker (built once, read-only afterwards)."""
    return _static()[1]


# --- the static structures, cached on disk between processes --------------------------------

# What the concept index, the group ranker and the taxonomy lexicon are built from: the
# packaged data (the reference data's and the search's everyday words) and the code that
# reads it, as (package, file) pairs. Any change gives another cache file.
_STATIC_INPUTS = (
    ("marketplace.reference", "data/occupations.json"),
    ("marketplace.reference", "data/ssyk4_groups.json"),
    ("marketplace.reference", "data/skills.json"),
    ("marketplace.reference", "data/keywords.json"),
    ("marketplace.reference", "data/languages.json"),
    ("marketplace.reference", "data/no_education_required.json"),
    ("marketplace.reference", "data/alternative_labels.json"),
    ("marketplace.reference", "taxonomy.py"),
    ("marketplace.reference", "words.py"),
    ("search", "data/everyday.tsv"),
    ("search", "data/everyday_verbs.tsv"),
    ("search", "everyday.py"),
    ("search", "names.py"),
    ("search", "concepts.py"),
    ("search", "group_ranker.py"),
    ("search", "taxonomy_cache.py"),
    ("search", "text.py"),
    ("search", "lexicon.py"),
    ("search", "terms.py"),
)
_Static = tuple[ConceptIndex, GroupRanker, Lexicon]


@cache
def _static() -> _Static:
    """Build the taxonomy's derived structures once per machine, not once per process (the
    private disk cache of `search.disk_cache`, keyed by `_STATIC_INPUTS`)."""
    return disk_cache.cached_build(
        "taxonomy", _STATIC_INPUTS, _build_static, _is_static, child="search.taxonomy_cache:_static"
    )


def _build_static() -> _Static:
    concepts = ConceptIndex()
    lex = Lexicon()
    lex.add_many(sorted(concepts.words()))
    lex.set_synonyms({**concepts.alias_words(), **everyday_words()}, everyday_verbs())
    lex.prefixed("", limit=1)  # sorts the vocabulary once, before it is saved or copied
    return (concepts, GroupRanker(concepts), lex)


def _is_static(obj: object) -> bool:
    return (
        isinstance(obj, tuple)
        and len(obj) == 3
        and isinstance(obj[0], ConceptIndex)
        and isinstance(obj[1], GroupRanker)
        and isinstance(obj[2], Lexicon)
    )


def suggest_occupations(q: str, limit: int = 10) -> list[OccupationSuggestion]:
    """Return up to ``limit`` occupations for an autocomplete box, best first.

    Matching is typo-tolerant and treats the last word as a prefix; each answer carries the
    occupation id, its label, its SSYK-4 code and its group's label.
    """
    return concept_index().suggest(taxonomy_lexicon(), q, limit)
