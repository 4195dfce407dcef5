"""Every sweep goes on past a row that fails: the placement start sweep and retention too.

A row "fails" here the way an unforeseen bug in one record would: the per-row step raises for
that record only. The sweep must log it, skip it, count it, and still do the other rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine

from admin.services import register
from marketplace.scheduler import run_job
from placements.rows import BookingRow
from placements.services import bookings
from placements.tables import Booking, Candidate
from tests.builders import make_candidate
from tests.placements.bookingdata import make_world, propose, sign_all


async def test_one_failing_placement_does_not_stop_the_start_sweep(monkeypatch):
    w = await make_world(capacity=2, supervision=2)
    other = await make_candidate(w.coordinator, "Bo")
    first = await propose(w)
    second = await propose(w, candidate_id=other)
    for booking_id in (first, second):
        await bookings.accept(w.host_user, booking_id)
        await sign_all(w, booking_id)
    real_start = bookings._start_locked

    async def start_or_fail(booking: BookingRow, user: Any, *rest: Any) -> Any:
        if booking["id"] == first:
            raise RuntimeError("a broken row")
        return await real_start(booking, user, *rest)

    monkeypatch.setattr(bookings, "_start_locked", start_or_fail)
    now = dt.datetime(2030, 3, 3, 6, 0, tzinfo=dt.UTC)
    with time_machine.travel(now, tick=False):
        result = await run_job("activate-placements", worker="test")
    assert result.outcome == "ok", result.error
    assert result.counts == {"started": 1, "skipped_rows": 1}
    statuses = {r["id"]: r["status"] for r in await Booking.select(Booking.id, Booking.status)}
    assert statuses == {first: "agreed", second: "active"}


async def test_one_failing_participant_does_not_stop_retention(monkeypatch):
    w = await make_world()
    other = await make_candidate(w.coordinator, "Bo")
    long_ago = dt.date(2020, 1, 10)
    await Candidate.update({Candidate.exited_at: long_ago}).where(
        Candidate.id.is_in([w.candidate_id, other])
    )
    real = register.anonymise_candidate

    async def anonymise_or_fail(candidate_id: int, **kw: Any) -> bool:
        if candidate_id == w.candidate_id:
            raise RuntimeError("a broken row")
        return await real(candidate_id, **kw)

    monkeypatch.setattr(register, "anonymise_candidate", anonymise_or_fail)
    assert await register.apply_retention(dt.date(2026, 12, 3), years=3) == 1
    rows = {r["id"]: r["anonymised_at"] for r in await Candidate.select()}
    assert rows[other] is not None and rows[w.candidate_id] is None
