"""Occupation suggestions for a slot from its title and description.

When a host writes what the slot is, the form proposes the three most likely taxonomy
occupations. The ranking reads the host's words the way the search does (Swedish
normalisation, Snowball stems, inflection endings, compound parts: see :mod:`search.text`) and
compares them with what the taxonomy and JobTech say about each occupation:

- its names (both halves of an "A/B" label) and its *alternative labels*
  (`marketplace.reference.taxonomy.alternative_labels_by_occupation`: job titles, former names, the terms employers wrote in
  ads, keywords);
- its SSYK-4 group: the group's label, its definition and its skills, shared by the group's
  occupations.

The kinds of evidence, added up with the weights of :class:`Weights`:

1. **Naming.** The title contains one of the occupation's names or alternative labels whole
   ("Innesäljare – grundlön + provision" names Innesäljare; "Javautvecklare" names
   "utvecklare" by its head). A name that many occupations share ("Säljare") says less than
   one that only one has. A name in the description counts less.
   A name's head before its qualifier, as a word of its own, names it too, as weakly as the
   head is common among names ("Kvalitetsingenjör" names "Kvalitetsingenjör, maskin" and its
   siblings alike, "chef" next to nothing).
   A name in the few words after "som" or "söker" in the description ("Du arbetar som
   studiecoach", "Vi söker en lagerarbetare") is the role the ad introduces, and counts more
   than a name elsewhere in it. A text word shorter than the name's word names nothing even
   when the two share a Snowball stem: "matematik" is no form of Matematiker, "marknadsför"
   none of Marknadsförare.
   A compound's head names an occupation only when its modifier fits the occupation's field
   (or the taxonomy knows the modifier nowhere, or the description is about that field):
   "lokal" + "vårdare" names no carer. An abbreviation ("TAD") is never a compound's part.
   A word the taxonomy does not know that ends in a compound head of names (a head that
   follows known words in two or more of them, "inventerare") is that head after a free
   modifier: "lavinventerare" speaks for the inventorying occupations.
   A title's word the taxonomy knows in no form, of seven letters or more, is read as the one
   known word a letter's slip away ("Sjuksköterka", "Elektirker"): a misspelt headline
   suggested nothing.
   A head, a preposition and a field, in the title or the role phrase, are the field's
   compound when that compound is a name: "Personal till vårt lager" is "lagerpersonal" (a
   job title of warehouse work), not "personal" (one of a cashier's).
   An activity in the title names its agent when that is a name's last word ("Blästring" is
   the work of a "blästrare", "Städning" of a "städare": the verb stem before "-ing" or
   "-ning" and "-are"). The name of an occupation that JobTech replaced by several
   ("Blästrare", now Lackerare and Rostskyddsmålare) is a former name of each.
   In an English text (told by its function words; the description's sentences are read one
   by one for names, so an English sentence in a Swedish ad counts too) English function words
   are left out: "it" there is no IT work, "is" no ice.
2. **Words.** A BM25 score of the title's words and, apart, of the description's words against
   each occupation's names and alternative labels, compound parts included, so that
   "telefon" in the text speaks for Telefonförsäljare. In the title, a job title's modifier
   speaks for the modifier of its occupation's name with the same head, weaker: Städchef lists the job title
   "Lokalvårdschef", so "lokalvårdare" speaks for "städ" (a compound's modifier only: "chef"
   alone, the head of hundreds of names, is no kind of "industri" through "Chefdesigner").
   A word the taxonomy does not know
   that begins with an occupation's noun speaks for it ("lärarvikarie": a teacher).
3. **Field.** The same words against each SSYK-4 group's label, definition and skills: the
   description tells the field of work even when it names no occupation.
4. **Qualifiers.** What sets a name apart from its head ("telefon" in Telefonförsäljare,
   "butik" and "fackhandel" in "Butikssäljare, fackhandel"): the share of it the text names.
5. **Priors.** Placements are mostly entry-level work: an occupation that needs no education
   (``marketplace/reference/data/no_education_required.json``) gets a lift, and so does a broad one (many job
   titles). They count fully among the occupations the title speaks for, and in proportion
   to the evidence otherwise, so that they make no filler of a stray word. The occupation
   its SSYK group is named after ("Telefonförsäljare" of "Telefonförsäljare m.fl.") gets a
   lift among the candidates: SSYK names a group after its main occupation.

Nothing here names an occupation or an ad: the weights are per kind of evidence, tuned on half
of the real ads and measured on the other half in ``bench/suggest_occupations.py``.
"""

from __future__ import annotations

import heapq
import math
import re
import threading
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import anyio.to_thread

from marketplace.kernel.errors import ValidationFailed
from marketplace.reference import taxonomy
from marketplace.reference.places import place
from marketplace.reference.taxonomy_changes import replaced_ids
from search import disk_cache
from search.names import name_parts
from search.text import (
    PLACEMENT_WORDS,
    STOPWORDS,
    fold,
    hyphen_joins,
    inflection_bases,
    normalize,
    split_compound,
    stem,
)

__all__ = [
    "MAX_DESCRIPTION",
    "MAX_TITLE",
    "NO_SLOT_WORDS",
    "Suggestion",
    "SuggestionModel",
    "Weights",
    "group_namesake",
    "role_phrases",
    "suggest_for_slot",
    "suggestion_model",
    "suggestions_for",
]

