"""Capacity under concurrency: 50 hosts' clicks on "accept" for 50 different proposals on a
one-seat slot, at the same moment, through the HTTP API. Exactly one wins, 49 answer 409,
none answers 500. Repeated 8 times (400 racing accepts), on SQLite (BEGIN IMMEDIATE) and
PostgreSQL (row locks). Each round is 50 accepts racing for one seat, so a missing lock lets
more than one through in the first round; the 20 rounds this test had cost ~15 s per engine.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest

from marketplace.kernel import auth
from marketplace.kernel.db import connection_pool
from marketplace.kernel.errors import Conflict
from placements.tables import Booking
from tests.builders import make_booking, make_candidate_row, make_slot, make_supervisor
from tests.placements.bookingdata import make_world

ROUNDS = 8
CONCURRENT = 50
START = dt.date(2030, 3, 2)
END = dt.date(2030, 5, 29)


@pytest.fixture
async def bounded_pool() -> AsyncIterator[None]:
    """On PostgreSQL, a bounded pool, so 50 concurrent transactions do not open 50+
    connections on a server other test runs share (production runs with a pool too)."""
    async with connection_pool(Booking._meta.db, 20):
        yield


async def proposals(slot_id: int, coordinator_id: int, round_no: int) -> list[int]:
    """50 proposals of 50 different participants for the slot, written straight to the tables
    (proposing is not what this test is about)."""
    ids = [
        await make_candidate_row(
            coordinator_id,
            f"Deltagare{round_no}-{i}",
            last_name="Samtidig",
            email="",
            registered_at=dt.date(2026, 1, 1),
        )
        for i in range(CONCURRENT)
    ]
    for cid in ids:
        await make_booking(
            slot_id, cid, coordinator_id, status="proposed", start_date=START, end_date=END
        )
    rows = await Booking.select(Booking.id).where(Booking.slot == slot_id)
    return [r["id"] for r in rows]


async def test_fifty_concurrent_accepts_on_one_seat_exactly_one_wins(app, bounded_pool):
    w = await make_world()
    _, token = await auth.create_token(w.host_user.username, "samtidighet")
    transport = httpx.ASGITransport(app=app)
    outcomes: Counter[int] = Counter()
    started = time.perf_counter()
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://testserver.local",
        headers={"authorization": f"Bearer {token}"},
        timeout=60,
    ) as client:
        for round_no in range(ROUNDS):
            supervisor = await make_supervisor(w.host_id, capacity=CONCURRENT)
            slot_id = await make_slot(w.host_id, supervisor, capacity=1, title=f"Plats {round_no}")
            booking_ids = await proposals(slot_id, w.coordinator.id, round_no)
            assert len(booking_ids) == CONCURRENT
            responses = await asyncio.gather(
                *(client.post(f"/api/v1/bookings/{bid}/accept") for bid in booking_ids)
            )
            codes = Counter(r.status_code for r in responses)
            outcomes.update(codes)
            assert codes == {200: 1, 409: CONCURRENT - 1}, (round_no, codes)
            refused = [r.json()["detail"] for r in responses if r.status_code == 409]
            assert all("ingen ledig plats" in d for d in refused), set(refused)
            accepted = await Booking.count().where(
                (Booking.slot == slot_id) & (Booking.status == "accepted")
            )
            assert accepted == 1
    elapsed = time.perf_counter() - started
    assert outcomes == {200: ROUNDS, 409: ROUNDS * (CONCURRENT - 1)}
    print(f"\n{ROUNDS}×{CONCURRENT} concurrent accepts in {elapsed:.1f} s")


@pytest.mark.sqlite_only
async def test_begin_immediate_alone_holds_across_event_loops():
    """Writers in different event loops (as in different processes) do not share the
    in-process writer queue; SQLite's BEGIN IMMEDIATE alone must still keep the seat single."""
    import threading

    from placements.services import bookings

    w = await make_world()
    slot_id = await make_slot(w.host_id, await make_supervisor(w.host_id, capacity=40), capacity=1)
    booking_ids = await proposals(slot_id, w.coordinator.id, 99)
    results: list[str] = []

    async def accept_all(ids: list[int]) -> list[str]:
        async def one(booking_id: int) -> str:
            try:
                await bookings.accept(w.host_user, booking_id)
            except Conflict:
                return "409"
            return "200"

        return await asyncio.gather(*(one(b) for b in ids))

    def worker(ids: list[int]) -> None:
        results.extend(asyncio.run(accept_all(ids)))

    threads = [threading.Thread(target=worker, args=(booking_ids[i::2],)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        await asyncio.to_thread(t.join)
    assert Counter(results) == {"200": 1, "409": CONCURRENT - 1}
