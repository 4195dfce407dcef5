"""The intake clock on the dashboard (issue 18): per month received, median working days and
share within target for application → planning meeting → plan → first proposal → start,
against hand-counted fixtures, and the small-cell rule.

November 2026 has no public holiday on a weekday (Alla helgons dag is Saturday 31 October).
Six applications came in; by hand, in working days (the first day not counted):

| | received | meeting | days | plan | days | first proposal | days | start | days |
|---|---|---|---|---|---|---|---|---|---|
| A | Mon 2 | Tue 3 | 1 | Tue 3 | 0 | Tue 17 | 10 | Mon 23 | 4 |
| B | Tue 3 | Wed 4 | 1 | Wed 4 | 0 | Fri 6 | 2 | Fri 6 | 0 |
| C | Thu 5 | Mon 9 | 2 | Tue 10 | 1 | – | | | |
| D | Fri 6 | Mon 9 | 1 | Mon 9 | 0 | Mon 30 | 15 | – | |
| E | Mon 9 | Mon 9 | 0 | Wed 11 | 2 | Thu 12 | 1 | – | |
| F | Wed 11 | Tue 17 | 4 | – | | | | | |

Meeting: [1, 1, 2, 1, 0, 4], median 1, within 1 day: 4 of 6. Plan: [0, 0, 1, 0, 2], median
0, within 1 day: 4 of 5. First proposal: [10, 2, 15, 1], median 6, within 10: 3 of 4. Start:
[4, 0], median 2. October: one application (Friday 30 → Monday 2 November: 1 day).
September: five, each Monday 7 → Tuesday 8 (1 day): median 1, all within.
"""

from __future__ import annotations

import datetime as dt

from admin import schemas
from admin.reports.intake_clock import (
    INTAKE_CLOCK_DEFINITION,
    ClockPath,
    clock_months,
    clock_paths,
    intake_clock,
)
from admin.reports.registry import protect
from marketplace.kernel.clock import STOCKHOLM
from placements.tables import Application, PlanningMeeting
from tests.builders import (
    make_booking,
    make_candidate_row,
    make_host,
    make_slot,
    make_supervisor,
)

D = dt.date
TARGETS = {"meeting": 1, "plan": 1, "proposal": 10, "start": 15}
NOVEMBER = [
    ClockPath(D(2026, 11, 2), D(2026, 11, 3), D(2026, 11, 3), D(2026, 11, 17), D(2026, 11, 23)),
    ClockPath(D(2026, 11, 3), D(2026, 11, 4), D(2026, 11, 4), D(2026, 11, 6), D(2026, 11, 6)),
    ClockPath(D(2026, 11, 5), D(2026, 11, 9), D(2026, 11, 10)),
    ClockPath(D(2026, 11, 6), D(2026, 11, 9), D(2026, 11, 9), D(2026, 11, 30)),
    ClockPath(D(2026, 11, 9), D(2026, 11, 9), D(2026, 11, 11), D(2026, 11, 12)),
    ClockPath(D(2026, 11, 11), D(2026, 11, 17)),
]
OCTOBER = [ClockPath(D(2026, 10, 30), D(2026, 11, 2))]
SEPTEMBER = [ClockPath(D(2026, 9, 7), D(2026, 9, 8)) for _ in range(5)]
MONTHS = ["2026-09", "2026-10", "2026-11"]


def _figures(month: schemas.ClockMonth) -> dict[str, tuple]:
    return {s.step: (s.count, s.median_days, s.within_target, s.share) for s in month.steps}


def test_clock_figures_by_hand() -> None:
    months = clock_months(SEPTEMBER + OCTOBER + NOVEMBER, MONTHS, TARGETS)
    assert [m.month for m in months] == MONTHS
    assert _figures(months[2]) == {
        "meeting": (6, 1.0, 4, 0.6667),
        "plan": (5, 0.0, 4, 0.8),
        "proposal": (4, 6.0, 3, 0.75),
        "start": (2, 2.0, 2, 1.0),
    }
    assert _figures(months[1])["meeting"] == (1, 1.0, 1, 1.0)
    assert _figures(months[1])["plan"] == (0, None, 0, None)
    assert _figures(months[0])["meeting"] == (5, 1.0, 5, 1.0)
    assert [s.target_days for s in months[2].steps] == [1, 1, 10, 15]


def _report() -> schemas.IntakeClock:
    f = schemas.ReportFilters(start=D(2026, 9, 1), end=D(2026, 11, 30))
    return schemas.IntakeClock(
        definition=INTAKE_CLOCK_DEFINITION,
        filters=f,
        months=clock_months(SEPTEMBER + OCTOBER + NOVEMBER, MONTHS, TARGETS),
    )


