"""Structs for bookings: a proposal of a participant for a slot and the placement it becomes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from marketplace.dates import DateBounded

BookingStatus = Literal[
    "proposed", "accepted", "declined", "withdrawn", "agreed", "active", "completed", "interrupted"
]
Message = Annotated[str, msgspec.Meta(max_length=2000)]


class BookingCreate(DateBounded, kw_only=True, forbid_unknown_fields=True):
    """A coordinator proposes a participant for a slot, with a message to the host.

    The period defaults to the slot's dates (or from today, for 90 days, on an open slot).
    """

    slot_id: int
    candidate_id: int
    message: Message = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class DeclineRequest(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class WithdrawRequest(msgspec.Struct, forbid_unknown_fields=True):
    reason: Message = ""


class EndRequest(DateBounded, kw_only=True, forbid_unknown_fields=True):
    """End an active placement: completed as planned, or interrupted (with a reason)."""

    result: Literal["completed", "interrupted"]
    end_date: dt.date | None = None
    reason: Message = ""


class BookingEvent(msgspec.Struct, kw_only=True):
    at: dt.datetime
    actor: str
    from_status: str
    to_status: str
    note: str


class Participant(msgspec.Struct, kw_only=True):
    """The participant as a booking shows them: the name only."""

    id: int
    name: str


class Booking(msgspec.Struct, kw_only=True):
    id: int
    status: str
    status_text: str
    slot_id: int
    slot_title: str
    host_id: int
    host_name: str
    participant: Participant
    coordinator_id: int | None
    supervisor_id: int | None
    supervisor_name: str
    message: str
    decline_reason: str
    start_date: dt.date | None
    end_date: dt.date | None
    proposed_at: dt.datetime
    decided_at: dt.datetime | None
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    events: list[BookingEvent] = msgspec.field(default_factory=list)


class BookingPage(msgspec.Struct, kw_only=True):
    total: int
    limit: int
    offset: int
    items: list[Booking]


class ActivationResult(msgspec.Struct):
    activated: int
