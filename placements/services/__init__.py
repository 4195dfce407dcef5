"""Business actions and queries of the placements package, one module per topic:
`slots`, `candidates`, `bookings`, `agreements`, `answers`, `outcomes` and so on. The booking
core is a one-way stack (see `bookings`): `booking_access` → `booking_mail` → `booking_moves`
→ `agreement_versions`, `answer_links`, `assessment_links` → `bookings` (the actions) →
`agreements`, `answers`, `outcomes`, `attendance`, `candidate_updates` on top.

This module holds what they all share: the search change marker and seat accounting.
"""

from __future__ import annotations

import datetime as dt

from piccolo.query.functions.aggregate import Count

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
    async with Slot._meta.db.transaction():
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


async def seats_taken(slot_ids: list[int]) -> dict[int, int]:
    """How many seat-holding bookings each slot has now (slots without any are absent)."""
    if not slot_ids:
        return {}
    rows = (
        await Booking.select(Booking.slot, Count(Booking.id, alias="n"))
        .where(Booking.slot.is_in(slot_ids) & Booking.status.is_in(list(SEAT_HOLDING)))
        .group_by(Booking.slot)
    )
    return {int(r["slot"]): int(r["n"]) for r in rows}
