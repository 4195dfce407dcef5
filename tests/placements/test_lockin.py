"""Lock-in (inlåsning): long placements and placements in a row without work or studies are
flagged with a reason, idempotently, resolved when the reason goes, and listed for coordinators."""

from __future__ import annotations

import datetime as dt

from placements import vocabulary
from placements.schemas import outcomes as so
from placements.services import bookings, lockin, outcomes
from placements.tables import LockInFlag
from tests.builders import make_slot
from tests.conftest import login
from tests.placements.bookingdata import make_world, to_active


async def test_long_placement_is_flagged_once_with_its_reason_and_resolved_after(client):
    w = await make_world()
    start = dt.date(2019, 1, 15)
    booking_id = await to_active(w, start=start, end=dt.date(2019, 12, 31))
    assert (await lockin.flag_lock_in(dt.date(2019, 7, 14))).created == 0
    first = await lockin.flag_lock_in(dt.date(2019, 7, 15))
    assert first.created == 1
    assert (await lockin.flag_lock_in(dt.date(2019, 7, 15))).created == 0
    await login(client, w.coordinator.username)
    flags = (await client.get("/api/v1/lock-in-flags/")).json()
    assert len(flags) == 1
    assert flags[0]["kind"] == "long_placement"
    assert "2019-01-15" in flags[0]["reason"] and "6 månader" in flags[0]["reason"]
    assert flags[0]["candidate_name"] == "Aida Andersson"
    await bookings.end(w.host_user, booking_id, "completed", dt.date(2019, 8, 1))
    assert (await lockin.flag_lock_in(dt.date(2019, 8, 2))).resolved == 1
    assert (await client.get("/api/v1/lock-in-flags/")).json() == []
    history = await client.get("/api/v1/lock-in-flags/", params={"include_resolved": "true"})
    assert history.json()[0]["resolved_at"] is not None


async def test_three_placements_in_a_row_without_work_or_studies():
    w = await make_world(capacity=1)
    periods = [
        (dt.date(2019, 1, 1), dt.date(2019, 1, 31)),
        (dt.date(2019, 3, 1), dt.date(2019, 3, 31)),
        (dt.date(2019, 5, 1), dt.date(2019, 5, 31)),
    ]
    ids = []
    for i, (start, end) in enumerate(periods):
        slot = await make_slot(w.host_id, w.supervisor_id, title=f"Plats {i}")
        booking_id = await to_active(w, slot_id=slot, start=start, end=end)
        await bookings.end(w.host_user, booking_id, "completed", end)
        ids.append(booking_id)
        await outcomes.record_outcome(
            w.coordinator, booking_id, so.OutcomeCreate(category="annan_insats", outcome_date=end)
        )
        created = (await lockin.flag_lock_in(end)).created
        assert created == (1 if i == 2 else 0)
    flag = await LockInFlag.select().first()
    assert flag is not None and flag["kind"] == "repeated_placements"
    assert "3 placeringar i rad" in flag["reason"]


async def test_a_step_to_work_resets_the_count():
    w = await make_world(capacity=1)
    dates = [(dt.date(2019, m, 1), dt.date(2019, m, 20)) for m in (1, 3, 5)]
    for i, (start, end) in enumerate(dates):
        slot = await make_slot(w.host_id, w.supervisor_id, title=f"Plats {i}")
        booking_id = await to_active(w, slot_id=slot, start=start, end=end)
        await bookings.end(w.host_user, booking_id, "completed", end)
        category: vocabulary.OutcomeCategory = "arbete" if i == 1 else "okant"
        await outcomes.record_outcome(
            w.coordinator,
            booking_id,
            so.OutcomeCreate(category=category, outcome_date=end, lasts_at_least_one_month=True),
        )
    assert (await lockin.flag_lock_in(dt.date(2019, 6, 1))).created == 0
