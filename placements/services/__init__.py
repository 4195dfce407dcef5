"""Business actions and queries of the placements package, one module per topic:
`slots`, `candidates`, `bookings`, `agreements`, `answers`, `outcomes` and so on. The booking
core is a one-way stack (see `bookings`): `booking_access` → `booking_mail` → `booking_moves`
→ `agreement_versions`, `answer_links`, `assessment_links` → `bookings` (the actions) →
`agreements`, `answers`, `outcomes`, `attendance`, `candidate_updates` on top.

This module holds what they all share: the search change marker and seat accounting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from marketplace.kernel import clock
from marketplace.kernel.db import write_transaction
from placements import booking_states
from placements.tables import Booking, ChangeCounter, Slot

SLOTS_COUNTER = "slots"
# Bookings in these statuses hold a seat on their slot (and a supervisor's capacity).
SEAT_HOLDING = booking_states.SEAT_HOLDING


async def bump_slot_change(slot_id: int) -> int:
    """Stamp the slot with the next change number, so every worker's index picks it up.

    Call inside the transaction that changes the slot (or its open seats).
    """
    return await bump_slot_changes([slot_id])


async def take_slot_change() -> int:
    """Take the next change number without stamping a slot (bulk writers stamp it themselves).

    Call inside the transaction that writes the slots, and give every slot written the
    returned value as `change_seq`: the index then fetches them all in one catch-up.
    """
    return await take_change(SLOTS_COUNTER)


async def take_change(counter: str) -> int:
    """Increment the named change counter and return its new value (call inside the write)."""
    rows = await ChangeCounter.raw(
        "UPDATE pl_change_counter SET value = value + 1 WHERE name = {} RETURNING value",
        counter,
    )
    if not rows:
        await ChangeCounter.raw(
            "INSERT INTO pl_change_counter (name, value) VALUES ({}, 0) ON CONFLICT (name) DO NOTHING",
            counter,
        )
        return await take_change(counter)
    return int(rows[0]["value"])


async def bump_slot_changes(slot_ids: list[int]) -> int:
    """`bump_slot_change` for many slots at once: one change number, stamped on each.

    The counter and the stamps commit together (joining the caller's transaction, or in one
    of their own): a worker that saw the new counter value must also find the stamped slots.
    """
    async with write_transaction(Slot._meta.db):
        value = await take_slot_change()
        now = dt.datetime.now(dt.UTC)
        ids = sorted(set(slot_ids))
        for start in range(0, len(ids), 500):
            await Slot.update({Slot.change_seq: value, Slot.updated_at: now}).where(
                Slot.id.is_in(ids[start : start + 500])
            )
    return value


async def current_slot_change() -> int:
    """The latest change number (0 before any change): the cheap marker workers poll."""
    return await current_change(SLOTS_COUNTER)


async def current_change(counter: str) -> int:
    """The named change counter's value (0 before its first change)."""
    row = (
        await ChangeCounter.select(ChangeCounter.value).where(ChangeCounter.name == counter).first()
    )
    return int(row["value"]) if row else 0


Period = tuple[dt.date | None, dt.date | None]


def most_at_once(periods: Iterable[Period], start: dt.date | None, end: dt.date | None) -> int:
    """The most of `periods` that share one day of start–end (a missing date open-ended):
    how many places they use at once there. The one count of seats in use, by the checks
    before a placement is proposed or accepted (`capacity`) and by every "N av M lediga"
    (`seats_taken`): a slot of 2 places with placements one after another (to 6 January, 7–20
    January, from 21 January) uses 1 at a time, though the host's page said "0 av 2" and
    warned of three placements on two places."""
    lo = start or dt.date.min
    hi = end or dt.date.max
    changes: list[tuple[dt.date, int]] = []
    for first, last in periods:
        first, last = max(first or dt.date.min, lo), min(last or dt.date.max, hi)
        if first > last:
            continue
        changes.append((first, 1))
        if last < dt.date.max:
            changes.append((last + dt.timedelta(days=1), -1))
    most = now = 0
    for _, change in sorted(changes):  # a period's end comes before another's start that day
        now += change
        most = max(most, now)
    return most


async def seats_taken(slot_ids: list[int]) -> dict[int, int]:
    """How many places each slot's seat-holding bookings use at once from today on
    (`most_at_once`, today to open end): what a new placement from today would find taken,
    so "lediga" on every page, the search's "only free places" and the accept check agree,
    and a slot holds more placements than places only when they overlap (slots without any
    are absent). It moves as days pass without a slot changing: the search index's copy is
    refreshed with the slot's next change or the index's next rebuild."""
    if not slot_ids:
        return {}
    rows = await Booking.select(Booking.slot, Booking.start_date, Booking.end_date).where(
        Booking.slot.is_in(slot_ids) & Booking.status.is_in(list(SEAT_HOLDING))
    )
    periods: dict[int, list[Period]] = {}
    for r in rows:
        periods.setdefault(int(r["slot"]), []).append((r["start_date"], r["end_date"]))
    today = clock.today()
    taken = {slot: most_at_once(held, today, None) for slot, held in periods.items()}
    return {slot: n for slot, n in taken.items() if n}
