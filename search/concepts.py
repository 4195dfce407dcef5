"""The concept matcher: from query terms to taxonomy occupations and SSYK-4 groups.

A *concept* is a taxonomy occupation or an SSYK-4 group. :class:`ConceptIndex` maps query
terms to concepts through occupation names (both halves of "A/B" labels), keywords, JobTech's
alternative labels, group labels, group definitions and the group's skills; it also answers
occupation autocomplete (`ConceptIndex.suggest`). It is built from the reference data
(`marketplace.reference.taxonomy`) once per machine (`search.taxonomy_cache`).
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import msgspec
from rapidfuzz import fuzz

from marketplace.reference.taxonomy import (
    Group,
    Occupation,
    alternative_labels,
    groups,
    keywords,
    languages,
    occupations,
    skills,
)
from search import swedish
from search.lexicon import Expansion, Lexicon
from search.names import content_tokens, name_parts
from search.terms import MAX_QUERY_WORDS, Term, parse_terms
from search.text import STOPWORDS, fold, normalize, stem

__all__ = ["ConceptIndex", "ConceptScores", "OccupationSuggestion"]

_QUALIFIER_ONLY = 0.6  # an occupation matched only on a qualifier word of its names
_ALIAS_FACTOR = 0.85  # an occupation named by one of its alternative labels
_MAX_ALIAS_OCCS = 40
# An alternative label's word stands for the head word most of its occupations' names share.
_ALIAS_HEAD_SHARE = 0.6
_MIN_ALIAS_HEAD = 4
_VOWELS = frozenset("aeiouy")  # a label word pointing at more occupations than this is too broad


# Abbreviations of several-word phrases ("PA" for "personlig assistent", "SÄBO" for "särskilt
# boende"): how much a phrase's use in each kind of taxonomy text counts, the most words a
# phrase has, and how much more used than the next phrase of the same abbreviation it must be.
_NAME_WEIGHT = 3
_LABEL_WEIGHT = 2
_PHRASE_WORDS = 4
_PHRASE_MARGIN = 2
# Initials are used more than once (an occupation's or a group's name, or two texts): three
# letters begin many phrases of one skill label ("ICA" is a shop, not "ISA certifierad
# arborist"). Two letters of each of two words are rarer by chance: one use will do.
_MIN_INITIALS_USE = 2
_SEGMENT = re.compile(r"[,/()]")


def _abbreviated_phrases(texts: Sequence[tuple[str, int]]) -> dict[str, tuple[str, ...]]:
    """Return the phrases that an abbreviation stands for, by the folded abbreviation.

    Swedish abbreviates a phrase of two to four words by its words' initials ("personlig
    assistent" → PA, "hem för vård eller boende" → HVB, small words left out) and a phrase of
    two words also by their first syllables' two letters each ("särskilt boende" → SÄBO). The
    phrases are the taxonomy's own texts (each part between commas, slashes and parentheses),
    counted with the weight of their kind; forms of one phrase ("personliga assistenter") count
    together. An abbreviation stands for its most used phrase when that phrase is used at
    least ``_PHRASE_MARGIN`` times as much as the next one (and, for initials, more than once:
    `_MIN_INITIALS_USE`), and at least as much as the texts use the
    abbreviation as a word of its own ("IT", "HR": the texts' own meaning wins; "PA" is also
    "PA-konsult", and a query then reads it both ways).
    """
    counts: dict[str, dict[tuple[str, ...], dict[tuple[str, ...], int]]] = {}
    literal: dict[str, int] = {}
    by_syllables: set[tuple[str, tuple[str, ...]]] = set()
    for text, weight in texts:
        for tok in content_tokens(text):
            if len(tok) <= _PHRASE_WORDS + 1:
                literal[fold(tok)] = literal.get(fold(tok), 0) + weight
        for segment in _SEGMENT.split(text):
            words = normalize(segment).split()
            content = tuple(w for w in words if w not in STOPWORDS)
            if not 2 <= len(content) <= _PHRASE_WORDS or len(words) > _PHRASE_WORDS + 2:
                continue
            if not all(w.isalpha() and len(w) >= 2 for w in content):
                continue
            keys = {fold("".join(w[0] for w in content))}
            lemma = tuple(stem(fold(w)) for w in content)
            if len(content) == 2:
                syllables = fold(content[0][:2] + content[1][:2])
                keys.add(syllables)
                by_syllables.add((syllables, lemma))
            for key in keys:
                forms = counts.setdefault(key, {}).setdefault(lemma, {})
                forms[content] = forms.get(content, 0) + weight
    out: dict[str, tuple[str, ...]] = {}
    for key, lemmas in counts.items():
        ranked = sorted(
            ((sum(forms.values()), lemma, forms) for lemma, forms in lemmas.items()),
            key=lambda r: -r[0],
        )
        best, lemma, forms = ranked[0]
        runner_up = ranked[1][0] if len(ranked) > 1 else 0
        if best < _PHRASE_MARGIN * runner_up or best < literal.get(key, 0):
            continue
        if best < (1 if (key, lemma) in by_syllables else _MIN_INITIALS_USE):
            continue
        out[key] = min(forms, key=lambda f: (-forms[f], len(" ".join(f)), f))
    return out


class OccupationSuggestion(msgspec.Struct, frozen=True):
    """One autocomplete answer: the occupation, its SSYK-4 code and its group's label."""

    id: str
    label: str
    ssyk: str
    group_label: str
    score: float


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
# A word of its own is at least this long: shorter ones ("mek", "ped") are mostly clipped
# forms typed to name the occupation they begin.
_OWN_WORD_MIN = 4


