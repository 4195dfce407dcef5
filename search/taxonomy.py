"""The packaged JobTech taxonomy, the gazetteer and the concept matcher built on them.

Everything is loaded once per process (module-level cached loaders) from ``search/data``.
A *concept* is a taxonomy occupation or an SSYK-4 group. :class:`ConceptIndex` maps query
terms to concepts through occupation names (both halves of "A/B" labels), keywords, group
labels, group definitions and the group's skills.
"""

from __future__ import annotations

import csv
import hashlib
import heapq
import json
import math
import os
import pickle
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import metadata, resources

import msgspec
from rapidfuzz import fuzz

from search.lexicon import Expansion, Lexicon
from search.terms import Term, parse_terms
from search.text import (
    PLACEMENT_WORDS,
    STOPWORDS,
    derivation_root,
    fold,
    hyphen_joins,
    normalize,
    stem,
    tokenize,
)

__all__ = [
    "ConceptIndex",
    "ConceptScores",
    "Group",
    "Occupation",
    "OccupationSuggestion",
    "concept_index",
    "everyday_words",
    "groups",
    "haversine_km",
    "languages",
    "no_education_required",
    "occupation",
    "occupations",
    "place",
    "skills",
    "suggest_occupations",
]

_EARTH_RADIUS_KM = 6371.0088
_QUALIFIER_ONLY = 0.6  # an occupation matched only on a qualifier word of its names
_ALIAS_FACTOR = 0.85  # an occupation named by one of its alternative labels
_MAX_ALIAS_OCCS = 40
# An alternative label's word stands for the head word most of its occupations' names share.
_ALIAS_HEAD_SHARE = 0.6
_MIN_ALIAS_HEAD = 4
_VOWELS = frozenset("aeiouy")  # a label word pointing at more occupations than this is too broad


@dataclass(frozen=True, slots=True)
class Occupation:
    """A taxonomy occupation name (yrkesbenämning); ``names`` holds each half of an A/B label."""

    id: str
    label: str
    ssyk: str
    group_id: str
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Group:
    """An SSYK-2012 level-4 group with its Swedish definition and related skill ids."""

    id: str
    ssyk: str
    label: str
    definition: str
    skill_ids: tuple[str, ...]


class OccupationSuggestion(msgspec.Struct, frozen=True):
    """One autocomplete answer: the occupation, its SSYK-4 code and its group's label."""

    id: str
    label: str
    ssyk: str
    group_label: str
    score: float


def _read_json(name: str) -> object:
    return json.loads(resources.files("search").joinpath("data", name).read_text("utf-8"))


def _names(label: str) -> tuple[str, ...]:
    halves = tuple(h.strip() for h in label.split("/") if h.strip())
    return halves if len(halves) > 1 else (label,)


@cache
def occupations() -> dict[str, Occupation]:
    """Return all occupations by id (loaded once)."""
    rows = _read_json("occupations.json")
    assert isinstance(rows, list)
    return {
        r["id"]: Occupation(r["id"], r["label"], r["ssyk"], r["group_id"], _names(r["label"]))
        for r in rows
    }


def occupation(occupation_id: str) -> Occupation | None:
    """Return the occupation with this id, or None."""
    return occupations().get(occupation_id)


@cache
def groups() -> dict[str, Group]:
    """Return all SSYK-4 groups by id (loaded once)."""
    rows = _read_json("ssyk4_groups.json")
    assert isinstance(rows, list)
    return {
        r["id"]: Group(
            r["id"], r["ssyk"], r["label"], r["definition"].strip(), tuple(r["skill_ids"])
        )
        for r in rows
    }


@cache
def skills() -> dict[str, str]:
    """Return skill labels by skill id (loaded once)."""
    rows = _read_json("skills.json")
    assert isinstance(rows, list)
    return {r["id"]: r["label"] for r in rows}


@cache
def languages() -> dict[str, str]:
    """Return language labels (Swedish) by id (loaded once)."""
    rows = _read_json("languages.json")
    assert isinstance(rows, list)
    return {r["id"]: r["label"] for r in rows}


@cache
def keywords() -> dict[str, tuple[str, ...]]:
    """Return search keyword labels mapped to the occupation ids they point at."""
    rows = _read_json("keywords.json")
    assert isinstance(rows, list)
    return {r["label"]: tuple(r["occupation_ids"]) for r in rows}


# Kinds of JobTech's alternative labels that name an occupation the way people write it: job
# titles, employers' own ad terms (not the misspelled ones), former names and keywords.
_ALIAS_KINDS = frozenset(["job_title", "ad_term_2019", "former_label", "keyword"])


