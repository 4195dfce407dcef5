"""Room for one more placement: the slot's seats and the supervisors' capacity in a period.

Supervision is the bottleneck: a supervisor guides at most `supervision_capacity`
participants at a time, and every seat-holding placement (accepted, agreed, active) they
supervise whose period shares a day with another counts against it. These are the figures
behind the coordinator's warning when proposing (`proposal_warning`), behind the choices the
host gets when accepting (`accept_options`), and behind the earliest period with room that
both are offered (`free_period`).

The checks here only read. The accept itself repeats them with the rows locked
(`booking_access.lock_placement`), so that what is shown can never let two placements share the
last seat.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from employers.tables import Contact
from marketplace.kernel import clock
from marketplace.kernel.db import swedish_order
from placements.rows import HeldSeat, SlotRoom
from placements.services import SEAT_HOLDING, most_at_once
from placements.tables import Booking

# A period's start or end may be missing: open-ended (`overlaps`).
Day = dt.date | None


def overlaps(
    a_start: dt.date | None, a_end: dt.date | None, b_start: dt.date | None, b_end: dt.date | None
) -> bool:
    """True when two periods share a day; a missing end is open-ended."""
    lo = dt.date.min
    hi = dt.date.max
    return (a_start or lo) <= (b_end or hi) and (b_start or lo) <= (a_end or hi)


def period_text(start: dt.date | None, end: dt.date | None) -> str:
    """A period as a person writes it: "2030-03-02 – 2030-05-29"."""
    return f"{start or 'öppen start'} – {end or 'tills vidare'}"


@dataclass(frozen=True)
class SupervisorLoad:
    """One supervisor of a host and how many they already guide during a period."""

    id: int
    name: str
    capacity: int
    guided: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.guided, 0)

    @property
    def has_room(self) -> bool:
        return self.guided < self.capacity


async def _holding(where: Any, exclude: int) -> list[HeldSeat]:
    """Seat-holding bookings matching `where`, other than `exclude`."""
    return cast(
        "list[HeldSeat]",
        await Booking.select(
            Booking.id, Booking.slot, Booking.supervisor, Booking.start_date, Booking.end_date
        ).where(where & Booking.status.is_in(list(SEAT_HOLDING)) & (Booking.id != exclude)),
    )


def _count(rows: list[HeldSeat], start: Day, end: Day) -> int:
    """How many of `rows` are held at once on the fullest day of start–end (`most_at_once`):
    two placements one after the other inside the period take one place, not two."""
    return most_at_once(((r["start_date"], r["end_date"]) for r in rows), start, end)


async def overlapping(where: Any, start: Day, end: Day, exclude: int = 0) -> int:
    """How many seat-holding bookings matching `where` (a slot's, a supervisor's, a
    participant's), other than `exclude`, are held at once on the fullest day of start–end
    (open-ended where missing); 0 when none shares a day with it."""
    return _count(await _holding(where, exclude), start, end)


def _shares_a_day(row: Any, start: Day, end: Day) -> bool:
    """Whether a booking row's period shares a day with start–end (open-ended where missing)."""
    return (row["start_date"] or dt.date.min) <= (end or dt.date.max) and (
        start or dt.date.min
    ) <= (row["end_date"] or dt.date.max)


def _earliest(rows: list[Any]) -> Any:
    return min(rows, key=lambda r: r["start_date"] or dt.date.min, default=None)


async def first_overlapping(where: Any, start: Day, end: Day) -> HeldSeat | None:
    """The earliest seat-holding booking matching `where` that shares a day with start–end
    (open-ended where missing), or None: what a refusal names, so that the coordinator sees
    which placement is in the way and when."""
    return cast(
        "HeldSeat | None",
        _earliest([r for r in await _holding(where, 0) if _shares_a_day(r, start, end)]),
    )


async def placed_during(candidate_ids: list[int], start: Day, end: Day) -> dict[int, str]:
    """For each of the participants whose seat-holding placement shares a day with
    start–end, that placement as a coordinator reads it: "Träarbetare, 2027-01-21 –
    2027-04-20" (the earliest, where there are several)."""
    if not candidate_ids:
        return {}
    rows = await Booking.select(
        Booking.candidate,
        Booking.slot.title.as_alias("title"),
        Booking.start_date,
        Booking.end_date,
    ).where(Booking.candidate.is_in(candidate_ids) & Booking.status.is_in(list(SEAT_HOLDING)))
    by_candidate: dict[int, list[Any]] = {}
    for r in rows:
        if _shares_a_day(r, start, end):
            by_candidate.setdefault(r["candidate"], []).append(r)
    return {
        cid: f"{first['title']}, {period_text(first['start_date'], first['end_date'])}"
        for cid, held in by_candidate.items()
        if (first := _earliest(held)) is not None
    }


async def seats_taken_during(slot_id: int, start: Day, end: Day, exclude: int = 0) -> int:
    """Seat-holding bookings on the slot whose period shares a day with start–end."""
    return await overlapping(Booking.slot == slot_id, start, end, exclude)


async def supervisor_loads(
    host_id: int, start: Day, end: Day, exclude: int = 0
) -> list[SupervisorLoad]:
    """The host's active supervisors with what they already guide during start–end, by name."""
    contacts = (
        await Contact.select(Contact.id, Contact.name, Contact.supervision_capacity)
        .where(
            (Contact.host == host_id)
            & (Contact.is_supervisor == True)  # noqa: E712 - Piccolo needs ==
            & (Contact.active == True)  # noqa: E712
        )
        .order_by(swedish_order(Contact.name))
    )
    if not contacts:
        return []
    rows = await _holding(Booking.supervisor.is_in([int(c["id"]) for c in contacts]), exclude)
    return [
        SupervisorLoad(
            id=int(c["id"]),
            name=c["name"],
            capacity=int(c["supervision_capacity"]),
            guided=_count([r for r in rows if r["supervisor"] == c["id"]], start, end),
        )
        for c in contacts
    ]


async def free_period(
    slot: SlotRoom,
    start: Day,
    end: Day,
    supervisor_ids: list[int],
    exclude: int = 0,
) -> tuple[dt.date, dt.date] | None:
    """The earliest period as long as start–end, starting no earlier than start (nor before
    today) and inside the slot's dates, in which the slot has a free seat and one of
    `supervisor_ids` has room; None when there is none.

    A period can only become free the day after a placement ends, so those days (and the
    first possible one) are the only starts worth trying."""
    if not supervisor_ids or start is None or end is None:
        return None  # no one to supervise, or an open-ended period: none to suggest
    length = end - start
    first = max(start, clock.today())
    rows = await _holding(
        (Booking.slot == slot["id"]) | Booking.supervisor.is_in(supervisor_ids), exclude
    )
    capacities = {
        int(c["id"]): int(c["supervision_capacity"])
        for c in await Contact.select(Contact.id, Contact.supervision_capacity).where(
            Contact.id.is_in(supervisor_ids)
        )
    }
    starts = sorted(
        {first}
        | {
            r["end_date"] + dt.timedelta(days=1)
            for r in rows
            if r["end_date"] is not None and r["end_date"] >= first
        }
    )
    on_slot = [r for r in rows if r["slot"] == slot["id"]]
    for candidate in starts:
        candidate_end = candidate + length
        last_day = slot["end_date"]
        if last_day and candidate_end > last_day:
            return None
        if _count(on_slot, candidate, candidate_end) >= slot["capacity"]:
            continue
        for supervisor_id, capacity in capacities.items():
            guided = _count(
                [r for r in rows if r["supervisor"] == supervisor_id], candidate, candidate_end
            )
            if guided < capacity:
                return candidate, candidate_end
    return None


@dataclass(frozen=True)
class Room:
    """Whether a placement fits a slot during a period, and what would make it fit."""

    seats_free: int
    slot_supervisor: SupervisorLoad | None
    supervisors: list[SupervisorLoad]
    suggestion: tuple[dt.date, dt.date] | None

    @property
    def others_with_room(self) -> list[SupervisorLoad]:
        own = self.slot_supervisor.id if self.slot_supervisor else None
        return [s for s in self.supervisors if s.has_room and s.id != own]

    @property
    def fits_as_proposed(self) -> bool:
        """A seat is free and the slot's own supervisor has room."""
        return (
            self.seats_free > 0
            and self.slot_supervisor is not None
            and self.slot_supervisor.has_room
        )

    @property
    def fits_with_another_supervisor(self) -> bool:
        return self.seats_free > 0 and bool(self.others_with_room)


async def room_for(slot: SlotRoom, start: Day, end: Day, exclude: int = 0) -> Room:
    """Seats and supervisors of the slot's host during start–end, and, when the slot's own
    supervisor or its seats are full, the earliest period that fits (`free_period`)."""
    taken = await seats_taken_during(int(slot["id"]), start, end, exclude)
    loads = await supervisor_loads(int(slot["host"]), start, end, exclude)
    own = next((s for s in loads if s.id == slot["supervisor"]), None)
    room = Room(max(int(slot["capacity"]) - taken, 0), own, loads, None)
    if room.fits_as_proposed:
        return room
    # The period in which the slot's own supervisor has room; failing that, any of the host's.
    wanted = [own.id] if own else []
    suggestion = await free_period(slot, start, end, wanted, exclude) if wanted else None
    if suggestion is None:
        suggestion = await free_period(slot, start, end, [s.id for s in loads], exclude)
    return Room(room.seats_free, own, loads, suggestion)


def shortage_text(room: Room, start: Day, end: Day) -> str:
    """What stops the placement during start–end, in Swedish ("" when nothing does)."""
    parts: list[str] = []
    period = period_text(start, end)
    if room.seats_free <= 0:
        parts.append(f"Platsen har inga lediga platser under perioden {period}.")
    own = room.slot_supervisor
    if own is not None and not own.has_room:
        parts.append(
            f"Handledaren {own.name} handleder redan {own.guided} deltagare under perioden "
            f"{period} och kan handleda högst {own.capacity} åt gången."
        )
    elif own is None:
        parts.append("Platsen har ingen handledare som kan ta emot deltagaren.")
    return " ".join(parts)


def suggestion_text(room: Room) -> str:
    if room.suggestion is None:
        return "Det finns ingen period med plats inom platsens datum."
    return f"Första period med plats: {period_text(*room.suggestion)}."


# What the host can do when no period has room: another period would be refused too, so the
# way forward is more room (seats on the slot, or a supervisor with room), or a no.
NO_PERIOD_NEEDS_SEATS = "Öka antalet platser på platsen, eller avböj förslaget."
NO_PERIOD_NEEDS_SUPERVISOR = (
    "Lägg till en handledare eller ge en handledare plats för fler deltagare, "
    "eller avböj förslaget."
)


# The same ways forward as the coordinator reads them: declining is the host's to do, so the
# coordinator is told what the host can do, and what is left to them (withdrawing).
FOR_COORDINATOR_ANOTHER_PERIOD = (
    "Värden kan ta emot deltagaren för en annan period, eller avböja. Du kan också "
    "återkalla förslaget och föreslå en annan period."
)
FOR_COORDINATOR_NEEDS_SEATS = (
    "Värden behöver öka antalet platser, eller avböja. Du kan också återkalla förslaget."
)
FOR_COORDINATOR_NEEDS_SUPERVISOR = (
    "Värden behöver lägga till en handledare eller ge en handledare plats för fler "
    "deltagare, eller avböja. Du kan också återkalla förslaget."
)


def way_forward_text(room: Room, *, to_host: bool = True) -> str:
    """What can be done about a proposal that does not fit as it stands, after the
    suggested period (or that there is none): another period when one has room; otherwise
    make room, or decline. Telling the host to pick another period when none has room was a
    dead end. Said to the host, or (`to_host=False`) to the coordinator, who cannot decline."""
    if room.suggestion is not None:
        then = (
            "Föreslå en annan period, eller avböj förslaget."
            if to_host
            else FOR_COORDINATOR_ANOTHER_PERIOD
        )
        return f"{suggestion_text(room)} {then}"
    if to_host:
        needs = NO_PERIOD_NEEDS_SEATS if room.seats_free <= 0 else NO_PERIOD_NEEDS_SUPERVISOR
    else:
        needs = (
            FOR_COORDINATOR_NEEDS_SEATS
            if room.seats_free <= 0
            else FOR_COORDINATOR_NEEDS_SUPERVISOR
        )
    return f"{suggestion_text(room)} {needs}"
