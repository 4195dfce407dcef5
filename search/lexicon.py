"""The search vocabulary and the mapping of a query word to vocabulary words.

A :class:`Lexicon` holds every word of the indexed fields plus the taxonomy's words, and the
structures that make a query word's expansion cheap: a folded-form map, a stem map, a
derivation-root map, sorted folded forms (prefixes), sorted reversed forms (compound heads)
and buckets by first letter and length (typos). Expansions are cached per query word.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import OSA

from search import swedish
from search.text import (
    derivation_root,
    fold,
    inflection_bases,
    restored_bases,
    split_compound,
    stem,
    typo_budget,
)

__all__ = ["MATCH_WEIGHTS", "Expansion", "Lexicon"]

# How much a match of each kind is worth, relative to an exact match. Exact above folded above
# stem, prefix and typo; compound parts and derivations are weaker evidence still.
MATCH_WEIGHTS: dict[str, float] = {
    "exact": 1.0,
    "folded": 0.92,
    "stem": 0.84,
    "prefix": 0.8,
    "typo1": 0.76,
    "typo2": 0.62,
    "root": 0.6,
    "compound": 0.55,
    # An everyday word's taxonomy word ("dagis" → "förskola"), times that word's own match.
    "synonym": 0.7,
}

# The longest Snowball stem that many unrelated words share (`Lexicon._expand`).
_SHORT_STEM = 3


def _form_of(candidate: str, typed: str) -> bool:
    """Whether a folded vocabulary word is an inflected form of the folded typed word: the
    word with an ending ("lagers", "bagaren"), one that dropped a vowel before its ending
    ("lagret", "lagren" of "lager"), or another ending on a base longer than the short stem
    ("målaren" and "målarna" on "målar"; "lager" shares only "lag" and "lage" with "lagar"
    and "lagen")."""
    if candidate.startswith(typed):
        return True
    bases = inflection_bases(candidate)
    if any(typed in restored_bases(b) for b in bases):
        return True
    shared = set(bases) & set(inflection_bases(typed))
    return any(len(b) > _SHORT_STEM + 1 for b in shared)


# A clipped form in -is ("lokis") that only begins a word ("lokaliserare"), not as its first
# part ("lokförare"): a weaker reading.
_CLIPPED_INSIDE_WORD = 0.7
# A word the vocabulary knows whole is likely finished: its completions are compounds it
# begins ("lastbil" in "lastbilssäljare"), about as weak as other compound matches.
_COMPLETE_PREFIX = 0.7
# The longest word whose modifier may be read as mistyped (each letter of it costs lookups).
_MAX_MISTYPED = 24
# A compound ending in an everyday word ("lantgård") means what that word means, less surely.
_HEAD_MEANING = 0.85
_MIN_MODIFIER = 3
_MIN_HEAD = 3
_MAX_PREFIX = 40  # completions kept per prefix, shortest first
_MAX_COMPOUND = 30  # compounds kept per head or modifier
# A word clipped in both parts of a compound ("socsek"): its length, each part's, and how
# many words beginning with its start are looked at.
_MIN_CLIPPED_COMPOUND = 6
_MIN_CLIPPED_PART = 3
_MAX_CLIPPED_SCAN = 300
_CACHE_LIMIT = 50_000
# A typed word matched by these kinds is a word of its own, not a typo of another.
_WORD_KINDS = frozenset(["exact", "folded", "stem", "synonym"])
_SHORT_TYPO_LEN = 4
_MIN_COMMON_PART = 4  # a part of an unknown compound split at words Swedish uses
_FOLDED_STEM = 0.7  # a stem match only once å ä ö are folded away
_MIN_DERIVED_BASE = 5  # a clipped stem ("sälj", "bygg") is shorter and stands for its agent
# Action nouns of a verb: "undervisning" of "undervisa" (the verb is the root and -a).
_ACTION_NOUN = re.compile(r"ning(en|ar|arna)?$")


class Expansion(NamedTuple):
    """One vocabulary word a query word maps to: the word, the match kind and its weight."""

    token: str
    kind: str  # exact, folded, stem, prefix, typo, compound, synonym
    weight: float


# The word tables a copy shares with its original until it writes to a list.
_TABLES = ("_by_fold", "_by_stem", "_by_root", "_buckets")


class Lexicon:
    """A growing vocabulary with fast exact, folded, stem, prefix, compound and typo lookup."""

    def __init__(self) -> None:
        self._words: set[str] = set()
        self._by_fold: dict[str, list[str]] = {}
        self._by_stem: dict[str, list[str]] = {}
        self._by_root: dict[str, list[str]] = {}
        self._buckets: dict[tuple[str, int], list[str]] = {}
        self._sorted: list[str] = []
        self._reversed: list[str] = []
        self._dirty = False
        # Expansions of a word (word, prefix allowed, least compound length), and of an everyday
        # phrase's taxonomy words (the words alone).
        self._cache: dict[tuple[Any, ...], tuple[Expansion, ...]] = {}
        self._split_cache: dict[tuple[str, bool, bool], list[str] | None] = {}
        # Everyday words and the vocabulary words they stand for, by folded form and by stem.
        self._synonyms: dict[str, tuple[str, ...]] = {}
        self._synonyms_by_stem: dict[str, tuple[str, ...]] = {}
        # Two-word everyday phrases by their words' stems: ("klipp", "har") → frisör.
        self._phrases: dict[tuple[str, str], tuple[str, ...]] = {}
        # Everyday verbs (folded): never the head of an unknown compound.
        self._verbs: frozenset[str] = frozenset()

    def __len__(self) -> int:
        return len(self._words)

    def copy(self) -> Lexicon:
        """Return an independent copy (words added to one are not seen by the other).

        Cheaper than adding the same words again: an index starts from a copy of the
        taxonomy's lexicon instead of rebuilding it. The tables are copied shallowly and
        their lists shared until one side appends to one (copy on write): a per-list copy
        cost 0.2 s per index build, most of a test's start-up.
        """
        out = Lexicon()
        out._words = set(self._words)
        for name in _TABLES:
            setattr(out, name, dict(getattr(self, name)))
        out._synonyms = self._synonyms
        out._synonyms_by_stem = self._synonyms_by_stem
        out._phrases = self._phrases
        out._verbs = self._verbs
        self._ensure_sorted()
        out._sorted = self._sorted.copy()
        out._reversed = self._reversed.copy()
        return out

    def _append(self, owned_keys: dict[str, set[Any]], name: str, key: Any, value: str) -> None:
        """Append to one of the tables' lists. A list this call has not made or copied yet
        may be shared with a copy of the lexicon: it is copied first."""
        table: dict[Any, list[str]] = getattr(self, name)
        owned = owned_keys[name]
        group = table.get(key)
        if group is None:
            table[key] = [value]
        elif key in owned:
            group.append(value)
        else:
            table[key] = [*group, value]
        owned.add(key)

    def __contains__(self, word: object) -> bool:
        return word in self._words

    def add_many(self, words: Iterable[str]) -> bool:
        """Add words; return True if any was new (the expansion cache is then cleared)."""
        added = False
        owned: dict[str, set[Any]] = {name: set() for name in _TABLES}
        for w in words:
            if w in self._words or not w:
                continue
            self._words.add(w)
            f = fold(w)
            if f not in self._by_fold:
                self._append(owned, "_buckets", (f[0], len(f)), f)
            self._append(owned, "_by_fold", f, w)
            self._append(owned, "_by_stem", stem(f), w)
            root = derivation_root(f)
            if root != f:
                self._append(owned, "_by_root", root, w)
            added = True
        if added:
            self._dirty = True
            self._cache.clear()
            self._split_cache.clear()
        return added

    def set_synonyms(
        self, words: dict[str, tuple[str, ...]], verbs: frozenset[str] = frozenset()
    ) -> None:
        """Set everyday words and the vocabulary words each stands for (normalised forms).

        An everyday word, or an inflected form of it, then also expands to what its
        vocabulary words expand to, at the ``synonym`` weight. A key of two words is a phrase
        (a verb and its object, "klippa hår"): see `phrase_synonyms`. The ``verbs`` among the
        words (folded) stand for their work only as words of their own, never as the head of
        an unknown compound (`meanings`): "tillbaka" is no kind of "baka".
        """
        self._verbs = verbs
        single = {fold(k): v for k, v in words.items() if " " not in k.strip()}
        self._synonyms = single
        self._synonyms_by_stem = {stem(k): v for k, v in single.items()}
        phrases: dict[tuple[str, str], tuple[str, ...]] = {}
        for k, v in words.items():
            parts = fold(k).split()
            if len(parts) == 2:
                phrases[(stem(parts[0]), stem(parts[1]))] = v
        self._phrases = phrases
        self._cache.clear()

    def phrase_synonyms(self, first: str, second: str) -> tuple[str, ...]:
        """Return the vocabulary words that two query words (folded) stand for together, as
        a phrase of the everyday table: a verb and its object name work that neither names
        alone ("klippa hår" is a hairdresser's, "klippa gräs" a gardener's, "laga mat" a
        cook's). Either word may be inflected ("klipper håret", "lagar maten")."""
        if not self._phrases:
            return ()
        for a in _stem_forms(first):
            for b in _stem_forms(second):
                found = self._phrases.get((a, b))
                if found:
                    return found
        return ()

    def expand_meaning(self, targets: tuple[str, ...]) -> tuple[Expansion, ...]:
        """What the vocabulary words of an everyday phrase expand to, at the synonym weight
        (kept in the expansion cache, as a word's expansions are)."""
        key = (targets,)
        hit = self._cache.get(key)
        if hit is None:
            hit = tuple(self._with_synonyms([], targets))
            if len(self._cache) > _CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = hit
        return hit

    def synonyms(self, folded: str) -> tuple[str, ...]:
        """Return the vocabulary words an everyday word (folded, maybe inflected) stands for."""
        found = self._synonyms.get(folded) or self._synonyms_by_stem.get(stem(folded))
        if found is None:
            # Snowball stems a word and its inflections apart at times ("tvatteri" stays,
            # "tvatteriet" too): try the word without one inflection ending as well.
            found = next(
                (
                    self._synonyms[c]
                    for b in inflection_bases(folded)
                    for c in restored_bases(b)
                    if c in self._synonyms
                ),
                (),
            )
        return found

    def meanings(self, folded: str) -> tuple[tuple[str, ...], float]:
        """Return the vocabulary words a query word stands for, and how surely.

        An everyday word stands for its own table entry fully. Swedish compounds name their
        kind by their last part: "sjukhusstäd" is a kind of "städ". A compound the vocabulary
        does not know, and that ends in an everyday word (at least three letters after at
        least three), stands for that word's words a little less surely. The longest such
        ending wins, and only whole table words count, not stems ("byggare" is no "bygge").
        """
        if " " in folded:
            # A two-word everyday phrase ("klippa har") stands for its own entry.
            first, _, second = folded.partition(" ")
            return self.phrase_synonyms(first, second), 1.0
        found = self.synonyms(folded)
        if found:
            return found, 1.0
        if folded in self._by_fold:
            # A word the vocabulary knows means what it says ("försäkringskassa" is no till).
            return (), 0.0
        for cut in range(_MIN_MODIFIER, len(folded) - _MIN_HEAD + 1):
            head = folded[cut:]
            found = self._synonyms.get(head, ())
            if found and head not in self._verbs:
                return found, _HEAD_MEANING
        return (), 0.0

    def _ensure_sorted(self) -> None:
        if self._dirty:
            self._sorted = sorted(self._by_fold)
            self._reversed = sorted(f[::-1] for f in self._by_fold)
            self._dirty = False

    def heads_of(self, folded: str) -> int:
        """How many vocabulary words end in ``folded`` after a modifier of their own (at
        least three letters): the unknown compounds it would be read as the head of."""
        self._ensure_sorted()
        rev = folded[::-1]
        lo = bisect.bisect_left(self._reversed, rev)
        hi = bisect.bisect_left(self._reversed, rev + "\U0010ffff")
        return sum(1 for w in self._reversed[lo:hi] if len(w) >= len(rev) + _MIN_MODIFIER)

    def is_folded_word(self, folded: str) -> bool:
        """Return True if some vocabulary word has this folded form."""
        return folded in self._by_fold

    def words_with_fold(self, folded: str) -> list[str]:
        """Return the vocabulary words whose folded form is ``folded``."""
        return self._by_fold.get(folded, [])

    def prefixed(self, folded: str, limit: int = _MAX_PREFIX, min_rest: int = 1) -> list[str]:
        """Return folded vocabulary forms that start with ``folded`` (shortest first).

        Each returned form is at least ``min_rest`` letters longer than ``folded``.
        """
        self._ensure_sorted()
        i = bisect.bisect_left(self._sorted, folded)
        out: list[str] = []
        while i < len(self._sorted) and self._sorted[i].startswith(folded):
            cand = self._sorted[i]
            if len(cand) - len(folded) >= min_rest:
                out.append(cand)
            i += 1
            if len(out) >= limit * 8:
                break
        out.sort(key=len)
        return out[:limit]

    def suffixed(self, folded: str, limit: int = _MAX_COMPOUND, min_rest: int = 3) -> list[str]:
        """Return folded vocabulary forms that end with ``folded`` after ``min_rest`` letters."""
        self._ensure_sorted()
        rev = folded[::-1]
        i = bisect.bisect_left(self._reversed, rev)
        out: list[str] = []
        while i < len(self._reversed) and self._reversed[i].startswith(rev):
            cand = self._reversed[i]
            if len(cand) - len(rev) >= min_rest:
                out.append(cand[::-1])
            i += 1
            if len(out) >= limit * 8:
                break
        out.sort(key=len)
        return out[:limit]

    def typos(self, folded: str, short: bool = False) -> tuple[int, list[str]]:
        """Return (typos, folded forms) of the closest forms within the word's typo budget.

        Only forms with the smallest number of typos found are returned; (0, []) if none.
        A first letter is rarely mistyped, so forms with another first letter are searched
        only for long words, and such a form counts one extra typo (as in Meilisearch). With
        ``short``, a four-letter word may have one typo too.
        """
        budget = typo_budget(len(folded))
        if short and budget == 0 and len(folded) == _SHORT_TYPO_LEN:
            budget = 1
        if budget == 0:
            return 0, []
        found: dict[str, int] = {}
        n = len(folded)
        for length in range(n - budget, n + budget + 2):
            bucket = self._buckets.get((folded[0], length))
            if not bucket:
                continue
            # Deletions make a typed word shorter than the word meant: a word long enough for
            # two typos keeps its budget when the query has shrunk below 9 letters.
            cutoff = max(budget, min(typo_budget(length), budget + 1))
            if length > n + budget and cutoff <= budget:
                continue
            for cand, dist, _ in process.extract(
                folded, bucket, scorer=OSA.distance, score_cutoff=cutoff, limit=None
            ):
                if cand != folded:
                    found[cand] = int(dist)
        if budget >= 2:
            for (first, length), bucket in self._buckets.items():
                if first == folded[0] or abs(length - n) > 1:
                    continue
                for cand, dist, _ in process.extract(
                    folded, bucket, scorer=OSA.distance, score_cutoff=budget - 1, limit=None
                ):
                    found.setdefault(cand, int(dist) + 1)
        if not found:
            return 0, []
        best = min(found.values())
        return best, sorted(c for c, d in found.items() if d == best)

    def split(
        self, folded: str, allow_unknown_tail: bool = False, mistyped: bool = False
    ) -> list[str] | None:
        """Split a folded compound into folded vocabulary forms (see ``split_compound``).

        With ``allow_unknown_tail``, a word that does not split fully may still split into
        its longest known first part (4 letters or more) and an unknown rest, or else into a
        modifier that only begins vocabulary words and its longest known head, or else into
        two words that written Swedish uses (`search.swedish.common`). A word the vocabulary
        knows whole is split too, into at least two parts. With ``mistyped`` (the word is no
        typo of a vocabulary word as a whole), its modifier may be mistyped.
        """
        key = (folded, allow_unknown_tail, mistyped)
        if key in self._split_cache:
            return self._split_cache[key]
        parts = split_compound(folded, self.is_folded_word, whole=False)
        if parts is None or len(parts) > 2:
            # A modifier that is only a stem or a compound's first part may split the word
            # into fewer, longer parts ("solcell" + "försäljning", not "sol" + "cell" + …).
            loose = split_compound(
                folded, self.is_folded_word, is_modifier=self._is_modifier, whole=False
            )
            if loose is not None and (parts is None or len(loose) < len(parts)):
                parts = loose
        if (
            mistyped
            and len(folded) <= _MAX_MISTYPED
            and (parts is None or min(map(len, parts)) <= 3)
        ):
            # No split, or one with a scrap of a part ("trä" + "gårds" + "arbete"): perhaps
            # the modifier is mistyped ("trägårdsarbete" is "trädgård" + s + "arbete").
            parts = self._split_mistyped_modifier(folded) or parts
        if parts is None and allow_unknown_tail:
            parts = self._split_known_prefix(folded)
        if parts is None and allow_unknown_tail:
            parts = self._split_known_head(folded)
        if parts is None and allow_unknown_tail:
            # Last of all, a compound of two words that Swedish uses though the vocabulary
            # lacks them as words of their own: each part's own expansions (a vocabulary
            # compound with the same head, say) may still find the slots.
            parts = split_compound(
                folded, swedish.common, min_part=_MIN_COMMON_PART, max_parts=2, whole=False
            )
        if len(self._split_cache) > _CACHE_LIMIT:
            self._split_cache.clear()
        self._split_cache[key] = parts
        return parts

    def _is_modifier(self, folded: str) -> bool:
        # Not a word of its own, but the first part of several vocabulary compounds, or the
        # stem of a vocabulary word ("solcell" in "solcellsförsäljning", from "solceller").
        if folded in self._by_stem:
            return True
        return len(self.prefixed(folded, limit=3, min_rest=3)) >= 3

    def _split_mistyped_modifier(self, folded: str) -> list[str] | None:
        # A compound whose head is a word (or splits into words) and whose modifier, of at
        # least 5 letters (a linking s dropped), is one typo from a vocabulary word: the
        # longest such modifier. Of several words one typo away, the one that begins the
        # most vocabulary compounds, if one does.
        for cut in range(len(folded) - 3, 4, -1):
            rest = folded[cut:]
            tail = [rest] if rest in self._by_fold else split_compound(rest, self.is_folded_word)
            if not tail:
                continue
            mod = folded[:cut]
            for m in (mod[:-1] if mod.endswith("s") else "", mod):
                if len(m) < 5 or m in self._by_fold:
                    continue
                forms = self._one_typo_from(m)
                if not forms:
                    continue
                ranked = sorted(
                    ((len(self.prefixed(f, limit=50, min_rest=3)), f) for f in forms),
                    reverse=True,
                )
                if len(ranked) == 1 or ranked[0][0] > ranked[1][0]:
                    return [ranked[0][1], *tail]
        return None

    def _one_typo_from(self, folded: str) -> list[str]:
        # The vocabulary forms one edit from `folded` with its first letter (the cheap part of
        # `typos`: three buckets, no search across first letters).
        found: list[str] = []
        for length in (len(folded) - 1, len(folded), len(folded) + 1):
            bucket = self._buckets.get((folded[0], length))
            if bucket:
                found += [
                    cand
                    for cand, _, _ in process.extract(
                        folded, bucket, scorer=OSA.distance, score_cutoff=1, limit=None
                    )
                    if cand != folded
                ]
        return found

    def _split_known_head(self, folded: str) -> list[str] | None:
        # Last resort for a compound whose first part the vocabulary lacks as a word of its
        # own ("epilepsi" of "epilepsimottagning", where slots say "epilepsipatienter"): the
        # longest known head of at least 4 letters after a modifier of at least 4 (a linking
        # s dropped) that begins some vocabulary word, so the slots that use it are found.
        for cut in range(4, len(folded) - 3):
            head = folded[cut:]
            if head not in self._by_fold:
                continue
            mod = folded[:cut]
            for m in (mod, mod[:-1] if mod.endswith("s") and len(mod) > 4 else ""):
                if m and self.prefixed(m, limit=1, min_rest=2):
                    return [m, head]
        return None

    def _split_known_prefix(self, folded: str) -> list[str] | None:
        # Last resort for a compound whose second part the vocabulary lacks: keep the longest
        # known first part of at least 4 letters, and the rest as an unknown word. A first
        # part may have lost its last vowel ("lärar" of "lärarvikarie" is "lärare", "skol"
        # is "skola").
        for cut in range(len(folded) - 3, 3, -1):
            head, rest = folded[:cut], folded[cut:]
            for known in (head, head + "e", head + "a"):
                if known in self._by_fold:
                    return [known, rest]
        return None

    def expand(
        self, word: str, allow_prefix: bool = False, min_compound: int = 4
    ) -> tuple[Expansion, ...]:
        """Map a normalised query word to vocabulary words, best first.

        Exact, folded, stem (Snowball stem and inflection endings), derivation root, compound
        (the word as the head or the modifier of a longer compound), prefix (only if
        ``allow_prefix``, meant for the last query word, or when the word is unknown) and
        typo (within the Meilisearch-style budget, only when the word is unknown and no
        everyday Swedish word) matches.
        Compound lookups need at least ``min_compound`` letters.
        """
        key = (word, allow_prefix, min_compound)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        found = self._expand(word, allow_prefix, min_compound)
        targets, sureness = self.meanings(fold(word))
        if targets:
            if sureness >= 1.0:
                # A word of the everyday table, or a form of one, is no typo of another word
                # and no clipped form of one: "plåtis" is no "plats", nor a clipped "plat…"
                # ("platschef"), nor the start of a longer word ("gym" of "gymnasielärare");
                # what it means, the table says. Compounds it begins stay ("hotell" in
                # "hotellreceptionist").
                f = fold(word)
                found = [
                    e
                    for e in found
                    if e.kind != "typo" and (e.kind != "prefix" or self._begins(f, e.token))
                ]
            found = self._with_synonyms(found, targets, sureness)
        elif any(e.kind == "typo" for e in found) and not any(e.kind in _WORD_KINDS for e in found):
            found = self._with_corrections(found)
        result = tuple(found)
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = result
        return result

    def _begins(self, folded: str, token: str) -> bool:
        """Whether `token` is a compound whose first part is `folded`: the rest (after a
        linking s) a vocabulary word of at least three letters."""
        rest = fold(token)
        if not rest.startswith(folded):
            return False
        rest = rest[len(folded) :]
        return any(
            len(r) >= 3 and r in self._by_fold for r in (rest, rest[1:] if rest[:1] == "s" else "")
        )

    def _clipped_compounds(self, folded: str) -> list[str]:
        """The vocabulary compounds that a word clipped in both its parts stands for: a
        modifier that begins with the word's start (three letters or more) and is a word of
        its own (a linking s allowed), then a head that begins with the rest (three letters or
        more) and is a word of at least four letters."""
        found: list[str] = []
        for cut in range(_MIN_CLIPPED_PART, len(folded) - _MIN_CLIPPED_PART + 1):
            start, rest = folded[:cut], folded[cut:]
            for cand in self.prefixed(start, limit=_MAX_CLIPPED_SCAN, min_rest=len(rest)):
                at = cand.find(rest, cut)
                while at != -1:
                    modifier, head = cand[:at], cand[at:]
                    if modifier.endswith("s") and modifier[:-1] in self._by_fold:
                        modifier = modifier[:-1]
                    if modifier in self._by_fold and len(head) >= 4 and head in self._by_fold:
                        found.extend(t for t in self._by_fold[cand] if t not in found)
                        break
                    at = cand.find(rest, at + 1)
            if len(found) >= _MAX_COMPOUND:
                break
        return found[:_MAX_COMPOUND]

    def _with_corrections(self, found: list[Expansion]) -> list[Expansion]:
        # A mistyped word with one closest word means that word, with the vocabulary words
        # it stands for: "kasa" is "kassa", so also the "kassapersonal" it means, as much
        # weaker as the typo match is. Two closest words ("kcok": "kock", "kök") say nothing
        # sure; nor do the compounds of the closest word (they crowd out the word itself).
        typos = [e for e in found if e.kind == "typo"]
        top = max(e.weight for e in typos)
        closest = {fold(e.token) for e in typos if e.weight >= top}
        if len(closest) != 1:
            return found
        targets, sureness = self.meanings(closest.pop())
        return self._with_synonyms(found, targets, sureness * top) if targets else found

    def _with_synonyms(
        self, found: list[Expansion], targets: tuple[str, ...], sureness: float = 1.0
    ) -> list[Expansion]:
        # The everyday word's own matches stand; each vocabulary word it stands for adds its
        # matches (not its own synonyms), the first-listed word a little above the rest.
        best = {e.token: e for e in found}
        for rank, target in enumerate(targets):
            factor = MATCH_WEIGHTS["synonym"] * sureness * (1.0 - 0.05 * rank)
            for e in self._expand(target, False, 4):
                weight = e.weight * factor
                old = best.get(e.token)
                if old is None or old.weight < weight:
                    best[e.token] = Expansion(e.token, "synonym", weight)
        out = list(best.values())
        out.sort(key=lambda e: (-e.weight, e.token))
        return out

    def _expand(self, word: str, allow_prefix: bool, min_compound: int) -> list[Expansion]:
        best: dict[str, tuple[float, str]] = {}

        def put(tokens: Iterable[str], kind: str, weight: float) -> None:
            for t in tokens:
                old = best.get(t)
                if old is None or old[0] < weight:
                    best[t] = (weight, kind)

        w = MATCH_WEIGHTS
        f = fold(word)
        if word in self._words:
            put([word], "exact", w["exact"])
        put(self._by_fold.get(f, []), "folded", w["folded"])
        same_stem = self._by_stem.get(stem(f), [])
        # The stemmer also strips derivational endings: "hemsjukvårdare" (an agent) shares
        # the stem of "hemsjukvård" (the work). A word derived from a typed word that is a
        # word of its own is a derivation, not one of its forms. (A word cut short,
        # "innesälj", or a clipped stem, "sälj", stands for the agent it begins.)
        derived = [t for t in same_stem if derivation_root(fold(t)) == f and fold(t) != f]
        if derived and len(f) >= _MIN_DERIVED_BASE and f in self._by_fold:
            put(derived, "stem", w["root"])
            same_stem = [t for t in same_stem if t not in derived]
        if len(stem(f)) <= _SHORT_STEM < len(f):
            # A stem of three letters cut from a longer word is shared by other words:
            # "lager" stems to "lag", as "lagar" (laws; cooks) and "lagen" (the law) do, and
            # "lager" found slots that "lagar mellanmål". Only the typed word's own forms
            # ("målaren" of "målare") match; the others are other words.
            same_stem = [t for t in same_stem if _form_of(fold(t), f)]
        if f != word and same_stem:
            # Folding merges stems ("gräva" and "grav" both stem to "grav"): a form whose
            # letters å ä ö differ from the typed word's is a weaker match.
            own = stem(word)
            put([t for t in same_stem if stem(t) == own], "stem", w["stem"])
            put(same_stem, "stem", w["stem"] * _FOLDED_STEM)
        else:
            put(same_stem, "stem", w["stem"])
        # Inflection endings the stemmer leaves alone on short words ("cioer" → "cio"), or
        # strips otherwise than from the base form ("kuratorer" → "kurator", stem "kurat").
        # The base form may also have lost a vowel in inflection: "lagret", "lagren" are forms
        # of "lager" (as "cykeln" of "cykel"), "kassorna" of "kassa".
        base_form = next(
            (c for b in inflection_bases(f) for c in restored_bases(b) if c in self._by_fold),
            None,
        )
        if base_form is not None:
            tokens = self._by_fold[base_form]
            if f != word:  # as above: å ä ö must agree for a full match
                bases = {c for b in inflection_bases(word) for c in restored_bases(b)}
                put([t for t in tokens if t in bases], "stem", w["stem"])
                put(tokens, "stem", w["stem"] * _FOLDED_STEM)
            else:
                put(tokens, "stem", w["stem"])
        root = derivation_root(f)
        put(self._by_root.get(root, []), "stem", w["root"])
        if root != f:
            put(self._by_fold.get(root, []), "stem", w["root"])
        if root != f and _ACTION_NOUN.search(f) and len(root) >= 4:
            # An action noun's work is what its verb says: an ad that teaches ("undervisa",
            # "undervisar") is about "undervisning", one that books ("bokar") about "bokning".
            put(self._by_stem.get(stem(root + "a"), []), "stem", w["root"])
        if f.endswith("a") and len(f) >= 5 and root == f:
            # A verb names its work through its agent and action nouns: "städa" → "städare",
            # "städning"; "programmera" → "programmerare" (the derivation root without -a).
            put(self._by_root.get(f[:-1], []), "stem", w["root"])
            # and through the compounds it begins: "gräva" → "grävmaskinförare".
            for cand in self.prefixed(f[:-1], limit=_MAX_COMPOUND, min_rest=3):
                put(self._by_fold[cand], "compound", w["compound"])
        recognised = bool(best)
        complete = word in self._words or f in self._by_fold
        if allow_prefix or not recognised:
            min_len = 2 if allow_prefix else 4
            if len(f) >= min_len:
                for cand in self.prefixed(f):
                    # Longer completions are less certain.
                    weight = w["prefix"] * (0.85 + 0.15 * len(f) / len(cand))
                    if complete:
                        weight *= _COMPLETE_PREFIX
                    put(self._by_fold[cand], "prefix", weight)
        if not recognised and f.endswith("is") and len(f) >= 5:
            # Colloquial clipped forms end in -is and keep the start of the word they stand
            # for (dagis, kompis, lokis): treat what comes before the -is as a prefix. A
            # compound whose whole first part it is ("lok" in "lokförare") before a word
            # that merely begins with it ("lokaliserare").
            clipped = f[:-2]
            typed = word[:-2]
            for cand in self.prefixed(clipped, min_rest=2):
                whole_part = self._begins(clipped, cand)
                weight = w["prefix"] * (0.85 if whole_part else _CLIPPED_INSIDE_WORD)
                if typed != clipped:
                    # Written with å ä ö, it keeps them: "städis" begins "städare", not
                    # "stadsbud" (which only its folded letters begin).
                    as_typed = [t for t in self._by_fold[cand] if t.startswith(typed)]
                    put(as_typed, "prefix", weight)
                    weight *= _FOLDED_STEM
                put(self._by_fold[cand], "prefix", weight)
            if typed in self._words:
                # What comes before the -is is a word of its own ("städ" in "städis"): the
                # clipped form means what its forms and agent mean ("städare").
                put(self._by_stem.get(stem(typed), []), "prefix", w["prefix"])
            recognised = bool(best)
        if not recognised and len(f) >= _MIN_CLIPPED_COMPOUND and not swedish.frequent(word):
            # Both parts of a compound clipped ("socsek" for "socialsekreterare", "specped"
            # for "specialpedagog"): no word begins with it, but one begins with its start
            # and has a head that begins with its rest.
            put(self._clipped_compounds(f), "prefix", w["prefix"] * _CLIPPED_INSIDE_WORD)
            recognised = bool(best)
        if not recognised and not allow_prefix:
            # An inflected form of the first part of a compound ("betongen" for
            # "betongarbetare"): its stem may begin longer words.
            st = stem(f)
            if len(st) >= 5 and st != f:
                for cand in self.prefixed(st, limit=_MAX_COMPOUND, min_rest=3):
                    put(self._by_fold[cand], "compound", w["compound"])
        # Such compound guesses do not rule out a typo: "laboraat" is "laborant" mistyped,
        # not the start of "laboratorieanalyser". A typo weighs more than a compound part.
        # Nor does a stem: "larman" stems to "larm" but is "lagman" mistyped. A word the
        # vocabulary holds itself is no typo, nor is an everyday Swedish word that the
        # vocabulary lacks (`search.swedish`): its nearest vocabulary words mean other things.
        if not complete and not swedish.frequent(word):
            # A short word (four letters) that matches nothing else may still be mistyped:
            # "kasa" for "kassa", "kcok" for "kock".
            dist, forms = self.typos(f, short=not best)
            if dist > 1 and any(kind == "prefix" for _, kind in best.values()):
                # A word that begins vocabulary words is cut short, not mistyped twice:
                # "ekonomiass" is "ekonomiassistent", not "ekonomisk".
                forms = []
            if forms:
                weight = w["typo1"] if dist <= 1 else w["typo2"]
                for cand in forms:
                    put(self._by_fold[cand], "typo", weight)
        if len(f) >= min_compound:
            # The word as the head of a compound ("montering" in "bilmontering") or as its
            # modifier ("truck" in "truckförare").
            for cand in self.suffixed(f):
                put(self._by_fold[cand], "compound", w["compound"])
            if not complete:
                # An inflected head: "mekanikerna" heads what "mekaniker" heads
                # ("bilmekaniker"), which is no word of its own in the vocabulary.
                for base in _inflected_heads(f, min_compound):
                    for cand in self.suffixed(base):
                        put(self._by_fold[cand], "compound", w["compound"])
            if not allow_prefix:
                for cand in self.prefixed(f, limit=_MAX_COMPOUND, min_rest=3):
                    put(self._by_fold[cand], "compound", w["compound"])
        out = [Expansion(t, kind, weight) for t, (weight, kind) in best.items()]
        out.sort(key=lambda e: (-e.weight, e.token))
        return out


def _inflected_heads(folded: str, min_len: int) -> list[str]:
    """The base forms a word may be an inflection of, long enough to head a compound."""
    return [
        form
        for base in inflection_bases(folded)
        for form in restored_bases(base)
        if form != folded and len(form) >= max(min_len, 5)
    ]


def _stem_forms(folded: str) -> list[str]:
    """A folded word's stem, and the stems of its base forms without an inflection ending
    (with an e restored before l, n, r: "cyklar" is "cykel")."""
    forms = [stem(folded)]
    for base in inflection_bases(folded):
        for form in restored_bases(base):
            st = stem(form)
            if st not in forms:
                forms.append(st)
    return forms
