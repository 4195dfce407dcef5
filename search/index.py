"""The in-memory search index over slots: one per worker, rebuilt in the background.

Layout (compact, so that 100,000 slots fit comfortably):

- ``_post``: word → ``array('i')`` of codes ``doc << 6 | tf << 3 | field`` for the text fields
  title, skills, description, host and town (each (word, field) pair once per document, with
  how many of the field's parts hold the word, up to 7: skills, description sentences);
- ``_cols.length``: each document's length in words, for the lexical channel's BM25 length
  normalisation;
- ``_occ_docs`` / ``_group_docs``: taxonomy occupation / SSYK-4 group → documents, so that a
  concept match follows postings too;
- numpy columns per document for the filters (kind, hours, coordinates, licence, open seats,
  tracks and adaptations as bit masks, publication time) and the slot's id. The documents
  themselves are not kept: explanations read the postings (a word's postings are sorted by
  position, so whether a slot's field holds a word is one binary search), and the rerank
  keeps each distinct folded title once. That keeps a worker at 100,000 slots small
  (bench/RESULTS.md, memory).

A removed or replaced document stays in the postings as a tombstone (``alive`` is False) until
the next full build, which keeps ``upsert`` and ``remove`` O(document).

Use: ``build()`` a fresh instance off the event loop, then swap it in; call ``upsert`` and
``remove`` from the same thread that calls ``search``.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import functools
import math
from array import array
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from marketplace.reference.taxonomy import no_education_required
from search import swedish
from search.concepts import ConceptIndex, ConceptScores
from search.everyday import everyday_verbs, everyday_words
from search.group_ranker import GroupRanker
from search.lexicon import Expansion, Lexicon
from search.names import name_parts
from search.schemas import Hit, SearchQuery, SearchResult, SlotDoc, Why
from search.taxonomy_cache import concept_index, group_ranker, taxonomy_lexicon
from search.terms import FRAMING_WORDS, MAX_QUERY_WORDS, Term, parse_terms
from search.text import STOPWORDS, fold, hyphen_joins, leads_others, normalize

__all__ = ["FIELDS", "SearchIndex"]

FIELDS: tuple[str, ...] = ("title", "skills", "description", "host", "town")
_TITLE, _SKILLS, _DESCRIPTION, _HOST, _TOWN, _TITLE_QUALIFIER = range(6)
# A posting code: the document's position, how often the word occurs in the field, the field.
_FIELD_BITS = 3
_TF_BITS = 3
_DOC_SHIFT = _FIELD_BITS + _TF_BITS
_TF_MAX = (1 << _TF_BITS) - 1
_FIELD_MASK = (1 << _FIELD_BITS) - 1
# Title and occupation first, then skills, then description, host and town. A title word
# that only qualifies the title's head ("omsorg" in "Områdeschef, omsorg", the unit after a
# dash) counts for less than the head itself.
_FIELD_WEIGHTS = np.array([1.0, 0.5, 0.3, 0.12, 0.12, 0.45, 0.0, 0.0], dtype=np.float64)
# The lexical channel: BM25F over the slot's own text (title, description, host, town), so
# that a slot that says what the query says ranks high even when its occupation code is
# broader (measured in bench/search_real.py, RESULTS_search.md sixth pass). How much one
# occurrence counts by field (title, skills, description, host, town, title qualifier):
# skills are left to the field match, as generated slots repeat them in their descriptions;
# the host's name says who offers the work more than what it is ("Folkets hus", "Västra
# Götalandsregionen, vårdcentral" on every slot of that host), so it counts half a mention
# (RESULTS_search.md, ninth pass).
_BM25_FIELDS = np.array([3.0, 0.0, 1.0, 0.5, 1.5, 1.5, 0.0, 0.0], dtype=np.float64)
_BM25_K1 = 1.2
_NAMING_FIELDS = np.array([0, 1, 5])  # title, skills, title qualifier
# No length normalisation: employers' ads are five times longer than generated slots, and
# b = 0.5 buried their repeated mentions (real ads in the top 10: 0.66 against 0.73 at b = 0).
_BM25_B = 0.0
_BM25_W = 1.5  # the boost of a slot whose text says all the query says
# A slot's BM25 relative to the query's ideal (every word as often as a title mention gives,
# _BM25_REF of saturation) counts only past _BM25_TAU: a passing mention of one word is the
# concept match's business, not the text's.
_BM25_REF = 0.7
_BM25_TAU = 0.45
# A word few slots say is said fully by one mention in a slot's own prose: an employer's ad
# names its field ("kreditupplysning", "ortopedi") once or twice in a long text, where a
# common word would need to stand in the title. A query word (or a compound read whole) that
# fewer than _RARE_SLOTS slots say counts up to 1 + _RARE_BOOST × ``rarity`` times in the text
# channel (× 1.77 for a word one slot says, × 1 from _RARE_SLOTS on), but only in slots whose
# prose alone says it: a slot whose title says it is matched fully already, and a slot that
# lists it among its skills has the taxonomy's word, not words of its own (generated slots
# repeat their skills in the description) (RESULTS_search.md, tenth pass).
_RARE_SLOTS = 20
_RARE_BOOST = 1.0
# The level prior below (managers' and specialists' slots step back for a query that names no
# occupation) damps the text boost less than the rest: a slot whose own text says what the
# query says keeps the square root of that factor (RESULTS_search.md, seventh pass).
_LEX_LEVEL_EXPONENT = 0.5
# Feedback from the text to the concepts (``_text_groups``): the groups of the slots whose text
# says what the query says are lifted by up to this much, when their share of the text
# matches' groups is at least _TEXT_GROUP_MIN_SHARE (RESULTS_search.md, seventh pass).
_TEXT_GROUP_W = 3.0
_TEXT_GROUP_MIN_SHARE = 0.1
# The same feedback to the occupations of those slots, scaled by how little the taxonomy
# supports the query (× (1 − support)): a field word only some employers' ads say ("äldre-
# psykiatri", "säkerhetsskydd") also ranks the other slots coded as the work of those ads, not
# only their group (RESULTS_search.md, eleventh pass). Occupation scores share the groups'
# scale (``_MAX_CONCEPT``).
_TEXT_OCC_W = 1.0
# Term-level feedback (twelfth pass): for a query the taxonomy supports little and that finds
# few slots, the words the best of them share, and few other slots say, are looked for as weak
# extra words in the text boost.
_PRF_SUPPORT = 0.5  # below this concept support the feedback runs
_PRF_MAX_FOUND = 50  # ... and for a query finding fewer slots than this
_PRF_TOP = 10  # the first ranking's best slots read
_PRF_MIN_DOCS = 3  # a word must be said by this many of them
_PRF_TERMS = 4  # words added
_PRF_WEIGHT = 0.3  # the best added word's share of the text boost
_PRF_MAX_DF = 0.05  # words said by more than this share of the slots are not added
_PRF_MIN_LEN = 4
# The less the taxonomy supports a concept reading of the query (``concept_support``), the
# more the text's feedback counts: up to (1 + _TEXT_GROUP_UNSUPPORTED) × _TEXT_GROUP_W for a
# word no occupation name, group label, definition or skill says (a field word such as
# "cytostatika", "villaägare"), only the text does (RESULTS_search.md, ninth pass).
_TEXT_GROUP_UNSUPPORTED = 1.5
_SUPPORT_NAMED = 2.0  # a query half naming an occupation is fully supported
_SUPPORT_GROUP_RANK = 4.0  # the group ranker's top relevance that counts as full support
_OCCUPATION_WEIGHT = 1.0
_GROUP_WEIGHT = 0.9
_OLD_GROUP = 0.5
_NEW_GROUP = 1.5
_GROUP_CUT = 0.4
_GROUP_SHARPEN = 1.0  # extra exponent on a group's relative rank, for a query naming nothing
# Unnamed queries: share of the score kept by slots of SSYK major groups 1 (managers),
# 2 (work needing a degree) and 3 (work needing higher vocational training or similar).
_LEVEL_PRIOR = {"1": 0.5, "2": 0.5, "3": 0.8}
_LEADER_LEVEL = 0.8  # an occupation whose name says it leads others' work, at most
# The level prior applies in full while the best slot of work without a degree scores at
# least this share of the best slot's score, and in step with that share below it.
_ENTRY_COMPETES = 0.5
_GROUP_CONFIDENT = 4.0
_NAMED_DAMP = 0.8
# A query names occupations the index may hold no slot of ("VVS-montör" where only other
# plumbing work is offered): the occupations scoring within this share of the best one are the
# named ones, and the share of them without slots no longer counts as named.
_SERVED_NEAR = 0.9
_PROFILE_OCC_BOOST = 1.0
_PROFILE_GROUP_BOOST = 0.4
_PROFILE_GROUP_ONLY = 0.6
_TERM_CACHE = 4096  # query words whose reduced postings are kept (cleared on writes)
_TERM_POSTINGS_BUDGET = 20_000  # postings per query word before weak expansions are skipped
_ALWAYS_FOLLOW = 0.9  # expansions at least this good are followed whatever the budget
_QBITS = 13  # bits for a quantised contribution in [0, 1]
_Q = float((1 << _QBITS) - 1)
_QMASK = (1 << _QBITS) - 1
_RERANK = 200  # candidates reranked with rapidfuzz
_RERANK_WEIGHT = 0.35
_RERANK_UNNAMED = 0.2  # share of the rerank kept by a query that names no occupation
_ENTRY_LEVEL_PRIOR = 0.2
_MIN_SCORE = 0.12  # below this a candidate is noise and does not count as a match
_MAX_CONCEPT = 2.5  # concept scores are quantised in [0, _MAX_CONCEPT]
_SYNONYM_GROUP = 0.8  # an everyday word's taxonomy words, in the group ranking
_MAX_CONCEPT_OCCS = 200
_MAX_CONCEPT_GROUPS = 40
_RERANK_TEXT_CHARS = 120  # rapidfuzz sees short fields only, cut to this length

_KINDS = {"praktik": 1, "arbetsträning": 2}
_NO_COORD = np.nan

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _key(text: str) -> str:
    return fold(normalize(text))


def _haversine(lat: FloatArray, lon: FloatArray, lat0: float, lon0: float) -> FloatArray:
    p1, p2 = np.radians(lat), math.radians(lat0)
    dp = p2 - p1
    dl = np.radians(lon0 - lon)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * math.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * 6371.0088 * np.arcsin(np.minimum(1.0, np.sqrt(h))), dtype=np.float64)


def _own_text(text: str, host: str) -> str:
    """A slot's title or description without its host's name: the name says who offers the
    work, not what it is, and is indexed once as the host. Slots often repeat it ("Måltids-
    biträde – Socialkontoret", "Hos Pingstkyrkan i Lödöse."), and there it read as the work:
    "kyrkan" found a packer at a church before a priest. Kept whole where the name is all the
    text says."""
    if len(host) < 3 or host not in text:
        return text
    rest = text.replace(host, " ")
    return rest if any(c.isalpha() for c in rest) else text


def _tokenize(text: str) -> list[str]:
    """Return the distinct content words of ``text`` with its hyphenated words written solid."""
    words = [*normalize(text).split(), *hyphen_joins(text)]
    return [t for t in dict.fromkeys(words) if t not in STOPWORDS]


# One row per document while building, in the order build() fills it.
_ROW_DTYPE = np.dtype(
    [
        ("kind", np.int8),
        ("hours", np.int32),
        ("lat", np.float64),
        ("lon", np.float64),
        ("licence", np.bool_),
        ("seats", np.int32),
        ("tracks", np.int64),
        ("adapt", np.int64),
        ("published", np.float64),
        ("occ", np.int32),
        ("town", np.int32),
        ("slot_id", np.int64),
    ]
)
_ROW_CHUNK = 4096
# Adaptations past the 62nd distinct one share this bit; such slots are checked exactly.
_RARE_BIT = 1 << 62


# One query word: the index of its whole-compound reading (or None) and of its other terms.
_Unit = tuple[int | None, list[int]]


def _units(terms: Sequence[Term]) -> list[_Unit]:
    """Group the terms by query word where a compound is read both whole and as its parts."""
    out: list[_Unit] = []
    open_unit: dict[str, _Unit] = {}
    for i, t in enumerate(terms):
        if t.whole:
            unit: _Unit = (i, [])
            open_unit[t.word] = unit
            out.append(unit)
        elif t.compound_part and t.word in open_unit:
            open_unit[t.word][1].append(i)
        else:
            out.append((None, [i]))
    return out


class _TermHits(NamedTuple):
    """One query word's matches: documents (ascending), best field value, BM25 part."""

    docs: npt.NDArray[np.int32]
    best: npt.NDArray[np.int16]  # quantised best field match in [0, _Q]
    bm: npt.NDArray[np.float32]  # saturated, length-normalised BM25F term frequency in [0, 1)
    prose: npt.NDArray[np.bool_]  # whether only the slot's prose says it (no title, skill)


class _TitleInfo:
    """What indexing needs of one distinct title, computed once per build."""

    __slots__ = ("head", "inferred", "qualifier", "short")

    def __init__(self, head: array[int], qualifier: array[int], short: str) -> None:
        self.head = head
        self.qualifier = qualifier
        self.short = short
        self.inferred = -2  # the occupation the title names; -2 until first needed


class _Columns:
    """Growable numpy columns, one row per document position."""

    def __init__(self, capacity: int = 1024) -> None:
        self.size = 0
        self.alive = np.zeros(capacity, dtype=np.bool_)
        self.kind = np.zeros(capacity, dtype=np.int8)
        self.hours = np.full(capacity, -1, dtype=np.int32)
        self.lat = np.full(capacity, _NO_COORD, dtype=np.float64)
        self.lon = np.full(capacity, _NO_COORD, dtype=np.float64)
        self.licence = np.zeros(capacity, dtype=np.bool_)
        self.seats = np.zeros(capacity, dtype=np.int32)
        self.tracks = np.zeros(capacity, dtype=np.int64)
        self.adapt = np.zeros(capacity, dtype=np.int64)
        self.published = np.full(capacity, -np.inf, dtype=np.float64)
        self.occ = np.full(capacity, -1, dtype=np.int32)
        self.group = np.full(capacity, -1, dtype=np.int32)
        self.town = np.full(capacity, -1, dtype=np.int32)
        self.length = np.zeros(capacity, dtype=np.float32)
        self.slot_id = np.full(capacity, -1, dtype=np.int64)

    _NAMES = [
        "alive",
        "kind",
        "hours",
        "lat",
        "lon",
        "licence",
        "seats",
        "tracks",
        "adapt",
        "published",
        "occ",
        "group",
        "town",
        "length",
        "slot_id",
    ]

    def append_row(self) -> int:
        if self.size == len(self.alive):
            for name in self._NAMES:
                col = getattr(self, name)
                grown = np.empty(len(col) * 2, dtype=col.dtype)
                grown[: len(col)] = col
                fill = {"hours": -1, "occ": -1, "group": -1, "town": -1, "slot_id": -1}.get(name, 0)
                if name in ("lat", "lon"):
                    grown[len(col) :] = _NO_COORD
                elif name == "published":
                    grown[len(col) :] = -np.inf
                else:
                    grown[len(col) :] = fill
                setattr(self, name, grown)
        self.size += 1
        return self.size - 1


@functools.lru_cache(maxsize=4)
def _occupation_priors(
    concepts: ConceptIndex,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """By occupation position, the extra last entry serving occ == -1: whether the occupation
    needs no education, and how far an everyday word's match keeps its score by the SSYK
    major group's skill level. Read-only, shared by every index over the same concepts (each
    build made them anew: a few ms per build, most of a test's start-up)."""
    easy = no_education_required()
    easy_prior = np.array([o.id in easy for o in concepts.occupations] + [False], dtype=np.float64)
    levels = [
        _LEVEL_PRIOR.get(concepts.groups[g].ssyk[:1], 1.0) if g >= 0 else 1.0
        for g in concepts.occ_group
    ]
    # A supervisor's slot steps back at least as one needing higher vocational training,
    # whatever group SSYK files it with: "kundservice" is the work, "Arbetsledare,
    # kundservice" leads it (RESULTS_search.md, 28th pass).
    levels = [
        min(level, _LEADER_LEVEL) if any(map(leads_others, o.names)) else level
        for level, o in zip(levels, concepts.occupations, strict=True)
    ]
    level_prior = np.array([*levels, 1.0], dtype=np.float64)
    for prior in (easy_prior, level_prior):
        prior.flags.writeable = False
    return easy_prior, level_prior


class SearchIndex:
    """An in-memory inverted index of slots with Swedish-aware, typo-tolerant ranking."""

    def __init__(self, concepts: ConceptIndex | None = None) -> None:
        self._concepts = concepts or concept_index()
        self._groups: GroupRanker = group_ranker()
        # The added everyday words the lexicon's synonyms were last set with; a copy of the
        # taxonomy's lexicon starts with the built-in ones, as if none had been added.
        self._added_words: dict[str, tuple[str, ...]] | None
        if self._concepts is concept_index():
            self._lex = taxonomy_lexicon().copy()
            self._added_words = {}
        else:
            self._lex = Lexicon()
            self._lex.add_many(sorted(self._concepts.words()))
            self._added_words = None
        self._post: dict[str, array[int]] = {}
        self._short: list[str] = []  # folded, normalised, cut title per position (rerank)
        # Adaptations of the slots that have one of the rare ones sharing bit 62 (exact check).
        self._rare_adapt: dict[int, frozenset[str]] = {}
        self._pos: dict[int, int] = {}
        self._occ_docs: dict[int, array[int]] = {}
        self._group_docs: dict[int, array[int]] = {}
        self._cols = _Columns()
        self._track_bits: dict[str, int] = {}
        self._adapt_bits: dict[str, int] = {}
        self._towns: dict[str, int] = {}
        self._n_alive = 0
        self._length_sum = 0.0  # live documents' lengths, for the BM25 average
        self._easy, self._level = _occupation_priors(self._concepts)
        self._token_cache: dict[str, tuple[str, ...]] = {}
        self._head_cache: dict[str, frozenset[str]] = {}
        self._term_post_cache: dict[tuple[Expansion, ...], _TermHits | None] = {}
        # A forward index of each slot's own words (title, skills, description), for the
        # term-level feedback: built slots hold ids of distinct texts (slots repeat their
        # sentences), upserted ones their words.
        self._fwd_words: list[str] = []
        self._fwd_texts: list[array[int]] = []
        self._fwd_start = array("i", [0])
        self._fwd_flat = array("i")
        self._fwd_added: dict[int, tuple[str, ...]] = {}

    # --- building -------------------------------------------------------------------------

    def __len__(self) -> int:
        """Return the number of live (indexed, not removed) slots."""
        return self._n_alive

    @property
    def dead_rows(self) -> int:
        """Rows of removed or replaced slots: an upsert appends a row and leaves the old one
        dead, its postings still read (and skipped) by every search, until a rebuild."""
        return self._cols.size - self._n_alive

    def build(self, docs: Iterable[SlotDoc]) -> None:
        """Index ``docs`` from scratch (replacing anything indexed before).

        Meant to run on a fresh instance off the event loop; swap it in when done.

        The work is shared wherever slots repeat themselves: each distinct title, skill, host,
        town and description sentence is tokenised once and mapped to word ids once; per slot
        only the ids are gathered, and the postings are sorted into place by numpy at the end.
        """
        self.__init__(self._concepts)  # type: ignore[misc]
        swedish.load()  # the word list query understanding reads, so no query waits for it
        vocab: dict[str, int] = {}
        text_ids: dict[str, array[int]] = {}
        titles: dict[str, _TitleInfo] = {}
        bits: dict[tuple[int, tuple[str, ...]], int] = {}
        towns: dict[str, int] = {}
        tok = array("i")  # word id of every (document, field) word, field segment by segment
        seg_len = array("i")
        seg_code = array("i")
        # Filter columns, a numpy chunk per _ROW_CHUNK slots: few Python objects live long
        # while the build runs, so the memory they used is reused rather than scattered.
        rows: list[tuple[int, int, float, float, bool, int, int, int, float, int, int, int]] = []
        text_no: dict[str, int] = {}
        fwd_texts = self._fwd_texts
        fwd_flat = self._fwd_flat
        fwd_start = self._fwd_start

        def text_id(text: str, ids: array[int]) -> int:
            got = text_no.get(text)
            if got is None:
                got = text_no[text] = len(fwd_texts)
                fwd_texts.append(ids)
            return got

        chunks: list[npt.NDArray[Any]] = []
        replaced: list[int] = []
        occ_pos = self._concepts.occ_pos
        pos_of = self._pos
        short = self._short
        rare = self._rare_adapt

        def ids_of(text: str) -> array[int]:
            got = text_ids.get(text)
            if got is None:
                got = array("i", [vocab.setdefault(t, len(vocab)) for t in _tokenize(text)])
                if len(text) < 400:
                    text_ids[text] = got
            return got

        def mask(table_no: int, table: dict[str, int], values: list[str]) -> int:
            key = (table_no, tuple(values))
            got = bits.get(key)
            if got is None:
                got = bits[key] = sum({self._bit(table, v) for v in values})
            return got

        for pos, doc in enumerate(docs):
            old = pos_of.get(doc.id)
            if old is not None:  # the same slot twice: the later one wins
                replaced.append(old)
                rare.pop(old, None)
                self._n_alive -= 1
            pos_of[doc.id] = pos
            self._n_alive += 1
            title = _own_text(doc.title, doc.host_name)
            info = titles.get(title)
            if info is None:
                info = titles[title] = self._title_info(title, ids_of)
            short.append(info.short)
            base = pos << _DOC_SHIFT
            got = text_no.get(title)
            fwd_flat.append(text_id(title, info.head + info.qualifier) if got is None else got)
            for ids, field in (
                (info.head, _TITLE),
                (info.qualifier, _TITLE_QUALIFIER),
                (text_ids.get(doc.host_name) or ids_of(doc.host_name), _HOST),
                (text_ids.get(doc.town) or ids_of(doc.town), _TOWN),
            ):
                tok.extend(ids)
                seg_len.append(len(ids))
                seg_code.append(base | field)
            for s in doc.skills:
                ids = text_ids.get(s) or ids_of(s)
                fwd_flat.append(text_id(s, ids))
                tok.extend(ids)
                seg_len.append(len(ids))
                seg_code.append(base | _SKILLS)
            # Descriptions are long and rarely repeat whole, but their sentences do.
            for s in _own_text(doc.description, doc.host_name).split(". "):
                ids = text_ids.get(s) or ids_of(s)
                fwd_flat.append(text_id(s, ids))
                tok.extend(ids)
                seg_len.append(len(ids))
                seg_code.append(base | _DESCRIPTION)
            fwd_start.append(len(fwd_flat))
            occ = occ_pos.get(doc.occupation_id or "", -1)
            if occ < 0:
                if info.inferred == -2:
                    info.inferred = self._infer_occupation(title)
                occ = info.inferred
            town = towns.get(doc.town)
            if town is None:
                town = towns[doc.town] = self._towns.setdefault(_key(doc.town), len(self._towns))
            adapt = mask(1, self._adapt_bits, doc.adaptations) if doc.adaptations else 0
            if adapt & _RARE_BIT:
                rare[pos] = frozenset(_key(a) for a in doc.adaptations)
            rows.append(
                (
                    _KINDS.get(doc.kind, 0),
                    doc.hours_per_week if doc.hours_per_week is not None else -1,
                    doc.latitude if doc.latitude is not None else _NO_COORD,
                    doc.longitude if doc.longitude is not None else _NO_COORD,
                    doc.driving_licence,
                    doc.open_seats,
                    mask(0, self._track_bits, doc.tracks) if doc.tracks else 0,
                    adapt,
                    doc.published_at.timestamp() if doc.published_at else -np.inf,
                    occ,
                    town,
                    doc.id,
                )
            )
            if len(rows) == _ROW_CHUNK:
                chunks.append(np.array(rows, dtype=_ROW_DTYPE))
                rows.clear()
        chunks.append(np.array(rows, dtype=_ROW_DTYPE))
        rows.clear()
        self._fill_columns(np.concatenate(chunks), replaced)
        chunks.clear()
        self._fill_postings(vocab, tok, seg_len, seg_code)
        self._fwd_words = list(vocab)
        c = self._cols
        self._length_sum = float(c.length[: c.size][c.alive[: c.size]].sum())
        self._lex.add_many(sorted(w for w in vocab if w not in self._lex))
        self._token_cache.clear()
        self._head_cache.clear()

    def _title_info(self, title: str, ids_of: Callable[[str], array[int]]) -> _TitleInfo:
        heads = self._title_heads(title)
        words = self._tokens(title)
        ids = ids_of(title)
        return _TitleInfo(
            array("i", [i for t, i in zip(words, ids, strict=True) if t in heads]),
            array("i", [i for t, i in zip(words, ids, strict=True) if t not in heads]),
            fold(normalize(title))[:_RERANK_TEXT_CHARS],
        )

    def _fill_columns(self, data: npt.NDArray[Any], replaced: list[int]) -> None:
        n = len(data)
        cols = self._cols = _Columns(max(n, 1024))
        cols.size = n
        if not n:
            return
        cols.alive[:n] = True
        cols.alive[replaced] = False
        for name in (
            "kind",
            "hours",
            "lat",
            "lon",
            "licence",
            "seats",
            "tracks",
            "adapt",
            "slot_id",
        ):
            getattr(cols, name)[:n] = data[name]
        cols.published[:n] = data["published"]
        cols.town[:n] = data["town"]
        occs = data["occ"].astype(np.int32)
        group_of = np.array([*self._concepts.occ_group, -1], dtype=np.int32)
        groups = group_of[occs]  # occ -1 reads the extra last entry
        cols.occ[:n] = occs
        cols.group[:n] = groups
        live = cols.alive[:n]
        for table, keys in ((self._occ_docs, occs), (self._group_docs, groups)):
            positions = np.flatnonzero((keys >= 0) & live).astype(np.int32)
            if not len(positions):
                continue
            by_key = positions[np.argsort(keys[positions], kind="stable")]
            sorted_keys = keys[by_key]
            starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
            ends = np.r_[starts[1:], len(by_key)]
            for k, a, b in zip(
                sorted_keys[starts].tolist(), starts.tolist(), ends.tolist(), strict=True
            ):
                table[k] = array("i", by_key[a:b].tobytes())

    def _fill_postings(
        self, vocab: dict[str, int], tok: array[int], seg_len: array[int], seg_code: array[int]
    ) -> None:
        if not len(tok):
            return
        words = list(vocab)
        codes = np.repeat(
            np.frombuffer(seg_code, dtype=np.int32), np.frombuffer(seg_len, dtype=np.int32)
        )
        # (word, document, field) once each, sorted by word and then by document.
        # A document's length in words: all its fields' words (one description sentence's
        # words once each).
        lengths = np.bincount(
            np.frombuffer(seg_code, dtype=np.int32) >> _DOC_SHIFT,
            weights=np.frombuffer(seg_len, dtype=np.int32),
        )
        self._cols.length[: len(lengths)] = lengths
        keys = (np.frombuffer(tok, dtype=np.int32).astype(np.int64) << 32) | codes
        keys.sort()
        first = np.r_[True, keys[1:] != keys[:-1]]
        # How often each (word, document, field) occurs: in how many skills or description
        # sentences (capped), for the lexical channel's term frequency.
        tf = np.minimum(np.diff(np.r_[np.flatnonzero(first), len(keys)]), _TF_MAX)
        keys = keys[first] | (tf << _FIELD_BITS)
        ids = (keys >> 32).astype(np.int32)
        postings = (keys & 0xFFFFFFFF).astype(np.int32)
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        ends = np.r_[starts[1:], len(ids)]
        post = self._post
        for i, a, b in zip(ids[starts].tolist(), starts.tolist(), ends.tolist(), strict=True):
            post[words[i]] = array("i", postings[a:b].tobytes())

    def upsert(self, doc: SlotDoc) -> None:
        """Add or replace one slot; searches see the change immediately."""
        self.remove(doc.id)
        new_words: set[str] = set()
        self._add(doc, new_words)
        if new_words:
            self._lex.add_many(sorted(new_words))

    def remove(self, slot_id: int) -> bool:
        """Remove a slot by id; return False if it was not indexed."""
        pos = self._pos.pop(slot_id, None)
        if pos is None:
            return False
        self._cols.alive[pos] = False
        self._rare_adapt.pop(pos, None)
        self._fwd_added.pop(pos, None)
        self._n_alive -= 1
        self._length_sum -= float(self._cols.length[pos])
        return True

    def _tokens(self, text: str) -> tuple[str, ...]:
        # Titles, skills and towns repeat a lot across slots; tokenise each text once.
        cached = self._token_cache.get(text)
        if cached is None:
            cached = tuple(_tokenize(text))
            if len(text) < 200:
                if len(self._token_cache) > 200_000:
                    self._token_cache.clear()
                self._token_cache[text] = cached
        return cached

    def _title_heads(self, title: str) -> frozenset[str]:
        cached = self._head_cache.get(title)
        if cached is None:
            head = name_parts(title)[0]
            words = self._tokens(title)
            cached = frozenset(t for t in words if t in head or any(h in t for h in head))
            if len(self._head_cache) > 200_000:
                self._head_cache.clear()
            self._head_cache[title] = cached
        return cached

    def _bit(self, table: dict[str, int], value: str) -> int:
        key = _key(value)
        bit = table.get(key)
        if bit is None:
            # Bit 62 is shared by every value past the 62nd; such slots are checked exactly.
            bit = min(len(table), 62)
            table[key] = bit
        return 1 << bit

    def _add(self, doc: SlotDoc, new_words: set[str]) -> None:
        if self._term_post_cache:
            self._term_post_cache.clear()  # postings are about to change
        cols = self._cols
        pos = cols.append_row()
        own_title = _own_text(doc.title, doc.host_name)
        self._short.append(fold(normalize(own_title))[:_RERANK_TEXT_CHARS])
        self._pos[doc.id] = pos
        self._n_alive += 1
        base = pos << _DOC_SHIFT
        post = self._post
        title = self._tokens(own_title)
        heads = self._title_heads(own_title)
        # As build() counts them: each skill and each description sentence once per word.
        skills = [self._tokens(s) for s in doc.skills]
        sentences = [_tokenize(s) for s in _own_text(doc.description, doc.host_name).split(". ")]
        fields: Sequence[tuple[int, Iterable[str]]] = (
            (_TITLE, [t for t in title if t in heads]),
            (_TITLE_QUALIFIER, [t for t in title if t not in heads]),
            (_SKILLS, [t for toks in skills for t in toks]),
            (_DESCRIPTION, [t for toks in sentences for t in toks]),
            (_HOST, self._tokens(doc.host_name)),
            (_TOWN, self._tokens(doc.town)),
        )
        self._fwd_added[pos] = tuple(dict.fromkeys(t for field, toks in fields[:4] for t in toks))
        length = 0
        for field, toks in fields:
            counts: dict[str, int] = {}
            for t in toks:
                counts[t] = counts.get(t, 0) + 1
                length += 1
            for t, n in counts.items():
                code = base | min(n, _TF_MAX) << _FIELD_BITS | field
                arr = post.get(t)
                if arr is None:
                    post[t] = array("i", (code,))
                    if t not in self._lex:
                        new_words.add(t)
                else:
                    try:
                        arr.append(code)
                    except BufferError:
                        # A search still holds a view of this array: copy it instead.
                        post[t] = array("i", arr)
                        post[t].append(code)
        concepts = self._concepts
        occ = concepts.occ_pos.get(doc.occupation_id or "", -1)
        if occ < 0:
            occ = self._infer_occupation(own_title)
        group = concepts.occ_group[occ] if occ >= 0 else -1
        for table, key in ((self._occ_docs, occ), (self._group_docs, group)):
            if key >= 0:
                table.setdefault(key, array("i")).append(pos)
        cols.alive[pos] = True
        cols.kind[pos] = _KINDS.get(doc.kind, 0)
        cols.hours[pos] = doc.hours_per_week if doc.hours_per_week is not None else -1
        cols.lat[pos] = doc.latitude if doc.latitude is not None else _NO_COORD
        cols.lon[pos] = doc.longitude if doc.longitude is not None else _NO_COORD
        cols.licence[pos] = doc.driving_licence
        cols.seats[pos] = doc.open_seats
        cols.tracks[pos] = sum({self._bit(self._track_bits, t) for t in doc.tracks})
        adapt = sum({self._bit(self._adapt_bits, a) for a in doc.adaptations})
        cols.adapt[pos] = adapt
        if adapt & _RARE_BIT:
            self._rare_adapt[pos] = frozenset(_key(a) for a in doc.adaptations)
        cols.slot_id[pos] = doc.id
        cols.published[pos] = doc.published_at.timestamp() if doc.published_at else -np.inf
        cols.occ[pos] = occ
        cols.group[pos] = group
        cols.town[pos] = self._towns.setdefault(_key(doc.town), len(self._towns))
        cols.length[pos] = length
        self._length_sum += length

    def _infer_occupation(self, title: str) -> int:
        # A slot without an occupation gets the one its title names, if the match is clear.
        terms = parse_terms(title + " ", self._lex, lambda t: 0, 1)
        if not terms:
            return -1
        scores = self._concepts.score(terms).occupations
        if not scores:
            return -1
        occ, score = max(scores.items(), key=lambda kv: (kv[1], -kv[0]))
        return occ if score >= 0.8 else -1

    # --- searching ------------------------------------------------------------------------

    def _abbreviations(self, folded: str) -> list[str]:
        return self._concepts.abbreviations(folded, self._lex.is_folded_word)

    def _name_token(self, token: str) -> bool:
        c = self._concepts
        return token in c.name_post or token in c.keyword_post or token in c.label_post

    def _df(self, token: str) -> int:
        arr = self._post.get(token)
        return len(arr) if arr is not None else 0

    def search(self, query: SearchQuery) -> SearchResult:
        """Return the slots matching ``query``, best first, with explanations.

        Filters apply before ranking. With words in ``q``, slots are ranked by weighted field
        matches (title and occupation first, then skills, then description, host and town;
        exact above folded above stem, prefix and typo), by concept matches (occupation and
        SSYK-4 group), and by a rapidfuzz rerank of the best few hundred on short fields. With
        an empty ``q`` (and no profile boosts) the filtered slots are listed by distance from
        ``near`` when given, else newest first.
        """
        terms = parse_terms(
            query.q,
            self._lex,
            self._df,
            max(self._n_alive, 1),
            name_token=self._name_token,
            abbreviations=self._abbreviations,
            max_words=MAX_QUERY_WORDS,
            phrases=self._concepts.abbreviated_phrases.get,
        )
        profile_occs = [*query.occupation_ids, *query.concept_ids]
        if not terms and not profile_occs and not query.skill_labels:
            return self._listing(query)
        skill_terms: list[Term] = []
        if query.skill_labels:
            skill_terms = parse_terms(
                " ".join(query.skill_labels) + " ", self._lex, self._df, max(self._n_alive, 1)
            )
        docs, scores, concept, support = self._score(terms, skill_terms, profile_occs)
        if terms and support < _PRF_SUPPORT and not profile_occs:
            # The query names its work in words the taxonomy hardly knows: read what the
            # slots it finds say, and look for that too.
            keep = self._filter(docs, query)
            feedback = self._feedback_words(terms, docs[keep], scores[keep])
            if feedback:
                docs, scores, concept, _ = self._score(terms, skill_terms, profile_occs, feedback)
        keep = self._filter(docs, query)
        docs, scores = docs[keep], scores[keep]
        strong = scores >= _MIN_SCORE * (1.0 if terms else 0.0)
        docs, scores = docs[strong], scores[strong]
        total = len(docs)
        if total == 0:
            return SearchResult(total=0, hits=[])
        want = query.offset + query.limit
        top_n = min(total, max(_RERANK, want))
        if top_n < total:
            part = np.argpartition(-scores, top_n - 1)[:top_n]
            docs, scores = docs[part], scores[part]
        if terms:
            # String similarity to titles and occupation names tells near-identical titles
            # from partial ones when the query names an occupation; for an everyday word
            # that names none ("skötsel av hästar" against "Hundskötare") it is mostly
            # noise, so such a query keeps only a share of the rerank.
            named = concept.named if concept is not None else 1.0
            weight = _RERANK_WEIGHT * (_RERANK_UNNAMED + (1.0 - _RERANK_UNNAMED) * named)
            # The rerank adds at most `weight`: a candidate that many below the page's last
            # base score cannot reach the page, so only the others are reranked.
            k = len(scores) - min(want, len(scores))
            last = np.partition(scores, k)[k]
            near = scores >= last - weight
            docs, scores = docs[near], scores[near]
            scores = scores + weight * self._rerank(query.q, docs)
        order = np.lexsort((docs, -scores))[query.offset : want]
        hits: list[Hit] = []
        for i in order:
            pos = int(docs[i])
            why = self._why(pos, terms, concept) if terms else []
            hits.append(
                Hit(
                    slot_id=int(self._cols.slot_id[pos]),
                    score=round(float(scores[i]), 4),
                    why=why,
                    distance_km=self._distance(pos, query),
                )
            )
        return SearchResult(total=total, hits=hits)

    def _slot_words(self, pos: int) -> Iterable[str]:
        """The distinct words of a slot's title, skills and description (forward index)."""
        added = self._fwd_added.get(pos)
        if added is not None:
            return added
        if pos + 1 >= len(self._fwd_start):
            return ()
        words = self._fwd_words
        texts = self._fwd_texts
        ids: set[int] = set()
        for t in self._fwd_flat[self._fwd_start[pos] : self._fwd_start[pos + 1]]:
            ids.update(texts[t])
        return [words[i] for i in ids]

    def _feedback_words(
        self, terms: Sequence[Term], docs: IntArray, scores: FloatArray
    ) -> list[tuple[str, float]]:
        """Pseudo-relevance feedback: the words the first ranking's best slots share.

        A query the taxonomy supports little (an abbreviation several kinds of work share,
        work named in other words than the ads use) finds a few slots; what most of the best
        of them say in their own text tells which work is meant, and other slots that say it
        belong on the page too. Words said by several of the best slots and by few slots in
        all (weighted as in Rocchio: share of the best slots × idf) are looked for as weak
        extra words, in the text boost only.
        """
        strong = scores >= _MIN_SCORE
        docs, scores = docs[strong], scores[strong]
        if len(docs) < _PRF_MIN_DOCS or len(docs) >= _PRF_MAX_FOUND:
            return []
        k = min(_PRF_TOP, len(docs))
        top = docs[np.argpartition(-scores, k - 1)[:k]] if k < len(docs) else docs
        counts: dict[str, int] = {}
        for pos in top.tolist():
            for w in self._slot_words(pos):
                counts[w] = counts.get(w, 0) + 1
        said = {e.token for t in terms for e in t.expansions} | {t.text for t in terms}
        n = max(self._n_alive, 1)
        limit = _PRF_MAX_DF * n
        scored: list[tuple[float, str]] = []
        for w, c in counts.items():
            if c < _PRF_MIN_DOCS or len(w) < _PRF_MIN_LEN or w in said or w.isdigit():
                continue
            df = self._df(w)
            if df > limit:
                continue
            scored.append((c / k * math.log(1 + n / (1 + df)), w))
        if not scored:
            return []
        scored.sort(reverse=True)
        best = scored[0][0]
        return [(w, v / best) for v, w in scored[:_PRF_TERMS]]

    def _score(
        self,
        terms: Sequence[Term],
        skill_terms: Sequence[Term],
        profile_occs: Sequence[str],
        feedback: Sequence[tuple[str, float]] = (),
    ) -> tuple[IntArray, FloatArray, ConceptScores | None, float]:
        """Sum, per document, each signal's best match, following only the touched postings.

        Each signal (a query word, a skill word, the occupation match, the group match, the
        profile's occupations and groups) reaches a document at most once: a word's postings
        are reduced to one best row per document, and a document belongs to one occupation and
        one group. So the signals are summed per document with one bincount, without
        sorting anything.
        """
        doc_parts: list[npt.NDArray[Any]] = []
        value_parts: list[npt.NDArray[Any]] = []

        def add(found: tuple[npt.NDArray[Any], npt.NDArray[Any]] | None, weight: float) -> None:
            if found is not None:
                docs, q = found
                doc_parts.append(docs)
                value_parts.append(q / _Q * weight)

        hits = [self._term_postings(term.expansions) for term in terms]
        units = _units(terms)
        for unit in units:
            got = self._unit_values(unit, terms, hits)
            if got is not None:
                doc_parts.append(got[0])
                value_parts.append(got[1])
        for term in skill_terms:
            found = self._term_postings(term.expansions)
            if found is not None:
                add((found.docs, found.best), 0.5 * term.weight)
        concept: ConceptScores | None = None
        lexical: tuple[IntArray, FloatArray] | None = None
        with_fb: tuple[IntArray, FloatArray] | None = None
        support = 1.0
        if terms:
            concept_terms = [t for t in terms if t.concept]
            concept = self._concepts.score(concept_terms)
            if concept.named > 0.0:
                concept = self._unserved(concept)
            occ_lift = concept.occupations
            if concept.named < 1.0:
                lexical = self._lexical(units, hits, concept.named)
            groups, top_rank = self._group_scores(concept_terms, concept)
            support = concept_support(
                max(concept.occupations.values(), default=0.0), concept.named, top_rank
            )
            with_fb = lexical
            if feedback and concept.named < 1.0:
                # The feedback words rank slots only: lifting groups and occupations by them
                # as well drifted from the described ad (RESULTS_search.md, twelfth pass).
                with_fb = self._with_feedback(lexical, feedback, concept.named)
                if with_fb is not None:
                    doc_parts.append(with_fb[0])  # the slots only the feedback finds
                    value_parts.append(np.zeros(len(with_fb[0])))
            if lexical is not None:
                weight = _TEXT_GROUP_W * (1.0 + _TEXT_GROUP_UNSUPPORTED * (1.0 - support))
                self._text_groups(groups, lexical, concept.named, weight, prior=support)
                if support < 1.0:
                    # and, for a query the taxonomy supports little, the occupations of
                    # those slots: the work they are coded as is what the words mean.
                    occ_lift = dict(concept.occupations)
                    self._text_groups(
                        occ_lift,
                        lexical,
                        concept.named,
                        weight * _TEXT_OCC_W * (1.0 - support),
                        prior=support,
                        key=self._cols.occ,
                    )
            add(
                self._concept_docs(self._occ_docs, occ_lift, _MAX_CONCEPT_OCCS),
                _OCCUPATION_WEIGHT * _MAX_CONCEPT,
            )
            add(
                self._concept_docs(self._group_docs, groups, _MAX_CONCEPT_GROUPS),
                _GROUP_WEIGHT * _MAX_CONCEPT,
            )
        if profile_occs:
            occ_scores: dict[int, float] = {}
            group_scores: dict[int, float] = {}
            concepts = self._concepts
            for cid in profile_occs:
                occ = concepts.occ_pos.get(cid, -1)
                if occ >= 0:
                    occ_scores[occ] = 1.0
                    g = concepts.occ_group[occ]
                    group_scores[g] = max(group_scores.get(g, 0.0), _PROFILE_GROUP_BOOST)
                elif cid in concepts.group_pos:
                    group_scores[concepts.group_pos[cid]] = _PROFILE_GROUP_ONLY
            add(
                self._concept_docs(self._occ_docs, occ_scores, 10**6),
                _PROFILE_OCC_BOOST * _MAX_CONCEPT,
            )
            add(self._concept_docs(self._group_docs, group_scores, 10**6, floor=0), _MAX_CONCEPT)
        if not doc_parts:
            return np.empty(0, np.int64), np.empty(0, np.float64), concept, support
        all_docs = np.concatenate(doc_parts)
        n = self._cols.size
        touched = np.zeros(n, dtype=np.bool_)
        touched[all_docs] = True
        udocs = np.flatnonzero(touched)
        acc = np.asarray(
            np.bincount(all_docs, weights=np.concatenate(value_parts), minlength=n), np.float64
        )
        summed: FloatArray = acc[udocs]
        # Placements are mostly entry-level work: among slots that match, prefer occupations
        # that need no education. Small, so it only orders otherwise similar matches.
        occs = self._cols.occ[udocs]
        summed = summed + _ENTRY_LEVEL_PRIOR * self._easy[occs]
        if concept is not None and concept.named < 1.0 and not profile_occs:
            # A query that names no occupation is an everyday word for a kind of work, and a
            # coordinator looking for a placement means work without a degree: managers' and
            # specialists' slots that only mention the word step back, in step with how
            # little the query names an occupation. (A profile's wished occupations say
            # which work is meant, whatever its level.)
            # The preference holds where the words also find work without a degree: for a
            # field that has little of it ("onkologi", "skatterådgivning") the specialists'
            # slots are what the words are about, and step back less.
            lv = self._level[occs]
            unnamed = (1.0 - concept.named) * _entry_share(summed, lv >= 1.0)
            level = 1.0 - unnamed * (1.0 - lv)
            summed = summed * level
        else:
            level = np.ones(len(udocs), dtype=np.float64)
        if with_fb is not None:
            lexical = with_fb
        if lexical is not None:
            # The text boost's slots are among the touched ones (their words matched).
            at = np.searchsorted(udocs, lexical[0])
            summed[at] += lexical[1] * level[at] ** _LEX_LEVEL_EXPONENT
        return udocs.astype(np.int64), summed, concept, support

    def _with_feedback(
        self,
        lexical: tuple[IntArray, FloatArray] | None,
        feedback: Sequence[tuple[str, float]],
        named: float,
    ) -> tuple[IntArray, FloatArray] | None:
        """The text boost with the feedback words' BM25 added, each at its weight."""
        doc_parts: list[npt.NDArray[Any]] = []
        val_parts: list[npt.NDArray[Any]] = []
        if lexical is not None:
            doc_parts.append(lexical[0])
            val_parts.append(lexical[1])
        for word, w in feedback:
            h = self._term_postings((Expansion(word, "exact", 1.0),))
            if h is not None:
                doc_parts.append(h.docs)
                val_parts.append(_BM25_W * _PRF_WEIGHT * w * (1.0 - named) * h.bm)
        if not doc_parts:
            return None
        docs = np.concatenate(doc_parts)
        size = self._cols.size
        total = np.asarray(
            np.bincount(docs, weights=np.concatenate(val_parts), minlength=size), np.float64
        )
        touched = np.zeros(size, dtype=np.bool_)
        touched[docs] = True
        udocs = np.flatnonzero(touched)
        boost: FloatArray = total[udocs]
        return udocs.astype(np.int64), boost

    def _text_groups(
        self,
        groups: dict[int, float],
        lexical: tuple[IntArray, FloatArray],
        named: float,
        weight: float = _TEXT_GROUP_W,
        prior: float = 1.0,
        key: npt.NDArray[Any] | None = None,
    ) -> None:
        """Lift the groups of the slots whose own text says what the query says.

        Feedback from the text to the concepts: a word no occupation is named by ("burgare",
        "solenergi") still ranks the other slots of the kind of work the slots that use it
        are coded as. Each group counts its best text match (so that a big group is no
        likelier than a small one), after the level prior (a coordinator means work without
        a degree), relative to the other groups' and to a full match. ``weight`` is the lift
        of a group holding all of the text's best matches; ``prior`` is the share of the level
        prior applied (the query's concept support: for a word only the slots' text says, the
        occupations of the slots that say it are the only evidence of the work meant, and a
        guess about the coordinator's wishes does not overrule them).
        """
        docs, boost = lexical
        keep = self._cols.alive[docs] & (boost > 0)
        docs, boost = docs[keep], boost[keep]
        g = (self._cols.group if key is None else key)[docs]
        keep = g >= 0
        if not keep.any():
            return
        docs, boost, g = docs[keep], boost[keep], g[keep]
        boost = boost * (1.0 - prior * (1.0 - named) * (1.0 - self._level[self._cols.occ[docs]]))
        best = np.zeros(int(g.max()) + 1, dtype=np.float64)
        order = np.argsort(boost)
        best[g[order]] = boost[order]  # the last write per group is its largest
        total = float(best.sum())
        if total <= 0.0:
            return
        for gi in np.flatnonzero(best):
            share = float(best[gi]) / total
            if share >= _TEXT_GROUP_MIN_SHARE:
                lift = weight * share * float(best[gi]) / _BM25_W * (1.0 - named)
                groups[int(gi)] = groups.get(int(gi), 0.0) + lift

    def _unit_values(
        self, unit: _Unit, terms: Sequence[Term], hits: Sequence[_TermHits | None]
    ) -> tuple[npt.NDArray[Any], FloatArray] | None:
        """One query word's best field match per slot: a compound read both as a whole and
        as its parts counts the better reading."""
        whole, parts = unit
        if whole is None:
            h = hits[parts[0]]
            if h is None:
                return None
            return h.docs, h.best / _Q * terms[parts[0]].weight
        size = self._cols.size
        acc = np.zeros(size, dtype=np.float64)
        for i in parts:
            h = hits[i]
            if h is not None:
                acc[h.docs] += h.best / _Q * terms[i].weight
        h = hits[whole]
        if h is not None:
            acc[h.docs] = np.maximum(acc[h.docs], h.best / _Q * terms[whole].weight)
        docs = np.flatnonzero(acc)
        return (docs, acc[docs]) if len(docs) else None

    def _lexical(
        self, units: Sequence[_Unit], hits: Sequence[_TermHits | None], named: float
    ) -> tuple[IntArray, FloatArray] | None:
        """The lexical channel: BM25F of the query's words over each slot's own text."""
        n = max(self._n_alive, 1)
        size = self._cols.size
        unmatched = math.log(1 + (n + 0.5) / 0.5)

        def idf(h: _TermHits | None) -> float:
            if h is None:
                return unmatched
            return math.log(1 + (n - len(h.docs) + 0.5) / (len(h.docs) + 0.5))

        ideal = 0.0
        doc_parts: list[npt.NDArray[Any]] = []
        val_parts: list[npt.NDArray[Any]] = []
        for whole, parts in units:
            # Words that match nothing count fully in the ideal: the slot says less than asked.
            unit_ideal = sum(idf(hits[i]) for i in parts)
            ideal += unit_ideal
            if whole is None:
                h = hits[parts[0]]
                if h is not None:
                    doc_parts.append(h.docs)
                    val_parts.append(h.bm * unit_ideal * _rare_factor(h))
                continue
            acc = np.zeros(size, dtype=np.float64)
            for i in parts:
                h = hits[i]
                if h is not None:
                    acc[h.docs] += h.bm * idf(h)
            h = hits[whole]
            if h is not None:
                # The whole compound in a slot's text says all its parts say.
                acc[h.docs] = np.maximum(acc[h.docs], h.bm * unit_ideal * _rare_factor(h))
            docs = np.flatnonzero(acc)
            doc_parts.append(docs)
            val_parts.append(acc[docs])
        if not doc_parts:
            return None
        docs = np.concatenate(doc_parts)
        if not len(docs):
            return None
        total = np.bincount(docs, weights=np.concatenate(val_parts), minlength=size)
        touched = np.zeros(size, dtype=np.bool_)
        touched[docs] = True
        udocs = np.flatnonzero(touched)
        bm = total[udocs]
        rel = np.minimum(1.0, bm / (ideal * _BM25_REF or 1.0))
        rel = np.clip((rel - _BM25_TAU) / (1.0 - _BM25_TAU), 0.0, 1.0)
        # A query that names an occupation is served by the occupation match and the title:
        # the text boost is for words that name none ("batterier", "webbutveckling").
        boost = _BM25_W * rel * (1.0 - named)
        return udocs.astype(np.int64), boost

    def _term_postings(self, expansions: tuple[Expansion, ...]) -> _TermHits | None:
        """Return one query word's documents, best quantised field value and BM25 part, cached.

        A word's postings change only when slots do; the cache is cleared on every write.
        """
        key = expansions
        if key in self._term_post_cache:
            return self._term_post_cache[key]
        used = 0
        arrays: list[array[int]] = []
        exp_weights: list[float] = []
        for e in expansions:  # best first
            arr = self._post.get(e.token)
            if not arr:
                continue
            # Weak expansions of a word that already touched many slots add little
            # and cost much: skip them past the budget.
            if used > _TERM_POSTINGS_BUDGET and e.weight < _ALWAYS_FOLLOW:
                continue
            used += len(arr)
            arrays.append(arr)
            exp_weights.append(e.weight)
        result: _TermHits | None = None
        if arrays:
            # One pass of numpy work per query word, not per expansion; then keep each
            # document's best value only, so that the per-query sort sees one row per word.
            codes = np.concatenate([np.frombuffer(a, dtype=np.int32) for a in arrays]).astype(
                np.int64
            )
            ew = np.repeat(np.array(exp_weights), [len(a) for a in arrays])
            fields = codes & _FIELD_MASK
            q = np.rint(_FIELD_WEIGHTS[fields] * ew * _Q).astype(np.int64)
            doc_of = codes >> _DOC_SHIFT
            packed = (doc_of << _QBITS) | q
            packed.sort()
            docs = packed >> _QBITS
            last = np.empty(len(docs), dtype=np.bool_)
            last[:-1] = docs[1:] != docs[:-1]
            last[-1] = True
            packed = packed[last]
            docs = packed >> _QBITS
            # BM25F: the word's occurrences, weighted by field and by how well each form
            # matches, summed per document, saturated and normalised by document length.
            tf = _BM25_FIELDS[fields] * ((codes >> _FIELD_BITS) & _TF_MAX) * ew
            weighted = np.bincount(doc_of, weights=tf)[docs]
            cols = self._cols
            avg = self._length_sum / max(self._n_alive, 1) or 1.0
            norm = 1.0 - _BM25_B + _BM25_B * cols.length[docs] / avg
            bm = weighted / (weighted + _BM25_K1 * norm)
            # Which slots say the word in their prose only: not in the title (or its
            # qualifier), not among their skills.
            naming = np.isin(fields, _NAMING_FIELDS).astype(np.float64)
            prose = np.bincount(doc_of, weights=naming)[docs] == 0
            # Compact in the cache: positions fit 32 bits, the quantised value 16.
            result = _TermHits(
                docs.astype(np.int32),
                (packed & _QMASK).astype(np.int16),
                bm.astype(np.float32),
                prose,
            )
        if len(self._term_post_cache) >= _TERM_CACHE:
            self._term_post_cache.pop(next(iter(self._term_post_cache)))
        self._term_post_cache[key] = result
        return result

    def _unserved(self, concept: ConceptScores) -> ConceptScores:
        """The concept match with ``named`` scaled by the share of the named occupations the
        index holds slots of.

        A query that names an occupation is served by the occupation match, so the group
        ranking and the slots' own text count less for it; but an occupation without slots
        serves nobody. Its group's other work and the text are then what the query can find
        ("distriktssköterska" where only other nurses are offered found two slots that said
        the word, and none of the nurses)."""
        occs = concept.occupations
        top = max(occs.values(), default=0.0)
        best = [o for o, v in occs.items() if v >= top * _SERVED_NEAR]
        alive = self._cols.alive
        held = 0
        for o in best:
            arr = self._occ_docs.get(o)  # removed slots stay listed until a rebuild
            if arr and alive[np.frombuffer(arr, dtype=np.int32)].any():
                held += 1
        if held == len(best):
            return concept
        return dataclasses.replace(concept, named=concept.named * held / len(best))

    def _group_scores(
        self, terms: Sequence[Term], concept: ConceptScores
    ) -> tuple[dict[int, float], float]:
        """Blend the occupation-derived group match with the group ranker's relevance.

        Also returns the ranker's best relevance (0 when no group says any query word)."""
        # The ranker weighs words by their own rarity among groups and splits compounds it
        # does not know itself: give it each query word whole, with equal weight.
        fallback: dict[str, list[str]] = {}
        for t in terms:
            alts = fallback.setdefault(t.word, [])
            if not t.compound_part:
                alts += [fold(e.token) for e in t.expansions if e.kind in ("prefix", "typo")]
        # A word that only says "work" ("jobba" in "jobba med ungdomar") says nothing of which
        # work: the others rank the groups, as the group ranker counts every word it is given.
        said = {w: a for w, a in fallback.items() if fold(w) not in FRAMING_WORDS}
        fallback = said or fallback
        share = 1.0 / max(len(fallback), 1)
        words = [(fold(w), share, alts[:10]) for w, alts in fallback.items()]
        for w in fallback:
            # An everyday word also ranks the groups of the taxonomy words it stands for.
            targets, sureness = self._lex.meanings(fold(w))
            for rank, target in enumerate(targets):
                weight = share * _SYNONYM_GROUP * sureness * (1.0 - 0.05 * rank)
                weight /= len(targets) ** 0.5
                words.append((fold(target), weight, []))
        rel = self._groups.rank(words)
        out = {g: _OLD_GROUP * v for g, v in concept.groups.items()}
        top = max(rel.values(), default=0.0)
        if rel:
            # A query that names an occupation is served by the occupation match; the group
            # ranking matters most for everyday words that name none.
            conf = min(1.0, top / _GROUP_CONFIDENT) * (1.0 - _NAMED_DAMP * concept.named)
            # Unnamed, the ranking leans on the best groups: lesser ones fall away faster.
            sharp = 1.0 + _GROUP_SHARPEN * (1.0 - concept.named)
            for g, v in rel.items():
                r = v / top
                if r >= _GROUP_CUT:
                    out[g] = out.get(g, 0.0) + _NEW_GROUP * conf * r**sharp
        return out, top

    @staticmethod
    def _concept_docs(
        table: dict[int, array[int]],
        scores: dict[int, float],
        limit: int,
        floor: float = 0.25,
    ) -> tuple[IntArray, IntArray] | None:
        """Return (documents, quantised score) of the concepts close to the best one."""
        # Only concepts close to the best one are followed; a long tail of weak concept
        # matches would pull in whole groups of unrelated slots.
        if not scores:
            return None
        top = sorted(scores.items(), key=lambda kv: -kv[1])[:limit]
        cut = top[0][1] * floor
        arrays: list[array[int]] = []
        values: list[int] = []
        for key, score in top:
            if score < cut:
                break
            arr = table.get(key)
            if arr:
                arrays.append(arr)
                values.append(round(min(score, _MAX_CONCEPT) / _MAX_CONCEPT * _Q))
        if not arrays:
            return None
        # One concatenation for all concepts: many tiny numpy calls cost more than the data.
        d = np.concatenate([np.frombuffer(a, dtype=np.int32) for a in arrays]).astype(np.int64)
        q = np.repeat(np.array(values, dtype=np.int64), [len(a) for a in arrays])
        return d, q

    def _filter(self, docs: IntArray, query: SearchQuery) -> npt.NDArray[np.bool_]:
        c = self._cols
        keep = c.alive[docs].copy()
        if query.kind:
            keep &= c.kind[docs] == _KINDS.get(normalize(query.kind), -1)
        if query.track:
            bit = self._track_bits.get(_key(query.track))
            tracks = c.tracks[docs]
            ok = tracks == 0  # no tracks listed: open to all tracks
            if bit is not None:
                ok |= (tracks & (1 << bit)) != 0
            keep &= ok
        if query.town:
            keep &= c.town[docs] == self._towns.get(_key(query.town), -2)
        if query.max_hours is not None:
            hours = c.hours[docs]
            keep &= (hours >= 0) & (hours <= query.max_hours)
        if query.min_hours is not None:
            keep &= c.hours[docs] >= query.min_hours
        if query.no_driving_licence:
            keep &= ~c.licence[docs]
        if query.open_only:
            keep &= c.seats[docs] > 0
        if query.adaptations:
            keep &= self._adaptations_ok(docs, query.adaptations)
        if query.near is not None and query.radius_km is not None:
            dist = _haversine(c.lat[docs], c.lon[docs], query.near[0], query.near[1])
            keep &= dist <= query.radius_km  # NaN (no coordinates) compares False
        return keep

    def _adaptations_ok(self, docs: IntArray, wanted: Sequence[str]) -> npt.NDArray[np.bool_]:
        keys = [_key(a) for a in wanted]
        if any(k not in self._adapt_bits for k in keys):
            return np.zeros(len(docs), dtype=np.bool_)
        bits = {self._adapt_bits[k] for k in keys}
        if 62 in bits:
            # Rare values share bit 62: check them exactly.
            out = np.zeros(len(docs), dtype=np.bool_)
            rare = self._rare_adapt
            for i, pos in enumerate(docs.tolist()):
                out[i] = pos in rare and set(keys) <= rare[pos]
            return out
        mask = sum(1 << b for b in bits)
        return np.asarray((self._cols.adapt[docs] & mask) == mask, dtype=np.bool_)

    def _listing(self, query: SearchQuery) -> SearchResult:
        c = self._cols
        docs = np.nonzero(c.alive[: c.size])[0].astype(np.int64)
        docs = docs[self._filter(docs, query)]
        total = len(docs)
        if query.near is not None:
            key = _haversine(c.lat[docs], c.lon[docs], query.near[0], query.near[1])
            key = np.where(np.isnan(key), np.inf, key)
        else:
            key = -c.published[docs]
        ids = c.slot_id[docs]
        order = np.lexsort((ids, key))[query.offset : query.offset + query.limit]
        hits = [
            Hit(
                slot_id=int(ids[i]),
                score=0.0,
                why=[],
                distance_km=self._distance(int(docs[i]), query),
            )
            for i in order
        ]
        return SearchResult(total=total, hits=hits)

    def _distance(self, pos: int, query: SearchQuery) -> float | None:
        if query.near is None:
            return None
        lat, lon = self._cols.lat[pos], self._cols.lon[pos]
        if math.isnan(lat) or math.isnan(lon):
            return None
        d = _haversine(np.array([lat]), np.array([lon]), query.near[0], query.near[1])[0]
        return round(float(d), 3)

    def _rerank(self, q: str, docs: IntArray) -> FloatArray:
        # rapidfuzz on short fields only (the folded title, cut, and the occupation's names),
        # so that near-identical titles outrank partial ones; long text never reaches it.
        fq = fold(normalize(q))
        # Many candidates share a title: compare each distinct title once.
        short = self._short
        titles = [short[p] for p in docs.tolist()]
        distinct = list(dict.fromkeys(titles))
        sims = process.cdist([fq], distinct, scorer=fuzz.token_set_ratio, dtype=np.float64)[0]
        sim_of = dict(zip(distinct, sims.tolist(), strict=True))
        title_sim = np.array([sim_of[t] for t in titles], dtype=np.float64)
        # The occupations' names: each distinct occupation's names in one rapidfuzz call.
        occs = self._cols.occ[docs]
        uocc, inv = np.unique(occs, return_inverse=True)
        names = self._concepts.folded_names
        flat: list[str] = []
        owner: list[int] = []
        for i, occ in enumerate(uocc.tolist()):
            if occ >= 0:
                flat += names[occ]
                owner += [i] * len(names[occ])
        best = np.zeros(len(uocc), dtype=np.float64)
        if flat:
            sims = process.cdist([fq], flat, scorer=fuzz.ratio, dtype=np.float64)[0]
            np.maximum.at(best, np.array(owner, dtype=np.intp), sims)
        name_sim = best[inv.reshape(-1)]
        return np.asarray(np.maximum(title_sim * 0.5, name_sim) / 100.0, dtype=np.float64)

    def _fields_of(self, token: str, pos: int) -> int:
        """The fields of slot ``pos`` whose text holds ``token``, one bit per field number.

        A word's postings are in position order (the build sorts them, a write appends a new
        last position), so the slot's codes are found by one binary search.
        """
        arr = self._post.get(token)
        if not arr:
            return 0
        i = bisect.bisect_left(arr, pos << _DOC_SHIFT)
        out = 0
        end = len(arr)
        while i < end and arr[i] >> _DOC_SHIFT == pos:
            out |= 1 << (arr[i] & _FIELD_MASK)
            i += 1
        return out

    def _why(self, pos: int, terms: Sequence[Term], concept: ConceptScores | None) -> list[Why]:
        # Fields in weight order; the first field a term matches is its reason. The slot's
        # text fields are read from the postings; the occupation's words when first needed.
        masks: dict[str, int] = {}

        def in_fields(bits: int) -> Callable[[str], bool]:
            def test(token: str) -> bool:
                got = masks.get(token)
                if got is None:
                    got = masks[token] = self._fields_of(token, pos)
                return bool(got & bits)

            return test

        occ_words: set[str] | None = None

        def in_occupation(token: str) -> bool:
            nonlocal occ_words
            if occ_words is None:
                occ_words = self._occ_words(pos)
            return token in occ_words

        fields: tuple[tuple[str, Callable[[str], bool]], ...] = (
            ("title", in_fields(1 << _TITLE | 1 << _TITLE_QUALIFIER)),
            ("occupation", in_occupation),
            ("skills", in_fields(1 << _SKILLS)),
            ("description", in_fields(1 << _DESCRIPTION)),
            ("host", in_fields(1 << _HOST)),
            ("town", in_fields(1 << _TOWN)),
        )
        out: list[Why] = []
        seen: set[tuple[str, str, str]] = set()
        said: set[tuple[str, str]] = set()
        whole_found: set[str] = set()  # words whose whole compound the slot's text holds
        framing_only = all(t.text in FRAMING_WORDS for t in terms)
        # Words also read as their parts are words of their own: a part ("skor" of
        # "människor") is a guess that may reach a field of work the word does not name.
        read_whole = {t.word for t in terms if t.whole}
        for term in terms:
            if term.compound_part and term.word in whole_found:
                continue  # the whole word explains the match; its parts add nothing
            if term.text in FRAMING_WORDS and not framing_only:
                continue  # "jobba" in "jobba med djur" only says it is work: no reason
            found: tuple[str, str] | None = None
            via = ""
            for name, holds in fields:
                e = next((e for e in term.expansions if holds(e.token)), None)
                if e is not None:
                    found = (name, _match_name(e, term))
                    if e.kind == "synonym" and found[1] == "concept":
                        via = e.token  # what the everyday word stands for
                    break
            if (
                found is None
                and concept is not None
                and term.concept
                and not (term.compound_part and term.word in read_whole)
            ):
                # Only a word that itself reaches the slot's group is said to match its field
                # of work: the group's score is the whole query's, and "gillar" or
                # "biltvättare" said "samma yrkesområde" of a park or a shop.
                g = int(self._cols.group[pos])
                if (
                    g >= 0
                    and concept.groups.get(g, 0.0) > 0
                    and g in self._concepts.term_groups(term.expansions)
                ):
                    found = ("occupation", "concept")
            if found is not None:
                if term.whole:
                    whole_found.add(term.word)
                item = (term.word, *found)
                # One reason per word shown and field: "köra truck" read as "truckförare",
                # and "truck" standing for it, said "truckförare i titeln" three times.
                shown = (via or term.word, found[0])
                if item not in seen and shown not in said:
                    seen.add(item)
                    said.add(shown)
                    out.append(Why(term=item[0], field=item[1], match=item[2], via=via))
        return out

    def _occ_words(self, pos: int) -> set[str]:
        occ = int(self._cols.occ[pos])
        return self._concepts.occupation_tokens(occ) if occ >= 0 else set()

    def set_added_words(self, words: dict[str, tuple[str, ...]]) -> None:
        """Use these everyday words (added in the back office) beside the built-in table.

        A built-in word keeps its own entry. Takes effect on the next search: the expansion
        and posting caches that depended on the old words are dropped.
        """
        if words == self._added_words:
            # The same words again (every rebuild sets them): the tables, and the caches
            # built on them, stand (folding and stemming ~10,000 words cost a few ms per build).
            return
        merged = {**self._concepts.alias_words(), **words, **everyday_words()}
        self._lex.set_synonyms(merged, everyday_verbs())
        self._added_words = dict(words)
        self._term_post_cache.clear()

    # --- introspection for tools and tests --------------------------------------------------

    def vocabulary_size(self) -> int:
        """Return the number of distinct words the index knows (slots plus taxonomy)."""
        return len(self._lex)

    def expansions(self, word: str, last: bool = False) -> tuple[Expansion, ...]:
        """Return how a normalised query word maps to vocabulary words (for explanations)."""
        return self._lex.expand(word, allow_prefix=last)


def rarity(slots: int) -> float:
    """How rare a word said by ``slots`` slots is, in [0, 1): 1 − log(1 + slots) /
    log(1 + _RARE_SLOTS), so 0.77 for one slot, 0.54 for three, 0 from _RARE_SLOTS on."""
    if slots >= _RARE_SLOTS:
        return 0.0
    return 1.0 - math.log(1 + slots) / math.log(1 + _RARE_SLOTS)


def _rare_factor(h: _TermHits) -> FloatArray | float:
    """Per slot, how much more a rare word's mention counts (see _RARE_BOOST)."""
    r = rarity(len(h.docs))
    if r <= 0.0:
        return 1.0
    return np.where(h.prose, 1.0 + _RARE_BOOST * r, 1.0)


def _entry_share(scores: FloatArray, entry: npt.NDArray[np.bool_]) -> float:
    """How well work without a degree competes for a query: 1 when its best slot scores at
    least `_ENTRY_COMPETES` of the best slot's score, falling to 0 when none matches."""
    best = float(scores.max())
    if best <= 0.0:
        return 1.0
    best_entry = float(scores[entry].max()) if entry.any() else 0.0
    return min(1.0, best_entry / (best * _ENTRY_COMPETES))


def concept_support(top_occupation: float, named: float, top_group_rank: float) -> float:
    """How well the taxonomy supports a concept reading of the query, in [0, 1].

    Full when the query names an occupation (``named`` at least 1 / _SUPPORT_NAMED) or matches
    one outright (``top_occupation``, its best occupation score), or when the group ranker
    finds a group whose label, definition or skills say the query's words strongly
    (``top_group_rank`` at _SUPPORT_GROUP_RANK); nothing for a word only slots' own text uses.
    """
    support = max(top_occupation, named * _SUPPORT_NAMED, top_group_rank / _SUPPORT_GROUP_RANK)
    return min(1.0, max(0.0, support))


def _match_name(e: Expansion, term: Term) -> str:
    if term.compound_part:
        return "compound"
    if e.kind == "synonym" and term.expansions and term.expansions[0].kind == "typo":
        # A mistyped word read as the word it is close to ("kasa" as "kassa", and what that
        # stands for): the reason is the typo, not the everyday word.
        return "typo"
    # An everyday word matched through the taxonomy word it stands for: a concept match.
    return "concept" if e.kind == "synonym" else e.kind


def doc_from_exchange(row: dict[str, object], slot_id: int) -> SlotDoc:
    """Build a :class:`SlotDoc` from a slot-exchange-format row (as written by slotgen)."""
    host = row.get("host") or {}
    assert isinstance(host, dict)
    req = row.get("requirements") or {}
    assert isinstance(req, dict)

    def _str(v: object) -> str:
        return v if isinstance(v, str) else ""

    def _strs(v: object) -> list[str]:
        return [x for x in v if isinstance(x, str)] if isinstance(v, list) else []

    def _float(v: object) -> float | None:
        return float(v) if isinstance(v, int | float) else None

    hours = row.get("hours_per_week")
    capacity = row.get("capacity")
    published = row.get("published_at")
    return SlotDoc(
        id=slot_id,
        external_id=_str(row.get("external_id")),
        title=_str(row.get("title")),
        kind=_str(row.get("kind")) or "praktik",
        occupation_id=_str(row.get("occupation_id")) or None,
        description=_str(row.get("description")),
        skills=_strs(row.get("skills")),
        town=_str(row.get("town")),
        latitude=_float(row.get("latitude")),
        longitude=_float(row.get("longitude")),
        host_name=_str(host.get("name")),
        host_kind=_str(host.get("kind")),
        tracks=_strs(row.get("tracks")),
        adaptations=_strs(row.get("adaptations")),
        hours_per_week=hours if isinstance(hours, int) else None,
        driving_licence=bool(req.get("driving_licence", False)),
        open_seats=capacity if isinstance(capacity, int) else 1,
        published_at=(
            datetime.datetime.fromisoformat(published) if isinstance(published, str) else None
        ),
    )
