"""Occupation ids the taxonomy has replaced, and the version of the taxonomy in the package.

JobTech replaces occupation concepts over time: an ad or a spreadsheet written last year may
carry an id the packaged taxonomy (``data/occupations.json``) no longer holds.
``data/replaced_by.json`` says what each outdated id became (see its source's README in
``shared/data/taxonomy-extra``); ``data/taxonomy_version.json`` records which taxonomy version
the package holds and where the replacement data comes from.

The rule for an occupation id given on import, in the API or in a form
(:func:`resolve_occupation`):

1. An id of the current taxonomy is kept.
2. An outdated id with **one** replacement is stored as that replacement, and the caller is
   told ("yrkes-id X är ersatt av Y (Namn)"). When the link is only a guess from the names
   (method ``label_part``), the notice asks the caller to check the occupation.
3. An outdated id that was **split** into several occupations is stored as the one the slot's
   title names, when it names exactly one: every word that sets a candidate apart from the
   others ("allmänmedicin" in "ST-läkare, allmänmedicin") stands in the title. Otherwise it is
   refused, with the candidates listed, so that the caller picks one.
4. An outdated id without a known replacement is refused; the message names the SSYK group
   it belonged to when that is known, so that the caller can pick a current occupation there.
5. An id that is neither current nor known as outdated is refused as unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

import msgspec

from marketplace.reference import taxonomy
from marketplace.reference.words import fold, hyphen_joins, normalize, stem

__all__ = [
    "Resolution",
    "TaxonomyVersion",
    "current_occupation_id",
    "replaced_ids",
    "resolve_occupation",
    "taxonomy_version",
]

# Candidates listed in a refusal; the rest are counted.
MAX_LISTED = 8

Status = Literal["current", "replaced", "chosen_by_title", "split", "unresolved", "unknown"]


class TaxonomyVersion(msgspec.Struct, frozen=True, kw_only=True):
    """Which JobTech Taxonomy version the package holds, and what it knows besides."""

    name: str
    version: int
    published: str
    occupations: int
    replaced_ids: int
    replaced_ids_source: str
    alternative_labels_source: str


@cache
def taxonomy_version() -> TaxonomyVersion:
    """Return the packaged taxonomy's version and sources (``data/taxonomy_version.json``)."""
    raw = taxonomy.read_data("taxonomy_version.json")
    assert isinstance(raw, dict)
    tax = raw["taxonomy"]
    return TaxonomyVersion(
        name=str(tax["name"]),
        version=int(tax["version"]),
        published=str(tax["published"]),
        occupations=len(taxonomy.occupations()),
        replaced_ids=len(replaced_ids()),
        replaced_ids_source=str(raw.get("replaced_by", {}).get("from", "")),
        alternative_labels_source=str(raw.get("alternative_labels", {}).get("from", "")),
    )


@cache
def replaced_ids() -> dict[str, dict[str, object]]:
    """Return the outdated occupation ids and what became of them (``data/replaced_by.json``)."""
    raw = taxonomy.read_data("replaced_by.json")
    assert isinstance(raw, dict)
    return raw


@dataclass(frozen=True, slots=True)
class Resolution:
    """What an occupation id given by a caller stands for today.

    ``occupation_id`` is the id to store (None when refused). ``candidates`` are the current
    occupations an outdated id may mean, as (id, label) pairs.
    """

    given: str
    status: Status
    occupation_id: str | None
    old_label: str = ""
    candidates: tuple[tuple[str, str], ...] = ()
    old_ssyk: str = ""
    old_group_label: str = ""
    guessed: bool = False  # the one replacement rests on the names only

    @property
    def accepted(self) -> bool:
        return self.occupation_id is not None

    @property
    def changed(self) -> bool:
        """True when the id to store differs from the id given."""
        return self.occupation_id is not None and self.occupation_id != self.given

    def _old(self) -> str:
        return f"{self.given} ({self.old_label})" if self.old_label else self.given

    def _new(self) -> str:
        occ = taxonomy.occupation(self.occupation_id or "")
        return f"{self.occupation_id} ({occ.label})" if occ else str(self.occupation_id)

    def _listed(self, language: str) -> str:
        shown = [f"{label} ({cid})" for cid, label in self.candidates[:MAX_LISTED]]
        more = len(self.candidates) - len(shown)
        if more > 0:
            shown.append(f"{more} more" if language == "en" else f"{more} till")
        return ", ".join(shown)

    def notice(self, language: str = "sv") -> str:
        """What was done with an accepted outdated id, in one sentence ("" for a current id)."""
        if self.status == "replaced":
            if language == "en":
                text = f"Occupation id {self._old()} is replaced by {self._new()}."
                if self.guessed:
                    text += " The link rests on the names only: check the occupation."
                return text
            text = f"Yrkes-id {self._old()} är ersatt av {self._new()}."
            if self.guessed:
                text += " Kopplingen bygger bara på yrkesnamnen: kontrollera att yrket stämmer."
            return text
        if self.status == "chosen_by_title":
            if language == "en":
                return (
                    f"Occupation id {self._old()} is replaced by several occupations; "
                    f"the title names {self._new()}."
                )
            return (
                f"Yrkes-id {self._old()} är ersatt av flera yrken; rubriken pekar ut {self._new()}."
            )
        return ""

    def problem(self, language: str = "sv") -> str:
        """Why a refused id cannot be stored and what to do instead ("" when accepted)."""
        en = language == "en"
        if self.status == "split":
            return (
                f"Occupation id {self._old()} has been split into several occupations: "
                f"{self._listed(language)}. Give the id of one of them."
                if en
                else f"Yrkes-id {self._old()} har delats upp i flera yrken: "
                f"{self._listed(language)}. Ange id för ett av dem."
            )
        if self.status == "unresolved":
            if self.old_ssyk:
                group = f"{self.old_ssyk} {self.old_group_label}".strip()
                return (
                    f"Occupation id {self._old()} is outdated and its replacement is not "
                    f"known. It belonged to the occupational group {group}: choose a current "
                    "occupation there."
                    if en
                    else f"Yrkes-id {self._old()} är inaktuellt och dess ersättare är inte "
                    f"känd. Det hörde till yrkesgruppen {group}: välj ett aktuellt yrke där."
                )
            return (
                f"Occupation id {self._old()} is outdated and its replacement is not known. "
                "Choose a current occupation."
                if en
                else f"Yrkes-id {self._old()} är inaktuellt och dess ersättare är inte känd. "
                "Välj ett aktuellt yrke."
            )
        if self.status == "unknown":
            return (
                f"Occupation {self.given} is not in the occupation taxonomy."
                if en
                else f"Yrket {self.given} finns inte i yrkestaxonomin."
            )
        return ""


