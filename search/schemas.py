"""Structs of the search core: the indexed slot document, the query and the result."""

from __future__ import annotations

import datetime
from typing import Annotated

import msgspec

__all__ = [
    "MAX_SEARCH_LENGTH",
    "MAX_TOWN_LENGTH",
    "Hit",
    "SearchQuery",
    "SearchResult",
    "SlotCard",
    "SlotDoc",
    "Why",
]

# The longest search a person types, and the longest town to search in: the search pages'
# boxes (their `maxlength`, and the message past it) and `GET /api/v1/slots/search`. A
# search built from a participant's profile is longer (`SearchQuery.q`).
MAX_SEARCH_LENGTH = 200
MAX_TOWN_LENGTH = 100


class SlotDoc(msgspec.Struct, kw_only=True):
    """A slot as the index sees it. ``tracks`` empty means the slot is open to all tracks."""

    id: int
    external_id: str
    title: str
    kind: str  # "praktik" | "arbetsträning"
    occupation_id: str | None = None
    description: str = ""
    skills: list[str] = msgspec.field(default_factory=list)
    town: str = ""
    latitude: float | None = None
    longitude: float | None = None
    host_name: str = ""
    host_kind: str = ""
    tracks: list[str] = msgspec.field(default_factory=list)
    adaptations: list[str] = msgspec.field(default_factory=list)
    hours_per_week: int | None = None
    driving_licence: bool = False
    open_seats: int = 0
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    published_at: datetime.datetime | None = None


class SlotCard(msgspec.Struct, frozen=True, gc=False):
    """What a worker keeps of each indexed slot to dress a hit without a query.

    Not the whole :class:`SlotDoc`: the description, skills and filter fields stay in the
    database (and in the index's postings and columns), so that a worker holding 100,000
    slots stays small. Repeated strings (titles, towns, hosts) are shared between cards.
    """

    id: int
    external_id: str
    title: str
    kind: str
    town: str
    host_name: str
    host_kind: str
    occupation_id: str | None


class SearchQuery(msgspec.Struct, kw_only=True):
    """A search: free text ``q``, filters (applied before ranking) and profile boosts.

    ``town`` filters on the slot's town (case and diacritics ignored). ``near`` is a
    (latitude, longitude) point; with ``radius_km`` it filters, and with an empty ``q`` it
    orders by distance. ``occupation_ids`` (alias ``concept_ids``) and ``skill_labels`` boost
    slots of those occupations or with those skills, for matching a candidate's profile.
    """

    q: Annotated[str, msgspec.Meta(max_length=500)] = ""
    limit: Annotated[int, msgspec.Meta(ge=0, le=1000)] = 20
    offset: Annotated[int, msgspec.Meta(ge=0)] = 0
    kind: str | None = None
    track: str | None = None
    town: str | None = None
    near: tuple[float, float] | None = None
    radius_km: Annotated[float, msgspec.Meta(gt=0)] | None = None
    max_hours: int | None = None
    min_hours: int | None = None
    adaptations: list[str] = msgspec.field(default_factory=list)
    no_driving_licence: bool = False
    open_only: bool = True
    occupation_ids: list[str] = msgspec.field(default_factory=list)
    concept_ids: list[str] = msgspec.field(default_factory=list)
    skill_labels: list[str] = msgspec.field(default_factory=list)


class Why(msgspec.Struct, frozen=True):
    """One reason for a hit: a query word matched a field by a kind of match.

    ``field`` is one of title, occupation, skills, description, host, town; ``match`` is one of
    exact, folded, stem, prefix, typo, compound, concept, and learned (the learned lift of
    `search/lift.py`: searches with these words often led to proposals in this group).
    """

    term: str
    field: str
    match: str
    # The vocabulary word an everyday word matched through ("ica" → "butikssäljare"), or "".
    via: str = ""


class Hit(msgspec.Struct, frozen=True):
    """One ranked slot with its score and the reasons it matched."""

    slot_id: int
    score: float
    why: list[Why] = msgspec.field(default_factory=list)
    distance_km: float | None = None


class SearchResult(msgspec.Struct):
    """The page of hits asked for, and how many slots matched in all."""

    total: int
    hits: list[Hit]


# --- the public search API (a stable contract: other tools call it) ---------------------------


class WhyOut(msgspec.Struct):
    """A reason in the API: the query word, the field, the kind of match, and a sentence."""

    term: str
    field: str
    match: str
    text: str


class HostBrief(msgspec.Struct):
    name: str
    kind: str


class SearchHitOut(msgspec.Struct):
    id: int
    external_id: str
    title: str
    kind: str
    town: str
    host: HostBrief
    score: float
    why: list[WhyOut]
    distance_km: float | None = None


class SearchResponse(msgspec.Struct):
    total: int
    results: list[SearchHitOut]


class OccupationOut(msgspec.Struct):
    id: str
    label: str
    ssyk: str
    group: str


class SlotTextIn(msgspec.Struct, forbid_unknown_fields=True):
    """A slot's title and description, as the host has written them so far."""

    title: Annotated[str, msgspec.Meta(max_length=200)] = ""
    description: Annotated[str, msgspec.Meta(max_length=5000)] = ""


class OccupationSuggestionOut(msgspec.Struct):
    """A suggested occupation for a slot, with the host's own words that speak for it."""

    id: str
    label: str
    ssyk: str
    group: str
    words: list[str]


class TaxonomyOut(msgspec.Struct):
    """The JobTech Taxonomy version the service holds, and what it knows besides."""

    name: str
    version: int
    published: str
    occupations: int
    replaced_ids: int
    replaced_ids_source: str
    alternative_labels_source: str


class SlotMatch(msgspec.Struct):
    """A slot suggested for a participant, with the reasons in the search's structure."""

    id: int
    external_id: str
    title: str
    kind: str
    town: str
    host: HostBrief
    score: float
    open_seats: int
    why: list[WhyOut]
    distance_km: float | None = None


class SlotMatches(msgspec.Struct):
    candidate_id: int
    total: int
    results: list[SlotMatch]


class CandidateMatch(msgspec.Struct):
    """A participant suggested for a slot (coordinators only)."""

    id: int
    name: str
    track: str
    score: float
    why: list[WhyOut]
    distance_km: float | None = None
    # The participant's placement that shares a day with the slot's coming period, as a
    # coordinator reads it ("Träarbetare, 2027-01-21 – 2027-04-20"); such participants come
    # after the free ones.
    placed: str | None = None


class CandidateMatches(msgspec.Struct):
    slot_id: int
    total: int
    results: list[CandidateMatch]


class EverydayWordIn(msgspec.Struct, forbid_unknown_fields=True):
    """An everyday word to add, and the taxonomy words it stands for (most typical first)."""

    word: Annotated[str, msgspec.Meta(max_length=200)]
    targets: Annotated[
        list[Annotated[str, msgspec.Meta(max_length=200)]], msgspec.Meta(max_length=20)
    ]


class EverydayWordOut(msgspec.Struct):
    word: str
    targets: list[str]
    built_in: bool  # from the table shipped with the code (not removable here)
    created_at: datetime.datetime | None


class EverydayWordsOut(msgspec.Struct):
    added: list[EverydayWordOut]
    built_in: list[EverydayWordOut]
