"""The taxonomy's search structures for this process: the concept index, the group ranker
and the taxonomy lexicon, built once per machine and kept in a private disk cache; and
occupation autocomplete over them.

They take seconds to build and never change for a given taxonomy and code, so they are
pickled between processes (see `_static`). The data comes from `marketplace.reference`; the
structures are the search's own (`search.concepts`, `search.group_ranker`, `search.lexicon`).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from functools import cache
from importlib import metadata, resources

from search.concepts import ConceptIndex, OccupationSuggestion
from search.everyday import everyday_words
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
    """Build the taxonomy's derived structures once per machine, not once per process.

    They take seconds to build and never change for a given taxonomy and code, so they are
    pickled to a private cache directory (``SEARCH_CACHE_DIR``, default
    ``~/.cache/placement-search``; ``SEARCH_CACHE_DIR=off`` disables it) under a key hashed
    from the packaged data and the code that reads it (`_STATIC_INPUTS`). A cache file is read only if this user owns
    it and nobody else can write it; any problem reading or writing it just means building.
    """
    path = _static_path()
    if path is not None:
        loaded = _load_static(path)
        if loaded is not None:
            return loaded
    concepts = ConceptIndex()
    lex = Lexicon()
    lex.add_many(sorted(concepts.words()))
    lex.set_synonyms({**concepts.alias_words(), **everyday_words()})
    lex.prefixed("", limit=1)  # sorts the vocabulary once, before it is saved or copied
    built: _Static = (concepts, GroupRanker(concepts), lex)
    if path is not None:
        _save_static(path, built)
    return built


def _static_path() -> str | None:
    where = os.environ.get("SEARCH_CACHE_DIR")
    if where is not None and where.strip().lower() in ("", "0", "off", "no", "false"):
        return None
    if not where:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        where = os.path.join(base, "placement-search")
    h = hashlib.sha256()
    try:
        for package, name in _STATIC_INPUTS:
            h.update(f"{package}/{name}".encode())
            h.update(resources.files(package).joinpath(name).read_bytes())
    except OSError:
        return None
    try:
        stemmer = metadata.version("PyStemmer")
    except metadata.PackageNotFoundError:
        stemmer = "?"
    h.update(f"{sys.version}|{pickle.HIGHEST_PROTOCOL}|{stemmer}".encode())
    return os.path.join(where, f"taxonomy-{h.hexdigest()[:32]}.pickle")


def _private(path: str) -> bool:
    st = os.stat(path)
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _load_static(path: str) -> _Static | None:
    try:
        if not (_private(os.path.dirname(path)) and _private(path)):
            return None
        with open(path, "rb") as f:
            obj = pickle.load(f)  # noqa: S301 - our own file, in a directory only we can write
    except Exception:  # missing, stale or damaged: build instead
        return None
    if (
        isinstance(obj, tuple)
        and len(obj) == 3
        and isinstance(obj[0], ConceptIndex)
        and isinstance(obj[1], GroupRanker)
        and isinstance(obj[2], Lexicon)
    ):
        return obj
    return None


def _save_static(path: str, built: _Static) -> None:
    where = os.path.dirname(path)
    try:
        os.makedirs(where, mode=0o700, exist_ok=True)
        if not _private(where):
            return
        fd, tmp = tempfile.mkstemp(dir=where, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(built, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)  # atomic: a reader sees the old file or the whole new one
        except BaseException:
            os.unlink(tmp)
            raise
        for name in os.listdir(where):  # older keys are dead
            if name.startswith("taxonomy-") and os.path.join(where, name) != path:
                os.unlink(os.path.join(where, name))
    except Exception:  # a cache that cannot be written only costs the next process time
        return


def suggest_occupations(q: str, limit: int = 10) -> list[OccupationSuggestion]:
    """Return up to ``limit`` occupations for an autocomplete box, best first.

    Matching is typo-tolerant and treats the last word as a prefix; each answer carries the
    occupation id, its label, its SSYK-4 code and its group's label.
    """
    return concept_index().suggest(taxonomy_lexicon(), q, limit)
