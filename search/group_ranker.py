"""Group relevance: a small BM25F over SSYK-4 group "documents" (each group's label, its
occupations' names, its definition and its skills), for the everyday words that name a field
of work rather than an occupation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from marketplace.reference.taxonomy import skills
from search.concepts import ConceptIndex
from search.names import content_tokens, name_parts
from search.text import PLACEMENT_WORDS, derivation_root, fold, stem

__all__ = ["GroupRanker"]

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
_EXCLUDED = "Hit hör inte"


def _sentences(text: str) -> list[str]:
    body = text.split(_EXCLUDED)[0]
    return [s for s in (p.strip() for p in body.replace("\n", " ").split(". ")) if s]


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
            head, rest = name_parts(g.label)
            items += [(t, _GF_LABEL) for t in head]
            items += [(t, _GF_LABEL_QUALIFIER) for t in rest]
            for o in concepts.group_occs[j]:
                for name in concepts.occupations[o].names:
                    head, rest = name_parts(name)
                    items += [(t, _GF_OCC_HEAD) for t in head]
                    items += [(t, _GF_OCC_QUALIFIER) for t in rest]
            for k, sentence in enumerate(_sentences(g.definition)):
                w = _GF_DEF_FIRST if k == 0 else _GF_DEF_REST
                items += [(t, w) for t in content_tokens(sentence)]
            for s in g.skill_ids:
                items += [(t, _GF_SKILL) for t in content_tokens(skill_labels.get(s, ""))]
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
