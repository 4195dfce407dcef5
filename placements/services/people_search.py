"""Finding a participant by name the way a coordinator types it: without å, ä and ö
("akesson" finds Åkesson, "ostlund" Östlund), "aa" for å, "ae" for ä and "oe" for ö ("aagren"
finds Ågren, "nystroem" Nyström), first and last name in either order, and part of a name.

Both sides are folded alike: lower case, letters with diacritics to their base letter, "aa"
and "ae" to "a", "oe" to "o". The stored names are folded in the query itself (TRANSLATE on PostgreSQL, the same
Python function registered with SQLite), so nothing is stored twice and nothing goes stale: an
anonymised participant is found only by the name it has now. Every word of the query must be
part of the folded "first last", which makes the order of the words free. Each word goes into
an escaped LIKE pattern (`marketplace.kernel.db.like_escape`), so `%` and `_` match themselves.

A name typed with a slip ("hadad" for Haddad, "johanson") finds nobody by that rule; where it
finds nobody at all, `corrected_words` offers the names' own words one or two edits away, as a
"Menade du" link to a search that finds them (`candidates.similar_name_for`).

A personnummer is never searched here: it is matched exactly, through
`placements.services.candidates.find_by_personnummer`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from piccolo.columns.combination import WhereRaw
from rapidfuzz.distance import Levenshtein

from marketplace.kernel.db import LIKE_ESCAPE, SQLITE_FUNCTIONS, is_sqlite, like_escape
from placements.tables import Application, Candidate

# Each letter with a diacritic, both cases (SQLite's LOWER folds ASCII only), to its base.
# Dotless ı and đ are whole letters, not marks, but people type them as i and d ("Yilmaz").
_BASE_LETTERS = {
    "a": "åäáàâãąăÅÄÁÀÂÃĄĂ",
    "o": "öóòôõøőÖÓÒÔÕØŐ",
    "e": "éèêëęěÉÈÊËĘĚ",
    "u": "üúùûůűÜÚÙÛŮŰ",
    "i": "íìîïıÍÌÎÏ",
    "c": "çćčÇĆČ",
    "d": "đďĐĎ",
    "g": "ğĞ",
    "n": "ñńňÑŃŇ",
    "r": "řŕŘŔ",
    "s": "šśşșŠŚŞȘ",
    "t": "ťţțŤŢȚ",
    "z": "žźżŽŹŻ",
    "y": "ýÿÝ",
    "l": "łľĺŁĽĹ",
}
_APOSTROPHES = ("'", "’", "´", "`")
_FOLDS = [(letter, base) for base, letters in _BASE_LETTERS.items() for letter in letters]
_TRANSLATE = str.maketrans({letter: base for letter, base in _FOLDS})
# More words than a name has are not a name; the query stays cheap.
MAX_WORDS = 6
# Every dash a number can be typed or pasted with (Word makes " - " an en dash; PDFs give
# non-breaking hyphens and minus signs): each stands for the personnummer's "-".
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_PLAIN_DASHES = str.maketrans(dict.fromkeys(DASHES[1:], "-"))
# Marks that join the parts of a name (Berg-Lund, O'Brien, D’Angelo): a whole word of the
# name is what stands between them, as the search's own words split on punctuation.
_NAME_JOINERS = (*DASHES, *_APOSTROPHES)
_IDENTITY_CHARS = re.compile(r"[\s+\-]")


def plain_dashes(text: str) -> str:
    """`text` with every kind of dash written as "-"."""
    return text.translate(_PLAIN_DASHES)


# How a keyboard without Swedish letters writes them: "aa" for å, "ae" for ä, "oe" for ö
# ("nystroem" is Nyström). Each pair folds to the base letter its Swedish letter folds to, in
# this order, on both sides: a name that really holds the pair ("Joel", "Michael", "Haag")
# folds alike in the query and in the table, so it is still found by how it is written.
_TRANSLITERATIONS = (("aa", "a"), ("ae", "a"), ("oe", "o"))


def fold_name(text: str) -> str:
    """`text` as the search compares it: lower case, base letters, "aa", "ae" and "oe" as
    "a", "a" and "o"."""
    folded = unicodedata.normalize("NFC", text).lower().translate(_TRANSLATE)
    for pair, base in _TRANSLITERATIONS:
        folded = folded.replace(pair, base)
    return folded


def query_words(q: str) -> list[str]:
    """The folded words of a name query, each once, at most `MAX_WORDS`."""
    words: list[str] = []
    for word in fold_name(q).split():
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def looks_like_identity_number(q: str) -> bool:
    """True when `q` is written like (part of) a personnummer: six or more digits, perhaps
    with a dash of any kind, "+" or spaces. Such a query is never a name search."""
    digits = _IDENTITY_CHARS.sub("", plain_dashes(q))
    return len(digits) >= 6 and digits.isascii() and digits.isdigit()


def _fold_or_none(text: str | None) -> str | None:
    return None if text is None else fold_name(text)


# SQLite calls `fold_name` itself (a nested REPLACE per letter overflows its parser);
# PostgreSQL folds with TRANSLATE, the same letters to the same base letters.
SQLITE_FOLD = "mp_fold_name"
SQLITE_FUNCTIONS[SQLITE_FOLD] = (1, _fold_or_none)
_FROM = "".join(letter for letter, _ in _FOLDS)
_TO = "".join(base for _, base in _FOLDS)


def _folded_sql(columns: list[Any]) -> str:
    names = [c._meta.get_full_name(with_alias=False) for c in columns]
    joined = " || ' ' || ".join(names)
    if is_sqlite(columns[0]._meta.table._meta.db):
        return f"{SQLITE_FOLD}({joined})"
    folded = f"TRANSLATE(LOWER({joined}), '{_FROM}', '{_TO}')"
    for pair, base in _TRANSLITERATIONS:
        folded = f"REPLACE({folded}, '{pair}', '{base}')"
    return folded


def name_matches(first_name: Any, last_name: Any, words: list[str]) -> WhereRaw:
    """Every word is part of the folded "first last" name (a LIKE per word, escaped)."""
    return text_matches([first_name, last_name], words)


def text_matches(columns: list[Any], words: list[str]) -> WhereRaw:
    """Every word (folded, `query_words`) is part of the folded text of the columns, joined
    by spaces: the name search's rule for other texts too (the outbox's recipient and
    subject). A LIKE per word, escaped."""
    folded = _folded_sql(columns)
    clause = " AND ".join(f"{folded} LIKE {{}} ESCAPE '{LIKE_ESCAPE}'" for _ in words)
    return WhereRaw(f"({clause})", *(f"%{like_escape(w)}%" for w in words))


_JOINERS_AS_SPACES = str.maketrans(dict.fromkeys(_NAME_JOINERS, " "))


def _name_words_or_none(text: str | None) -> str | None:
    return None if text is None else fold_name(text).translate(_JOINERS_AS_SPACES)


# The folded name with its joining marks as spaces, in one call (SQLite: `fold_name` and the
# marks in Python; PostgreSQL: one TRANSLATE of the marks over the folded name).
SQLITE_NAME_WORDS = "mp_name_words"
SQLITE_FUNCTIONS[SQLITE_NAME_WORDS] = (1, _name_words_or_none)
_JOINERS_SQL = "".join(_NAME_JOINERS).replace("'", "''")


def _padded_name(table: type[Any]) -> str:
    """The table's folded "first last" name between spaces, split on the joining marks."""
    columns = [table.first_name, table.last_name]
    if is_sqlite(table._meta.db):
        joined = " || ' ' || ".join(c._meta.get_full_name(with_alias=False) for c in columns)
        name = f"{SQLITE_NAME_WORDS}({joined})"
    else:
        spaces = " " * len(_NAME_JOINERS)
        name = f"TRANSLATE({_folded_sql(columns)}, '{_JOINERS_SQL}', '{spaces}')"
    return f"(' ' || {name} || ' ')"


