"""Swedish text handling for search: stopwords, compounds, inflections, derivations and typos.

Everything here is pure and deterministic. The word forms themselves (the exact form, the
folded form without diacritics, the Snowball stem) are the reference data's
(`marketplace.reference.words`), since the gazetteer and the taxonomy are keyed by them; this
module hands them on with the rest, so that search code has one text module. Folding merges
a few real words (målning/malning), so it is for recall only and the index scores an exact
match above a folded one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rapidfuzz.distance import OSA

from marketplace.reference.words import fold, hyphen_joins, normalize, stem, tokenize

__all__ = [
    "FREE_TEXT_STOPWORDS",
    "PLACEMENT_WORDS",
    "STOPWORDS",
    "derivation_root",
    "fold",
    "hyphen_joins",
    "inflection_bases",
    "leads_others",
    "normalize",
    "restored_bases",
    "split_compound",
    "stem",
    "tokenize",
    "typo_budget",
    "typo_distance",
]

# Function words that carry no meaning on their own in a query or a slot text. A query made
# only of these is still searched (see index), so the list can be generous.
STOPWORDS: frozenset[str] = frozenset(
    [
        "och",
        "i",
        "på",
        "av",
        "för",
        "med",
        "till",
        "som",
        "en",
        "ett",
        "att",
        "är",
        "du",
        "vi",
        "hos",
        "den",
        "det",
        "de",
        "om",
        "från",
        "eller",
        "samt",
        "inom",
        "mfl",
        "mm",
        "m",
        "fl",
        "t",
        "ex",
        "etc",
        "alla",
        "man",
        "har",
        "han",
        "hon",
        "sig",
        "sin",
        "sitt",
        "sina",
        "vid",
        "ej",
        "inte",
        "kan",
        "ska",
        "skall",
        "the",
        "and",
        "of",
    ]
)

# Function and filler words of free text that a person writes about themselves or types as a
# sentence ("Jag vill jobba med djur", "Gillar att köra truck och att laga saker"): pronouns,
# auxiliaries, adverbs, wishes and likings, and vague nouns, as a search engine's stop list
# keeps them. They name no kind of work, so a query or a participant's interests never match
# a slot on them nor give them as a reason. Slot texts keep them (the index drops only
# STOPWORDS), so this list costs the index nothing. Words that may name work or its object
# ("ta hand om", "vara", "hjälpa", "människor") are not here.
FREE_TEXT_STOPWORDS: frozenset[str] = STOPWORDS | frozenset(
    [
        "jag",
        "mig",
        "min",
        "mitt",
        "mina",
        "du",
        "dig",
        "din",
        "ditt",
        "dina",
        "han",
        "honom",
        "hans",
        "hon",
        "henne",
        "hennes",
        "vi",
        "oss",
        "vår",
        "vårt",
        "våra",
        "ni",
        "er",
        "ert",
        "era",
        "dem",
        "deras",
        "denna",
        "detta",
        "dessa",
        "själv",
        "själva",
        "något",
        "någon",
        "några",
        "ingen",
        "inget",
        "inga",
        "allt",
        "annat",
        "andra",
        "samma",
        "sådan",
        "sådant",
        "sådana",
        "sånt",
        "vad",
        "vem",
        "vilken",
        "vilket",
        "vilka",
        "var",
        "vart",
        "hur",
        "när",
        "där",
        "här",
        "då",
        "nu",
        "sedan",
        "så",
        "än",
        "ju",
        "ändå",
        "också",
        "även",
        "bara",
        "mer",
        "mest",
        "mycket",
        "lite",
        "ganska",
        "väldigt",
        "gärna",
        "helst",
        "kanske",
        "nog",
        "redan",
        "ofta",
        "alltid",
        "aldrig",
        "ibland",
        "typ",
        "liksom",
        "ungefär",
        "grejer",
        "grejor",
        "saker",
        "sak",
        "men",
        "eftersom",
        "medan",
        "innan",
        "efter",
        "åt",
        "blir",
        "blev",
        "blivit",
        "bli",
        "hade",
        "haft",
        "ha",
        "kunde",
        "kunna",
        "skulle",
        "vill",
        "ville",
        "velat",
        "måste",
        "får",
        "fick",
        "fått",
        "bör",
        "brukar",
        "brukade",
        "tänker",
        "tänkte",
        "gillar",
        "gilla",
        "gillade",
        "tycker",
        "tyckte",
        "älskar",
        "älska",
        "trivs",
        "trivdes",
        "önskar",
        "önskade",
        "drömmer",
        "intresserad",
        "intresserar",
        "intressant",
        "intresse",
        "intressen",
        "kul",
        "roligt",
        "rolig",
        "bra",
    ]
)

# Words that say "a placement" or "a job" without naming any kind of work: they frame a title
# ("Praktik som kock", "Vi söker kock") and head everyday compounds ("lagerjobb").
PLACEMENT_WORDS: frozenset[str] = frozenset(
    [
        "praktik",
        "praktikplats",
        "praktikplatser",
        "arbetsträning",
        "söker",
        "sökes",
        "jobb",
        "jobbet",
        "arbete",
        "arbeten",
        "tjänst",
        "plats",
        "platser",
    ]
)

# Everyday words for a person, which head colloquial names of work ("mattant", "lagerkille",
# "städtjej"): the work is what the modifier says, the head only that someone does it.
PERSON_WORDS: frozenset[str] = frozenset(
    [
        "tant",
        "tanten",
        "gubbe",
        "gubben",
        "gumma",
        "gumman",
        "kille",
        "killen",
        "tjej",
        "tjejen",
        "snubbe",
        "snubben",
        "farbror",
        "farbrorn",
    ]
)


# Names of work that leads others' work: a first word that says so ("Arbetsledare, kund-
# service", "Förman djuruppfödning") or a word ending in one ("Kökschef", "Skolmåltids-
# föreståndare"). SSYK files supervisors with the work they lead (groups 3 to 8).
_LEADER_FIRST_WORDS = frozenset(
    ["arbetsledare", "gruppledare", "förman", "lagbas", "teamledare", "driftledare"]
)
_LEADER_ENDINGS = ("chef", "föreståndare")


def leads_others(name: str) -> bool:
    """Whether an occupation's name says that it leads others' work."""
    words = re.findall(r"[^\W\d_]+", name.lower())
    return bool(words) and (
        words[0] in _LEADER_FIRST_WORDS or any(w.endswith(_LEADER_ENDINGS) for w in words)
    )


def typo_budget(length: int) -> int:
    """Return how many typos a word of ``length`` letters may have, as Meilisearch does.

    0 up to 4 letters, 1 up to 8 letters, 2 beyond.
    """
    if length <= 4:
        return 0
    if length <= 8:
        return 1
    return 2


def typo_distance(a: str, b: str, budget: int) -> int | None:
    """Return the number of typos between ``a`` and ``b`` if it is within ``budget``, else None.

    Typos are counted as optimal string alignment edits: an insertion, a deletion, a
    substitution or a swap of two neighbouring letters each count as one typo.
    """
    d = OSA.distance(a, b, score_cutoff=budget)
    return d if d <= budget else None


# Swedish inflection endings (plural, definite, genitive), longest first. Used when the
# Snowball stemmer leaves a word alone because it is too short for its R1 region ("cioer").
_INFLECTIONS = (
    "ornas",
    "arnas",
    "ernas",
    "orna",
    "arna",
    "erna",
    "ens",
    "ets",
    "ans",
    "en",
    "er",
    "ar",
    "or",
    "na",
    "et",
    "an",
    "n",
    "r",
    "s",
    "a",
    "e",
)


def inflection_bases(word: str, min_len: int = 3) -> list[str]:
    """Return the candidate base forms of ``word`` with one inflection ending removed.

    The candidates are ordered longest first and each keeps at least ``min_len`` letters.
    """
    out: list[str] = []
    for ending in _INFLECTIONS:
        if word.endswith(ending) and len(word) - len(ending) >= min_len:
            base = word[: -len(ending)]
            if base not in out:
                out.append(base)
    if word.endswith("et") and len(word) - 1 >= min_len:
        # A neuter noun in -e takes only -t in the definite ("boende" → "boendet", "yrke" →
        # "yrket"): its base keeps the e that "-et" above took away.
        out.append(word[:-1])
    return out


_CONSONANTS = frozenset("bcdfghjklmnpqrstvwxz")


def restored_bases(base: str) -> list[str]:
    """Return ``base`` and the base forms it may stand for once an inflection ending is gone.

    Swedish drops an unstressed e before -l, -n, -r ("lager" → "lagret", "lagren"; "cykel" →
    "cykeln"), changes a final -a to -or in the plural ("kassa" → "kassor", "kassorna") and
    doubles the last consonant after a short vowel ("gym" → "gymmet", "hem" → "hemmet").
    """
    out = [base]
    if len(base) >= 4 and base[-1] == base[-2] and base[-1] in _CONSONANTS:
        out.append(base[:-1])
    if len(base) >= 3 and base[-1] in "lnr" and base[-2] in _CONSONANTS:
        out.append(base[:-1] + "e" + base[-1])
    if base[-1:] in _CONSONANTS:
        out.append(base + "a")
    return out


# Derivational endings that turn a verb stem into an activity or an agent: "städning" and
# "städare" share the root "städ", "plattsättning" and "plattsättare" share "plattsätt".
_DERIVATIONS = ("ningen", "ningar", "ning", "arens", "arna", "aren", "are", "ande", "eri", "else")


def derivation_root(word: str, min_len: int = 3) -> str:
    """Return ``word`` without one derivational ending (ning, are, ande, eri, else).

    Returns ``word`` itself when no ending applies or the root would be shorter than
    ``min_len`` letters.
    """
    for ending in _DERIVATIONS:
        if word.endswith(ending) and len(word) - len(ending) >= min_len:
            return word[: -len(ending)]
    return word


def split_compound(
    word: str,
    is_word: Callable[[str], bool],
    min_part: int = 3,
    max_parts: int = 4,
    is_modifier: Callable[[str], bool] | None = None,
    whole: bool = True,
    max_part: int = 40,
) -> list[str] | None:
    """Split a Swedish compound into known words, or return None.

    ``is_word`` says whether a string is a known word. A part may be followed by the linking
    ``s`` ("arbetsmiljö" = "arbet(e)" + "s" + "miljö") and may have lost a final ``a`` or ``e``
    ("skolkök" = "skol(a)" + "kök"). Each part has at least ``min_part`` letters. The split with
    the fewest parts wins, then the one whose shortest part is longest. The returned parts are
    the known words (with any dropped vowel restored), so ``"lagerjobb"`` gives
    ``["lager", "jobb"]`` when both are known. ``is_modifier`` may accept a part that is not a
    word but only ever the first half of compounds ("lant" in "lantbruk"); it is tried last and
    never for the final part. With ``whole=False`` the word itself does not count as a part,
    so that a known compound ("webbutveckling") still splits into its parts.

    A part has at most ``max_part`` letters (no Swedish word is longer), so a word too long for
    ``max_parts`` of them is no compound: each try costs time in the word's length, and an
    unbounded search took minutes on a few thousand letters (a host's slot text).
    """
    n = len(word)
    if n < 2 * min_part or n > max_parts * (max_part + 1):
        return None

    def known(part: str, final: bool) -> str | None:
        if len(part) < min_part:
            return None
        if is_word(part):
            return part
        for vowel in ("a", "e"):
            if is_word(part + vowel):
                return part + vowel
        if not final and is_modifier is not None and len(part) >= 4 and is_modifier(part):
            return part
        return None

    # best[i] = (parts, -shortest) for word[i:], computed right to left.
    best: list[tuple[int, int, list[str]] | None] = [None] * (n + 1)
    best[n] = (0, 0, [])
    for i in range(n - min_part, -1, -1):
        choice: tuple[int, int, list[str]] | None = None
        for j in range(i + min_part, min(n, i + max_part) + 1):
            if not whole and i == 0 and j == n:
                continue
            part = known(word[i:j], j == n)
            if part is None:
                continue
            starts = [j]
            # A linking "s" may follow any part but the last.
            if j < n and word[j] == "s":
                starts.append(j + 1)
            for k in starts:
                rest = best[k]
                if rest is None or (k == n and k != j):
                    continue
                count = rest[0] + 1
                if count > max_parts:
                    continue
                shortest = min(len(part), -rest[1]) if rest[2] else len(part)
                cand = (count, -shortest, [part, *rest[2]])
                if choice is None or cand[:2] < choice[:2]:
                    choice = cand
        best[i] = choice
    result = best[0]
    if result is None or result[0] < 2:
        return None
    return result[2]