MAX_TITLE = 200
MAX_DESCRIPTION = 5000


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each kind of evidence counts (tuned on half of the real ads, see the bench)."""

    # Document side: an occupation's own names above its alternative labels.
    name: float = 3.0
    alt: float = 1.0
    alt_keyword: float = 0.4
    part_head: float = 0.6  # the last part of a compound ("säljare" in "innesäljare")
    part_modifier: float = 0.4  # the other parts ("telefon" in "telefonförsäljare")
    exact_form: float = 0.4  # share of a word's weight on its own form (the rest on its stem)
    # The evidence kinds, each scaled to at most 1 per query before weighting.
    title: float = 3.0
    description: float = 2.0
    group: float = 0.3  # the group's score, times the title/description weights
    group_alt: float = 1.0  # an alternative label's weight in its group's text
    named_title: float = 2.0
    named_description: float = 0.5
    named_role: float = 1.0  # a name in the role the description introduces ("som X")
    entry_level: float = 0.3
    # A name's qualifiers that the text names ("telefon" for Telefonförsäljare).
    qualified: float = 0.25
    breadth: float = 1.0
    # The occupation its SSYK group is named after ("Telefonförsäljare m.fl."), among the
    # candidates.
    namesake: float = 0.4
    # A name given by a compound's head whose modifier fits another field ("lokalvårdare").
    head_off_field: float = 0.0
    # A job title's modifier speaks for its occupation's own ("lokalvård" for "städ").
    broader: float = 0.5
    # An occupation's noun before a head the taxonomy does not know ("lärarvikarie").
    unknown_head: float = 0.6
    # A name's head without its qualifier ("Kvalitetsingenjör" of "Kvalitetsingenjör, maskin"):
    # a name, shared by every occupation whose names hold the head, whole or as a compound's.
    name_head: float = 1.0
    # A head, a preposition and a field read as their compound when it is a name ("Personal
    # till lager" is "lagerpersonal"): a rule, on (1) or off (0), not a weight.
    paraphrase: float = 1.0
    # A name JobTech replaced by several occupations ("Blästrare" by Lackerare and
    # Rostskyddsmålare) is a former name of each: a rule, on (1) or off (0).
    split_former: float = 1.0
    # An activity in the title names its agent when that is a name ("Blästring" names
    # "Blästrare", "Städning" "Städare"): a rule, on (1) or off (0).
    agent: float = 1.0
    k1: float = 1.2
    b: float = 0.4


_SENTENCE = re.compile(r"[.!?\n|–—:;]+")
# Words that introduce the role an ad is about: "arbeta som X", "Som X kommer du",
# "Vi söker en X", "X söks". The few words after them are read for names.
_ROLE_CUES = frozenset({"som", "söker", "söks"})
_ROLE_WORDS = 4
# "Personal till lager" is "lagerpersonal": a head, one of these, and (within the next two
# words) what the compound would put before it.
_PARAPHRASE_PREPS = frozenset({"till", "inom", "på", "i", "för", "vid"})
_PARAPHRASE_REACH = 2
_JOINED = re.compile(r"\w[^\w\s]+\w")  # "Bo-coach", "A/B": words joined into one
_FOLDED_STOP = frozenset(fold(w) for w in STOPWORDS) | frozenset(fold(w) for w in PLACEMENT_WORDS)
# English function words (pronouns, articles, auxiliaries, prepositions, conjunctions and a
# few adverbs), written for this module. Some are Swedish or taxonomy words too ("it" is IT,
# "is" ice, "in"), so they are left out of English texts only: an English ad's "it" named IT
# work.
_ENGLISH_STOP = frozenset(
    (  # noqa: SIM905
        # pronouns and determiners
        "i me my mine myself we us our ours ourselves you your yours yourself yourselves "
        "he him his himself she her hers herself it its itself they them their theirs "
        "themselves this that these those a an the some any each every both either neither "
        "all few many much more most other another such own same no none "
        # questions and relatives
        "who whom whose which what when where why how "
        # auxiliaries
        "am is are was were be been being have has had having do does did doing can could "
        "will would shall should may might must "
        # prepositions
        "of at by for with without about against between among into onto through during "
        "before after above below to from up down in out on off over under within across "
        "along around near upon "
        # conjunctions and adverbs
        "and but or nor if because as until while than so too very not only just also then "
        "once here there again further now yet "
        # contractions' remains
        "s t don"
    ).split()
)
# What tells an English text: English function words that are no Swedish stopwords.
_ENGLISH_MARKS = _ENGLISH_STOP - STOPWORDS
_SWEDISH_MARKS = STOPWORDS - _ENGLISH_STOP
# JobTech's own "replaced by" links (the other methods of ``replaced_by.json`` are guesses).
_JOBTECH_REPLACED = "jobtech_replaced_by_via_deck"
_MIN_HEAD = 4  # letters of a compound's head found by its ending
_MIN_MODIFIER = 3
# Letters of a compound head read after a modifier the taxonomy does not know: shorter endings
# that names share are suffixes and fragments ("arier" of "arkivarier", "logen", "tiker").
_COMPOUND_HEAD = 6
# A title's word the taxonomy does not know, of at least this many letters, is read as the one
# known word a letter's slip away ("sjuksköterka"), when there is one.
_MIN_MISSPELT = 7
# An activity noun's endings after its verb stem, with the definite and plural forms
# ("städning", "städningen", "blästring", "lackeringar"): the longest first. Which stem takes
# which: `_activity_stem`.
_ACTIVITY_ENDINGS = ("ningarna", "ingarna", "ningar", "ningen", "ingar", "ingen", "ning", "ing")
_LETTERS = "abcdefghijklmnopqrstuvwxyzåäöéü"
_NONE: tuple[array[int], array[float]] = (array("I"), array("f"))
# Texts whose words are kept: a suggestion reads the title and the description several times,
# between them each sentence and role phrase of the description once.
_WORDS_CACHED = 256
_GROUPS_OPENED = 5  # per text, the groups all of whose occupations are candidates
_TITLED_GROUP = 0.5  # a group this close to the title's best group counts as named by it
# The description's field (relative to its best group) that lets an off-field head name.
_OFF_FIELD_SUPPORT = 0.5
# At most this many job titles of a name with the name's head: their modifiers are kinds of
# the name's (a broad occupation lists dozens, which are no kinds of one another).
_BROADER_MAX = 2


# A key's documents and its weight in each.
_Posting = tuple["array[int]", "array[float]"]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One suggested occupation, with the host's own words that speak for it."""

    id: str
    label: str
    ssyk: str
    group_label: str
    score: float
    words: tuple[str, ...]


def _words(text: str) -> list[str]:
    """Content words of ``text``, normalised, in order (stopwords and numbers left out).

    Words keep their å ä ö: folding would make "Halmstad" end in "städ".
    """
    out = []
    for w in [*normalize(text).split(), *hyphen_joins(text)]:
        if fold(w) in _FOLDED_STOP or w.isdigit() or len(w) < 2:
            continue
        out.append(w)
    return out