@cache
def alternative_labels() -> dict[str, tuple[str, ...]]:
    """Return JobTech's alternative labels (``data/alternative_labels.json``) mapped to the
    occupation ids they stand for: job titles ("Sjuksyster", "Doktor"), ad terms, former
    names and keywords ("Frissa")."""
    rows = _read_json("alternative_labels.json")
    assert isinstance(rows, dict)
    out: dict[str, set[str]] = {}
    for occ_id, labels in rows.items():
        for item in labels:
            if item.get("kind") not in _ALIAS_KINDS or item.get("misspelled"):
                continue
            out.setdefault(item["text"], set()).add(occ_id)
    return {label: tuple(sorted(ids)) for label, ids in sorted(out.items())}


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


@cache
def no_education_required() -> frozenset[str]:
    """Return the ids of occupations that need no education."""
    rows = _read_json("no_education_required.json")
    assert isinstance(rows, list)
    return frozenset(rows)


@cache
def _places() -> dict[str, tuple[float, float]]:
    text = resources.files("search").joinpath("data", "places.csv").read_text("utf-8")
    out: dict[str, tuple[float, float]] = {}
    main_town: set[str] = set()
    for row in csv.DictReader(text.splitlines()):
        key = fold(normalize(row["locality"]))
        coords = (float(row["latitude"]), float(row["longitude"]))
        # A locality name can exist in several municipalities; the one that gives the
        # municipality its name is the likelier meaning.
        is_main = normalize(row["locality"]) == normalize(row["municipality"])
        if key not in out or (is_main and key not in main_town):
            out[key] = coords
            if is_main:
                main_town.add(key)
    return out


def place(town: str) -> tuple[float, float] | None:
    """Return (latitude, longitude) of a Swedish locality, ignoring case and diacritics.

    Returns None for unknown names. The gazetteer is a convenience: coordinates entered by a
    user or taken from an address take precedence.
    """
    return _places().get(fold(normalize(town)))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in kilometres between two WGS84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _content_tokens(text: str) -> list[str]:
    words = [*tokenize(text), *hyphen_joins(text)]
    return [t for t in dict.fromkeys(words) if t not in STOPWORDS and not t.isdigit()]


# Per query word: best weight per occupation, the words that hit each occupation, and best
# weight per group through its label, its definition and its skills.
_TermMatches = tuple[
    dict[int, float],
    dict[int, set[str]],
    dict[int, float],
    dict[int, float],
    dict[int, float],
    set[int],
]
# Match kinds by which a query word names an occupation (not merely shares a compound part).
_NAMING_KINDS = frozenset(["exact", "folded", "stem", "prefix", "typo"])
# The whole query's likeness to an occupation name (rapidfuzz ratio, 0-100) names it from
# _LIKENESS_FROM (not at all) to _LIKENESS_FULL (fully), among the best-matching occupations.
_LIKENESS_CANDIDATES = 30
_LIKENESS_FROM = 75.0
_LIKENESS_FULL = 90.0
_WORD = re.compile(r"\w+")
_NAMING_STEM = 0.8  # a shared derivation root ("snickeri", "snickare") does not name


def _is_word(term: Term) -> bool:
    """Whether the term's word is itself a vocabulary word (not cut short or mistyped)."""
    return bool(term.expansions) and term.expansions[0].kind in ("exact", "folded")


@dataclass(slots=True)
class ConceptScores:
    """Concept match of a query: occupation and group scores in [0, 1], keyed by index."""

    occupations: dict[int, float]
    groups: dict[int, float]
    # Groups matched through their own label, definition or skills rather than an occupation.
    group_direct: dict[int, float]
    # Per term index, the best (concept kind, match kind) for explanations.
    evidence: dict[int, tuple[str, str]]
    # How fully the query names one occupation by its head word, in [0, 1]: 1 for
    # "fritidsledare", 0 for "omsorg" (only a qualifier in "Områdeschef, omsorg").
    named: float = 0.0


