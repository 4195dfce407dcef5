"""The packaged JobTech taxonomy: occupations, SSYK-4 groups, skills, languages, keywords and
JobTech's alternative labels, with their Swedish labels.

Everything is loaded once per process (cached loaders) from ``marketplace/reference/data``.
Slots and participants store taxonomy ids and show these labels; the search builds its
concept index and group ranker from the same data (`search.concepts`, `search.group_ranker`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from babel import Locale

from marketplace.kernel.db import swedish_key

__all__ = [
    "Group",
    "Occupation",
    "alternative_labels",
    "alternative_labels_by_occupation",
    "closest_skills",
    "groups",
    "keywords",
    "language_name",
    "languages",
    "no_education_required",
    "occupation",
    "occupations",
    "read_data",
    "skills",
]


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


def read_data(name: str) -> object:
    """One packaged JSON file of ``data/``, parsed (callers cache what they build from it)."""
    return json.loads(
        resources.files("marketplace.reference").joinpath("data", name).read_text("utf-8")
    )


def _names(label: str) -> tuple[str, ...]:
    halves = tuple(h.strip() for h in label.split("/") if h.strip())
    return halves if len(halves) > 1 else (label,)


@cache
def occupations() -> dict[str, Occupation]:
    """Return all occupations by id (loaded once)."""
    rows = read_data("occupations.json")
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
    rows = read_data("ssyk4_groups.json")
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
    rows = read_data("skills.json")
    assert isinstance(rows, list)
    return {r["id"]: r["label"] for r in rows}


@cache
def languages() -> dict[str, str]:
    """Return language labels (Swedish) by id (loaded once)."""
    rows = read_data("languages.json")
    assert isinstance(rows, list)
    return {r["id"]: r["label"] for r in rows}


@cache
def _language_codes() -> dict[str, str]:
    """CLDR's Swedish language names (lower case) -> the language's code."""
    return {name.lower(): code for code, name in Locale.parse("sv").languages.items()}


@cache
def language_name(label: str, lang: str) -> str | None:
    """A language named by its Swedish label (JobTech's "Arabiska", "Tigrinska/Tigrinja", or
    that label in lower case) in the language `lang` ("en", "ar"), from CLDR's names through
    Babel: "Arabic", "العربية". None when CLDR knows neither half of the label."""
    codes = _language_codes()
    for half in label.split("/"):
        code = codes.get(half.strip().lower())
        if code is not None:
            name = Locale.parse(lang).languages.get(code)
            if name:
                return str(name)
    return None


@cache
def keywords() -> dict[str, tuple[str, ...]]:
    """Return search keyword labels mapped to the occupation ids they point at."""
    rows = read_data("keywords.json")
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
    rows = read_data("alternative_labels.json")
    assert isinstance(rows, dict)
    out: dict[str, set[str]] = {}
    for occ_id, labels in rows.items():
        for item in labels:
            if item.get("kind") not in _ALIAS_KINDS or item.get("misspelled"):
                continue
            out.setdefault(item["text"], set()).add(occ_id)
    return {label: tuple(sorted(ids)) for label, ids in sorted(out.items())}


def alternative_labels_by_occupation() -> dict[str, tuple[tuple[str, str], ...]]:
    """Return JobTech's alternative labels per occupation id: (text, kind) pairs of every kind.

    Terms flagged as misspellings are left out (some are other words: "barflicka"). Read anew
    on each call (the occupation suggestions read it once, while building their model).
    """
    raw = read_data("alternative_labels.json")
    assert isinstance(raw, dict)
    return {
        occ_id: tuple(
            (str(t["text"]), str(t["kind"])) for t in items if not t.get("misspelled", False)
        )
        for occ_id, items in raw.items()
    }


@cache
def no_education_required() -> frozenset[str]:
    """Return the ids of occupations that need no education."""
    rows = read_data("no_education_required.json")
    assert isinstance(rows, list)
    return frozenset(rows)


_WORD = re.compile(r"[^\W\d_]{3,}")


def _stems(text: str) -> set[str]:
    # Five letters join a word's forms and compounds that start alike (träarbete and
    # träarbetare, ritningar and ritningsläsning); a shorter word is itself.
    return {w[:5] for w in _WORD.findall(text.casefold())}


def closest_skills(occupation_id: str) -> list[str]:
    """Every skill label related to the occupation's SSYK-4 group, those closest to the
    occupation first: the words they share with its name and alternative names, then with
    its group's definition, then alphabetically. (Cut alphabetically at 30, a carpenter's
    form offered "Brobyggnad" and "Gruvbyggnad" and never "Träarbete, husbyggnad".)"""
    found = occupation(occupation_id)
    group = groups().get(found.group_id) if found else None
    if found is None or group is None:
        return []
    names = [
        found.label,
        *(text for text, _ in alternative_labels_by_occupation().get(occupation_id, ())),
    ]
    own = set().union(*(_stems(n) for n in names))
    described = _stems(group.definition)
    labels = skills()

    def closeness(label: str) -> tuple[int, int, str]:
        words = _stems(label)
        return (-len(words & own), -len(words & described), swedish_key(label))

    return sorted({labels[s] for s in group.skill_ids if s in labels}, key=closeness)
