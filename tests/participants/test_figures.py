"""The dashboard's figures of the participants' own choices, with the small-cell rule."""

from __future__ import annotations

import datetime as dt

import msgspec

from admin import schemas
from admin.reports.participant_figures import participant_figures
from placements.tables import ParticipantAnswer, ParticipantInterest
from tests.builders import make_booking, make_booking_event, make_candidate
from tests.placements.bookingdata import make_world

DAY = dt.date(2030, 3, 2)
PERIOD = schemas.ReportFilters(start=dt.date(2030, 1, 1), end=dt.date(2030, 12, 31))
PROPOSED = dt.datetime(2030, 2, 1, 9, tzinfo=dt.UTC)


async def _placements(n_interest: int, n_other: int, track: str = "kompetens") -> None:
    w = await make_world()
    for i in range(n_interest + n_other):
        candidate = await make_candidate(w.coordinator, f"Deltagare{i}", track=track)
        if i < n_interest:
            await ParticipantInterest.insert(
                ParticipantInterest(
                    candidate=candidate,
                    slot=w.slot_id,
                    created_at=PROPOSED - dt.timedelta(days=2),
                )
            )
        booking = await make_booking(
            w.slot_id,
            candidate,
            w.coordinator.id,
            status="completed",
            start_date=DAY,
            end_date=DAY + dt.timedelta(days=30),
            proposed_at=PROPOSED,
            decided_at=PROPOSED + dt.timedelta(days=3),
        )
        if i < n_interest:
            # An answer to a proposal the host had already: not made with the option.
            await ParticipantAnswer.insert(
                ParticipantAnswer(
                    booking=booking,
                    answer="yes",
                    answered_at=PROPOSED + dt.timedelta(days=1),
                )
            )


async def _event(booking_id: int, before: str, after: str, at: dt.datetime) -> None:
    await make_booking_event(booking_id, before, after, at=at)


async def _asked_first(*, yes: int = 0, sent_on: int = 0, no: int = 0, late_yes: int = 0) -> None:
    """Proposals made with "let the participant answer first": `yes` the participant said
    "vill" to (which sent them on), `sent_on` the coordinator sent on unanswered, `no` the
    participant said "vill inte" to, `late_yes` sent on first and said "vill" to after."""
    w = await make_world()
    kinds = ["yes"] * yes + ["sent_on"] * sent_on + ["no"] * no + ["late_yes"] * late_yes
    for i, kind in enumerate(kinds):
        candidate = await make_candidate(w.coordinator, f"Tillfragad{i}")
        status = "withdrawn" if kind == "no" else "proposed"
        booking = await make_booking(
            w.slot_id,
            candidate,
            w.coordinator.id,
            status=status,
            start_date=DAY,
            end_date=DAY + dt.timedelta(days=30),
            proposed_at=PROPOSED,
        )
        await _event(booking, "", "awaiting_participant", PROPOSED)
        answered = PROPOSED + dt.timedelta(days=1)
        sent = PROPOSED + dt.timedelta(days=2 if kind == "late_yes" else 1)
        if kind in ("yes", "late_yes", "no"):
            if kind == "late_yes":
                answered = PROPOSED + dt.timedelta(days=3)
            await ParticipantAnswer.insert(
                ParticipantAnswer(
                    booking=booking,
                    answer="no" if kind == "no" else "yes",
                    comment="För långt bort" if kind == "no" else "",
                    answered_at=answered,
                )
            )
        if kind == "no":
            await _event(booking, "awaiting_participant", "withdrawn", answered)
        else:
            await _event(booking, "awaiting_participant", "proposed", sent)


async def test_shares_of_own_interest_and_agreeing_first() -> None:
    await _placements(6, 6)
    await _asked_first(yes=6, sent_on=2, no=2, late_yes=2)
    interest, agreed = await participant_figures(PERIOD)
    assert (interest.part, interest.whole, interest.share) == (6, 12, 0.5)
    # Only proposals made with the option count; a "vill" after the host saw it does not.
    assert (agreed.part, agreed.whole, agreed.share) == (6, 12, 0.5)


