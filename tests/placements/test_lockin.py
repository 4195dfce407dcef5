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
    # Ending the placement resolves the flag at once, not at the next sweep (a tester saw
    # "Risk för inlåsning" on a participant whose placement had ended); the sweep agrees.
    await bookings.end(w.host_user, booking_id, "completed", dt.date(2019, 8, 1))
    assert (await client.get("/api/v1/lock-in-flags/")).json() == []
    assert (await lockin.flag_lock_in(dt.date(2019, 8, 2))).resolved == 0
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
    # A flag whose reason still holds stays open when the participant's placements change.
    assert await lockin.resolve_gone(None, w.candidate_id, periods[-1][1]) == 0
    still = await LockInFlag.select(LockInFlag.resolved_at).where(LockInFlag.id == flag["id"])
    assert still == [{"resolved_at": None}]


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


async def test_an_ended_placement_with_work_leaves_no_flag_and_shows_on_the_participant(client):
    """The tester's walk: a placement flagged as too long was ended and its outcome Arbete
    recorded, and the participant still read "Risk för inlåsning", with "Senast ändrad" at
    the placement's start and the outcome missing from the timeline. The flag goes when the
    placement ends, the outcome and the end stand in the timeline, "Senast ändrad" moves,
    and the report still counts the flag as raised, and no longer open at today."""
    from admin.reports.lock_in import lock_in
    from admin.schemas import ReportFilters
    from marketplace.kernel import clock
    from placements.tables import Candidate
    from tests.placements.test_answer_pages import login as page_login

    w = await make_world()
    today = clock.today()
    start = lockin.add_months(today, -7)
    booking_id = await to_active(w, start=start, end=today + dt.timedelta(days=30))
    assert (await lockin.flag_lock_in(today)).created == 1
    old = dt.datetime.combine(start, dt.time(8), tzinfo=dt.UTC)
    await Candidate.update({Candidate.updated_at: old}).where(Candidate.id == w.candidate_id)
    await page_login(client, w.coordinator.username)
    url = f"/arbetsbord/deltagare/{w.candidate_id}"
    assert "Risk för inlåsning" in (await client.get(url, headers={"accept": "text/html"})).text

    await bookings.end(w.coordinator, booking_id, "completed", today)
    assert await LockInFlag.count().where(LockInFlag.resolved_at.is_null()) == 0
    changed = (
        await Candidate.select(Candidate.updated_at).where(Candidate.id == w.candidate_id).first()
    )
    assert changed is not None and changed["updated_at"] > old
    await outcomes.record_outcome(
        w.coordinator,
        booking_id,
        so.OutcomeCreate(
            category="arbete",
            outcome_date=today,
            lasts_at_least_one_month=True,
            hired_by_host=True,
        ),
    )

    page = await client.get(
        f"/arbetsbord/deltagare/{w.candidate_id}", headers={"accept": "text/html"}
    )
    assert page.status_code == 200
    assert "Risk för inlåsning" not in page.text
    assert f"Utfall registrerat: Arbete {today}, anställd hos värden" in page.text
    # The note changed no status: it does not read as the placement ending a second time.
    note = page.text.split("Utfall registrerat:")[0].rsplit("<li>", 1)[1]
    assert "avslutad" not in note and "avbruten" not in note
    listing = await client.get("/arbetsbord", headers={"accept": "text/html"})
    assert "Flaggad" not in listing.text

    report = await lock_in(ReportFilters(start=start, end=today))
    assert (report.raised, report.open_at_end) == (1, 0)