class ConceptIndex:
    """Postings from vocabulary words to occupations and SSYK-4 groups.

    Occupation *i* is ``self.occupations[i]``; group *j* is ``self.groups[j]``.
    """

    # Group evidence, relative to a full occupation match.
    LABEL_FACTOR = 0.9
    DEFINITION_FACTOR = 0.75
    SKILL_FACTOR = 0.45

    def __init__(self) -> None:
        self.occupations: list[Occupation] = sorted(occupations().values(), key=lambda o: o.id)
        self.groups: list[Group] = sorted(groups().values(), key=lambda g: g.id)
        self.occ_pos = {o.id: i for i, o in enumerate(self.occupations)}
        self.group_pos = {g.id: i for i, g in enumerate(self.groups)}
        self.occ_group: list[int] = [self.group_pos.get(o.group_id, -1) for o in self.occupations]
        self.group_occs: list[list[int]] = [[] for _ in self.groups]
        for i, g in enumerate(self.occ_group):
            if g >= 0:
                self.group_occs[g].append(i)
        # Each occupation name as a tuple of content tokens (both halves of A/B labels).
        self.occ_names: list[list[tuple[str, ...]]] = [
            [tuple(_content_tokens(n)) for n in o.names] for o in self.occupations
        ]
        self.occ_heads: list[set[str]] = [
            {t for n in o.names for t in _name_parts(n)[0]} for o in self.occupations
        ]
        self.folded_names: list[tuple[str, ...]] = [
            tuple(fold(normalize(n)) for n in o.names) for o in self.occupations
        ]
        self.clean_names: list[tuple[str, ...]] = [
            tuple(" ".join(_WORD.findall(f)) for f in names) for names in self.folded_names
        ]
        self.name_post: dict[str, list[int]] = {}
        for i, names in enumerate(self.occ_names):
            for tok in {t for n in names for t in n}:
                self.name_post.setdefault(tok, []).append(i)
        kw_post: dict[str, set[int]] = {}
        for label, ids in keywords().items():
            for tok in _content_tokens(label):
                kw_post.setdefault(tok, set()).update(
                    self.occ_pos[o] for o in ids if o in self.occ_pos
                )
        self.keyword_post = {k: sorted(v) for k, v in kw_post.items()}
        # Alternative labels: the head words of each label point at its occupations ("sjuksyster"
        # at the nurses, "doktor" at Läkare); a word shared by many labels' occupations says
        # little and is left out.
        alias_post: dict[str, set[int]] = {}
        # Labels of one word ("Sjuksyster", "Doktor") name the worker, as an occupation's name does.
        self.alias_titles: set[str] = set()
        for label, ids in alternative_labels().items():
            head = _name_parts(label)[0]
            if len(_content_tokens(label)) == 1:
                self.alias_titles.update(head)
            for tok in head:
                if tok in STOPWORDS or tok.isdigit():
                    continue
                alias_post.setdefault(tok, set()).update(
                    self.occ_pos[o] for o in ids if o in self.occ_pos
                )
        # A word that is some occupation's own name means that occupation ("musiklärare" is
        # Musikpedagog/Musiklärare, though also a job title under Ämneslärare).
        self.alias_post = {
            k: sorted(v)
            for k, v in alias_post.items()
            if 0 < len(v) <= _MAX_ALIAS_OCCS and k not in self.name_post
        }
        skill_labels = skills()
        self.label_post = self._group_post(lambda g: g.label)
        self.def_post = self._group_post(lambda g: g.definition)
        self.skill_post = self._group_post(
            lambda g: " ".join(skill_labels.get(s, "") for s in g.skill_ids)
        )
        self.skill_words = {t for lbl in skill_labels.values() for t in _content_tokens(lbl)}
        self._term_cache: dict[tuple[Expansion, ...], _TermMatches] = {}
        self._cover_cache: dict[tuple[int, str | frozenset[str]], float] = {}

    def alias_words(self) -> dict[str, tuple[str, ...]]:
        """Return the alternative-label words that stand for a head word of occupation names,
        as everyday words for that head: "sjuksyster" (a job title of twenty nurses'
        occupations) → "sjuksköterska", "doktor" (of Läkare) → "läkare".

        A one-word label stands for the head word that the names of most of its occupations end
        in (the head itself, or a name word it ends with: "anestesisjuksköterska" ends in
        "sjuksköterska"), when that head covers at least two of them and most of them, or when
        the word's one occupation is named by that head alone. Its slots then include every
        slot whose title says the head, as the head's own query does.
        """
        cached: dict[str, tuple[str, ...]] | None = getattr(self, "_alias_words", None)
        if cached is not None:
            return cached
        names = set(self.name_post)
        # A form of a name word ("snickaren") already means what the name says.
        name_stems = {stem(fold(t)) for t in names}
        out: dict[str, tuple[str, ...]] = {}
        for word, occs in self.alias_post.items():
            if word not in self.alias_titles or stem(fold(word)) in name_stems:
                continue
            cover: dict[str, int] = {}
            for o in occs:
                heads: set[str] = set()
                for h in self.occ_heads[o]:
                    heads.add(h)
                    heads.update(
                        h[i:] for i in range(1, len(h) - _MIN_ALIAS_HEAD + 1) if h[i:] in names
                    )
                for h in heads:
                    cover[h] = cover.get(h, 0) + 1
            if not cover:
                continue
            head, n = max(cover.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))
            if head == word or len(head) < _MIN_ALIAS_HEAD:
                continue
            single = len(occs) == 1 and (head,) in self.occ_names[occs[0]]
            if single or (n >= 2 and n >= _ALIAS_HEAD_SHARE * len(occs)):
                out[word] = (head,)
        self._alias_words = out
        return out

    def _group_post(self, text_of: object) -> dict[str, list[int]]:
        assert callable(text_of)
        post: dict[str, list[int]] = {}
        for j, g in enumerate(self.groups):
            for tok in set(_content_tokens(text_of(g))):
                post.setdefault(tok, []).append(j)
        return post

    def words(self) -> set[str]:
        """Return every content word of the taxonomy (for seeding a lexicon)."""
        out: set[str] = set(self.name_post) | set(self.keyword_post) | set(self.label_post)
        out |= set(self.alias_post)
        out |= set(self.def_post) | set(self.skill_post) | self.skill_words
        for lang in languages().values():
            out.update(_content_tokens(lang))
        return out

    def _name_heads(self) -> frozenset[str]:
        # Endings (6+ letters) that at least three occupation-name words share: the heads of
        # compound names ("skoterska" in sjuksköterska, undersköterska, skolsköterska).
        heads = getattr(self, "_heads_cache", None)
        if heads is None:
            counts: dict[str, int] = {}
            for tok in self.name_post:
                f = fold(tok)
                for i in range(3, len(f) - 5):
                    counts[f[i:]] = counts.get(f[i:], 0) + 1
            heads = frozenset(k for k, n in counts.items() if n >= 3)
            self._heads_cache = heads
        return heads

    def abbreviations(self, folded: str, is_word: Callable[[str], bool]) -> list[str]:
        """Return the occupation-name words an abbreviation may stand for ("usk" →
        "undersköterska", "ssk" → "sjuksköterska"): two to four letters (consonants after the
        first) taken in order from
        the name, the first at its start and each other one either right after the previous
        one or at the start of a part of the compound (where the rest is a word of its own,
        ``is_word``). The names of most occupations first."""
        if not 2 <= len(folded) <= 4 or any(c in _VOWELS for c in folded[1:]):
            return []
        found: list[tuple[int, int, str]] = []
        for tok, occs in self.name_post.items():
            f = fold(tok)
            if f[0] != folded[0] or len(f) <= len(folded) + 2:
                continue
            pos = 0
            for c in folded[1:]:
                if f[pos + 1 : pos + 2] == c:
                    pos += 1
                    continue
                nxt = next(
                    (
                        p
                        for p in range(max(pos + 2, 3), len(f) - 4)
                        if f[p] == c and (is_word(f[p:]) or f[p:] in self._name_heads())
                    ),
                    -1,
                )
                if nxt < 0:
                    break
                pos = nxt
            else:
                found.append((-len(occs), len(f), tok))
        found.sort()
        return [t for _, _, t in found[:3]]

    def occupation_tokens(self, occ: int) -> set[str]:
        """Return the content tokens of all names of occupation ``occ``."""
        return {t for n in self.occ_names[occ] for t in n}

    def _term_matches(self, expansions: tuple[Expansion, ...]) -> _TermMatches:
        # The concepts one query word reaches depend only on its expansions: cache them, as
        # the expansions themselves are cached.
        hit = self._term_cache.get(expansions)
        if hit is not None:
            return hit
        occ_best: dict[int, float] = {}
        hits: dict[int, set[str]] = {}
        lab_best: dict[int, float] = {}
        def_best: dict[int, float] = {}
        skl_best: dict[int, float] = {}
        head_hits: set[int] = set()
        # A completion names an occupation only when the typed word is no word of its own.
        complete = any(e.kind in ("exact", "folded", "stem") for e in expansions)
        for e in expansions:
            naming = (
                e.kind in _NAMING_KINDS
                and not (complete and e.kind == "prefix")
                and not (e.kind == "stem" and e.weight < _NAMING_STEM)
            )
            for o in self.name_post.get(e.token, ()):
                if occ_best.get(o, 0.0) < e.weight:
                    occ_best[o] = e.weight
                hits.setdefault(o, set()).add(e.token)
                if naming and e.token in self.occ_heads[o]:
                    head_hits.add(o)
            for o in self.keyword_post.get(e.token, ()):
                kw = e.weight * 0.85
                if occ_best.get(o, 0.0) < kw:
                    occ_best[o] = kw
            for o in self.alias_post.get(e.token, ()):
                alias = e.weight * _ALIAS_FACTOR
                if occ_best.get(o, 0.0) < alias:
                    occ_best[o] = alias
                naming_title = naming and e.token in self.alias_titles
                if naming_title and o not in hits and self.occ_names[o]:
                    # A one-word job title names its occupation as the occupation's own name
                    # does; a word inside a longer label ("b2b" in "B2B-säljare") does not.
                    hits[o] = set(self.occ_names[o][0])
                    head_hits.add(o)
            for table, best in (
                (self.label_post, lab_best),
                (self.def_post, def_best),
                (self.skill_post, skl_best),
            ):
                for g in table.get(e.token, ()):
                    if best.get(g, 0.0) < e.weight:
                        best[g] = e.weight
        result = (occ_best, hits, lab_best, def_best, skl_best, head_hits)
        if len(self._term_cache) > 20_000:
            self._term_cache.clear()
        self._term_cache[expansions] = result
        return result

    def _cover(self, o: int, hit: set[str]) -> float:
        # The largest share of one of the occupation's names that the hit words cover.
        return max(
            (sum(1 for t in name if t in hit) / len(name) for name in self.occ_names[o] if name),
            default=0.0,
        )

    def _name_likeness(self, terms: Sequence[Term], occ_scores: dict[int, float]) -> float:
        words: list[str] = []
        for t in terms:
            if not words or words[-1] != t.word:
                words.append(t.word)
        q = " ".join(fold(w) for w in words)
        top = heapq.nlargest(_LIKENESS_CANDIDATES, occ_scores, key=occ_scores.__getitem__)
        best = max((fuzz.ratio(q, name) for o in top for name in self.clean_names[o]), default=0.0)
        return min(1.0, max(0.0, (best - _LIKENESS_FROM) / (_LIKENESS_FULL - _LIKENESS_FROM)))

    def score(self, terms: Sequence[Term]) -> ConceptScores:
        """Score occupations and groups against weighted query terms.

        An occupation's score is the weighted share of query terms found in its names, times a
        factor for how much of its best name the query covers, so "Receptionist" outranks
        "Receptionist, hotell" for the query "receptionist". A group scores the best of its
        occupations, its label, its definition and its skills, each at a lower factor.
        """
        occ_sum: dict[int, float] = {}
        occ_hit_tokens: dict[int, set[str]] = {}
        lab_sum: dict[int, float] = {}
        def_sum: dict[int, float] = {}
        skl_sum: dict[int, float] = {}
        evidence: dict[int, tuple[str, str]] = {}
        named_share: dict[int, float] = {}
        for term in terms:
            occ_best, hits, lab_best, def_best, skl_best, heads = self._term_matches(
                term.expansions
            )
            for o in hits:
                if o in heads or (o in named_share and not term.compound_part):
                    named_share[o] = named_share.get(o, 0.0) + term.weight
            for o, toks in hits.items():
                occ_hit_tokens.setdefault(o, set()).update(toks)
            for best, acc in ((occ_best, occ_sum), (lab_best, lab_sum), (def_best, def_sum)):
                for k, v in best.items():
                    acc[k] = acc.get(k, 0.0) + term.weight * v
            for k, v in skl_best.items():
                skl_sum[k] = skl_sum.get(k, 0.0) + term.weight * v
        occ_scores: dict[int, float] = {}
        named = 0.0
        cover_cache = self._cover_cache
        for o, s in occ_sum.items():
            hit = occ_hit_tokens.get(o)
            if not hit:
                cover = 0.0
            else:
                key = (o, next(iter(hit)) if len(hit) == 1 else frozenset(hit))
                cover = cover_cache.get(key, -1.0)
                if cover < 0:
                    cover = self._cover(o, hit)
                    if len(cover_cache) > 200_000:
                        cover_cache.clear()
                    cover_cache[key] = cover
            occ_scores[o] = s * (0.7 + 0.3 * cover)
            if o not in named_share:
                # The query word is only a qualifier of this occupation's name.
                occ_scores[o] *= _QUALIFIER_ONLY
            else:
                named = max(named, min(1.0, named_share[o]) * cover)
        if named < 1.0 and occ_scores and any(not _is_word(t) for t in terms):
            # A word cut short or mistyped hides the name it stands for from the head-word
            # test above; the whole query's likeness to a name tells instead.
            named = max(named, self._name_likeness(terms, occ_scores))
        group_scores: dict[int, float] = {}
        # The best kind of group evidence counts fully; agreeing evidence from the other kinds
        # (label, definition, skills) adds a little, so a field of work named in several
        # places beats one named once.
        parts: dict[int, list[float]] = {}
        for acc, factor in (
            (lab_sum, self.LABEL_FACTOR),
            (def_sum, self.DEFINITION_FACTOR),
            (skl_sum, self.SKILL_FACTOR),
        ):
            for g, s in acc.items():
                parts.setdefault(g, []).append(s * factor)
        direct = {g: max(v) + 0.25 * (sum(v) - max(v)) for g, v in parts.items()}
        group_scores.update(direct)
        for o, s in occ_scores.items():
            g = self.occ_group[o]
            if g >= 0 and group_scores.get(g, 0.0) < s:
                group_scores[g] = s
        return ConceptScores(occ_scores, group_scores, direct, evidence, named)

    def suggest(self, lexicon: Lexicon, q: str, limit: int = 10) -> list[OccupationSuggestion]:
        """Return up to ``limit`` occupations whose names match ``q`` (typo-tolerant)."""
        terms = parse_terms(
            q, lexicon, lambda t: len(self.name_post.get(t, ())), 2 * len(self.occupations)
        )
        if not terms:
            return []
        scores = self.score(terms).occupations
        top = sorted(scores.items(), key=lambda kv: -kv[1])[: max(limit * 5, 50)]
        fq = fold(normalize(q))
        ranked: list[tuple[float, int]] = []
        for o, s in top:
            sim = max(fuzz.ratio(fq, fold(normalize(n))) for n in self.occupations[o].names)
            ranked.append((s + 0.3 * sim / 100.0, o))
        ranked.sort(key=lambda t: (-t[0], self.occupations[t[1]].label))
        out: list[OccupationSuggestion] = []
        for s, o in ranked[:limit]:
            occ = self.occupations[o]
            g = self.occ_group[o]
            out.append(
                OccupationSuggestion(
                    id=occ.id,
                    label=occ.label,
                    ssyk=occ.ssyk,
                    group_label=self.groups[g].label if g >= 0 else "",
                    score=round(s, 4),
                )
            )
        return out