async def test_proposals_without_the_option_are_not_counted() -> None:
    await _placements(8, 0)  # answered "vill", but the host had them from the start
    _, agreed = await participant_figures(PERIOD)
    assert agreed.whole == 0 and agreed.share is None


async def test_fewer_than_five_is_not_shown() -> None:
    await _placements(3, 6)
    await _asked_first(yes=3, sent_on=6)
    interest, agreed = await participant_figures(PERIOD)
    assert interest.part is None and interest.share is None and interest.whole == 9
    assert agreed.part is None and agreed.share is None and agreed.whole == 9


async def test_a_share_of_fewer_than_five_proposals_is_not_shown() -> None:
    await _asked_first(yes=2, no=2)
    _, agreed = await participant_figures(PERIOD)
    assert agreed.part is None and agreed.whole is None and agreed.share is None


async def test_what_is_left_out_is_not_given_away() -> None:
    await _placements(7, 2)
    interest, _ = await participant_figures(PERIOD)
    assert interest.part is None and interest.share is None


async def test_the_dashboard_shows_them(client, make_client, sign_in) -> None:
    await _placements(6, 6)
    await _asked_first(yes=5, sent_on=5)
    staff = await make_client()
    w = await make_world()
    await sign_in(staff, w.coordinator.username)
    page = await staff.get(
        "/oversikt?start=2030-01-01&end=2030-12-31", headers={"accept": "text/html"}
    )
    assert page.status_code == 200
    assert "Placeringar som började i deltagarens eget intresse" in page.text
    assert "50,0" in page.text.split('id="own-from_interest"')[1].split("</tr>")[0]
    assert "Förslag som deltagaren sa ja till innan värden såg dem" in page.text
    assert "50,0" in page.text.split('id="own-agreed_first"')[1].split("</tr>")[0]


async def test_a_tracks_figures_do_not_give_another_tracks_few_away() -> None:
    """Seen by an analyst: Rapporter hid Kompetens's 7 placements (Hälsa had 2, and the whole
    minus Kompetens gave them), but the dashboard's "Av" of own choices showed the 7. The
    tracks' slices are protected here as the reports protect theirs."""
    await _placements(3, 4, track="kompetens")
    await _placements(0, 2, track="hälsa")
    kompetens = msgspec.structs.replace(PERIOD, track="kompetens")
    interest, _ = await participant_figures(kompetens)
    assert interest.whole is None and interest.whole_hidden == "dold"
    assert interest.share is None
    # Unfiltered, the 9 placements are no slice of anything: shown.
    interest, _ = await participant_figures(PERIOD)
    assert interest.whole == 9
    # Where the 85/15 report hides its total (the same placements), so does this figure.
    interest, _ = await participant_figures(PERIOD, placements_hidden=True)
    assert interest.whole is None and interest.whole_hidden == "dold"


async def test_the_dashboard_hides_the_whole_its_85_15_report_hides(make_client, sign_in) -> None:
    await _placements(3, 4, track="kompetens")
    await _placements(0, 2, track="hälsa")
    staff = await make_client()
    w = await make_world()
    await sign_in(staff, w.coordinator.username)
    page = await staff.get(
        "/oversikt?start=2030-01&end=2030-12&track=kompetens", headers={"accept": "text/html"}
    )
    assert page.status_code == 200, page.text[:500]
    row = page.text.split('id="own-from_interest"')[1].split("</tr>")[0]
    assert ">dold</td>" in row and ">7</td>" not in row


async def test_a_host_kind_or_a_coordinators_figures_are_protected_for_the_others_sake() -> None:
    """The same slice rule for the other two filters: the world's host is a municipal unit,
    and every placement is its coordinator's."""
    await _placements(3, 4)
    w = await make_world()
    unit = msgspec.structs.replace(PERIOD, host_kind="municipal_unit")
    interest, _ = await participant_figures(unit)
    assert interest.whole == 7  # the one host kind with placements: no other slice to give
    company = msgspec.structs.replace(PERIOD, host_kind="company")
    interest, _ = await participant_figures(company)
    assert interest.whole == 0
    mine = msgspec.structs.replace(PERIOD, coordinator_id=w.coordinator.id)
    interest, _ = await participant_figures(mine)
    assert interest.whole == 0  # the placements are another world's coordinator's
