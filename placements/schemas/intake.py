"""Structs for intake (issue 18): an application for support, its planning meetings, the
coordinator's queue and the e-service's import."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from marketplace.kernel.dates import DateBounded
from placements.schemas.candidates import Phone

Channel = Literal["web", "phone", "paper", "eservice"]
StaffChannel = Literal["phone", "paper"]
# The language of what is sent to the applicant (the participant's languages).
Language = Literal["sv", "en", "ar"]
State = Literal["received", "meeting_booked", "plan_started", "closed"]
MeetingStatus = Literal["booked", "held", "cancelled", "no_show"]

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
IdNumber = Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
Email = Annotated[str, msgspec.Meta(max_length=320)]
Message = Annotated[str, msgspec.Meta(max_length=3000)]
Place = Annotated[str, msgspec.Meta(max_length=200)]
VideoLink = Annotated[str, msgspec.Meta(max_length=500)]
ClockTime = Annotated[str, msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
Minutes = Annotated[int, msgspec.Meta(ge=15, le=240)]
Reason = Annotated[str, msgspec.Meta(max_length=2000)]
ExternalId = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class ApplicationIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What a resident gives in the public form: who they are and how to reach them."""

    first_name: Name
    last_name: Name
    personnummer: IdNumber
    phone: Phone = ""
    email: Email = ""
    message: Message = ""


class StaffApplicationIn(ApplicationIn, kw_only=True, forbid_unknown_fields=True):
    """An application a coordinator registers: received by phone or on paper, with the
    language the person asked to be written to in (invitations by SMS and mail)."""

    channel: StaffChannel = "phone"
    language: Language = "sv"


class EServiceApplication(ApplicationIn, kw_only=True, forbid_unknown_fields=True):
    """One application from the municipality's e-service (`POST /api/v1/applications/import`).

    `external_id` is the e-service's own reference: sending it again changes nothing and
    answers the application already received. `received_at` is when the resident sent it
    (with its time zone offset)."""

    external_id: ExternalId
    received_at: dt.datetime
    language: Language = "sv"


class ApplicationReceipt(msgspec.Struct, kw_only=True):
    """The answer to an import: the application's number, state, and the planning meeting's
    deadline (the last working day it should be held); `created` is False for a resend."""

    id: int
    state: State
    received_at: dt.datetime
    meeting_deadline: dt.date
    created: bool


class MeetingIn(DateBounded, kw_only=True, forbid_unknown_fields=True):
    """Booking or moving the planning meeting: day, time (Swedish time), length, and a place
    or a video link (or both)."""

    day: dt.date
    time: ClockTime
    minutes: Minutes = 60
    place: Place = ""
    video_link: VideoLink = ""


class Meeting(msgspec.Struct, kw_only=True):
    id: int
    starts_at: dt.datetime
    minutes: int
    place: str
    video_link: str
    status: MeetingStatus
    sequence: int
    uid: str


class QueueItem(msgspec.Struct, kw_only=True):
    """A row of the coordinator's queue ("Ansökningar")."""

    id: int
    name: str
    channel: Channel
    language: str
    state: State
    received_at: dt.datetime
    deadline: dt.date
    overdue: bool
    meeting_at: dt.datetime | None = None
    # Other open applications with the same personnummer (the resident applied twice).
    same_person: list[int] = msgspec.field(default_factory=list)


class Application(msgspec.Struct, kw_only=True):
    """The whole application, for staff (every read audited)."""

    id: int
    first_name: str
    last_name: str
    personnummer: str
    phone: str
    email: str
    message: str
    channel: Channel
    state: State
    received_at: dt.datetime
    deadline: dt.date
    overdue: bool
    candidate_id: int | None
    close_reason: str
    meetings: list[Meeting]
    current_meeting: Meeting | None = None
    language: str = "sv"
    # Other open applications with the same personnummer, and whether the personnummer is
    # already a participant's (the plan then joins that participant).
    same_person: list[int] = msgspec.field(default_factory=list)
    known_participant: bool = False
    # Whether the participant the plan would join has another name than the applicant (a
    # mistyped number, or a changed name): the plan then asks for a confirmation. Never
    # which name: it may be another coordinator's participant.
    name_differs: bool = False


class PersonnummerIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """An open application's personnummer, corrected by a coordinator."""

    personnummer: IdNumber
