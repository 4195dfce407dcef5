"""Request and response bodies of the employers API: hosts, contacts, host users,
applications, municipal units' targets and their coverage."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from employers.vocabulary import HostKind

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
ShortText = Annotated[str, msgspec.Meta(max_length=200)]
OptEmail = Annotated[str, msgspec.Meta(max_length=320)]
Phone = Annotated[str, msgspec.Meta(max_length=40)]
Town = Annotated[str, msgspec.Meta(max_length=100)]
OrgNumber = Annotated[str, msgspec.Meta(max_length=20)]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]
LongText = Annotated[str, msgspec.Meta(max_length=5000)]
Capacity = Annotated[int, msgspec.Meta(ge=0, le=100)]


# --- hosts -----------------------------------------------------------------------------------


class HostCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A host organisation; coordinates come from the town when not given."""

    name: Name
    kind: HostKind
    org_number: OrgNumber = ""
    address: ShortText = ""
    town: Town = ""
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    sector: Annotated[str, msgspec.Meta(max_length=100)] = ""
    needs: LongText = ""
    digest_mail: bool = False


class HostUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Only the fields sent are changed."""

    name: Name | UnsetType = UNSET
    kind: HostKind | UnsetType = UNSET
    org_number: OrgNumber | UnsetType = UNSET
    address: ShortText | UnsetType = UNSET
    town: Town | UnsetType = UNSET
    latitude: Latitude | UnsetType | None = UNSET
    longitude: Longitude | UnsetType | None = UNSET
    sector: Annotated[str, msgspec.Meta(max_length=100)] | UnsetType = UNSET
    needs: LongText | UnsetType = UNSET
    digest_mail: bool | UnsetType = UNSET


class Host(msgspec.Struct, kw_only=True):
    id: int
    name: str
    kind: str
    org_number: str
    address: str
    town: str
    latitude: float | None
    longitude: float | None
    sector: str
    needs: str
    active: bool
    digest_mail: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class HostPaused(msgspec.Struct, kw_only=True):
    """Answer to pausing or resuming a host: the host and how many slots changed status."""

    host: Host
    slots_changed: int


# --- contacts and supervisors (handledare) ---------------------------------------------------


class ContactCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Name
    role: Annotated[str, msgspec.Meta(max_length=100)] = ""
    email: OptEmail = ""
    phone: Phone = ""
    is_supervisor: bool = True
    supervision_capacity: Capacity = 1
    is_public_contact: bool = False


class ContactUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Name | UnsetType = UNSET
    role: Annotated[str, msgspec.Meta(max_length=100)] | UnsetType = UNSET
    email: OptEmail | UnsetType = UNSET
    phone: Phone | UnsetType = UNSET
    is_supervisor: bool | UnsetType = UNSET
    supervision_capacity: Capacity | UnsetType = UNSET
    is_public_contact: bool | UnsetType = UNSET
    active: bool | UnsetType = UNSET


class ContactEnd(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Ending a contact: who takes over the slots they supervise (None: the host chooses later)."""

    successor_id: int | None = None


class Contact(msgspec.Struct, kw_only=True):
    id: int
    host_id: int
    name: str
    role: str
    email: str
    phone: str
    is_supervisor: bool
    supervision_capacity: int
    is_public_contact: bool
    active: bool


class PublicContact(msgspec.Struct, kw_only=True):
    """A contact the host marked public: what anyone may see."""

    name: str
    role: str
    email: str
    phone: str


# --- host users: invitations -----------------------------------------------------------------


class InvitationCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=320)]
    name: ShortText = ""


class Invitation(msgspec.Struct, kw_only=True):
    """An invitation as staff see it; the link's token is only ever in the mail."""

    id: int
    host_id: int
    email: str
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None


class InvitationToken(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    token: Annotated[str, msgspec.Meta(min_length=10, max_length=200)]


class InvitationInfo(msgspec.Struct, kw_only=True):
    """What the person following the link sees before setting a password."""

    host_name: str
    email: str
    name: str
    expires_at: dt.datetime
    existing_account: bool


class InvitationAccept(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    token: Annotated[str, msgspec.Meta(min_length=10, max_length=200)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
    username: Annotated[str, msgspec.Meta(max_length=100)] = ""


class InvitationAccepted(msgspec.Struct, kw_only=True):
    username: str
    host_ids: list[int]


# --- applications through the public form ----------------------------------------------------


class ApplicationCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    org_name: Name
    kind: HostKind
    org_number: OrgNumber = ""
    town: Town = ""
    contact_name: Name
    contact_email: Annotated[str, msgspec.Meta(min_length=3, max_length=320)]
    contact_phone: Phone = ""
    message: LongText = ""


class ApplicationReceived(msgspec.Struct, kw_only=True):
    id: int
    status: str
    message: str


class Application(msgspec.Struct, kw_only=True):
    id: int
    org_name: str
    kind: str
    org_number: str
    town: str
    contact_name: str
    contact_email: str
    contact_phone: str
    message: str
    status: str
    decided_at: dt.datetime | None
    decision_note: str
    host_id: int | None
    created_at: dt.datetime
    # Existing hosts this pending application may duplicate (same organisation number, or a
    # very similar name in the same town).
    possible_duplicates: list[str] = msgspec.field(default_factory=list)


class ApplicationDecision(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    note: Annotated[str, msgspec.Meta(max_length=2000)] = ""


# --- municipal units' targets and coverage ---------------------------------------------------

Year = Annotated[int, msgspec.Meta(ge=2000, le=2100)]


class TargetSet(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    target: Annotated[int, msgspec.Meta(ge=0, le=10000)]
    note: ShortText = ""


class TargetForm(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The admin's target form: the year is a field of its own."""

    year: Year
    target: Annotated[int, msgspec.Meta(ge=0, le=10000)]
    note: ShortText = ""


class Target(msgspec.Struct, kw_only=True):
    host_id: int
    host_name: str
    year: int
    target: int
    note: str
    set_at: dt.datetime


class CoverageRow(msgspec.Struct, kw_only=True):
    """One municipal unit's places in a year against its target.

    `registered`: seats of its slots (any status) whose period touches the year;
    `published`: seats of those now published; `used`: placements on its slots that held a
    seat and started, or are due to start, in the year; `gap`: target minus published, at
    least 0 (None without a target). For an analyst, `used` of 1–4 placements is None and
    its unit's path (`units[<host_id>].used`) is in the answer's `suppressed`, as in the
    reports' unit coverage.
    """

    host_id: int
    host_name: str
    active: bool
    target: int | None
    registered: int
    published: int
    used: int | None
    gap: int | None


class Coverage(msgspec.Struct, kw_only=True):
    year: int
    units: list[CoverageRow]
    total_target: int
    total_published: int
    suppressed: list[str] = msgspec.field(default_factory=list)  # paths of hidden cells
    # Of those, the ones that are no count of 1–4 (read "dold", the others "färre än 5").
    protected: list[str] = msgspec.field(default_factory=list)


class HostPage(msgspec.Struct, kw_only=True):
    total: int
    limit: int
    offset: int
    items: list[Host]