class SuggestionModel:
    """Postings from word keys to occupations and SSYK-4 groups, built once per process."""

    def __init__(self, weights: Weights | None = None) -> None:
        self.weights = w = weights or Weights()
        occs = sorted(taxonomy.occupations().values(), key=lambda o: o.id)
        groups = taxonomy.groups()
        skill_labels = taxonomy.skills()
        alts = taxonomy.alternative_labels_by_occupation()
        if w.split_former > 0:
            alts = _with_split_former_names(alts)
        self.occupations = occs
        self.group_label = {g.id: g.label for g in groups.values()}
        entry = taxonomy.no_education_required()
        self.entry_level = [o.id in entry for o in occs]
        # How many job titles and ad terms JobTech files under an occupation: broad, common
        # occupations have many ("Butikssäljare, fackhandel"), rare specialities few.
        counts = [
            sum(1 for _, kind in alts.get(o.id, ()) if kind in ("job_title", "ad_term_2019"))
            for o in occs
        ]
        top = math.log(1 + max(counts, default=0)) or 1.0
        self.breadth = [math.log(1 + c) / top for c in counts]

        # The last words of names and alternative labels: what a compound may end in.
        heads: set[str] = set()
        known: set[str] = set()
        for o in occs:
            for text in (*o.names, *(t for t, _ in alts.get(o.id, ()))):
                words = _words(text.split(",")[0].split("(")[0])
                known.update(_words(text))
                if words:
                    heads.add(words[-1])
        for g in groups.values():
            known.update(_words(g.label))
            known.update(_words(g.definition))
        for label in skill_labels.values():
            known.update(_words(label))
        # Abbreviations ("TAD", "CIO") are whole words, never parts of a compound: "tad" in
        # "nystartad" is no Third assistant director.
        self._abbreviations = _abbreviations(
            text for o in occs for text in (*o.names, *(t for t, _ in alts.get(o.id, ())))
        ) - _lower_words(
            [g.label for g in groups.values()]
            + [g.definition for g in groups.values()]
            + list(skill_labels.values())
        )
        self._heads = {h for h in heads if len(h) >= _MIN_HEAD and h not in self._abbreviations}
        self._endings = _shared_endings(self._heads) | self._heads
        self._head_stems = frozenset(stem(h) for h in self._heads)
        self._known = known
        self._known_stems = {stem(k) for k in self._known}
        # Before any compound head is known: :meth:`_parts` reads it.
        self._compound_heads: frozenset[str] = frozenset()
        self._compound_heads = self._compound_endings()
        self._keys_cache: dict[str, tuple[tuple[str, float], ...]] = {}
        self._words_cache: dict[tuple[str, bool], tuple[str, ...]] = {}
        self._head_cache: dict[str, int] = {}
        self._mods_cache: dict[str, frozenset[str]] = {}
        self._spell_cache: dict[str, str] = {}
        self._agent_cache: dict[str, str] = {}
        self._broader = self._broader_modifiers(occs, alts)

        # What qualifies each name of an occupation beyond its head: "telefon" in
        # "Telefonförsäljare", "butik" and "fackhandel" in "Butikssäljare, fackhandel".
        self.qualifiers: list[list[frozenset[str]]] = [
            [self._qualifier_keys(name) for name in o.names] for o in occs
        ]
        docs: list[dict[str, float]] = []
        name_sets: list[tuple[frozenset[str], int, float]] = []
        head_sets: set[tuple[frozenset[str], int]] = set()
        for i, o in enumerate(occs):
            doc: dict[str, float] = {}
            for name in o.names:
                self._add_text(doc, name, w.name)
                name_sets.append((self._name_keys(name), i, 1.0))
                # "Kvalitetsingenjör" alone names "Kvalitetsingenjör, maskin" and its siblings.
                head = _name_head(name)
                if head and not self._is_noun(head):
                    head = None  # "Data scientist", "HR-chef": the head is no noun there
                if head and w.name_head > 0:
                    head_sets.add((self._name_keys(head), i))
            for text, kind in alts.get(o.id, ()):
                self._add_text(doc, text, w.alt_keyword if kind == "keyword" else w.alt)
                if kind != "keyword":
                    name_sets.append((self._name_keys(text), i, 0.8))
            docs.append(doc)
        # A name's head names it only as a word of its own: "kundtjänstmedarbetare" has the
        # head "medarbetare" but is no "Medarbetare, dagligvaror".
        self._head_only = frozenset(head_sets - {(keys, i) for keys, i, _ in name_sets})
        name_sets += [(keys, i, w.name_head) for keys, i in self._head_only]
        self._occ_post, self._occ_len = _postings(docs)
        self._occ_keys = [frozenset(doc) for doc in docs]
        self._occ_avg = sum(self._occ_len) / max(len(self._occ_len), 1)

        # Per name, the shortest of its words behind each key: a shorter word of a text that
        # shares the stem is no form of it ("matematik" and "matematiker").
        self._name_len: dict[frozenset[str], dict[str, int]] = {}
        for keys, _, _ in name_sets:
            self._name_len.setdefault(keys, {})
        for o in occs:
            texts = [*o.names, *(t for t, k in alts.get(o.id, ()) if k != "keyword")]
            texts += [h for h in map(_name_head, o.names) if h]
            for text in texts:
                words = _words(text)
                lens = self._name_len.get(frozenset(self._keys(wd)[0][0] for wd in words))
                if lens is None:
                    continue
                for wd in words:
                    key = self._keys(wd)[0][0]
                    lens[key] = min(lens.get(key, len(wd)), len(wd))
        # A name shared by many occupations names none of them well.
        sharing: dict[frozenset[str], set[int]] = {}
        for keys, i, _ in name_sets:
            if keys:
                sharing.setdefault(keys, set()).add(i)
        n = len(occs)
        self._names: dict[str, list[tuple[frozenset[str], int, float]]] = {}
        best: dict[tuple[frozenset[str], int], float] = {}
        for keys, i, weight in name_sets:
            if keys and best.get((keys, i), 0.0) < weight:
                best[(keys, i)] = weight
        for (keys, i), weight in best.items():
            shared = len(sharing[keys])
            if (keys, i) in self._head_only:
                # A head that many names hold, whole or as a compound's part ("chef"), names
                # no one of them.
                shared = max(shared, min(len(self._occ_post.get(k, _NONE)[0]) for k in keys))
            specific = math.log(1 + n / shared) / math.log(1 + n)
            anchor = max(keys, key=lambda k: (len(k), k))
            self._names.setdefault(anchor, []).append((keys, i, weight * specific))

        group_ids = sorted(groups)
        group_pos = {g: j for j, g in enumerate(group_ids)}
        self.occ_group = [group_pos.get(o.group_id, -1) for o in occs]
        self.group_occs: list[list[int]] = [[] for _ in group_ids]
        for i, j in enumerate(self.occ_group):
            if j >= 0:
                self.group_occs[j].append(i)
        gdocs: list[dict[str, float]] = []
        for gid in group_ids:
            g = groups[gid]
            gdoc: dict[str, float] = {}
            self._add_text(gdoc, g.label, 2.0)
            body = g.definition.split("Hit hör inte")[0]
            for k, sentence in enumerate(s for s in body.split(". ") if s.strip()):
                self._add_text(gdoc, sentence, 1.5 if k == 0 else 0.6)
            for s in g.skill_ids:
                self._add_text(gdoc, skill_labels.get(s, ""), 0.3)
            gdocs.append(gdoc)
        for i, o in enumerate(occs):
            j = self.occ_group[i]
            if j >= 0:
                for name in o.names:
                    self._add_text(gdocs[j], name, 1.0)
                for text, kind in alts.get(o.id, ()):
                    if kind != "keyword":
                        self._add_text(gdocs[j], text, w.group_alt)
        self._grp_post, self._grp_len = _postings(gdocs)
        self._grp_keys = [frozenset(doc) for doc in gdocs]
        self._field_keys = frozenset(self._occ_post) | frozenset(self._grp_post)
        # SSYK names a group after its main occupation: "Telefonförsäljare m.fl.",
        # "Företagssäljare".
        self.namesake = [False] * len(occs)
        for j, gid in enumerate(group_ids):
            named = _stems(group_namesake(groups[gid].label))
            for i in self.group_occs[j]:
                self.namesake[i] = any(_stems(name) == named for name in occs[i].names)
        self._grp_avg = sum(self._grp_len) / max(len(self._grp_len), 1)
        # What only the build needed: queries fill the word cache again with their own words.
        self._keys_cache.clear()

    def _is_noun(self, text: str) -> bool:
        """Whether ``text`` ends in a word that ends names, itself or as a compound's head:
        "kvalitetsingenjör" does, the "data" of "Data scientist" and the "hr" of "HR-chef"
        (``name_parts`` reads a first word as the head) do not."""
        words = _words(text)
        if not words:
            return False
        last = words[-1]
        parts = self._parts(last)
        return last in self._endings or bool(parts and parts[-1] in self._endings)

    def _broader_modifiers(
        self, occs: Sequence[taxonomy.Occupation], alts: dict[str, tuple[tuple[str, str], ...]]
    ) -> dict[str, frozenset[str]]:
        """What a job title's modifier is a kind of: the modifier of the occupation's own name
        with the same head. "Städchef" lists the job title "Lokalvårdschef", so "lokalvård" is
        a kind of "städ", and "lokalvårdare" speaks for "städare"."""
        out: dict[str, set[str]] = {}
        for o in occs:
            for name in o.names:
                words = _words(name.split(",")[0].split("(")[0])
                if len(words) != 1:
                    continue
                parts = self._parts(words[0])
                if not parts or len(parts) != 2:
                    continue
                head = parts[1]
                general = stem(parts[0])
                kinds: set[str] = set()
                for text, kind in alts.get(o.id, ()):
                    if kind != "job_title":
                        continue
                    alt = _words(text.split(",")[0].split("(")[0])
                    if len(alt) != 1 or not alt[0].endswith(head) or alt[0] == words[0]:
                        continue
                    mod = alt[0][: -len(head)]
                    if mod.endswith("s") and len(mod) > _MIN_MODIFIER:
                        mod = mod[:-1]
                    if len(mod) >= _MIN_MODIFIER and fold(mod) not in _FOLDED_STOP:
                        kinds.add(stem(mod))
                kinds.discard(general)
                if 1 <= len(kinds) <= _BROADER_MAX:
                    for k in kinds:
                        out.setdefault(k, set()).add(general)
        return {k: frozenset(v) for k, v in out.items()}

    # --- words to keys ----------------------------------------------------------------------

    def _splits_into(self, part: str) -> bool:
        # "jobb" in "lagerjobb" is a part, though it says nothing of the work itself.
        if part in self._abbreviations:
            return False
        return part in self._known or part in PLACEMENT_WORDS

    def _parts(self, folded: str) -> list[str] | None:
        """A compound's parts: known words, or a known head after any modifier."""
        if len(folded) < _MIN_MODIFIER + _MIN_HEAD:
            return None
        parts = split_compound(folded, self._splits_into)
        if parts:
            return parts
        # The head may be a compound's ending that never stands alone ("försäljare" in
        # "telefonförsäljare"). A cut whose modifier is a known word wins, then one whose
        # head is a word, then a head that ends names, then the more even cut; without a
        # known modifier, the longest head that ends names.
        best: tuple[tuple[bool, bool, bool, int], list[str]] | None = None
        for cut in range(_MIN_MODIFIER, len(folded) - _MIN_HEAD + 1):
            head = folded[cut:]
            if head not in self._endings:
                continue
            mod = folded[:cut]
            if mod.endswith("s") and len(mod) > _MIN_MODIFIER and mod[:-1] in self._known:
                mod = mod[:-1]  # the linking s
            if mod in self._known:
                rank = (True, head in self._known, head in self._heads, min(len(mod), len(head)))
            elif head in self._heads:
                rank = (False, False, False, 0)  # the first such cut: the longest head
            else:
                continue
            if best is None or rank > best[0]:
                best = (rank, [mod, head])
        if best is None and self._compound_heads:
            # A modifier the taxonomy does not know before a compound head that follows known
            # words in names: "lav" + "inventerare" as "fornminnes" + "inventerare".
            for cut in range(_MIN_MODIFIER, len(folded) - _COMPOUND_HEAD + 1):
                if folded[cut:] in self._compound_heads:
                    return [folded[:cut], folded[cut:]]
        return best[1] if best else None

    def _compound_endings(self) -> frozenset[str]:
        """Shared endings ("inventerare") that follow a known word in two or more names and
        job titles ("fornminnes" + "inventerare", "avlopps" + "inventerare"): the heads of
        compounds, where a modifier the taxonomy does not know may stand before them."""
        counts: dict[str, int] = {}
        for h in self._heads:
            for cut in range(_MIN_MODIFIER, len(h) - _COMPOUND_HEAD + 1):
                mod = h[:cut]
                if mod in self._known or (mod.endswith("s") and mod[:-1] in self._known):
                    counts[h[cut:]] = counts.get(h[cut:], 0) + 1
        return frozenset(e for e, n in counts.items() if n >= 2 and e in self._endings)

    def _keys(self, folded: str) -> tuple[tuple[str, float], ...]:
        """The keys a word stands for: its stem, and its compound parts (weaker)."""
        hit = self._keys_cache.get(folded)
        if hit is not None:
            return hit
        w = self.weights
        own = stem(folded)
        if own not in self._known_stems:
            # Snowball leaves some inflected forms apart from their base ("lagret").
            for base in inflection_bases(folded):
                if base in self._known:
                    own = stem(base)
                    break
        # The stem joins a word's forms; the word's own form counts on top, so that a form
        # shared only through the stem ("lagar" and "lager") counts less than the word itself.
        out = [(own, 1.0 - w.exact_form)]
        if w.exact_form > 0:
            out.append(("=" + folded, w.exact_form))
        parts = self._parts(folded)
        if parts:
            for n, part in enumerate(parts):
                if fold(part) in _FOLDED_STOP:
                    continue
                out.append((stem(part), w.part_head if n == len(parts) - 1 else w.part_modifier))
        elif w.unknown_head > 0 and own not in self._known_stems:
            # A compound whose head the taxonomy does not know, after an occupation's noun:
            # "lärarvikarie" is a teacher's substitute, so the teacher is the work.
            lead = self._leading_occupation(folded)
            if lead:
                out.append((stem(lead), w.unknown_head))
        result = tuple(out)
        if len(self._keys_cache) > 100_000:
            self._keys_cache.clear()
        self._keys_cache[folded] = result
        return result

    def _agent(self, folded: str) -> str | None:
        """The agent of an activity noun, when the taxonomy knows it: "blästring" (the verb
        stem "blästr" and "-ing") is the work of a "blästrare", "städning" of a "städare",
        "lackeringen" of a "lackerare". A compound's head counts ("fasadblästring"). The
        agent must be a word that names end in, so that a word whose "-are" form is no name
        ("tidning", "parkering") has none."""
        hit = self._agent_cache.get(folded)
        if hit is not None:
            return hit or None
        parts = self._parts(folded)
        out = next(
            (
                word[: -len(ending)] + "are"
                for word in (folded, parts[-1] if parts else "")
                for ending in _ACTIVITY_ENDINGS
                if word.endswith(ending)
                and len(word) - len(ending) >= _MIN_MODIFIER
                and _activity_stem(word[: -len(ending)], ending)
                and word[: -len(ending)] + "are" in self._heads
            ),
            "",
        )
        if len(self._agent_cache) > 100_000:
            self._agent_cache.clear()
        self._agent_cache[folded] = out
        return out or None

    def _leading_occupation(self, folded: str) -> str | None:
        """The longest start of an unknown word that is an occupation's noun (a word that
        names end in), before at least three more letters: "lärar(e)" in "lärarvikarie"."""
        for cut in range(len(folded) - _MIN_MODIFIER, _MIN_HEAD - 1, -1):
            lead = folded[:cut]
            for word in (lead, lead + "e", lead + "a", lead[:-1] if lead.endswith("s") else ""):
                if len(word) >= _MIN_HEAD and word in self._heads and word in self._known:
                    return word
        return None

    def _head_len(self, folded: str) -> int:
        """The length of a word's compound head (of the word itself when it does not split)."""
        hit = self._head_cache.get(folded)
        if hit is None:
            parts = self._parts(folded)
            hit = len(parts[-1]) if parts else len(folded)
            if len(self._head_cache) > 100_000:
                self._head_cache.clear()
            self._head_cache[folded] = hit
        return hit

    def _add_text(self, doc: dict[str, float], text: str, weight: float) -> None:
        for word in _words(text):
            for key, part in self._keys(word):
                doc[key] = doc.get(key, 0.0) + weight * part

    def _qualifier_keys(self, name: str) -> frozenset[str]:
        head, rest = name_parts(name)
        keys: set[str] = set()
        for word in head:
            parts = self._parts(word)
            if parts:
                keys.update(stem(p) for p in parts[:-1] if fold(p) not in _FOLDED_STOP)
        keys.update(self._keys(word)[0][0] for word in rest if fold(word) not in _FOLDED_STOP)
        return frozenset(keys)

    def _text_keys(self, text: str) -> set[str]:
        return {k for word in self._text_words(text) for k, _ in self._keys(word)}

    def _name_keys(self, text: str) -> frozenset[str]:
        return frozenset(self._keys(wd)[0][0] for wd in _words(text))

    # --- querying ---------------------------------------------------------------------------

    def _text_words(self, text: str, spelt: bool = False) -> tuple[str, ...]:
        """The words of a host's text, without place names ("Säljare till Halmstad").

        One suggestion reads the title, the description and both together several times
        (words, names, qualifiers): the last few texts' words are kept. With ``spelt`` (the
        title), a word the taxonomy does not know is read as the known word it misspells.
        """
        hit = self._words_cache.get((text, spelt))
        if hit is not None:
            return hit
        raw = _words(text)
        words = tuple(w for w in raw if w in self._known or place(w) is None)
        # English function words are a good share of an English text's words; a Swedish
        # text's stray "by" or "all" is not worth reading it again.
        marks = sum(1 for w in raw if w in _ENGLISH_MARKS)
        if marks >= 2 and 20 * marks >= len(raw) and _is_english(text):
            words = tuple(w for w in words if w not in _ENGLISH_STOP)
        if spelt:
            words = tuple(self._spelled(w) for w in words)
        if len(self._words_cache) >= _WORDS_CACHED:
            self._words_cache.clear()
        self._words_cache[(text, spelt)] = words
        return words

    def _spelled(self, word: str) -> str:
        """The known word that ``word`` misspells by one letter (left out, added, changed, or
        two swapped: "sjuksköterka", "elektirker"), when the taxonomy does not know ``word``
        in any form and exactly one known word (by its stem) is that close; else ``word``."""
        hit = self._spell_cache.get(word)
        if hit is not None:
            return hit
        out = word
        if (
            len(word) >= _MIN_MISSPELT
            and word not in self._known
            and stem(word) not in self._known_stems
            and not any(b in self._known for b in inflection_bases(word))
            and self._parts(word) is None
            and self._leading_occupation(word) is None
        ):
            found = {c for c in _one_letter_off(word) if c in self._known}
            if len({stem(c) for c in found}) == 1:
                out = min(found)
        if len(self._spell_cache) > 100_000:
            self._spell_cache.clear()
        self._spell_cache[word] = out
        return out

    def _query(self, text: str, kinds_of: bool = False) -> tuple[dict[str, float], dict[str, str]]:
        """The text's keys and their weights, and the word behind each key. With ``kinds_of``
        (the title), a job title's modifier speaks for its occupation's own too, and a
        misspelt word for the word it misspells."""
        counts: dict[str, float] = {}
        shown: dict[str, str] = {}
        broader = self.weights.broader if kinds_of else 0.0
        words = self._text_words(text, spelt=kinds_of)
        for word in words:
            for key, part in self._keys(word):
                counts[key] = counts.get(key, 0.0) + part
                shown.setdefault(key, word)
        query = {k: min(tf, 1.0 + math.log(tf)) for k, tf in counts.items()}
        if broader > 0:
            # Added after the damping, which would turn a weight under 0.37 negative.
            for word in words:
                keys = self._keys(word)
                # A noun that names end in is a head, not a kind, unless it is a compound with
                # a modifier: "chef" alone is no kind of "industri" though "Chefdesigner" is a
                # job title of Industridesigner.
                if keys[0][0] in self._head_stems and not any(
                    not k.startswith("=") for k, _ in keys[1:]
                ):
                    continue
                for key, part in keys:
                    for general in self._broader.get(key, ()):
                        query[general] = max(query.get(general, 0.0), broader * part)
                        shown.setdefault(general, word)
        return query, shown

    def _paraphrases(self, text: str) -> tuple[tuple[str, str], ...]:
        """The compounds a phrase paraphrases, with the head each replaces: "Personal till vårt
        lager" is "lagerpersonal", "Lärare i matematik" "matematiklärare". A head, a
        preposition, and one of the next two words before the head, as one word (with a
        linking s, or a dropped final e or a), when that word is a name of the taxonomy's."""
        out: list[tuple[str, str]] = []
        tokens = normalize(text).split()
        if not any(t in _PARAPHRASE_PREPS for t in tokens[1:]):
            return ()
        # Whether each word stands alone: the "coach" of "Bo-coach" is no head.
        alone = [True] * len(tokens)
        if _JOINED.search(text):
            spelt = [normalize(raw).split() for raw in text.split()]
            tokens = [word for parts in spelt for word in parts]
            alone = [len(parts) == 1 for parts in spelt for _ in parts]
        for n, prep in enumerate(tokens):
            if prep not in _PARAPHRASE_PREPS or n == 0 or not alone[n - 1]:
                continue
            head = tokens[n - 1]
            if fold(head) in _FOLDED_STOP or len(head) < _MIN_HEAD:
                continue
            for word in tokens[n + 1 : n + 1 + _PARAPHRASE_REACH]:
                if len(word) < _MIN_MODIFIER or not word.isalpha() or fold(word) in _FOLDED_STOP:
                    continue
                # The word and its base forms ("köket" → "kök").
                forms = [
                    f for f in dict.fromkeys([word, *inflection_bases(word)]) if f in self._known
                ]
                found = [
                    j + head
                    for f in forms
                    for j in (f, f + "s", *([f[:-1]] if f[-1] in "ae" else []))
                    if j + head in self._known and self._keys(j + head)[0][0] in self._names
                ]
                if found:
                    out.append((head, found[0]))
                    break
        return tuple(out)

    def _named(
        self,
        text: str,
        off_field: set[int] | None = None,
        spelt: bool = False,
        paraphrase: bool = False,
    ) -> dict[int, float]:
        """Occupations whose name or alternative label stands whole in ``text``.

        Those named only by a compound's head whose modifier fits another field are added to
        ``off_field`` (see :meth:`_fits`).
        """
        # Per key, the longest word of the text behind it (a compound's head by itself).
        longest: dict[str, int] = {}
        whole: set[str] = set()
        # A key that only a compound's head gives, and the modifiers it came with.
        modifiers: dict[str, set[str]] = {}
        words = self._text_words(text, spelt)
        if spelt and self.weights.agent > 0:
            # "Blästring" in a headline is the work of a "blästrare".
            agents = tuple(dict.fromkeys(a for a in map(self._agent, words) if a))
            words += tuple(a for a in agents if a not in words)
        if paraphrase and self.weights.paraphrase > 0:
            # "Personal till lager" is "lagerpersonal", not "personal" (a cashier's job title).
            pairs = self._paraphrases(text)
            if pairs:
                heads = {h for h, _ in pairs}
                words = tuple(w for w in words if w not in heads) + tuple(c for _, c in pairs)
        for word in words:
            # The word itself and its head name it; a modifier does not ("modell" in
            # "modellansvarig" names no model).
            own = self._keys(word)
            key = own[0][0]
            whole.add(key)
            longest[key] = max(longest.get(key, 0), len(word))
            if len(own) > 1:
                key = own[-1][0]
                longest[key] = max(longest.get(key, 0), self._head_len(word))
                if len(own) > 2:
                    mods = self._modifiers(word, own)
                    if mods:
                        modifiers.setdefault(key, set()).update(mods)
        keys = longest.keys()
        out: dict[int, float] = {}
        for key in keys:
            for name_keys, occ, weight in self._names.get(key, ()):
                if name_keys <= keys and _whole_words(self._name_len[name_keys], longest):
                    if (name_keys, occ) in self._head_only and not name_keys <= whole:
                        continue
                    s = weight * (1.0 + 0.25 * (len(name_keys) - 1))
                    if (
                        off_field is not None
                        and modifiers
                        and not self._fits(occ, name_keys - whole, modifiers)
                    ):
                        off_field.add(occ)
                    if out.get(occ, 0.0) < s:
                        out[occ] = s
        return out

    def _modifiers(self, word: str, own: tuple[tuple[str, float], ...]) -> frozenset[str]:
        """The keys of a compound's modifiers (its parts before the head), kept per word."""
        hit = self._mods_cache.get(word)
        if hit is None:
            hit = frozenset(k for k, _ in own[1:-1] if not k.startswith("="))
            if len(self._mods_cache) > 100_000:
                self._mods_cache.clear()
            self._mods_cache[word] = hit
        return hit

    def _fits(
        self, occ: int, heads: set[str] | frozenset[str], modifiers: dict[str, set[str]]
    ) -> bool:
        """Whether the modifiers of the compounds whose heads name ``occ`` fit its field.

        "Javautvecklare" names a developer: "java" is in the developers' texts. A modifier
        the taxonomy's texts hold, but not the occupation's nor its group's, makes another
        compound of the head ("lokal" + "vårdare" is no carer): the head names nothing then.
        A modifier no text holds is a free specialisation and fits.
        """
        g = self.occ_group[occ]
        own = self._occ_keys[occ]
        group = self._grp_keys[g] if g >= 0 else frozenset()
        for head in heads:
            known = [m for m in modifiers.get(head, ()) if m in self._field_keys]
            if known and not any(m in own or m in group for m in known):
                return False
        return True

    def _bm25(
        self,
        query: dict[str, float],
        post: dict[str, _Posting],
        lengths: list[float],
        avg: float,
    ) -> dict[int, float]:
        """BM25 per document, as a share of what a document matching every word would get."""
        w = self.weights
        n = len(lengths)
        scores: dict[int, float] = {}
        ideal = 0.0
        for key, qw in query.items():
            found = post.get(key)
            if not found:
                continue
            ids, tfs = found
            idf = math.log(1 + (n - len(ids) + 0.5) / (len(ids) + 0.5))
            ideal += qw * idf * (w.k1 + 1)
            for d, tf in zip(ids, tfs, strict=True):
                norm = 1 - w.b + w.b * lengths[d] / avg
                scores[d] = scores.get(d, 0.0) + qw * idf * tf * (w.k1 + 1) / (tf + w.k1 * norm)
        return {d: min(1.0, v / ideal) for d, v in scores.items()} if ideal else {}

    def components(self, title: str, description: str = "") -> dict[str, dict[int, float]]:
        """Each kind of evidence, per occupation (groups for ``*_group``), scaled to ≤ 1."""
        out: dict[str, dict[int, float]] = {}
        for name, text in (("title", title), ("description", description)):
            query, _ = self._query(text, kinds_of=name == "title")
            out[name] = self._bm25(query, self._occ_post, self._occ_len, self._occ_avg)
            grp = self._bm25(query, self._grp_post, self._grp_len, self._grp_avg)
            if name == "description":
                # A long text matches a small share of any group's words: what tells the
                # field is how close each group comes to the best one.
                grp = _relative(grp)
            out[name + "_group"] = grp
        off_field: set[int] = set()
        out["named_title"] = self._named(title, off_field, spelt=True, paraphrase=True)
        named: dict[int, float] = {}
        for sentence in _SENTENCE.split(description):
            for o, s in self._named(sentence, off_field).items():
                named[o] = named.get(o, 0.0) + s
        out["named_description"] = {o: min(s, 3.0) / 3.0 for o, s in named.items()}
        role: dict[int, float] = {}
        for phrase in role_phrases(description):
            for o, s in self._named(phrase, off_field, paraphrase=True).items():
                role[o] = max(role.get(o, 0.0), s)
        out["named_role"] = role
        # A head whose modifier fits another field names the occupation only when the
        # description puts it in a field of its own ("lokalvårdare" names no carer unless the
        # text is about care).
        dg = out["description_group"]
        off = self.weights.head_off_field
        for o in off_field:
            if dg.get(self.occ_group[o], 0.0) < _OFF_FIELD_SUPPORT:
                for key in ("named_title", "named_description", "named_role"):
                    if o in out[key]:
                        out[key][o] *= off
        candidates = set(out["title"]) | set(out["description"]) | set(out["named_title"])
        candidates |= set(out["named_description"]) | set(role)
        # Every occupation of the best-matching groups, even one that no word names: the
        # field is clear, and the group's broadest occupation may be the one meant.
        for key in ("title_group", "description_group"):
            grp = out[key]
            for g in heapq.nlargest(_GROUPS_OPENED, grp, key=grp.__getitem__):
                candidates.update(self.group_occs[g])
        keys = self._text_keys(f"{title}\n{description}")
        out["qualified"] = {o: self._qualified(o, keys) for o in candidates}
        return out

    def _qualified(self, o: int, text_keys: set[str]) -> float:
        """The largest share of a name's qualifiers that the text names (1 with none)."""
        return max(
            (
                sum(1 for k in q if k in text_keys) / len(q) if q else 1.0
                for q in self.qualifiers[o]
            ),
            default=1.0,
        )

    def rank(self, title: str, description: str = "") -> list[tuple[int, float]]:
        """Every occupation with any evidence, best first, as (index, score)."""
        return self.rank_components(self.components(title, description))

    def rank_components(self, c: dict[str, dict[int, float]]) -> list[tuple[int, float]]:
        """Rank from :meth:`components` with the current weights (tuning reuses them)."""
        w = self.weights
        scores: dict[int, float] = {}
        for o, qualified in c["qualified"].items():
            g = self.occ_group[o]
            s = w.title * c["title"].get(o, 0.0) + w.description * c["description"].get(o, 0.0)
            if g >= 0:
                s += w.group * (
                    w.title * c["title_group"].get(g, 0.0)
                    + w.description * c["description_group"].get(g, 0.0)
                )
            s += w.named_title * c["named_title"].get(o, 0.0)
            s += w.named_description * c["named_description"].get(o, 0.0)
            s += w.named_role * c["named_role"].get(o, 0.0)
            s += w.qualified * qualified
            scores[o] = s
        # The priors order what the text speaks for. Among the occupations the title speaks for
        # ("Säljare" names a dozen) they count fully; otherwise in proportion to how well the
        # text speaks for the occupation against the best one, so that they make no filler of
        # an occupation one stray word of the description touches.
        top = max(scores.values(), default=0.0)
        # The title speaks for an occupation by its words, or by its group's: "developer"
        # names no Swedish occupation but JobTech's job titles put it in a field.
        titled = c["title"].keys() | c["named_title"].keys()
        tg = c["title_group"]
        near = _TITLED_GROUP * max(tg.values(), default=0.0)
        titled |= {o for o in c["qualified"] if tg.get(self.occ_group[o], 0.0) >= near > 0}
        for o, s in scores.items():
            prior = w.breadth * self.breadth[o] + (w.entry_level if self.entry_level[o] else 0.0)
            if self.namesake[o]:
                s += w.namesake
            scores[o] = s + prior * (1.0 if o in titled else s / top)
        return sorted(scores.items(), key=lambda kv: (-kv[1], self.occupations[kv[0]].label))

    def suggest(self, title: str, description: str = "", limit: int = 3) -> list[Suggestion]:
        """The ``limit`` most likely occupations for a slot's title and description."""
        query, shown = self._query(f"{title}\n{description}")
        kinds, kinds_shown = self._query(title, kinds_of=True)
        for key, word in kinds_shown.items():
            if key not in query:
                query[key] = kinds[key]
                shown[key] = word
        out: list[Suggestion] = []
        for o, s in self.rank(title, description)[:limit]:
            occ = self.occupations[o]
            words = tuple(
                dict.fromkeys(shown[k] for k in query if o in self._occ_post.get(k, _NONE)[0])
            )
            out.append(
                Suggestion(
                    id=occ.id,
                    label=occ.label,
                    ssyk=occ.ssyk,
                    group_label=self.group_label.get(occ.group_id, ""),
                    score=round(s, 4),
                    words=words[:5],
                )
            )
        return out