@cache
def concept_index() -> ConceptIndex:
    """Return the process-wide concept index (built once, read-only afterwards)."""
    return _static()[0]


@cache
def taxonomy_lexicon() -> Lexicon:
    """Return a lexicon of the taxonomy's words only (for occupation autocomplete)."""
    return _static()[2]


# --- the static structures, cached on disk between processes --------------------------------

# What the concept index, the group ranker and the taxonomy lexicon are built from: the
# packaged data and the code that reads it. Any change gives another cache file.
_STATIC_INPUTS = (
    "data/occupations.json",
    "data/ssyk4_groups.json",
    "data/skills.json",
    "data/keywords.json",
    "data/languages.json",
    "data/no_education_required.json",
    "data/everyday.tsv",
    "data/alternative_labels.json",
    "taxonomy.py",
    "text.py",
    "lexicon.py",
    "terms.py",
)
_Static = tuple["ConceptIndex", "GroupRanker", Lexicon]


@cache
def _static() -> _Static:
    """Build the taxonomy's derived structures once per machine, not once per process.

    They take seconds to build and never change for a given taxonomy and code, so they are
    pickled to a private cache directory (``SEARCH_CACHE_DIR``, default
    ``~/.cache/placement-search``; ``SEARCH_CACHE_DIR=off`` disables it) under a key hashed
    from the packaged data and this package's code. A cache file is read only if this user owns
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
    root = resources.files("search")
    try:
        for name in _STATIC_INPUTS:
            h.update(name.encode())
            h.update(root.joinpath(name).read_bytes())
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


def iter_words(texts: Iterable[str]) -> set[str]:
    """Return the content words of ``texts`` (helper for tests and tools)."""
    return {t for text in texts for t in _content_tokens(text)}


# --- group relevance: a small BM25F over SSYK-4 group "documents" ---------------------------

# How much one occurrence of a word counts, by where it stands in a group's document.
_GF_LABEL = 3.0  # the label's head words ("Vårdbiträden")
_GF_LABEL_QUALIFIER = 1.0  # the rest of the label ("äldreomsorg" in "Chefer inom äldreomsorg")
_GF_OCC_HEAD = 2.0  # an occupation name's head (before any comma, parenthesis or preposition)
_GF_OCC_QUALIFIER = 0.6
_GF_DEF_FIRST = 1.6  # the definition's first sentence says what the group does
_GF_DEF_REST = 0.6
_GF_SKILL = 0.35
# How much a word counts when the query word is only part of it.
_HEAD_PART = 0.7  # the query word is the head of a compound ("omsorg" in "äldreomsorg")
_MODIFIER_PART = 0.4  # the query word is its first part ("omsorg" in "omsorgserfarenhet")
_ROOT_MATCH = 0.6  # same derivation root ("städning" and "städare")
# A group's score is scaled by the share of the query's words (those any group knows) that its
# text says, to this power: a group that says the verb and its object ("kör truck", "städar
# kontor") outranks one that says only one of them very often (RESULTS_search.md, eighth
# pass).
_COORD = 1.0
_MANAGER_PRIOR = 0.6
_FOLDED_PLACEMENT = frozenset(fold(w) for w in PLACEMENT_WORDS)
_BM25_K1 = 1.2
_BM25_B = 0.5
_QUALIFIER_WORDS = frozenset(
    ["inom", "för", "på", "vid", "i", "av", "med", "till", "mot", "utan", "m", "fl"]
)
_EXCLUDED = "Hit hör inte"


def _sentences(text: str) -> list[str]:
    body = text.split(_EXCLUDED)[0]
    return [s for s in (p.strip() for p in body.replace("\n", " ").split(". ")) if s]


def _name_parts(name: str) -> tuple[list[str], list[str]]:
    """Split an occupation name or a title into its head words and its qualifier words.

    The head is the first noun, with any adjectives before it and any words coordinated
    with it ("Park- och trädgårdsarbetare"); what follows it, above all after a comma, a
    parenthesis or a preposition, qualifies it: "Enhetschef" in "Enhetschef inom social
    omsorg", "Maskinoperatör" in "Maskinoperatör bageri- och konfektyrindustri".
    """
    head: list[str] = []
    for half in name.split("/"):
        text = half.split(",")[0].split("(")[0]
        words = normalize(text).split()
        coordinated = _COORDINATED.match(text) is not None
        found = False
        for i, w in enumerate(words):
            if w in STOPWORDS or w in PLACEMENT_WORDS:
                if found and not (coordinated and w in ("och", "eller")):
                    break
                continue
            found = True
            head.append(w)
            if not w.endswith(_ADJECTIVE_ENDINGS) and not (coordinated and "och" in words[i:]):
                break
    rest = [t for t in _content_tokens(name) if t not in head]
    return head, rest


_COORDINATED = re.compile(r"^\W*\w+- (och|eller) ")
_ADJECTIVE_ENDINGS = ("ig", "isk", "sk", "ell", "al", "iv", "ad", "ande", "ende")


class GroupRanker:
    """Rank SSYK-4 groups for a query, BM25F-style, over each group's label, occupation names,
    definition (first sentence above the rest, "Hit hör inte" left out) and skills.

    Words are compared by their folded Snowball stem; a query word also matches compounds it
    heads or begins, and words sharing its derivation root, each at a lower weight.
    """

    def __init__(self, concepts: ConceptIndex) -> None:
        skill_labels = skills()
        docs: list[list[tuple[str, float]]] = []
        for j, g in enumerate(concepts.groups):
            items: list[tuple[str, float]] = []
            head, rest = _name_parts(g.label)
            items += [(t, _GF_LABEL) for t in head]
            items += [(t, _GF_LABEL_QUALIFIER) for t in rest]
            for o in concepts.group_occs[j]:
                for name in concepts.occupations[o].names:
                    head, rest = _name_parts(name)
                    items += [(t, _GF_OCC_HEAD) for t in head]
                    items += [(t, _GF_OCC_QUALIFIER) for t in rest]
            for k, sentence in enumerate(_sentences(g.definition)):
                w = _GF_DEF_FIRST if k == 0 else _GF_DEF_REST
                items += [(t, w) for t in _content_tokens(sentence)]
            for s in g.skill_ids:
                items += [(t, _GF_SKILL) for t in _content_tokens(skill_labels.get(s, ""))]
            docs.append([(fold(t), w) for t, w in items if not t.isdigit()])
        tokens = {t for d in docs for t, _ in d}
        self._known = tokens | {stem(t) for t in tokens}
        # Words that only ever occur inside compounds still count as parts when several
        # compounds share them: "gård" (kyrkogård, ladugård, fritidsgård), "lant" (lantbruk).
        heads: dict[str, int] = {}
        mods: dict[str, int] = {}
        for t in tokens:
            for i in range(3, len(t) - 2):
                heads[t[i:]] = heads.get(t[i:], 0) + 1
                mods[t[:i]] = mods.get(t[:i], 0) + 1
        self._heads = {h for h, n in heads.items() if n >= 3 and len(h) >= 4}
        self._mods = {m for m, n in mods.items() if n >= 3 and len(m) >= 4}
        self._parts_cache: dict[str, tuple[str, str]] = {}
        self._word_cache: dict[tuple[str, tuple[str, ...]], dict[int, float]] = {}
        # The lookup keys of each distinct word, computed once (words repeat across groups).
        keys_of: dict[str, list[tuple[str, str]]] = {}
        for t in tokens:
            st = stem(t)
            keys = [("s", st)]
            root = derivation_root(t)
            if root != t:
                keys.append(("r", root))
            head_part, mod_part = self._parts(t)
            if head_part:
                keys.append(("h", stem(head_part)))
            if mod_part:
                keys.append(("m", stem(mod_part)))
            keys_of[t] = keys
        post: dict[tuple[str, str], dict[int, float]] = {}
        lengths: list[float] = []
        for gi, doc in enumerate(docs):
            tf: dict[str, float] = {}
            for t, w in doc:
                tf[t] = tf.get(t, 0.0) + w
            lengths.append(sum(tf.values()))
            for t, w in tf.items():
                for key in keys_of[t]:
                    bucket = post.get(key)
                    if bucket is None:
                        post[key] = {gi: w}
                    else:
                        bucket[gi] = bucket.get(gi, 0.0) + w
        self._post = post
        self._len = lengths
        self._avg = sum(lengths) / max(len(lengths), 1)
        self._n = len(docs)
        # Placements are mostly entry-level work: a manager's group (SSYK major group 1)
        # names the field it manages, but the everyday word means the work itself.
        self._prior = [_MANAGER_PRIOR if g.ssyk.startswith("1") else 1.0 for g in concepts.groups]

    def _is_head(self, part: str) -> bool:
        st = stem(part)
        return part in self._known or st in self._known or part in self._heads or st in self._heads

    def _is_modifier_plain(self, part: str) -> bool:
        return part in self._known or part in self._mods

    def _is_modifier(self, part: str) -> bool:
        if self._is_modifier_plain(part):
            return True
        # A linking "s" ("omsorgs" in "omsorgserfarenhet").
        return part.endswith("s") and (part[:-1] in self._known or part[:-1] in self._mods)

    def _parts(self, t: str) -> tuple[str, str]:
        # The split of a compound into modifier and head whose shorter side is longest.
        hit = self._parts_cache.get(t)
        if hit is not None:
            return hit
        best: tuple[int, str, str] | None = None
        for i in range(3, len(t) - 2):
            mod, head = t[:i], t[i:]
            if self._is_head(head) and self._is_modifier(mod):
                score = 100 * (head in self._known or stem(head) in self._known)
                score += min(len(mod), len(head))
                if best is None or score > best[0]:
                    linked = mod.endswith("s") and not self._is_modifier_plain(mod)
                    best = (score, head, mod[:-1] if linked else mod)
        out = (best[1], best[2]) if best else ("", "")
        self._parts_cache[t] = out
        return out

    def _split(self, f: str) -> list[str] | None:
        # Split an unknown compound into two parts the groups know: the modifier as a word or
        # as the first part of some compound ("lant" in "lantbruk"), the head as a word or
        # as the head of some compound ("gård" in "kyrkogård").
        best: tuple[int, list[str]] | None = None
        for i in range(3, len(f) - 2):
            mod, head = f[:i], f[i:]
            if mod.endswith("s") and len(mod) > 4 and not self._has(mod):
                mod = mod[:-1]
            if len(mod) >= 3 and self._has(mod) and self._has(head):
                score = min(len(mod), len(head))
                if best is None or score > best[0]:
                    best = (score, [mod, head])
        if best is None:
            # A head the taxonomy never uses ("firma"): keep the longest known modifier.
            for i in range(len(f) - 3, 3, -1):
                if self._has(f[:i]) and len(f) - i >= 3:
                    return [f[:i]]
        return best[1] if best else None

    def _has(self, part: str) -> bool:
        return any(key in self._post for key, _ in self._lookups(part))

    def _lookups(self, f: str) -> list[tuple[tuple[str, str], float]]:
        st = stem(f)
        out = [(("s", st), 1.0), (("h", st), _HEAD_PART)]
        if len(f) >= 4:
            out.append((("m", st), _MODIFIER_PART))
        root = derivation_root(f)
        if root != f:
            out.append((("r", root), _ROOT_MATCH))
        return out

    def _term_tf(self, f: str) -> dict[int, float]:
        tf: dict[int, float] = {}
        for key, w in self._lookups(f):
            for g, v in self._post.get(key, {}).items():
                tf[g] = tf.get(g, 0.0) + w * v
        return tf

    def rank(self, words: Sequence[tuple[str, float, Sequence[str]]]) -> dict[int, float]:
        """Return BM25 scores per group for ``(folded word, weight, fallback forms)`` items.

        The fallback forms (typo corrections, completions) are used when the word itself
        matches nothing. Each group's score is then scaled by the share of the words' weight
        that it matches (counting only words some group matches): the words of a phrase
        ("köra truck", "städa kontor") describe one kind of work together, so a group whose
        label, definition or skills say several of them outranks a group that says only one
        of them, however often.
        """
        scores: dict[int, float] = {}
        said: dict[int, float] = {}
        total = 0.0
        for f, weight, fallback in words:
            found = self._word_scores(f, tuple(fallback))
            if found:
                total += weight
            for g, v in found.items():
                scores[g] = scores.get(g, 0.0) + weight * v
                said[g] = said.get(g, 0.0) + weight
        if total > 0.0:
            for g in scores:
                scores[g] *= (said[g] / total) ** _COORD
        return scores

    def _word_scores(self, f: str, fallback: tuple[str, ...]) -> dict[int, float]:
        # One query word's BM25 score per group, cached: it depends on the word alone.
        key = (f, fallback)
        hit = self._word_cache.get(key)
        if hit is not None:
            return hit
        out = self._score_word(f, fallback)
        if len(self._word_cache) > 20_000:
            self._word_cache.clear()
        self._word_cache[key] = out
        return out

    def _score_word(self, f: str, fallback: Sequence[str]) -> dict[int, float]:
        parts = None if self._term_tf(f) else self._split(f)
        if parts and len(parts) > 1:
            # "jobb" in "lagerjobb" says only that it is work.
            parts = [p for p in parts if p not in _FOLDED_PLACEMENT] or parts
        # A compound the groups do not know whole counts as its parts, equally.
        items = [(p, 1.0 / len(parts), ()) for p in parts] if parts else [(f, 1.0, fallback)]
        scores: dict[int, float] = {}
        for word, weight, alts in items:
            tf = self._term_tf(word)
            if not tf:
                for alt in alts:
                    for g, v in self._term_tf(alt).items():
                        tf[g] = max(tf.get(g, 0.0), v)
            if not tf:
                continue
            df = len(tf)
            idf = math.log(1 + (self._n - df + 0.5) / (df + 0.5))
            for g, v in tf.items():
                norm = 1 - _BM25_B + _BM25_B * self._len[g] / self._avg
                s = idf * v * (_BM25_K1 + 1) / (v + _BM25_K1 * norm)
                scores[g] = scores.get(g, 0.0) + weight * s * self._prior[g]
        return scores


@cache
def group_ranker() -> GroupRanker:
    """Return the process-wide group ranker (built once, read-only afterwards)."""
    return _static()[1]


def name_parts(name: str) -> tuple[list[str], list[str]]:
    """Return the head words and the qualifier words of an occupation name or a title."""
    return _name_parts(name)
