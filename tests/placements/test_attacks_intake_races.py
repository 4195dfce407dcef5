"""Intake and attendance under concurrency (issue 18): two people act on one thing at once.

Two bookings of the planning meeting must leave one booked meeting (the second moves it),
and two "plan upprättad" must make one participant, the other told in Swedish that the
application is no longer open. Two reports of one week of attendance must leave one week.
Each race runs several rounds on both engines, with a
connection of its own per racer on PostgreSQL (`bounded_pool`), as the served app has.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from marketplace.kernel.errors import Conflict
from marketplace.kernel.luhn import luhn_check_digit
from placements.schemas.attendance import WeekReport
from placements.services import attendance, intake
from placements.tables import Application, AttendanceWeek, Candidate, PlanningMeeting
from tests.builders import make_user
from tests.placements.bookingdata import make_world, to_active
from tests.placements.test_attacks_booking_races import bounded_pool  # noqa: F401 (fixture)
from tests.placements.test_attendance import START, D, works_every_day
from tests.placements.test_intake import application, meeting, meeting_begun

ROUNDS = 8


def _person(n: int) -> str:
    """A valid personnummer of its own for round n."""
    digits = f"900101{200 + n:03d}"
    return f"19{digits[:6]}-{digits[6:]}{luhn_check_digit(digits)}"


async def _race(*calls: Any) -> list[Any]:
    """Start the calls at the same moment; return each one's result or exception."""
    return list(await asyncio.gather(*calls, return_exceptions=True))


async def test_one_application_sent_twice_at_once_is_saved_once(bounded_pool: None) -> None:  # noqa: F811
    """The thank-you page reloaded while the first send is still being saved (or a double
    click): both sends answer the same application, and one row is written."""
    for n in range(ROUNDS):
        data = application(personnummer=_person(n), email=f"sokande{n}@example.se")
        outcomes = await _race(intake.submit_public(data), intake.submit_public(data))
        assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
        assert outcomes[0] == outcomes[1], f"round {n}: {outcomes}"
    assert await Application.count() == ROUNDS


async def test_two_bookings_of_one_meeting_leave_one_meeting(bounded_pool: None) -> None:  # noqa: F811
    first = await make_user("coordinator")
    second = await make_user("coordinator")
    for n in range(ROUNDS):
        application_id = await intake.submit_public(
            application(personnummer=_person(n), email=f"sokande{n}@example.se")
        )
        outcomes = await _race(
            intake.book_meeting(first, application_id, meeting(time="09:30")),
            intake.book_meeting(second, application_id, meeting(time="13:00")),
        )
        assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
        rows = await PlanningMeeting.select().where(PlanningMeeting.application == application_id)
        assert [r["status"] for r in rows] == ["booked"], f"round {n}: {rows}"
        assert rows[0]["sequence"] == 1  # the later booking moved the meeting


async def test_two_plans_from_one_application_make_one_participant(bounded_pool: None) -> None:  # noqa: F811
    first = await make_user("coordinator")
    second = await make_user("coordinator")
    for n in range(ROUNDS):
        application_id = await intake.submit_public(
            application(personnummer=_person(n), email=f"sokande{n}@example.se")
        )
        await intake.book_meeting(first, application_id, meeting())
        await meeting_begun(application_id)
        before = await Candidate.count()
        outcomes = await _race(
            intake.start_plan(first, application_id), intake.start_plan(second, application_id)
        )
        made = [o for o in outcomes if not isinstance(o, BaseException)]
        refused = [o for o in outcomes if isinstance(o, BaseException)]
        assert len(made) == 1, f"round {n}: {outcomes}"
        assert len(refused) == 1 and isinstance(refused[0], Conflict), refused
        assert "redan" in str(refused[0]), refused  # "Ansökan är redan plan upprättad …"
        assert await Candidate.count() == before + 1


async def test_host_and_coordinator_reporting_one_week_at_once_leave_one_week(
    bounded_pool: None,  # noqa: F811
) -> None:
    # A past placement long enough for every round's week (reports stay within its period).
    w = await make_world()
    booking_id = await to_active(w, start=START, end=D(2026, 1, 4))
    await works_every_day(booking_id)  # its first week, from Wednesday, has four days to Sunday
    for n in range(ROUNDS):
        week = D(2025, 11, 10) + dt.timedelta(days=7 * n)
        outcomes = await _race(
            attendance.record_week(
                w.host_user, booking_id, WeekReport(week_start=week, days_present=4), source="host"
            ),
            attendance.record_week(
                w.coordinator,
                booking_id,
                WeekReport(week_start=week, days_present=3, days_sick=1),
                source="coordinator",
            ),
        )
        assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
        rows = await AttendanceWeek.select().where(
            (AttendanceWeek.booking == booking_id) & (AttendanceWeek.week_start == week)
        )
        assert len(rows) == 1, f"round {n}: {rows}"
