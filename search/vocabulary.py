"""Everyday words that administrators add in the back office, beside the built-in table.

The built-in words (`search/data/everyday.tsv`) ship with the code. An administrator can add a
word the table lacks ("fika", "hunddagis") with the taxonomy words it stands for; every
worker's index picks it up on its next search, as it does slot changes: a write takes the next
value of the slot change counter (so each worker's marker check sees it) and of the words'
own counter (so the worker knows to reload the words, not only slots).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import swedish_order, swedish_sorted, write_transaction
from marketplace.kernel.errors import Conflict, NotFound, Problems, ValidationFailed
from placements.services import SLOTS_COUNTER, current_change, take_change
from search.everyday import everyday_words
from search.schemas import EverydayWordIn, EverydayWordOut, EverydayWordsOut
from search.tables import EverydayWord
from search.taxonomy_cache import taxonomy_lexicon
from search.text import fold, normalize

WORDS_COUNTER = "everyday_words"
MAX_TARGETS = 6
# An everyday word is also read as the head of unknown compounds ("sjukhusstäd" is a kind of
# "städ"). A word that ends this many taxonomy words is a word ending ("-are", "-ing"), not a
# word: it would turn thousands of compounds into what it stands for. The built-in words end
# at most 46 ("chaufför"); "vård" ends 136, "tion" 212, "are" 3,185.
MAX_HEAD_OF = 150
# Added words at most: every worker folds and stems them all at each change, and the admins'
# page lists them all (the built-in table has about 140). A script or a stolen admin session
# adding words without end stops here.
MAX_ADDED = 2000
_WORD = re.compile(r"^[^\W\d_]+(?:-[^\W\d_]+)*$")


def _key(raw: str) -> str:
    """A word as stored: normalised, with single spaces."""
    return " ".join(normalize(raw).split())


def _scripts(word: str) -> set[str]:
    """The scripts of a word's letters (LATIN, CYRILLIC, GREEK …), by their Unicode names."""
    return {unicodedata.name(ch, "?").split()[0] for ch in word if ch.isalpha()}


def _clean_word(raw: str) -> str:
    word = _key(raw)
    if not 2 <= len(word) <= 40 or not _WORD.match(word):
        raise ValidationFailed(
            "Vardagsordet ska vara ett ord på 2–40 bokstäver (bindestreck går bra), "
            "t.ex. ”dagis” eller ”second-hand”.",
            fields=["word"],
        )
    if len(_scripts(word)) > 1:
        # A Cyrillic "а" in "dаgis" looks like the built-in word and never matches it.
        raise ValidationFailed(
            f"”{word}” blandar bokstäver ur olika alfabet (t.ex. ett kyrilliskt ”а” bland "
            "svenska bokstäver). Skriv ordet på nytt med tangentbordet.",
            fields=["word"],
        )
    heads = taxonomy_lexicon().heads_of(fold(word))
    if heads >= MAX_HEAD_OF:
        raise ValidationFailed(
            f"”{word}” är slutet på {heads:,} ord i yrkestaxonomin".replace(",", "\u00a0")
            + ", så sökningen skulle läsa alla okända ord med den ändelsen som vardagsordet. "
            "Välj ett helt ord.",
            fields=["word"],
        )
    return word


def _clean_targets(raw: list[str]) -> list[str]:
    targets: list[str] = []
    for w in (normalize(w) for item in raw for w in item.split()):
        if w and w not in targets:
            targets.append(w)
    if not 1 <= len(targets) <= MAX_TARGETS:
        raise ValidationFailed(
            f"Ange 1–{MAX_TARGETS} ord ur yrkestaxonomin som vardagsordet står för, "
            "t.ex. ”barnskötare förskollärare”.",
            fields=["targets"],
        )
    lexicon = taxonomy_lexicon()
    unknown = [
        w
        for w in targets
        if not any(e.kind in ("exact", "folded", "stem") for e in lexicon.expand(w))
    ]
    if unknown:
        listed = ", ".join(f"”{w}”" for w in unknown)
        raise ValidationFailed(
            f"{listed} används inte i yrkestaxonomin, så sökningen kan inte koppla ordet dit. "
            "Använd ord ur yrkesbenämningarna, t.ex. ”städare” eller ”undersköterska”.",
            fields=["targets"],
        )
    return targets


