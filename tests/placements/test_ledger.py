"""The host's win-win ledger: placements, hours, assessments, work and hires, and gains."""

from __future__ import annotations

import datetime as dt

from placements.rows import PlacementHoursRow
from placements.schemas import agreements as sa
from placements.schemas import outcomes as so
from placements.services import agreement_versions, agreements, bookings, ledger, outcomes
from placements.tables import Booking, Slot
from tests.builders import make_candidate, make_host, make_host_user
from tests.conftest import login
from tests.placements.bookingdata import (
    ACTIVE_END,
    ACTIVE_START,
    backdate,
    make_world,
    propose,
    sign_all,
)


async def test_ledger_counts_what_the_host_gave_and_received(client):
    w = await make_world(capacity=2)
    start, end = dt.date(2019, 1, 7), dt.date(2019, 2, 3)  # four weeks at 30 h
    booking_id = await propose(w, start=ACTIVE_START, end=ACTIVE_END)
    await bookings.accept(w.host_user, booking_id)
    await agreements.update_agreement(
        w.host_user, booking_id, sa.AgreementUpdate(host_gains="Rekrytering till lagret")
    )
    await sign_all(w, booking_id)
    await bookings.start(w.host_user, booking_id)
    await backdate(booking_id, start, end)  # a placement that ran in 2019
    await bookings.end(w.host_user, booking_id, "completed", end)
    await outcomes.submit_assessment(
        w.host_user, booking_id, so.AssessmentCreate(attendance="god", recommendation="would_hire")
    )
    await outcomes.record_outcome(
        w.coordinator,
        booking_id,
        so.OutcomeCreate(
            category="arbete", outcome_date=end, lasts_at_least_one_month=True, hired_by_host=True
        ),
    )
    # A proposal that never became a placement does not count.
    await propose(w, candidate_id=await make_candidate(w.coordinator, "Bo"))

    figures = await ledger.host_ledger_for(w.host_user, w.host_id, today=dt.date(2019, 6, 1))
    assert figures.placements_hosted == 1
    assert figures.placements_active == 0
    assert figures.hours == 120
    assert figures.assessments_returned == 1 and figures.assessments_due == 0
    assert figures.went_to_work == 1 and figures.hired_by_host == 1
    assert figures.host_gains == ["Rekrytering till lagret"]
    # The host raises the slot's hours for the next participant: the placement accepted at 30
    # hours a week still gave 120 hours, and its agreement still says 30.
    await Slot.update({Slot.hours_per_week: 40}).where(Slot.id == w.slot_id)
    later = await ledger.host_ledger_for(w.host_user, w.host_id, today=dt.date(2019, 6, 1))
    assert later.hours == 120
    agreement = await agreement_versions.current_agreement_row(booking_id)
    assert agreement is not None and agreement["weekly_schedule"] == "30 timmar i veckan"

    await login(client, w.host_user.username)
    assert (await client.get(f"/api/v1/hosts/{w.host_id}/ledger")).status_code == 200
    other = await make_host_user(await make_host("Annan AB"))
    await login(client, other.username)
    assert (await client.get(f"/api/v1/hosts/{w.host_id}/ledger")).status_code == 404


def test_hours_follow_the_weeks_run_up_to_today():
    # 14 days at 20 h a week -> 40; a year-long placement seven days in -> 20; no hours -> 0.
    assert ledger.hours_over(20, dt.date(2019, 1, 1), dt.date(2019, 1, 14)) == 40
    row: PlacementHoursRow = {
        "status": "active",
        "started_at": None,
        "start_date": dt.date(2019, 1, 1),
        "end_date": dt.date(2019, 12, 31),
        "ended_at": None,
        "hours_per_week": 20,
    }
    assert ledger.placement_hours(row, dt.date(2019, 1, 7)) == 20
    assert ledger.placement_hours(row | {"hours_per_week": None}, dt.date(2019, 2, 1)) == 0


def test_a_bookings_weekly_hours_are_its_own_else_the_slots():
    # Accepted: the hours kept on the booking, whatever the slot says now (even 0 h).
    assert ledger.weekly_hours(30, 40) == 30
    assert ledger.weekly_hours(0, 40) == 0
    # Not yet accepted (no hours on the booking): the slot's, or none.
    assert ledger.weekly_hours(None, 40) == 40
    assert ledger.weekly_hours(None, None) is None


async def test_the_bookings_made_before_get_their_slots_hours_once():
    """The data migration gives a booking made before the column its slot's hours (the
    figure it showed until then), and leaves a booking that has its own be."""
    import importlib

    from tests.builders import make_booking

    migration = importlib.import_module(
        "placements.piccolo_migrations.placements_2026_12_05t20_00_00_000002"
    )
    w = await make_world(capacity=2)
    before = await make_booking(
        w.slot_id, w.candidate_id, None, status="completed", hours_per_week=None
    )
    own = await make_booking(
        w.slot_id,
        await make_candidate(w.coordinator, "Bo"),
        None,
        status="completed",
        hours_per_week=10,
    )
    manager = await migration.forwards()
    for raw in manager.raw:
        await raw()
    rows = await Booking.select(Booking.id, Booking.hours_per_week).where(
        Booking.id.is_in([before, own])
    )
    assert {r["id"]: r["hours_per_week"] for r in rows} == {before: 30, own: 10}