def _activity_stem(root: str, ending: str) -> bool:
    """Whether ``root`` is the verb stem Swedish writes before ``ending``: "-ning" after a stem
    that does not end in n ("städ-ning", "svets-ning"), "-ing" after an r, an l or an n
    ("blästr-ing", "lacker-ing", "utveckl-ing", "teckn-ing"). English gerunds mostly fall
    outside: "plan-ning", "match-ing"."""
    if ending.startswith("n"):
        return not root.endswith("n")
    return root.endswith(("r", "l", "n"))


def _with_split_former_names(
    alts: dict[str, tuple[tuple[str, str], ...]],
) -> dict[str, tuple[tuple[str, str], ...]]:
    """The alternative labels, with the name of each occupation that JobTech replaced by
    several as a former name of every one of them.

    The packaged labels hold the former names of occupations replaced by one ("Eventsäljare"
    of Eventförsäljare); a name split into several ("Blästrare" into Lackerare and
    Rostskyddsmålare) is still what hosts write for the work of each.
    """
    out = {k: list(v) for k, v in alts.items()}
    for old in replaced_ids().values():
        candidates = old.get("candidates")
        label = old.get("label")
        if old.get("method") != _JOBTECH_REPLACED or not isinstance(label, str):
            continue
        if not isinstance(candidates, list) or len(candidates) < 2:
            continue
        for cand in candidates:
            own = out.setdefault(str(cand["id"]), [])
            if all(text.lower() != label.lower() for text, _ in own):
                own.append((label, "former_label"))
    return {k: tuple(v) for k, v in out.items()}