def test_a_step_that_differs_from_the_last_shown_by_few_is_hidden() -> None:
    """Twelve meetings, eleven plans (one stopped: hidden), six proposals (compared with the
    twelve still shown: six stopped, shown), five starts (one from the six: hidden)."""
    day = D(2026, 9, 7)
    paths = (
        [ClockPath(day, day, day, day, day) for _ in range(5)]
        + [ClockPath(day, day, day, day)]
        + [ClockPath(day, day, day) for _ in range(5)]
        + [ClockPath(day, day)]
    )
    f = schemas.ReportFilters(start=D(2026, 9, 1), end=D(2026, 9, 30))
    report = schemas.IntakeClock(
        definition=INTAKE_CLOCK_DEFINITION,
        filters=f,
        months=clock_months(paths, ["2026-09"], TARGETS),
    )
    counts = {s.step: s.count for s in protect(report).months[0].steps}
    assert counts == {"meeting": 12, "plan": None, "proposal": 6, "start": None}


def test_small_cells_are_not_shown() -> None:
    shown = protect(_report())
    september, october, november = (_figures(m) for m in shown.months)
    # Five within the target and none outside: everything shows (zero singles no one out).
    assert september["meeting"] == (5, 1.0, 5, 1.0)
    # One application: its count and median are hidden.
    assert october["meeting"] == (None, None, None, None)
    # Six, of whom 4 within and 2 outside: the count and median show, the split does not.
    assert november["meeting"] == (6, 1.0, None, None)
    # Five of the six went on to a plan: shown beside the six, the five would say that one
    # application stopped after its meeting. The chain's later count is hidden.
    assert november["plan"] == (None, None, None, None)
    assert "months[2026-11].steps[plan].count" in shown.suppressed
    assert november["proposal"] == (None, None, None, None)
    assert november["start"] == (None, None, None, None)
    # Five had a meeting and none a plan yet: five stopped there, which may be shown.
    assert september["plan"] == (0, None, 0, None)
    assert "months[2026-10].steps[meeting].count" in shown.suppressed
    assert "months[2026-11].steps[meeting].share" in shown.suppressed
    assert not any(p.endswith("outside_target") for p in shown.suppressed)


async def test_paths_are_read_from_applications_meetings_and_bookings() -> None:
    """One application through every step, as the tables hold it (times in UTC)."""

    def at(day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=STOCKHOLM).astimezone(dt.UTC)

    host = await make_host()
    supervisor = await make_supervisor(host)
    slot = await make_slot(
        host, title="Lager", hours=None, description="", town="", external_id="klocka"
    )
    candidate = await make_candidate_row(
        None, "Kim", last_name="Klocka", email="", registered_at=D(2026, 11, 3)
    )
    application = Application(
        first_name="Kim",
        last_name="Klocka",
        received_at=at(D(2026, 11, 2), 23),  # late on Monday, Swedish time
        state="plan_started",
        candidate=candidate,
        plan_started_at=at(D(2026, 11, 3), 11),
    )
    await application.save()
    await PlanningMeeting(
        application=application.id, uid="klocka@x", starts_at=at(D(2026, 11, 3), 10), status="held"
    ).save()
    await PlanningMeeting(
        application=application.id,
        uid="klocka2@x",
        starts_at=at(D(2026, 11, 2), 23),
        status="no_show",
    ).save()
    # A proposal before the plan does not count; the first after it does.
    for proposed, status, start in (
        (D(2026, 10, 20), "declined", None),
        (D(2026, 11, 17), "completed", D(2026, 11, 23)),
        (D(2026, 11, 18), "declined", None),
    ):
        await make_booking(
            slot,
            candidate,
            None,
            supervisor=supervisor,
            status=status,
            proposed_at=at(proposed, 9),
            start_date=start,
            started_at=at(start, 8) if start else None,
        )
    f = schemas.ReportFilters(start=D(2026, 11, 1), end=D(2026, 11, 30))
    assert await clock_paths(f) == [
        ClockPath(D(2026, 11, 2), D(2026, 11, 3), D(2026, 11, 3), D(2026, 11, 17), D(2026, 11, 23))
    ]
    outside = schemas.ReportFilters(start=D(2026, 10, 1), end=D(2026, 10, 31))
    assert await clock_paths(outside) == []
    report = protect(await intake_clock(f))
    assert report.months[0].steps[0].count is None  # one person: hidden


async def test_the_dashboard_shows_the_clock_with_its_chart(client, sign_in, make_user):
    analyst = await make_user("analyst")
    await sign_in(client, analyst.username)
    page = await client.get("/oversikt", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "Klockan: från ansökan till start" in page.text
    assert "Arbetsdagar från ansökan till planeringsmöte" in page.text
    answer = await client.get("/api/v1/reports/intake-clock?start=2026-11-01&end=2026-11-30")
    assert answer.status_code == 200
    assert answer.json()["months"][0]["month"] == "2026-11"
