"""Which words written Swedish uses, and how often: the Swedish word-frequency list that the
``wordfreq`` package ships with its own data (read from the installed package, no network).

The search's own vocabulary is the taxonomy's and the slots' words. A query word outside it may
still be Swedish: an everyday word (``frequent``) is then no typo of a vocabulary word, and an
unknown compound may split at words Swedish uses (``common``) where the vocabulary knows only
some of its parts.

The package's code is Apache-2.0 and its word lists CC BY-SA 4.0: nothing of them is copied
into the project; an installation that bundles the package carries its attribution.

Frequencies are on the Zipf scale (log10 of occurrences per billion words): 4 is a word met
every few pages, 2.5 one most adult readers know.
"""

from __future__ import annotations

import gzip
import importlib.util
from functools import cache
from pathlib import Path

import msgpack

from marketplace.reference.words import fold

__all__ = ["common", "frequent", "load"]

# wordfreq's lists are "cBpack" files: a gzipped msgpack array of a header and then one bucket
# of words per centibel of frequency, most frequent first: bucket i (from 0) holds the words
# of Zipf 9 - i / 100. Only the buckets down to the rarest Zipf used here are read, one at a
# time (the package's own reader would build the whole list of 340,000 words).
_LIST = ("data", "large_sv.msgpack.gz")
_COMMON_ZIPF = 2.5
_FREQUENT_ZIPF = 4.0


_fold = fold.__wrapped__


def _bucket(zipf: float) -> int:
    return round((9 - zipf) * 100)


def _list_path() -> Path:
    # Found without importing wordfreq, whose import loads modules the search never uses.
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("search needs the wordfreq package (see pyproject.toml)")
    return Path(next(iter(spec.submodule_search_locations)), *_LIST)


@cache
def _sets() -> tuple[frozenset[str], frozenset[str]]:
    common: set[str] = set()
    frequent: set[str] = set()
    with gzip.open(_list_path(), "rb") as f:
        unpacker = msgpack.Unpacker(f, raw=False)
        size = unpacker.read_array_header()
        header = unpacker.unpack()
        if not isinstance(header, dict) or header.get("format") != "cB":
            raise ValueError(f"unexpected word list header: {header!r}")
        for i in range(min(size - 1, _bucket(_COMMON_ZIPF) + 1)):
            words = [w for w in unpacker.unpack() if w.isalpha()]
            # fold's own cache is for the search's words, not these.
            common.update(_fold(w) for w in words)
            if i <= _bucket(_FREQUENT_ZIPF):
                frequent.update(words)
    return frozenset(common), frozenset(frequent)


def common(folded: str) -> bool:
    """Whether a folded word is one that written Swedish uses (Zipf 2.5 or more)."""
    return folded in _sets()[0]


def frequent(word: str) -> bool:
    """Whether a normalised (lower-case, unfolded) word is an everyday Swedish word (Zipf 4
    or more)."""
    return word in _sets()[1]


def load() -> None:
    """Read the list now (under 0.1 s), so that no query waits for it."""
    _sets()