async def name_words_among(words: list[str]) -> set[str]:
    """The words (folded as `fold_name` does) that are a whole word of some participant's or
    applicant's first or last name: "berg" for Anna Berg or Berg-Lund, "brien" for O'Brien,
    never "lager" for Lagerqvist.

    The search log (`search/usage.py`) drops such words before it stores a slot search, so a
    participant's name typed into the slot search is never kept, nor the name of a resident
    who applied for support and is not a participant yet (the same secrecy applies).
    Anonymised participants are found by the name they have now. The comparison is folded,
    so "Åsa" takes "asa" too. One query: an EXISTS per word and table, each stopping at the
    first person it finds.
    """
    folded = [w for w in dict.fromkeys(fold_name(w) for w in words) if w]
    if not folded:
        return set()
    found_in = [(t._meta.tablename, _padded_name(t)) for t in (Candidate, Application)]
    any_name = " OR ".join(
        f"EXISTS (SELECT 1 FROM {table} WHERE {padded} LIKE {{}} ESCAPE '{LIKE_ESCAPE}')"  # noqa: S608 - constant SQL, the words are parameters
        for table, padded in found_in
    )
    probes = ", ".join(f"({any_name}) AS w{i}" for i in range(len(folded)))
    patterns = [f"% {like_escape(w)} %" for w in folded for _ in found_in]
    rows = await Candidate.raw(f"SELECT {probes}", *patterns)
    row = rows[0] if rows else {}
    return {w for i, w in enumerate(folded) if row.get(f"w{i}")}


