"""Which words written Swedish uses, and how often: the Swedish word-frequency list that the
``wordfreq`` package ships with its own data (read from the installed package, no network).

The search's own vocabulary is the taxonomy's and the slots' words. A query word outside it may
still be Swedish: an everyday word (``frequent``) is then no typo of a vocabulary word, and an
unknown compound may split at words Swedish uses (``common``) where the vocabulary knows only
some of its parts.

Frequencies are on the Zipf scale (log10 of occurrences per billion words): 4 is a word met
every few pages, 2.5 one most adult readers know.
"""

from __future__ import annotations

from functools import cache

from marketplace.reference.words import fold

__all__ = ["common", "frequent"]

# The list holds words in buckets of one centibel each: bucket i holds the words whose
# frequency is 10 ** (-i / 100), i.e. Zipf 9 - i / 100.
_COMMON_ZIPF = 2.5
_FREQUENT_ZIPF = 4.0


def _bucket(zipf: float) -> int:
    return round((9 - zipf) * 100)


@cache
def _buckets() -> tuple[tuple[str, ...], ...]:
    from wordfreq import DATA_PATH, read_cBpack

    data = read_cBpack(str(DATA_PATH / "large_sv.msgpack.gz"))
    last = _bucket(_COMMON_ZIPF)
    return tuple(tuple(w for w in words if w.isalpha()) for words in data[: last + 1])


@cache
def _common() -> frozenset[str]:
    return frozenset(fold(w) for words in _buckets() for w in words)


@cache
def _frequent() -> frozenset[str]:
    return frozenset(w for words in _buckets()[: _bucket(_FREQUENT_ZIPF) + 1] for w in words)


def common(folded: str) -> bool:
    """Whether a folded word is one that written Swedish uses (Zipf 2.5 or more)."""
    return folded in _common()


def frequent(word: str) -> bool:
    """Whether a normalised (lower-case, unfolded) word is an everyday Swedish word (Zipf 4
    or more)."""
    return word in _frequent()


def load() -> None:
    """Read the list now (about 0.2 s), so that no query pays for it."""
    _common()
    _frequent()
