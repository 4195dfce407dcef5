"""Bodies of the slot API: the managed slot (`Slot`, `SlotCreate`, `SlotUpdate`), the public
view of a published slot, lists, and the import report."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from employers.schemas import Contact, PublicContact
from employers.vocabulary import Setting
from marketplace.kernel.dates import DateBounded
from placements.slot_rules import (
    Capacity,
    Description,
    Hours,
    Labels,
    Latitude,
    Longitude,
    OccupationId,
    Title,
    Town,
)
from placements.vocabulary import SlotKind, SlotStatus, Track

Status = SlotStatus
Tracks = Annotated[list[Track], msgspec.Meta(max_length=3)]
SlotVersion = Annotated[
    str,
    msgspec.Meta(
        pattern="^[0-9a-f]{1,64}$",
        description="The slot's `version` as it was read; a slot changed since is a 409.",
    ),
]


class SlotCreate(DateBounded, kw_only=True, forbid_unknown_fields=True):
    """A new slot, created as a draft. `skills` takes taxonomy skill IDs or free text."""

    host_id: int
    kind: SlotKind
    title: Title
    occupation_id: OccupationId | None = None
    description: Description = ""
    skills: Labels = msgspec.field(default_factory=list)
    town: Town = ""
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    capacity: Capacity = 1
    hours_per_week: Hours | None = None
    tracks: Tracks = msgspec.field(default_factory=list)
    adaptations: Labels = msgspec.field(default_factory=list)
    supervisor_id: int | None = None
    driving_licence: bool = False
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    setting: Setting | None = None


class SlotUpdate(DateBounded, kw_only=True, forbid_unknown_fields=True):
    """Only the fields sent are changed. `setting: null` resets it to the host's default."""

    kind: SlotKind | UnsetType = UNSET
    title: Title | UnsetType = UNSET
    occupation_id: OccupationId | UnsetType | None = UNSET
    description: Description | UnsetType = UNSET
    skills: Labels | UnsetType = UNSET
    town: Town | UnsetType = UNSET
    latitude: Latitude | UnsetType | None = UNSET
    longitude: Longitude | UnsetType | None = UNSET
    capacity: Capacity | UnsetType = UNSET
    hours_per_week: Hours | UnsetType | None = UNSET
    tracks: Tracks | UnsetType = UNSET
    adaptations: Labels | UnsetType = UNSET
    supervisor_id: int | UnsetType | None = UNSET
    driving_licence: bool | UnsetType = UNSET
    start_date: dt.date | UnsetType | None = UNSET
    end_date: dt.date | UnsetType | None = UNSET
    setting: Setting | UnsetType | None = UNSET
    # The slot's `version` as it was read (`Slot.version`): the change is refused (409) when
    # the slot has changed since. Left out, the change is made to the slot as it is.
    version: SlotVersion | UnsetType = UNSET


class HostRef(msgspec.Struct, kw_only=True):
    id: int
    name: str
    kind: str
    town: str


class OccupationRef(msgspec.Struct, kw_only=True):
    """A JobTech occupation: its ID, its label and its SSYK-2012 code."""

    id: str
    label: str
    ssyk: str


class SkillRef(msgspec.Struct, kw_only=True):
    """A skill: the taxonomy ID when the label is a taxonomy skill, else None (free text)."""

    id: str | None
    label: str


class Slot(msgspec.Struct, kw_only=True):
    """A slot as its host, coordinators and admins see it.

    `needs_supervisor` asks the host to name a handledare; until then `accepts_bookings` is
    false and no booking on the slot can be accepted.
    """

    id: int
    host: HostRef
    source: str
    external_id: str
    kind: str
    title: str
    occupation: OccupationRef | None
    description: str
    skills: list[SkillRef]
    town: str
    latitude: float | None
    longitude: float | None
    capacity: int
    open_seats: int
    hours_per_week: int | None
    tracks: list[str]
    adaptations: list[str]
    supervisor: Contact | None
    needs_supervisor: bool
    accepts_bookings: bool
    driving_licence: bool
    start_date: dt.date | None
    end_date: dt.date | None
    setting: str
    status: str
    published_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    # What the slot's edit fields are now: send it back with a change (`SlotUpdate.version`
    # or If-Match), and a change made meanwhile by someone else is not overwritten.
    version: str


class PublicSlot(msgspec.Struct, kw_only=True):
    """A published slot as anyone sees it: contacts only where the host marked them public."""

    id: int
    host: HostRef
    kind: str
    title: str
    occupation: OccupationRef | None
    description: str
    skills: list[SkillRef]
    town: str
    latitude: float | None
    longitude: float | None
    capacity: int
    open_seats: int
    hours_per_week: int | None
    tracks: list[str]
    adaptations: list[str]
    driving_licence: bool
    start_date: dt.date | None
    end_date: dt.date | None
    setting: str
    published_at: dt.datetime | None
    contacts: list[PublicContact]


class PublicSlotPage(msgspec.Struct, kw_only=True):
    total: int
    limit: int
    offset: int
    items: list[PublicSlot]


class SlotPage(msgspec.Struct, kw_only=True):
    total: int
    limit: int
    offset: int
    items: list[Slot]


class RowError(msgspec.Struct, kw_only=True):
    """One bad row of an import: its line in the file, the field and the reason."""

    line: int
    field: str
    reason: str


class RowNotice(msgspec.Struct, kw_only=True):
    """Something the import changed in a row on the way in, e.g. a replaced occupation id
    stored as its replacement: "Yrkes-id X (…) är ersatt av Y (Namn)."."""

    line: int
    field: str
    text: str


class ImportReport(msgspec.Struct, kw_only=True):
    """What an import did. With errors and without skipping bad rows, nothing is written."""

    rows: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    hosts_created: int
    written: bool
    errors: list[RowError]
    # Errors beyond the first 100, counted but not listed.
    more_errors: int = 0
    # Rows changed on the way in (replaced occupation ids), the first 100 listed.
    notices: list[RowNotice] = msgspec.field(default_factory=list)
    more_notices: int = 0
    # When bad rows stopped the import (nothing written), what to do, in a sentence.
    detail: str = ""
