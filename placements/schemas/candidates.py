"""Structs for candidates (deltagare): the coordinator's full record, the masked list row, the
host's narrow view, health notes and the arbetsmarknadsplan's activities.

A personnummer appears only in `Candidate` (the full record, for staff who may see the
person); lists carry the masked form, and nothing a host receives carries it at all.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from marketplace.kernel.dates import DateBounded
from placements.vocabulary import ActivityStatus, CaseStatus, ParticipantConsentMethod, Track

# A health note may leave the consent method unsaid.
NoteConsentMethod = ParticipantConsentMethod | Literal[""]

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
ShortText = Annotated[str, msgspec.Meta(max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=5000)]
Email = Annotated[str, msgspec.Meta(max_length=320)]
# A phone number as people write it: digits (at least six), spaces, dashes, brackets and a
# leading +, or nothing ("abc" was taken as a participant's number).
Phone = Annotated[
    str, msgspec.Meta(max_length=40, pattern=r"^$|^\+?[ ()\-]*(?:[0-9][ ()\-]*){6,}$")
]
# A JobTech taxonomy concept ID, e.g. "DLEi_bTh_oLA" (Lagerarbetare/Terminalarbetare).
TaxonomyId = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_]{1,20}$")]
TaxonomyIds = Annotated[list[TaxonomyId], msgspec.Meta(max_length=50)]
IdNumber = Annotated[str, msgspec.Meta(max_length=20)]
Hours = Annotated[int, msgspec.Meta(ge=0, le=60)]
Km = Annotated[int, msgspec.Meta(ge=0, le=500)]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]


class Adaptation(msgspec.Struct, forbid_unknown_fields=True):
    """An adaptation the participant needs; `shareable` says a host may be told about it."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    shareable: bool = False


Adaptations = Annotated[list[Adaptation], msgspec.Meta(max_length=30)]


class CandidateBase(msgspec.Struct, kw_only=True):
    first_name: Name
    last_name: Name
    email: Email = ""
    phone: Phone = ""
    address: ShortText = ""
    track: Track = "kompetens"
    wished_occupations: TaxonomyIds = msgspec.field(default_factory=list)
    skills: TaxonomyIds = msgspec.field(default_factory=list)
    languages: TaxonomyIds = msgspec.field(default_factory=list)
    interests: LongText = ""
    experience: LongText = ""
    driving_licence: bool = False
    hours_available: Hours | None = None
    home_town: Annotated[str, msgspec.Meta(max_length=100)] = ""
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    max_commute_km: Km | None = None
    adaptations: Adaptations = msgspec.field(default_factory=list)
    plan_goal: LongText = ""
    plan_goal_shareable: bool = False
    """The participant agreed that a host may see the plan goal (it goes into agreements)."""
    status: CaseStatus = "active"
    consent_date: dt.date | None = None
    """The day the participant consented to being registered and to the placement work."""
    consent_method: NoteConsentMethod = ""
    """How the consent was given; required with `consent_date`, and only with it."""


class CandidateCreate(CandidateBase, DateBounded, kw_only=True, forbid_unknown_fields=True):
    """A new participant. `personnummer` may be a personnummer or a samordningsnummer, with
    10 or 12 digits; `coordinator_id` defaults to the coordinator creating the record."""

    personnummer: IdNumber = ""
    coordinator_id: int | None = None
    registered_at: dt.date | None = None