# How many edits a word of a name query may be from a name's word to be offered as meant: one
# (a letter left out, doubled or wrong) below eight letters, two from eight (two letters
# swapped are two edits). Words under four letters are left alone: one edit from too many.
_MIN_CORRECTED = 4
_TWO_EDITS_FROM = 8


def name_words(first_name: str, last_name: str) -> list[str]:
    """The folded whole words of a name ("Berg-Lund" gives "berg" and "lund")."""
    return fold_name(f"{first_name} {last_name}").translate(_JOINERS_AS_SPACES).split()


def name_words_as_written(first_name: str, last_name: str) -> list[str]:
    """The whole words of a name as written, in the order of `name_words`."""
    return (
        unicodedata.normalize("NFC", f"{first_name} {last_name}")
        .translate(_JOINERS_AS_SPACES)
        .split()
    )


def corrected_words(words: list[str], known: Iterable[str]) -> list[str] | None:
    """`words` (folded, `query_words`) with each word that is part of no word of `known`
    replaced by the closest word of `known` within one or two edits (`_TWO_EDITS_FROM`), or
    its start when the word is cut short ("mohamed" → "mohammed", "anderso" → "andersson");
    None when some word has no such neighbour or nothing needed correcting. Ties go to the
    word most names share, then the alphabet, so the answer is stable."""
    counts: dict[str, int] = {}
    for word in known:
        counts[word] = counts.get(word, 0) + 1
    out: list[str] = []
    changed = False
    for word in words:
        if any(word in name for name in counts):
            out.append(word)
            continue
        if len(word) < _MIN_CORRECTED:
            return None
        limit = 1 if len(word) < _TWO_EDITS_FROM else 2
        best: tuple[int, int, str] | None = None
        for name, n in counts.items():
            edits = min(
                Levenshtein.distance(word, name, score_cutoff=limit + 1),
                Levenshtein.distance(word, name[: len(word)], score_cutoff=limit + 1),
            )
            if edits <= limit and (best is None or (edits, -n, name) < best):
                best = (edits, -n, name)
        if best is None:
            return None
        out.append(best[2])
        changed = True
    return out if changed else None