def _out(row: dict[str, Any]) -> EverydayWordOut:
    return EverydayWordOut(
        word=row["word"],
        targets=row["targets"].split(),
        built_in=False,
        created_at=row["created_at"],
    )


def _not_added(word: str) -> NotFound:
    # The word comes from the address: a 10,000-letter one is not repeated back in full.
    shown = word if len(word) <= 40 else word[:40] + "…"
    return NotFound(f"Inget tillagt vardagsord ”{shown}”.", fields=["word"])


async def added_words() -> dict[str, tuple[str, ...]]:
    """The words added in the back office, word -> taxonomy words (for the index)."""
    rows = await EverydayWord.select(EverydayWord.word, EverydayWord.targets)
    return {r["word"]: tuple(r["targets"].split()) for r in rows}


async def words_version() -> int:
    """The words' change counter: a worker reloads the added words when it moves."""
    return await current_change(WORDS_COUNTER)


async def get_added_word(raw: str) -> EverydayWordOut:
    """One added everyday word (404 if there is none by that name)."""
    word = _key(raw)
    row = await EverydayWord.select().where(EverydayWord.word == word).first()
    if row is None:
        raise _not_added(word)
    return _out(row)


async def list_words() -> EverydayWordsOut:
    """Every everyday word the search knows: the added ones, then the built-in table."""
    rows = await EverydayWord.select().order_by(swedish_order(EverydayWord.word))
    built_in = [
        EverydayWordOut(word=w, targets=list(t), built_in=True, created_at=None)
        for w, t in swedish_sorted(everyday_words().items(), key=lambda item: item[0])
    ]
    return EverydayWordsOut(added=[_out(r) for r in rows], built_in=built_in)


def _problems(data: EverydayWordIn) -> tuple[str, list[str], Problems]:
    """The word and its targets as stored, and every mistake in them at once: the word, its
    targets, and a word that stands for itself."""
    word, targets = "", []
    problems = Problems()
    with problems:
        word = _clean_word(data.word)
    with problems:
        targets = _clean_targets(data.targets)
    if word and any(fold(t) == fold(word) for t in targets):
        problems.errors.setdefault(
            "targets",
            f"”{word}” kan inte stå för sig självt: ange de ord ur yrkestaxonomin "
            "som vardagsordet betyder.",
        )
    return word, targets, problems


def word_problems(data: EverydayWordIn) -> dict[str, str]:
    """What `add_word` would refuse in the word and its targets themselves, per field (not
    yet asked: whether it is added already), for a page that says it with its own messages."""
    return _problems(data)[2].errors


@dataclass(frozen=True)
class KnownWord:
    """What the search already makes of a word: an everyday word it reads as `targets`
    (`kind` "everyday": built in, an inflection of one, or a name the taxonomy gives an
    occupation besides its own), a word added here ("added"), or a word of the occupation
    taxonomy itself ("taxonomy": it is found as it stands, in compounds too)."""

    word: str
    kind: Literal["everyday", "added", "taxonomy"]
    targets: tuple[str, ...] = ()


@cache
def _built_in_by_fold() -> dict[str, tuple[str, ...]]:
    return {fold(w): t for w, t in everyday_words().items()}


def built_in_meaning(word: str) -> tuple[str, ...]:
    """The taxonomy words a built-in everyday word stands for (empty when it is none)."""
    return _built_in_by_fold().get(fold(_key(word)), ())


