"""Turning a query string into weighted terms with their vocabulary expansions."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from search import swedish
from search.lexicon import Expansion, Lexicon
from search.text import (
    FREE_TEXT_STOPWORDS,
    PERSON_WORDS,
    PLACEMENT_WORDS,
    fold,
    inflection_bases,
    normalize,
    restored_bases,
)

__all__ = ["FRAMING_WORDS", "MAX_QUERY_WORDS", "Term", "parse_terms"]

# A compound part is a little weaker evidence than the whole word.
_PART_FACTOR = 0.9
_PLACEMENT_PART = 0.2
_FOLDED_PLACEMENT = frozenset(fold(w) for w in PLACEMENT_WORDS)
_PERSON_HEADS = sorted((fold(w) for w in PERSON_WORDS), key=len, reverse=True)
_MIN_PERSON_MODIFIER = 3
_MAX_SCRAP_HEAD = 4  # a head this short must be a Swedish word ("kök"), not an ending's scrap
_MIN_SPLIT = 7  # a known word this long may be a compound worth reading as its parts
# Verbs that only say "to work": "jobba med barn" asks for work with children.
_WORK_VERBS = frozenset(["jobba", "jobbar", "arbeta", "arbetar", "jobbat", "arbetat"])
_FRAMING = _FOLDED_PLACEMENT | frozenset(fold(w) for w in _WORK_VERBS)
# Folded words that only say the query is about work ("jobb", "praktik", "jobba").
FRAMING_WORDS = _FRAMING
# A verb and its object name the work as one compound: "tvätta bilar" → "biltvätt(are)",
# "boka möten" → "mötesbokare", "planera underhåll" → "underhållsplanerare".
_AGENT_ENDINGS = ("are", "ning", "ing", "")
_PHRASE_FACTOR = 0.9
# Verbs (folded) whose agent is built on another root: one who drives ("köra") is a "förare"
# ("köra truck" → "truckförare"), one who bakes ("baka") a "bagare".
_IRREGULAR_AGENT_ROOTS = {"kora": ("for",), "baka": ("bag",)}
_ABBREVIATION = 0.7  # a name an abbreviation ("usk") may stand for
# A verb's particle ("dela ut reklam", "köra ut paket", "städa upp") belongs to its verb and
# names nothing by itself: after another word it is left out, so that the verb meets its
# object as in the phrases of the everyday table and in compounds ("reklamutdelare").
_PARTICLES = frozenset(
    ["ut", "in", "upp", "ner", "ned", "bort", "fram", "iväg", "undan", "ihop", "tillbaka"]
)
# Verbs of several words ("ta hand om barn") say what one verb of the everyday table says
# ("sköta barn"); their words by themselves name other things ("hand" begins
# "handpaketerare"). Each form of the first word (infinitive, present, imperative), the rest
# as written; read as the one verb, which then meets its object.
_MULTIWORD_VERBS: dict[tuple[str, ...], str] = {
    (first, *rest): verb
    for forms, rest, verb in (
        (("ta", "tar"), ("hand", "om"), "vårda"),
        (("se", "ser"), ("efter",), "passa"),
        (("se", "ser"), ("till",), "passa"),
        (("hålla", "håller", "håll"), ("rent",), "städa"),
        (("göra", "gör"), ("rent",), "städa"),
        (("hålla", "håller", "håll"), ("i",), "leda"),
    )
    for first in forms
}
_LONGEST_VERB = max(map(len, _MULTIWORD_VERBS))


def _one_word_verbs(words: list[str]) -> list[str]:
    """The words with each verb of several words read as its one verb (`_MULTIWORD_VERBS`)."""
    out: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(_LONGEST_VERB, len(words) - i), 1, -1):
            verb = _MULTIWORD_VERBS.get(tuple(words[i : i + n]))
            if verb is not None:
                out.append(verb)
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return out


# An abbreviation typed in capitals ("PA", "HVB", "SÄBO"); a word in small letters is read as
# one only when it has at least three letters and the vocabulary explains it no other way (not
# as a word, a form, the start of a word, a compound or a typo).
_CAPITALS = re.compile(r"(?<![\w-])[A-ZÅÄÖ]{2,5}(?![\w-])")
_MIN_UNKNOWN_ABBREVIATION = 3
_MAX_ABBREVIATION = 5
# The words of a query read at most (after stopwords): each unknown word costs lookups and
# every hit's explanation goes through every term, so a query of a hundred two-letter words
# cost 30–60 ms and a matching profile of 170 words 160 ms. People type a handful.
MAX_QUERY_WORDS = 24


@dataclass(frozen=True, slots=True)
class Term:
    """One thing to look for: ``word`` is the query word it came from (for explanations)."""

    word: str
    weight: float
    expansions: tuple[Expansion, ...]
    compound_part: bool = False
    # The folded word or compound part this term looks for ("kassa" for a part of "kassajobb").
    text: str = ""
    # A compound read both ways: the whole word as the slots write it ("webbutveckling") and
    # its parts ("webb", "utveckling"). The whole reading has ``whole`` set; a slot's text
    # counts the better of the two readings, and the concepts see only the parts.
    whole: bool = False

    @property
    def concept(self) -> bool:
        """Whether the concept match (occupations, groups) takes this term into account."""
        return not self.whole


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
    name_token: Callable[[str], bool] | None = None,
    abbreviations: Callable[[str], list[str]] | None = None,
    max_words: int | None = None,
    phrases: Callable[[str], tuple[str, ...] | None] | None = None,
) -> list[Term]:
    """Return the query's terms with weights that sum to 1 (empty if the query has no words).

    Stopwords, and the function and filler words of free text ("jag", "vill", "gillar",
    "saker": `FREE_TEXT_STOPWORDS`), are dropped unless the query has nothing else. The last
    word may match as a prefix unless the query ends with a space (the user finished typing
    it). A word the vocabulary does not know, and that splits into known words, becomes one
    term per part.
    With ``name_token`` (whether a word is in an occupation's or group's name or keywords), a
    compound that the slots use but no name does ("webbutveckling", "solcellsförsäljning") is
    also read as its parts: its head says what kind of work, its modifier what the work is
    about. A verb followed by its object may name the work as one compound ("tvätta bilar" →
    "biltvätt"); that compound is looked for too. A word the vocabulary lacks may be an
    abbreviation of a name (``abbreviations``). Weights follow inverse
    document frequency from ``df`` over ``n_docs`` documents. With ``max_words``, only the
    first that many words (after stopwords) are read; the last of them is then complete.
    With ``phrases`` (the phrase a folded abbreviation stands for), an abbreviation typed in
    capitals ("PA", "SÄBO"), or a word the vocabulary does not know at all, is read as the
    words of its phrase ("personlig assistent"); one in capitals that is also a word of the
    vocabulary ("PA" in "PA-konsult") is read both ways.
    """
    words = _one_word_verbs(normalize(q).split())
    content = [w for w in words if w not in FREE_TEXT_STOPWORDS]
    content = [w for i, w in enumerate(content) if i == 0 or w not in _PARTICLES]
    words = content or words
    if not words:
        return []
    typing_last = not q[-1:].isspace()
    if max_words is not None and len(words) > max_words:
        words, typing_last = words[:max_words], False
    if phrases is not None:
        spelled = _spelled_out(q, words, lexicon, phrases)
        if spelled is not None:
            # An abbreviation is a finished word; so is the phrase it stands for. The words
            # read stay within `max_words` (24 abbreviations of four words each were 96).
            words, typing_last = spelled[:max_words] if max_words else spelled, False
    raw: list[tuple[str, tuple[Expansion, ...], bool, float, str, bool]] = []
    framing_only = all(fold(w) in _FRAMING for w in words)
    for i, word in enumerate(words):
        last = typing_last and i == len(words) - 1
        exps = lexicon.expand(word, allow_prefix=last)
        if not exps and abbreviations is not None:
            exps = tuple(Expansion(t, "synonym", _ABBREVIATION) for t in abbreviations(fold(word)))
        # A word the vocabulary knows (or completes, or knows with one typo) stays whole;
        # otherwise a split into known words beats a guess with two typos.
        known = any(e.kind in ("exact", "folded", "stem", "prefix", "synonym") for e in exps)
        close_typo = any(e.kind == "typo" and e.weight >= 0.7 for e in exps)
        parts = None
        both = False
        person = None if known or close_typo else _person_split(fold(word), lexicon)
        if person is not None:
            # The work is what the modifier says: the word is read as the modifier itself,
            # and explanations name it ("Matchade mat", not "mattant", in a text without it).
            exps = lexicon.expand(person, allow_prefix=False)
            word = word[: len(person)] if len(fold(word)) == len(word) else person
        elif not known and not close_typo:
            parts = lexicon.split(
                fold(word),
                allow_unknown_tail=not exps,
                mistyped=not any(e.kind == "typo" for e in exps),
            )
        elif (
            known
            and not close_typo
            and name_token is not None
            and len(word) >= _MIN_SPLIT
            and not _names_something(word, exps, lexicon, name_token)
        ):
            parts = lexicon.split(fold(word))
            # A word still being typed ("bioinformati") is no compound to take apart: only a
            # complete word, or a clean split into two real words, is read as its parts.
            complete = any(e.kind in ("exact", "folded", "stem") for e in exps)
            if parts and not complete and (len(parts) != 2 or min(map(len, parts)) < 4):
                parts = None
            if parts and not _real_head(parts[-1]):
                # "kemikalier" is a plural, not "kemikal" + "iera": a head of a few letters
                # that Swedish does not use as a word is an inflection ending.
                parts = None
            both = parts is not None
        if parts:
            part_rows = []
            for part in parts:
                if part in _FOLDED_PLACEMENT and len(parts) > 1:
                    continue  # "jobb" in "lagerjobb" only says it is work
                part_exps = tuple(
                    Expansion(e.token, "compound", e.weight * _PART_FACTOR)
                    for e in lexicon.expand(part, allow_prefix=False, min_compound=3)
                )
                idf = _idf(part_exps, df, n_docs)
                part_rows.append((word, part_exps, True, idf, part, False))
            if both:
                # The whole word weighs what its parts weigh together.
                whole_idf = sum(r[3] for r in part_rows)
                raw.append((word, exps, False, whole_idf, fold(word), True))
            raw.extend(part_rows)
        else:
            idf = _idf(exps, df, n_docs)
            if fold(word) in _FRAMING and not framing_only:
                idf *= _PLACEMENT_PART  # "jobba" in "jobba med barn" only says it is work
            raw.append((word, exps, False, idf, fold(word), False))
        if i + 1 < len(words):
            compound = _phrase_compound(word, words[i + 1], lexicon)
            meaning = lexicon.phrase_synonyms(fold(word), fold(words[i + 1]))
            if compound is not None or meaning:
                # What the verb and its object weigh together: a compound or a phrase that
                # says what both say weighs at least that.
                pair_idf = raw[-1][3] + _idf(lexicon.expand(words[i + 1]), df, n_docs)
            if compound is not None:
                # Its word is the vocabulary's spelling ("bussförare"), as explanations show
                # it; found as written it is an exact match, not one "utan å, ä och ö" (the
                # compound is built folded, but nobody typed it so).
                written = (lexicon.words_with_fold(compound) or [compound])[0]
                exps = tuple(
                    Expansion(
                        e.token,
                        "exact" if e.token == written else e.kind,
                        e.weight * _PHRASE_FACTOR,
                    )
                    for e in lexicon.expand(compound)
                )
                # The compound says it more precisely: it may weigh more.
                idf = max(_idf(exps, df, n_docs), pair_idf)
                raw.append((written, exps, False, idf, compound, False))
            if meaning:
                # An everyday phrase ("klippa hår", "laga mat") names work that neither of its
                # words names.
                exps = lexicon.expand_meaning(meaning)
                phrase = f"{word} {words[i + 1]}"  # as typed: explanations show it
                raw.append((phrase, exps, False, pair_idf, fold(phrase), False))
    # A whole reading and its parts stand for one query word: count its weight once.
    total = sum(r[3] for r in raw if not r[5]) or 1.0
    return [
        Term(word, idf / total, exps, part, text, whole)
        for word, exps, part, idf, text, whole in raw
    ]


def _spelled_out(
    q: str,
    words: list[str],
    lexicon: Lexicon,
    phrases: Callable[[str], tuple[str, ...] | None],
) -> list[str] | None:
    """The query's words with each abbreviation read as the phrase it stands for, or None
    when the query has no abbreviation of a known phrase."""
    capitals = {normalize(m) for m in _CAPITALS.findall(q)}
    out: list[str] = []
    found = False
    for word in words:
        phrase = phrases(fold(word))
        if (
            phrase
            and word not in capitals
            and (
                not _MIN_UNKNOWN_ABBREVIATION <= len(word) <= _MAX_ABBREVIATION
                or lexicon.expand(word, allow_prefix=True)
            )
        ):
            # In small letters only a word that nothing else explains: "adm" begins words.
            # (The table is asked first: most words have no phrase, and expanding each one
            # with completions cost a lookup per word of every query.)
            phrase = None
        if not phrase:
            out.append(word)
            continue
        found = True
        if lexicon.is_folded_word(fold(word)):
            out.append(word)  # "PA" also as the vocabulary says it ("PA-konsult")
        out.extend(p for p in phrase if p not in out)
    return out if found else None


def _real_head(head: str) -> bool:
    """Whether a folded compound head is a word of its own rather than a scrap of an ending:
    long enough, or a word that written Swedish uses."""
    return len(head) > _MAX_SCRAP_HEAD or swedish.common(head)


def _person_split(folded: str, lexicon: Lexicon) -> str | None:
    """The modifier of a colloquial name of work headed by an everyday word for a person
    ("mat" of "mattant", "städ" of "städtjejen"), if the vocabulary knows it (a linking s
    dropped). Without it such a word split at any vocabulary words ("matt" + "ant")."""
    for head in _PERSON_HEADS:
        if not folded.endswith(head):
            continue
        modifier = folded[: -len(head)]
        for m in (modifier, modifier[:-1] if modifier.endswith("s") else ""):
            if len(m) >= _MIN_PERSON_MODIFIER and lexicon.expand(m, allow_prefix=False):
                return m
    return None


def _names_something(
    word: str, exps: tuple[Expansion, ...], lexicon: Lexicon, name_token: Callable[[str], bool]
) -> bool:
    """Whether the word (or a form of it) names an occupation or group, or is an everyday word
    of the table: such a word means what it says and is not taken apart."""
    if lexicon.synonyms(fold(word)):
        return True
    return any(e.kind in ("exact", "folded", "stem") and name_token(e.token) for e in exps)


def _phrase_compound(verb: str, obj: str, lexicon: Lexicon) -> str | None:
    """The vocabulary compound that a verb and its object name together, if any.

    "tvätta bilar" → "biltvätt" or "biltvättare", "boka möten" → "mötesbokare": the object's
    base form (with or without a linking s) before the verb's root and an agent or action
    ending.
    """
    v, o = fold(verb), fold(obj)
    if len(v) < 4 or not v.endswith("a") or len(o) < 3:
        return None
    roots = [v[:-1], *_IRREGULAR_AGENT_ROOTS.get(v, ())]
    if v.endswith("era"):
        roots.append(v[:-3])  # "analysera" → "analys"
    modifiers: list[str] = []
    for base in (o, *inflection_bases(o)):
        for form in restored_bases(base):
            for m in (form, form[:-1] if form[-1:] in "ae" else ""):
                if len(m) >= 3 and m not in modifiers:
                    modifiers.append(m)
    for m in modifiers:
        for link in ("", "s"):
            for root in roots:
                for ending in _AGENT_ENDINGS:
                    cand = m + link + root + ending
                    if lexicon.is_folded_word(cand):
                        return cand
    return None