def _keys(text: str) -> set[str]:
    words = [*normalize(text).split(), *hyphen_joins(text)]
    return {fold(stem(w)) for w in words if w}


def _covered(key: str, keys: set[str]) -> bool:
    # A word stands in the text when its stem does, or one of the two begins the other
    # ("allmänmedicin" in "allmänmedicinsk").
    if key in keys:
        return True
    if len(key) < 5:
        return False
    return any(len(k) >= 5 and (k.startswith(key) or key.startswith(k)) for k in keys)


def named_candidate(title: str, candidates: tuple[tuple[str, str], ...]) -> str | None:
    """The one candidate whose distinguishing words all stand in ``title``, or None.

    A candidate's distinguishing words are the words of its label that not every candidate
    shares: "allmänmedicin" for "ST-läkare, allmänmedicin" among the other "ST-läkare, …".
    """
    if len(candidates) < 2 or not title.strip():
        return None
    labels = {cid: _keys(label) for cid, label in candidates}
    common = set.intersection(*labels.values())
    title_keys = _keys(title)
    named = [
        cid
        for cid, keys in labels.items()
        if keys - common and all(_covered(k, title_keys) for k in keys - common)
    ]
    return named[0] if len(named) == 1 else None


@lru_cache(maxsize=4096)
def _resolve_cached(given: str, title: str) -> Resolution:
    if taxonomy.occupation(given) is not None:
        return Resolution(given, "current", given)
    entry = replaced_ids().get(given)
    if entry is None:
        return Resolution(given, "unknown", None)
    label = str(entry.get("label") or "")
    raw_candidates = entry.get("candidates") or []
    assert isinstance(raw_candidates, list)
    candidates = tuple(
        (str(c["id"]), str(c["label"]))
        for c in raw_candidates
        if taxonomy.occupation(str(c["id"])) is not None
    )
    target = entry.get("replaced_by")
    if isinstance(target, str) and taxonomy.occupation(target) is not None:
        return Resolution(
            given,
            "replaced",
            target,
            old_label=label,
            candidates=candidates,
            guessed=entry.get("confidence") == "low",
        )
    if len(candidates) == 1:
        return Resolution(given, "replaced", candidates[0][0], label, candidates, guessed=True)
    if candidates:
        chosen = named_candidate(title, candidates)
        if chosen is not None:
            return Resolution(given, "chosen_by_title", chosen, label, candidates)
        return Resolution(given, "split", None, label, candidates)
    old_ssyk = str(entry.get("old_ssyk") or "")
    group = taxonomy.groups().get(str(entry.get("old_group_id") or ""))
    return Resolution(
        given,
        "unresolved",
        None,
        label,
        old_ssyk=old_ssyk,
        old_group_label=group.label if group else "",
    )


def resolve_occupation(occupation_id: str, title: str = "") -> Resolution:
    """What ``occupation_id`` stands for today; ``title`` may pick among split candidates."""
    return _resolve_cached(occupation_id.strip(), title.strip()[:200])


def current_occupation_id(occupation_id: str) -> str | None:
    """The current id for a current or singly replaced id, else None (for filters)."""
    return resolve_occupation(occupation_id).occupation_id
