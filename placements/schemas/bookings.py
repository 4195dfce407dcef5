"""Structs for bookings: a proposal of a participant for a slot and the placement it becomes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from marketplace.kernel.dates import DateBounded

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
    confirm_capacity: bool = False
    """Send it even though the slot's supervisor or seats are full during the period (a
    proposal like that is otherwise refused with 409 and a warning saying what fits)."""
    confirm_hours: bool = False
    """Send it even though the participant can work fewer hours a week than the slot asks (a
    proposal like that is otherwise refused with 409 and a warning naming both)."""
    participant_first: bool = False
    """Let the participant answer first: the host sees the proposal only once the participant
    has said "vill" on their own pages (or the coordinator sends it on). Until then the
    booking is `awaiting_participant`, and nothing reaches the host; the participant is told
    by SMS and mail, in their language, that a proposal waits for their answer."""


class AcceptRequest(DateBounded, kw_only=True, forbid_unknown_fields=True):
    """Accept a proposal; every field is optional.

    `supervisor_id` is another supervisor of the host who has room (the slot's own by
    default); `start_date`/`end_date` a period the host can take instead of the proposed
    one, inside the slot's dates."""

    supervisor_id: int | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class SupervisorChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Another supervisor for an accepted, agreed or running placement: an active supervisor
    of the slot's host with room during its period. When anyone has signed the agreement
    already, the change voids those signatures and is made only with `confirm_resign: true`
    (409 naming them otherwise)."""

    supervisor_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
    confirm_resign: bool = False


class PhoneAnswer(DateBounded, kw_only=True, forbid_unknown_fields=True):
    """The host's answer given by phone, recorded by the coordinator who took the call.

    `answered_by` is who at the host answered; `note` what was said (for a decline, the
    reason). An accept may name another supervisor or period, as the host could."""

    answer: Literal["accept", "decline"]
    answered_by: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    note: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    supervisor_id: int | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class SupervisorChoice(msgspec.Struct, kw_only=True):
    """A supervisor the host may choose while accepting, with room during the period."""

    id: int
    name: str
    capacity: int
    guided: int
    free: int
    is_slot_supervisor: bool


class AcceptOptions(msgspec.Struct, kw_only=True):
    """What the host can accept a proposal with: `fits` when the slot's supervisor has room
    and a seat is free; otherwise `problem` says why, with the supervisors who have room
    and the earliest period with room (`suggested_start`/`suggested_end`, if any)."""

    booking_id: int
    start_date: dt.date | None
    end_date: dt.date | None
    slot_start_date: dt.date | None
    slot_end_date: dt.date | None
    seats_free: int
    slot_supervisor_id: int | None
    supervisors: list[SupervisorChoice]
    fits: bool
    problem: str
    suggested_start: dt.date | None
    suggested_end: dt.date | None


class AnswerLinkSent(msgspec.Struct, kw_only=True):
    """A single-use answer link mailed to someone at a host without an account (the link
    itself goes only to that person)."""

    name: str
    email: str
    sent_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None
    replaced: bool
    answer: str


class DeclineRequest(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class WithdrawRequest(msgspec.Struct, forbid_unknown_fields=True):
    reason: Message = ""


class SendToHostRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Send a proposal the participant answers first on to the host without waiting;
    `note` goes into the booking's timeline."""

    note: Message = ""


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
    to_status_text: str = ""


class Participant(msgspec.Struct, kw_only=True):
    """The participant as a booking shows them: the name only. A host reads the first name
    until it has accepted the proposal, then the full name; staff read the full name."""

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
