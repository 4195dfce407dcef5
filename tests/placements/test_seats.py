"""Seats in use, counted by period (`placements.services.most_at_once`): the one count behind
"N av M lediga" on every page, the search's free-places filter and the room checks before a
placement is proposed or accepted.

A host's day: a slot of 2 places with three placements one after another said "0 av 2" and
warned of over-booking. Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

from placements.services import capacity, most_at_once
from placements.services import slots as slot_services
from tests.builders import make_booking, make_candidate, make_user
from tests.placements.bookingdata import TODAY, make_world

D = dt.date(2027, 1, 1)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def test_periods_one_after_another_use_one_place() -> None:
    periods = [(None, day(5)), (day(6), day(19)), (day(20), None)]
    assert most_at_once(periods, None, None) == 1
    assert most_at_once(periods, day(0), day(30)) == 1


def test_periods_sharing_a_day_use_a_place_each() -> None:
    periods = [(day(0), day(10)), (day(10), day(20)), (day(5), None)]
    assert most_at_once(periods, None, None) == 3
    assert most_at_once(periods, day(11), None) == 2
    assert most_at_once(periods, day(21), day(40)) == 1
    assert most_at_once(periods, None, day(-1)) == 0


def test_a_period_outside_the_window_uses_nothing_in_it() -> None:
    assert most_at_once([(day(0), day(3))], day(4), None) == 0
    assert most_at_once([(day(4), None)], None, day(3)) == 0
    assert most_at_once([], None, None) == 0


async def test_the_room_check_and_the_slots_free_places_count_alike() -> None:
    """Two placements one after the other inside the asked period take one place of two:
    the room check offers the other, and the slot says 1 of 2 free."""
    w = await make_world(capacity=2)
    coordinator = await make_user("coordinator")
    for n, (start, end) in enumerate(
        [(TODAY, TODAY + dt.timedelta(days=20)), (TODAY + dt.timedelta(days=21), None)]
    ):
        candidate = await make_candidate(coordinator, f"Deltagare{n}")
        await make_booking(
            w.slot_id, candidate, coordinator.id, status="active", start_date=start, end_date=end
        )
    room = await capacity.room_for(
        {
            "id": w.slot_id,
            "host": w.host_id,
            "supervisor": w.supervisor_id,
            "capacity": 2,
            "end_date": None,
        },
        TODAY,
        TODAY + dt.timedelta(days=60),
    )
    assert room.seats_free == 1
    slot = await slot_services.get_slot(w.host_user, w.slot_id)
    assert slot.open_seats == 1