def _own_word(term: Term) -> bool:
    """Whether the term's word is one written Swedish uses, though the vocabulary (taxonomy
    and slots) has it only inside longer words: "infektion", "psyk", "diabetes"."""
    word = fold(term.text or term.word)
    return len(word) >= _OWN_WORD_MIN and swedish.common(word)


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
            [tuple(content_tokens(n)) for n in o.names] for o in self.occupations
        ]
        self.occ_heads: list[set[str]] = [
            {t for n in o.names for t in name_parts(n)[0]} for o in self.occupations
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
            for tok in content_tokens(label):
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
            head = name_parts(label)[0]
            if len(content_tokens(label)) == 1:
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
        self.skill_words = {t for lbl in skill_labels.values() for t in content_tokens(lbl)}
        self.abbreviated_phrases = _abbreviated_phrases(
            [
                *((n, _NAME_WEIGHT) for o in self.occupations for n in o.names),
                *((g.label, _LABEL_WEIGHT) for g in self.groups),
                *((t, 1) for t in keywords()),
                *((t, 1) for t in alternative_labels()),
                *((t, 1) for t in skill_labels.values()),
            ]
        )
        self._term_cache: dict[tuple[tuple[Expansion, ...], bool], _TermMatches] = {}
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
            for tok in set(content_tokens(text_of(g))):
                post.setdefault(tok, []).append(j)
        return post

    def words(self) -> set[str]:
        """Return every content word of the taxonomy (for seeding a lexicon)."""
        out: set[str] = set(self.name_post) | set(self.keyword_post) | set(self.label_post)
        out |= set(self.alias_post)
        out |= set(self.def_post) | set(self.skill_post) | self.skill_words
        for lang in languages().values():
            out.update(content_tokens(lang))
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

    def term_groups(self, expansions: tuple[Expansion, ...]) -> set[int]:
        """The groups one query word names by itself: through an occupation's names,
        keywords or alternative labels, or the group's label or definition. An explanation
        says a word matched a slot's field of work only when the word names that field
        ("biltvättare" does not name "Butikssäljare, fackhandel", whatever else the query
        does). A group's long skill list is no naming: "truckförare" is among the skills of
        park work, which is no field of truck driving."""
        occ_best, _, lab_best, def_best, _, _ = self._term_matches(expansions)
        return {self.occ_group[o] for o in occ_best} | set(lab_best) | set(def_best)

    def _term_matches(
        self, expansions: tuple[Expansion, ...], own_word: bool = False
    ) -> _TermMatches:
        # The concepts one query word reaches depend only on its expansions (and whether the
        # word is one of its own): cache them, as the expansions themselves are cached.
        hit = self._term_cache.get((expansions, own_word))
        if hit is not None:
            return hit
        occ_best: dict[int, float] = {}
        hits: dict[int, set[str]] = {}
        lab_best: dict[int, float] = {}
        def_best: dict[int, float] = {}
        skl_best: dict[int, float] = {}
        head_hits: set[int] = set()
        # A completion names an occupation only when the typed word is no word of its own:
        # neither the vocabulary's nor one written Swedish uses ("infektion" is a field, not
        # a cut-short "infektionssjuksköterska"; "psyk" no more one of psykolog than of
        # psykiatriker).
        complete = own_word or any(e.kind in ("exact", "folded", "stem") for e in expansions)
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
        self._term_cache[(expansions, own_word)] = result
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
                term.expansions, _own_word(term)
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
            q,
            lexicon,
            lambda t: len(self.name_post.get(t, ())),
            2 * len(self.occupations),
            max_words=MAX_QUERY_WORDS,
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
