"""Issue 13, item 3: overlap and supervisor capacity under concurrency.

An agreement period change used to lock only the slot and the booking, while accept locked
slot, supervisor and participant: on PostgreSQL a period change racing an accept left a
participant with two overlapping placements (21 of 40 rounds) and a supervisor over their
capacity. Now every write that changes a placement's period, participant or supervisor locks
through `booking_access.lock_placement` (participant → supervisor(s) → slot → booking), and on
PostgreSQL an exclusion constraint refuses overlapping placements of one participant.

Each race runs 40 rounds on both engines; a round is one period change and one accept (or two
accepts) started at the same moment. A violation is a round after which the participant has
two overlapping seat-holding placements, or a supervisor guides more than their capacity.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import pytest
from piccolo.engine.postgres import PostgresEngine

from marketplace.kernel import clock
from marketplace.kernel.db import is_sqlite, write_transaction
from marketplace.kernel.errors import Conflict
from placements.rows import BookingRow
from placements.schemas import agreements as sa
from placements.services import (
    SEAT_HOLDING,
    agreement_versions,
    agreements,
    booking_access,
    bookings,
    capacity,
)
from placements.tables import Booking, Slot
from tests.builders import (
    make_agreement,
    make_booking,
    make_candidate_row,
    make_slot,
    make_supervisor,
)
from tests.placements.bookingdata import World, make_world

ROUNDS = 40
# Periods the date table accepts: they start after today and end within two years.
_BASE = clock.today() + dt.timedelta(days=30)
JANUARY = (_BASE, _BASE + dt.timedelta(days=25))
MARCH = (_BASE + dt.timedelta(days=56), _BASE + dt.timedelta(days=81))


@pytest.fixture
async def bounded_pool() -> AsyncIterator[None]:
    """On PostgreSQL, a small pool, so that each racer has a connection of its own at once
    (production serves with a pool too)."""
    engine = Booking._meta.db
    if is_sqlite(engine):
        yield
        return
    assert isinstance(engine, PostgresEngine)
    await engine.start_connection_pool(min_size=2, max_size=6)
    try:
        yield
    finally:
        await engine.close_connection_pool()


async def _candidate(w: World, tag: str) -> int:
    return await make_candidate_row(
        w.coordinator.id,
        f"Racer {tag}",
        last_name="Samtidig",
        email="",
        registered_at=dt.date(2026, 1, 1),
    )


async def _booking(
    w: World, slot_id: int, candidate_id: int, period: tuple[dt.date, dt.date], status: str
) -> int:
    """A booking written straight to the tables; an accepted one with its draft agreement."""
    supervisor = None
    if status != "proposed":
        slot = await Slot.select(Slot.supervisor).where(Slot.id == slot_id).first()
        assert slot is not None
        supervisor = slot["supervisor"]
    booking = await make_booking(
        slot_id,
        candidate_id,
        w.coordinator.id,
        supervisor=supervisor,
        status=status,
        start_date=period[0],
        end_date=period[1],
    )
    if status != "proposed":
        agreement = await make_agreement(
            booking,
            start_date=period[0],
            end_date=period[1],
            supervisor=supervisor,
            coordinator=w.coordinator.id,
        )
        await agreement_versions.new_signatures(agreement)
    return booking


async def _outcome(action: Awaitable[Any]) -> str:
    try:
        await action
    except Conflict:
        return "409"
    return "200"


def _move_to_march(w: World, booking_id: int) -> Awaitable[Any]:
    return agreements.update_agreement(
        w.host_user, booking_id, sa.AgreementUpdate(start_date=MARCH[0], end_date=MARCH[1])
    )


async def _holding(where: Any) -> list[dict[str, Any]]:
    return await Booking.select(Booking.start_date, Booking.end_date).where(
        where & Booking.status.is_in(list(SEAT_HOLDING))
    )


def _max_overlap(rows: list[dict[str, Any]]) -> int:
    """The most placements among `rows` that share one day."""
    most = 0
    for row in rows:
        day = row["start_date"]
        most = max(
            most,
            sum(1 for r in rows if capacity.overlaps(day, day, r["start_date"], r["end_date"])),
        )
    return most


async def test_period_change_racing_an_accept_never_overlaps_a_participant(bounded_pool):
    """The participant holds a January placement at slot A and is proposed for March at slot
    B (another supervisor). At once: A's period moves to March, and B is accepted. One wins."""
    w = await make_world()
    slot_a = await make_slot(
        w.host_id, await make_supervisor(w.host_id, capacity=ROUNDS), capacity=ROUNDS
    )
    slot_b = await make_slot(
        w.host_id, await make_supervisor(w.host_id, capacity=ROUNDS), capacity=ROUNDS
    )
    async with write_transaction(Booking._meta.db):  # one commit for all the set-up
        rounds = []
        for round_no in range(ROUNDS):
            person = await _candidate(w, f"o{round_no}")
            placed = await _booking(w, slot_a, person, JANUARY, "accepted")
            proposed = await _booking(w, slot_b, person, MARCH, "proposed")
            rounds.append((person, placed, proposed))
    violations = 0
    results: Counter[tuple[str, str]] = Counter()
    for person, placed, proposed in rounds:
        change, accept = await asyncio.gather(
            _outcome(_move_to_march(w, placed)),
            _outcome(bookings.accept(w.host_user, proposed)),
        )
        results[(change, accept)] += 1
        if _max_overlap(await _holding(Booking.candidate == person)) > 1:
            violations += 1
    assert violations == 0, results
    # Exactly one of the two wins each round, and both orders occur or at least one does.
    assert set(results) <= {("200", "409"), ("409", "200")}, results