class CandidateUpdate(DateBounded, kw_only=True, forbid_unknown_fields=True):
    """A change to a participant: only the fields sent are changed."""

    first_name: Name | UnsetType = UNSET
    last_name: Name | UnsetType = UNSET
    personnummer: IdNumber | UnsetType = UNSET
    email: Email | UnsetType = UNSET
    phone: Phone | UnsetType = UNSET
    address: ShortText | UnsetType = UNSET
    track: Track | UnsetType = UNSET
    wished_occupations: TaxonomyIds | UnsetType = UNSET
    skills: TaxonomyIds | UnsetType = UNSET
    languages: TaxonomyIds | UnsetType = UNSET
    interests: LongText | UnsetType = UNSET
    experience: LongText | UnsetType = UNSET
    driving_licence: bool | UnsetType = UNSET
    hours_available: Hours | UnsetType | None = UNSET
    home_town: Annotated[str, msgspec.Meta(max_length=100)] | UnsetType = UNSET
    latitude: Latitude | UnsetType | None = UNSET
    longitude: Longitude | UnsetType | None = UNSET
    max_commute_km: Km | UnsetType | None = UNSET
    adaptations: Adaptations | UnsetType = UNSET
    plan_goal: LongText | UnsetType = UNSET
    plan_goal_shareable: bool | UnsetType = UNSET
    status: CaseStatus | UnsetType = UNSET
    consent_date: dt.date | UnsetType | None = UNSET
    consent_method: NoteConsentMethod | UnsetType = UNSET
    coordinator_id: int | UnsetType = UNSET


class Candidate(CandidateBase, kw_only=True):
    """The full record, for the staff who may see this participant."""

    id: int
    personnummer: str
    coordinator_id: int | None
    coordinator_name: str
    registered_at: dt.date
    exited_at: dt.date | None
    updated_at: dt.datetime
    warnings: dict[str, str] = msgspec.field(default_factory=dict)
    """Saved, but worth a look, by field, in Swedish: `home_town` when the gazetteer does not
    know the town (and no coordinates were given), so no distance to a slot can be worked out."""


class CandidateListItem(msgspec.Struct, kw_only=True):
    """One row of a candidate list; the personnummer is masked ("19850101-****")."""

    id: int
    first_name: str
    last_name: str
    personnummer_masked: str
    track: str
    status: str
    home_town: str
    coordinator_id: int | None
    registered_at: dt.date
    updated_at: dt.datetime
    # Whether the participant's consent is registered (a proposal to a host needs it).
    consented: bool = True


class PersonnummerSearch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """An exact search on a personnummer or samordningsnummer, in a body so that the number
    never stands in a URL: 12 or 10 digits, with or without "-"."""

    personnummer: IdNumber


class CandidatePage(msgspec.Struct, kw_only=True):
    total: int
    limit: int
    offset: int
    items: list[CandidateListItem]


class HostParticipant(msgspec.Struct, kw_only=True):
    """What a host may know about a participant proposed to or placed with it. Nothing else.

    For a proposal: the first name and the adaptations the participant agreed to share. Once
    the host has accepted (and through the placement and after it): also the last name, the
    e-mail address and the phone number, which are null until then ("" when none is
    recorded)."""

    id: int
    first_name: str
    last_name: str | None
    email: str | None
    phone: str | None
    shared_adaptations: list[str]


class HealthNoteCreate(msgspec.Struct, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]


class HealthNote(msgspec.Struct, kw_only=True):
    id: int
    candidate_id: int
    author_id: int | None
    text: str
    created_at: dt.datetime


class PlanActivityCreate(DateBounded, kw_only=True, forbid_unknown_fields=True):
    """A planned activity in the arbetsmarknadsplan."""

    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    status: ActivityStatus = "planned"
    follow_up: LongText = ""


class PlanActivityUpdate(DateBounded, kw_only=True, forbid_unknown_fields=True):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | UnsetType = UNSET
    planned_start: dt.date | UnsetType | None = UNSET
    planned_end: dt.date | UnsetType | None = UNSET
    status: ActivityStatus | UnsetType = UNSET
    follow_up: LongText | UnsetType = UNSET


class PlanActivity(msgspec.Struct, kw_only=True):
    id: int
    candidate_id: int
    title: str
    planned_start: dt.date | None
    planned_end: dt.date | None
    status: str
    follow_up: str
    created_at: dt.datetime


class Plan(msgspec.Struct, kw_only=True):
    """The arbetsmarknadsplan: the goal and its activities, in date order."""

    candidate_id: int
    goal: str
    activities: list[PlanActivity]
    goal_shareable: bool = False