def role_phrases(text: str) -> list[str]:
    """The few words after each word that introduces a role ("som", "söker", "söks"), sentence
    by sentence: "Du arbetar som studiecoach i matematik" gives "studiecoach i matematik"."""
    out = []
    for sentence in _SENTENCE.split(text):
        words = normalize(sentence).split()
        for n, word in enumerate(words):
            if word in _ROLE_CUES and n + 1 < len(words):
                out.append(" ".join(words[n + 1 : n + 1 + _ROLE_WORDS]))
    return out


def _whole_words(name_lengths: dict[str, int], text_lengths: dict[str, int]) -> bool:
    """Whether the text's word behind each of a name's keys is no shorter than the name's word
    (one letter less allowed): a shorter word shares the stem but is another word."""
    return all(text_lengths.get(k, 0) >= n - 1 for k, n in name_lengths.items())


def _name_head(name: str) -> str | None:
    """The head of a name that a qualifier follows ("Kvalitetsingenjör" of "Kvalitetsingenjör,
    maskin", "Maskinoperatör" of "Maskinoperatör spannmål"), or None when the name has no
    qualifier."""
    head, rest = name_parts(name)
    return " ".join(head) if head and rest else None


def group_namesake(label: str) -> str:
    """The occupation name an SSYK group's label begins with: its first name, before any
    comma and without "m.fl." ("Telefonförsäljare m.fl." → "Telefonförsäljare")."""
    head = label.split(",")[0].strip()
    return re.sub(r"\s+m\.\s*fl\.?$", "", head).strip()


