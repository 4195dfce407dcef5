"""The dashboard's figures of the participants' own choices, with the small-cell rule."""

from __future__ import annotations

import datetime as dt

from admin import schemas
from admin.services.participant_figures import participant_figures
from placements.tables import Booking, ParticipantAnswer, ParticipantInterest
from tests.placements.bookingdata import make_candidate, make_world

DAY = dt.date(2030, 3, 2)
PERIOD = schemas.ReportFilters(start=dt.date(2030, 1, 1), end=dt.date(2030, 12, 31))
PROPOSED = dt.datetime(2030, 2, 1, 9, tzinfo=dt.UTC)


async def _placements(n_interest: int, n_other: int) -> None:
    w = await make_world()
    for i in range(n_interest + n_other):
        candidate = await make_candidate(w.coordinator, f"Deltagare{i}")
        if i < n_interest:
            await ParticipantInterest.insert(
                ParticipantInterest(
                    candidate=candidate,
                    slot=w.slot_id,
                    created_at=PROPOSED - dt.timedelta(days=2),
                )
            )
        rows = await Booking.insert(
            Booking(
                slot=w.slot_id,
                candidate=candidate,
                coordinator=w.coordinator.id,
                status="completed",
                start_date=DAY,
                end_date=DAY + dt.timedelta(days=30),
                proposed_at=PROPOSED,
                decided_at=PROPOSED + dt.timedelta(days=3),
            )
        ).returning(Booking.id)
        if i < n_interest:
            await ParticipantAnswer.insert(
                ParticipantAnswer(
                    booking=rows[0]["id"],
                    answer="yes",
                    answered_at=PROPOSED + dt.timedelta(days=1),
                )
            )


async def test_shares_of_own_interest_and_agreeing_first() -> None:
    await _placements(6, 6)
    interest, agreed = await participant_figures(PERIOD)
    assert (interest.part, interest.whole, interest.share) == (6, 12, 0.5)
    assert (agreed.part, agreed.whole, agreed.share) == (6, 12, 0.5)


async def test_fewer_than_five_is_not_shown() -> None:
    await _placements(3, 6)
    interest, agreed = await participant_figures(PERIOD)
    assert interest.part is None and interest.share is None and interest.whole == 9
    assert agreed.part is None and agreed.share is None


async def test_what_is_left_out_is_not_given_away() -> None:
    await _placements(7, 2)
    interest, _ = await participant_figures(PERIOD)
    assert interest.part is None and interest.share is None


async def test_the_dashboard_shows_them(client, make_client, sign_in) -> None:
    await _placements(6, 6)
    staff = await make_client()
    w = await make_world()
    await sign_in(staff, w.coordinator.username)
    page = await staff.get(
        "/oversikt?start=2030-01-01&end=2030-12-31", headers={"accept": "text/html"}
    )
    assert page.status_code == 200
    assert "Placeringar som började i deltagarens eget intresse" in page.text
    assert "50,0" in page.text.split('id="own-from_interest"')[1].split("</tr>")[0]