async def test_two_accepts_never_overbook_a_supervisor_of_capacity_one(bounded_pool):
    """Two slots share one supervisor who can guide one participant at a time; two proposals
    for the same period, one on each slot, are accepted at once. One wins."""
    w = await make_world()
    async with write_transaction(Booking._meta.db):  # one commit for all the set-up
        rounds = []
        for round_no in range(ROUNDS):
            supervisor = await make_supervisor(w.host_id, capacity=1)
            slot_x = await make_slot(w.host_id, supervisor, capacity=1)
            slot_y = await make_slot(w.host_id, supervisor, capacity=1)
            first = await _booking(
                w, slot_x, await _candidate(w, f"x{round_no}"), MARCH, "proposed"
            )
            second = await _booking(
                w, slot_y, await _candidate(w, f"y{round_no}"), MARCH, "proposed"
            )
            rounds.append((supervisor, first, second))
    violations = 0
    results: Counter[tuple[str, str]] = Counter()
    for supervisor, first, second in rounds:
        outcome = await asyncio.gather(
            _outcome(bookings.accept(w.host_user, first)),
            _outcome(bookings.accept(w.host_user, second)),
        )
        results[(outcome[0], outcome[1])] += 1
        if _max_overlap(await _holding(Booking.supervisor == supervisor)) > 1:
            violations += 1
    assert violations == 0, results
    assert set(results) <= {("200", "409"), ("409", "200")}, results


async def test_period_change_racing_an_accept_never_overbooks_a_supervisor(bounded_pool):
    """A supervisor of capacity one guides a January placement at slot X; another
    participant is proposed for March at slot Y with the same supervisor. At once: the
    January placement moves to March, and the March proposal is accepted. One wins."""
    w = await make_world()
    async with write_transaction(Booking._meta.db):  # one commit for all the set-up
        rounds = []
        for round_no in range(ROUNDS):
            supervisor = await make_supervisor(w.host_id, capacity=1)
            slot_x = await make_slot(w.host_id, supervisor, capacity=1)
            slot_y = await make_slot(w.host_id, supervisor, capacity=1)
            placed = await _booking(
                w, slot_x, await _candidate(w, f"p{round_no}"), JANUARY, "accepted"
            )
            proposed = await _booking(
                w, slot_y, await _candidate(w, f"q{round_no}"), MARCH, "proposed"
            )
            rounds.append((supervisor, placed, proposed))
    violations = 0
    results: Counter[tuple[str, str]] = Counter()
    for supervisor, placed, proposed in rounds:
        change, accept = await asyncio.gather(
            _outcome(_move_to_march(w, placed)),
            _outcome(bookings.accept(w.host_user, proposed)),
        )
        results[(change, accept)] += 1
        # Capacity one: at most one placement guided on any day.
        if _max_overlap(await _holding(Booking.supervisor == supervisor)) > 1:
            violations += 1
    assert violations == 0, results
    assert set(results) <= {("200", "409"), ("409", "200")}, results


@pytest.mark.postgres_only
async def test_the_database_refuses_overlapping_placements_of_one_participant():
    """The exclusion constraint holds even for a write that skips the service's checks, and
    the service turns its refusal into a Swedish 409, never a 500."""
    w = await make_world()
    other_slot = await make_slot(w.host_id, await make_supervisor(w.host_id, capacity=5))
    person = await _candidate(w, "db")
    await _booking(w, w.slot_id, person, JANUARY, "accepted")
    # Another period, or a booking that holds no seat, is fine.
    await _booking(w, other_slot, person, MARCH, "accepted")
    await _booking(w, other_slot, person, JANUARY, "proposed")
    await _booking(w, other_slot, person, JANUARY, "withdrawn")
    with pytest.raises(Conflict, match="redan en placering under samma period") as refused:
        async with booking_access.placement_transaction():
            await make_booking(
                other_slot,
                person,
                w.coordinator.id,
                status="active",
                start_date=JANUARY[0] + dt.timedelta(days=14),
                end_date=JANUARY[0] + dt.timedelta(days=45),
            )
    assert refused.value.status_code == 409
    # An open-ended placement overlaps everything after its start.
    with pytest.raises(Conflict):
        async with booking_access.placement_transaction():
            await make_booking(
                other_slot,
                person,
                w.coordinator.id,
                status="agreed",
                start_date=JANUARY[0] - dt.timedelta(days=26),
                end_date=None,
            )
    assert len(await _holding(Booking.candidate == person)) == 2


async def test_accept_and_period_change_share_one_lock_function(monkeypatch):
    """Every write that changes a placement's period or supervisor goes through
    `lock_placement` (the one lock order), on both engines."""
    w = await make_world(supervision=5)
    calls: list[int] = []
    real = booking_access.lock_placement

    async def spy(booking_id: int, **kw: Any) -> BookingRow:
        calls.append(booking_id)
        return await real(booking_id, **kw)

    monkeypatch.setattr(booking_access, "lock_placement", spy)
    person = await _candidate(w, "spy")
    proposed = await _booking(w, w.slot_id, person, JANUARY, "proposed")
    await bookings.accept(w.host_user, proposed)
    await _move_to_march(w, proposed)
    assert calls == [proposed, proposed]