def _stems(name: str) -> frozenset[str]:
    return frozenset(stem(word) for word in _words(name))


_TOKEN = re.compile(r"[^\W\d_]+")


def _abbreviations(texts: Iterable[str]) -> set[str]:
    """Words that ``texts`` only ever write in capitals ("TAD", "CIO"), folded to lower case."""
    upper: set[str] = set()
    lower: set[str] = set()
    for text in texts:
        for token in _TOKEN.findall(text):
            (upper if len(token) >= 2 and token.isupper() else lower).add(token.lower())
    return upper - lower


def _lower_words(texts: Iterable[str]) -> set[str]:
    """Words that ``texts`` write in lower case somewhere (so they are words, not abbreviations)."""
    return {t.lower() for text in texts for t in _TOKEN.findall(text) if not t.isupper()}


def _one_letter_off(word: str) -> set[str]:
    """The strings one letter's slip from ``word``: a letter left out, added, changed, or two
    neighbours swapped."""
    n = len(word)
    out = {word[:i] + word[i + 1 :] for i in range(n)}
    out |= {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(n - 1)}
    out |= {word[:i] + c + word[i + 1 :] for i in range(n) for c in _LETTERS}
    out |= {word[:i] + c + word[i:] for i in range(n + 1) for c in _LETTERS}
    out.discard(word)
    return out


