"""The monthly attendance statement's figures against hand-computed cases.

The placement of the fixture runs Wednesday 2026-11-11 to Wednesday 2026-12-09, 20 hours a
week. November 2026 begins on a Sunday; its weeks (by their Thursday) are those of Monday
2, 9, 16 and 23 November; the week of Monday 30 November has its Thursday on 3 December and
belongs to December.
"""

from __future__ import annotations

import datetime as dt

from placements.attendance_figures import (
    Counts,
    month_of_week,
    month_statement,
    months_of_period,
    planned_days,
    planned_hours,
    unexcused_total,
    weeks_of_month,
)

D = dt.date
START, END = D(2026, 11, 11), D(2026, 12, 9)
REPORTS = {
    D(2026, 11, 9): Counts(present=2, unexcused=1),
    D(2026, 11, 16): Counts(present=3, sick=2),
}


def test_weeks_belong_to_the_month_of_their_thursday():
    assert weeks_of_month(2026, 11) == [
        D(2026, 11, 2),
        D(2026, 11, 9),
        D(2026, 11, 16),
        D(2026, 11, 23),
    ]
    assert weeks_of_month(2026, 12)[0] == D(2026, 11, 30)
    assert len(weeks_of_month(2026, 12)) == 5  # 30 Nov, 7, 14, 21, 28 Dec (Thursday 31 Dec)
    # Monday 2026-12-28 has its Thursday on New Year's Eve; 2027-01-04 starts January.
    assert weeks_of_month(2027, 1)[0] == D(2027, 1, 4)
    assert month_of_week(D(2026, 11, 30)) == (2026, 12)


def test_planned_days_are_weekdays_within_the_period():
    assert planned_days(D(2026, 11, 9), START, END) == 3  # Wed, Thu, Fri
    assert planned_days(D(2026, 11, 16), START, END) == 5
    assert planned_days(D(2026, 12, 7), START, END) == 3  # Mon, Tue, Wed
    assert planned_days(D(2026, 12, 14), START, END) == 0
    assert planned_days(D(2026, 11, 2), START, END) == 0
    assert planned_days(D(2027, 3, 1), START, None) == 5  # an open end runs on
    assert planned_days(D(2026, 11, 9), None, None) == 0


def test_public_holidays_are_not_planned_days():
    # Juldagen 2026 is a Friday; julafton (Thursday) is an eve, not a public holiday.
    assert planned_days(D(2026, 12, 21), D(2026, 12, 1), None) == 4
    # Nyårsdagen 2027 (Friday) and trettondedag jul 2027 (Wednesday).
    assert planned_days(D(2026, 12, 28), D(2026, 12, 1), None) == 4
    assert planned_days(D(2027, 1, 4), D(2026, 12, 1), None) == 4
    # Långfredagen and annandag påsk 2027 (26 March, 29 March).
    assert planned_days(D(2027, 3, 22), D(2027, 1, 1), None) == 4
    assert planned_days(D(2027, 3, 29), D(2027, 1, 1), None) == 4
    # Midsommarafton is no public holiday; midsommardagen 2027 is a Saturday.
    assert planned_days(D(2027, 6, 21), D(2027, 1, 1), None) == 5
    # Kristi himmelsfärd 2027 (Thursday 6 May) and nationaldagen 2028 (Tuesday 6 June).
    assert planned_days(D(2027, 5, 3), D(2027, 1, 1), None) == 4
    assert planned_days(D(2028, 6, 5), D(2027, 1, 1), None) == 4
    assert planned_hours(3, 20) == 12.0
    assert planned_hours(3, 25) == 15.0
    assert planned_hours(3, None) is None


def test_november_statement():
    s = month_statement(
        2026, 11, start=START, end=END, hours_per_week=20, reports=REPORTS, today=D(2026, 12, 4)
    )
    assert [(w.monday, w.planned_days, w.planned_hours, w.state) for w in s.weeks] == [
        (D(2026, 11, 9), 3, 12.0, "rapporterad"),
        (D(2026, 11, 16), 5, 20.0, "rapporterad"),
        (D(2026, 11, 23), 5, 20.0, "saknas"),
    ]
    assert [w.week_number for w in s.weeks] == [46, 47, 48]
    assert s.planned_days == 13
    assert s.planned_hours == 52.0
    assert s.planned_days_reported == 8
    assert (s.present, s.sick, s.leave, s.unexcused, s.other) == (5, 2, 0, 1, 0)
    assert s.absent == 3
    assert s.missing_weeks == 1
    assert s.share_present == 62.5  # 5 of 8 planned days in the reported weeks


def test_december_statement_counts_a_future_week_as_coming():
    s = month_statement(
        2026, 12, start=START, end=END, hours_per_week=20, reports=REPORTS, today=D(2026, 12, 4)
    )
    assert [(w.monday, w.planned_days, w.state) for w in s.weeks] == [
        (D(2026, 11, 30), 5, "saknas"),
        (D(2026, 12, 7), 3, "kommande"),
    ]
    assert s.planned_days == 8
    assert s.planned_hours == 32.0
    assert s.missing_weeks == 1
    assert s.share_present is None
    assert s.present == 0


def test_a_reported_week_outside_the_period_is_listed_not_counted_and_hours_stay_unknown():
    """A week with none of the placement's days (reported before it was ended early, or
    before the rules refused weeks before its start) is listed and marked, and its days are
    not counted as the placement's."""
    reports = {D(2026, 11, 2): Counts(present=1)}
    s = month_statement(
        2026, 11, start=START, end=END, hours_per_week=None, reports=reports, today=D(2026, 11, 30)
    )
    first = s.weeks[0]
    assert (first.monday, first.planned_days, first.state, first.placement_days) == (
        D(2026, 11, 2),
        0,
        "utanför",
        0,
    )
    assert first.over and (s.over_weeks, s.outside_weeks) == (1, 1)
    assert s.present == 0
    assert s.planned_hours is None
    assert s.share_present is None  # no planned day in a reported week
    assert s.missing_weeks == 3


def test_a_week_reported_past_an_early_end_is_marked_in_the_statement():
    """Seen in the browser: a week of five days reported before the placement was ended
    on its Tuesday stood as "Rapporterad" in the statement, its days counted. It is marked
    with the days the placement had; a week wholly after the end is left out of the sums."""
    ended = D(2026, 11, 17)  # Tuesday of the week of 16 November
    reports = {D(2026, 11, 16): Counts(present=5), D(2026, 11, 23): Counts(present=5)}
    s = month_statement(
        2026, 11, start=START, end=ended, hours_per_week=20, reports=reports, today=D(2026, 12, 4)
    )
    lines = {w.monday: (w.state, w.placement_days, w.over) for w in s.weeks}
    assert lines[D(2026, 11, 16)] == ("rapporterad", 2, True)
    assert lines[D(2026, 11, 23)] == ("utanför", 0, True)
    assert (s.over_weeks, s.outside_weeks) == (2, 1)
    assert s.present == 5  # the straddling week's, not the week after the end


def test_unexcused_total_and_months_of_period():
    assert unexcused_total(REPORTS) == 1
    assert (
        unexcused_total(
            {D(2026, 11, 9): Counts(unexcused=2), D(2026, 11, 16): Counts(unexcused=1, sick=4)}
        )
        == 3
    )
    assert months_of_period(START, D(2026, 12, 4)) == [(2026, 11), (2026, 12)]
    assert months_of_period(D(2026, 12, 30), D(2027, 1, 8)) == [(2026, 12), (2027, 1)]