def known_word(raw: str, added: Mapping[str, tuple[str, ...]]) -> KnownWord | None:
    """What the search already makes of a word of a query (None: nothing, it can be taught;
    a single letter is never taught and is left out). `added` are the words added here
    (`added_words`)."""
    word = _key(raw)
    folded = fold(word)
    if len(word) < 2 or " " in word:
        return None
    for taught, targets in added.items():
        if fold(taught) == folded:
            return KnownWord(taught, "added", targets)
    lexicon = taxonomy_lexicon()
    targets, sure = lexicon.meanings(folded)
    if built := built_in_meaning(word):
        return KnownWord(word, "everyday", built)
    if targets and sure >= 1.0:
        return KnownWord(word, "everyday", targets)
    if lexicon.is_folded_word(folded):
        return KnownWord(word, "taxonomy")
    return None


async def add_word(user: AuthUser, data: EverydayWordIn, *, source: str = "") -> EverydayWordOut:
    """Add an everyday word; 400 naming the field if it is not usable, 409 if it exists.
    Every problem is told at once: the word's, its targets', and a word the search already
    has (built in, with what it stands for, or added before).

    `source` says where the admin added it from (the audit row's detail), e.g. the search log.
    """
    word, targets, problems = _problems(data)
    there = _already_there(word, await added_words()) if word else None
    if problems.errors:
        if there is not None:
            problems.errors.setdefault("word", there)
        problems.raise_any()
    if there is not None:
        raise Conflict(there, fields=["word"])
    async with write_transaction(EverydayWord._meta.db):
        # Counters first: on PostgreSQL the counter row's lock makes concurrent additions
        # take turns, so the check below sees a word another worker just added.
        await _changed()
        taken = await EverydayWord.select(EverydayWord.word)
        if any(fold(r["word"]) == fold(word) for r in taken):
            raise Conflict(f"”{word}” är redan tillagt.", fields=["word"])
        if len(taken) >= MAX_ADDED:
            many = f"{MAX_ADDED:,}".replace(",", "\u00a0")
            raise Conflict(
                f"Det finns redan {many} tillagda vardagsord, så många som sökningen tar. "
                "Ta bort ord som inte används innan du lägger till fler.",
                fields=["word"],
            )
        row = EverydayWord(word=word, targets=" ".join(targets), created_by=user.id)
        await row.save()
        detail = f"{word} → {' '.join(targets)}" + (f" ({source})" if source else "")
        await record(user, "everyday_word.add", None, subject_type="everyday_word", detail=detail)
    return EverydayWordOut(word=word, targets=targets, built_in=False, created_at=row.created_at)


def _already_there(word: str, added: Mapping[str, tuple[str, ...]]) -> str | None:
    """Why `word` cannot be added: it is a built-in everyday word (which the search reads
    before any added one) or added before; each says what it stands for."""
    if built := built_in_meaning(word):
        return (
            f"”{word}” finns redan bland de inbyggda vardagsorden och står för "
            f"{', '.join(built)}. Sökningen använder det redan."
        )
    for taught, targets in added.items():
        if fold(taught) == fold(word):
            return f"”{word}” är redan tillagt och står för {', '.join(targets)}."
    return None


async def remove_word(user: AuthUser, raw: str) -> None:
    """Remove an added everyday word (404 if there is none; built-in words stay)."""
    word = _key(raw)
    async with write_transaction(EverydayWord._meta.db):
        await _changed()
        row = await EverydayWord.select(EverydayWord.id).where(EverydayWord.word == word).first()
        if row is None:
            raise _not_added(word)
        await EverydayWord.delete().where(EverydayWord.id == row["id"])
        await record(user, "everyday_word.remove", None, subject_type="everyday_word", detail=word)


async def _changed() -> None:
    # Inside the write: the words' counter says what moved, the slot counter makes every
    # worker look (it reads only that one before each search).
    await take_change(WORDS_COUNTER)
    await take_change(SLOTS_COUNTER)