def _is_english(text: str) -> bool:
    """Whether a text is English: two or more English function words, and more than twice as
    many as Swedish ones ("A store in central Stockholm needs …")."""
    tokens = normalize(text).split()
    english = sum(1 for t in tokens if t in _ENGLISH_MARKS)
    swedish = sum(1 for t in tokens if t in _SWEDISH_MARKS)
    return english >= 2 and english > 2 * swedish


def _relative(scores: dict[int, float]) -> dict[int, float]:
    """Each score as a share of the best one."""
    top = max(scores.values(), default=0.0)
    return {k: v / top for k, v in scores.items()} if top > 0 else {}


def _shared_endings(words: set[str], min_share: int = 3) -> set[str]:
    """Endings of at least ``_MIN_HEAD`` letters that ``min_share`` or more words end in: the
    heads of compounds whose head never stands alone ("försäljare" in "telefonförsäljare",
    "eventförsäljare" and "bokförsäljare")."""
    counts: dict[str, int] = {}
    for word in words:
        for cut in range(_MIN_MODIFIER, len(word) - _MIN_HEAD + 1):
            counts[word[cut:]] = counts.get(word[cut:], 0) + 1
    return {e for e, n in counts.items() if n >= min_share}


def _postings(docs: Sequence[dict[str, float]]) -> tuple[dict[str, _Posting], list[float]]:
    """Per key, the documents holding it and its weight in each, as compact arrays."""
    grouped: dict[str, tuple[list[int], list[float]]] = {}
    lengths: list[float] = []
    for d, doc in enumerate(docs):
        lengths.append(sum(doc.values()))
        for key, tf in doc.items():
            ids, tfs = grouped.setdefault(key, ([], []))
            ids.append(d)
            tfs.append(tf)
    post = {k: (array("I", ids), array("f", tfs)) for k, (ids, tfs) in grouped.items()}
    return post, lengths


# What the model is built from: the packaged taxonomy and the code that reads and builds it.
# Any change gives another file in the disk cache.
_MODEL_INPUTS = (
    ("marketplace.reference", "data/occupations.json"),
    ("marketplace.reference", "data/ssyk4_groups.json"),
    ("marketplace.reference", "data/skills.json"),
    ("marketplace.reference", "data/keywords.json"),
    ("marketplace.reference", "data/no_education_required.json"),
    ("marketplace.reference", "data/alternative_labels.json"),
    ("marketplace.reference", "data/replaced_by.json"),
    ("marketplace.reference", "taxonomy.py"),
    ("marketplace.reference", "taxonomy_changes.py"),
    ("marketplace.reference", "words.py"),
    ("search", "names.py"),
    ("search", "text.py"),
    ("search", "suggest.py"),
)


def _is_model(obj: object) -> bool:
    return isinstance(obj, SuggestionModel) and obj.weights == Weights()


_model_lock = threading.Lock()
_model: SuggestionModel | None = None


def suggestion_model() -> SuggestionModel:
    """Return the process-wide model (built on first use, read-only afterwards). Building
    takes seconds, unpickling a fifth of that: it is kept in the private disk cache of
    `search.disk_cache`, like the taxonomy's search structures. A served worker builds it in
    the background as it starts (`warm_in_background`); a host's request that comes first
    waits for that build instead of starting a second one."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                _model = disk_cache.cached_build(
                    "suggest",
                    _MODEL_INPUTS,
                    SuggestionModel,
                    _is_model,
                    child="search.suggest:suggestion_model",
                )
    return _model


def warm_in_background() -> threading.Thread:
    """Build (or load) the model in a daemon thread, so that a served worker's first
    "Föreslå yrke" does not wait seconds for it (the first host of the day did; on a busy
    machine longer than a browser waits). A daemon: a worker told to stop does not wait."""
    thread = threading.Thread(target=suggestion_model, name="suggestion-model", daemon=True)
    thread.start()
    return thread


def suggest_for_slot(title: str, description: str = "", limit: int = 3) -> list[Suggestion]:
    """The ``limit`` most likely occupations for a slot's title and description, best first."""
    return suggestion_model().suggest(title[:MAX_TITLE], description[:MAX_DESCRIPTION], limit)


NO_SLOT_WORDS = (
    "Skriv en rubrik eller en beskrivning med minst ett ord som säger vad platsen gäller, "
    "så föreslår tjänsten yrken."
)


async def suggestions_for(title: str, description: str) -> list[Suggestion]:
    """The three likeliest occupations for a slot's text; ValidationFailed when it holds no
    word (a Swedish 400).

    Ranking is plain CPU work (and the first call builds the model): it runs in a worker
    thread so that the service keeps answering others meanwhile.
    """
    if not any(ch.isalpha() for ch in f"{title}{description}"):
        raise ValidationFailed(NO_SLOT_WORDS, fields=["title", "description"])
    return await anyio.to_thread.run_sync(suggest_for_slot, title, description, 3)
