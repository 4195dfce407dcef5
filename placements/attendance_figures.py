"""The figures of the monthly attendance statement: planned against reported days.

Pure functions, no database: the service (`placements.services.attendance`) loads the
placement's period, its hours per week and the weekly reports, and this module counts.

The rules, in words:

- Attendance is reported per week, a week being Monday to Sunday.
- A week belongs to the month its Thursday lies in (the ISO 8601 rule for weeks that span
  two months), so every week is counted in exactly one monthly statement.
- Planned days of a week are its weekdays (Monday to Friday) that lie within the
  placement's period (the agreement's start and end; an open end runs on) and are not a
  Swedish public holiday (röda dagar, from the `holidays` package: juldagen, nyårsdagen,
  långfredagen and the rest). Eves (julafton, midsommarafton) are not public holidays and
  stay planned unless the agreement says otherwise.
- Planned hours are the weekly hours spread evenly over five days: hours × days / 5.
- Only unexcused absence (ogiltig eller oanmäld frånvaro) counts towards the absence alert;
  sickness, granted leave and other absence are explained.
- The attendance share is the days present divided by the planned days of the reported
  weeks, in per cent with one decimal; none when no reported week had planned days.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import holidays

REASONS = ("sick", "leave", "unexcused", "other")
REASON_TEXT = {
    "sick": "Sjuk",
    "leave": "Ledig, beviljad frånvaro",
    "unexcused": "Ogiltig eller oanmäld frånvaro",
    "other": "Annat",
}
MAX_DAYS = 7
WEEKDAY_NAMES = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")


def monday_of(day: dt.date) -> dt.date:
    """The Monday of the week `day` lies in."""
    return day - dt.timedelta(days=day.weekday())


def weekday_date(day: dt.date) -> str:
    """A day with its weekday, as a form's message names it: "onsdag 2025-11-12"."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.isoformat()}"


def days_within(
    monday: dt.date, first: dt.date | None, last: dt.date | None
) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the week that lie within the period from `first` to `last`
    (both included; None is open), or None when no day of the week does. Every day of the
    week counts, weekends too; a placement that works no weekend is held to its weekdays by
    `working_days`."""
    start = monday if first is None else max(monday, first)
    end = monday + dt.timedelta(days=6)
    if last is not None:
        end = min(end, last)
    return (start, end) if start <= end else None


# Words in an agreement's weekly schedule that put the placement on a Saturday or a Sunday.
# The schedule is free text ("40 timmar i veckan", "Måndag–torsdag 9–14"); without one of
# these the placement runs on weekdays, as the planned days of the statement count.
_WEEKEND_WORDS = re.compile(
    r"lördag|söndag|helg|\blör\b|\bsön\b|alla (?:vecko)?dagar|(?:sju|7) dagar",
    re.IGNORECASE,
)


def works_weekends(schedule: str) -> bool:
    """Whether the agreement's weekly schedule names a Saturday or Sunday as a working day."""
    return bool(_WEEKEND_WORDS.search(schedule or ""))


def working_days(span: tuple[dt.date, dt.date], *, weekends: bool) -> int:
    """The days from the first to the last of `span` (both included) the placement works:
    every one with `weekends`, else Monday to Friday."""
    first, last = span
    days = (last - first).days + 1
    if weekends:
        return days
    return sum(1 for n in range(days) if (first + dt.timedelta(days=n)).weekday() < 5)


def days_in_period(monday: dt.date, first: dt.date | None, last: dt.date | None) -> int:
    """How many days of the week (0–7) lie within the period from `first` to `last`."""
    span = days_within(monday, first, last)
    return 0 if span is None else (span[1] - span[0]).days + 1


def month_of_week(monday: dt.date) -> tuple[int, int]:
    """The (year, month) a week belongs to: that of its Thursday."""
    thursday = monday + dt.timedelta(days=3)
    return thursday.year, thursday.month


def weeks_of_month(year: int, month: int) -> list[dt.date]:
    """The Mondays of the weeks that belong to the month, in order."""
    first = dt.date(year, month, 1)
    monday = monday_of(first)
    if month_of_week(monday) != (year, month):
        monday += dt.timedelta(days=7)
    found = []
    while month_of_week(monday) == (year, month):
        found.append(monday)
        monday += dt.timedelta(days=7)
    return found


@functools.cache
def _public_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("SE", years=year))


def is_public_holiday(day: dt.date) -> bool:
    """A Swedish public holiday (röd dag)."""
    return day in _public_holidays(day.year)


def planned_days(monday: dt.date, start: dt.date | None, end: dt.date | None) -> int:
    """The weekdays (Monday–Friday) of the week that lie within the period and are not a
    public holiday."""
    if start is None:
        return 0
    count = 0
    for offset in range(5):
        day = monday + dt.timedelta(days=offset)
        if day >= start and (end is None or day <= end) and not is_public_holiday(day):
            count += 1
    return count


def planned_hours(days: int, hours_per_week: int | None) -> float | None:
    if hours_per_week is None:
        return None
    return round(hours_per_week * days / 5, 1)


@dataclass(frozen=True)
class Counts:
    """One week's report."""

    present: int = 0
    sick: int = 0
    leave: int = 0
    unexcused: int = 0
    other: int = 0

    @property
    def absent(self) -> int:
        return self.sick + self.leave + self.unexcused + self.other


def unexcused_total(reports: Mapping[dt.date, Counts]) -> int:
    """Unexcused absence days over all reported weeks (what the alert counts)."""
    return sum(c.unexcused for c in reports.values())


@dataclass(frozen=True)
class WeekLine:
    monday: dt.date
    week_number: int
    planned_days: int
    planned_hours: float | None
    state: str  # "rapporterad", "saknas", "kommande" or "utanför" (reported, no day in the period)
    counts: Counts | None
    # The days of the week within the placement's period; a reported week may hold more
    # when it was reported before the placement was ended early.
    placement_days: int = 7

    @property
    def over(self) -> bool:
        """Reported with more days than the placement had in the week."""
        return self.counts is not None and self.counts.present + self.counts.absent > (
            self.placement_days
        )


@dataclass
class MonthStatement:
    year: int
    month: int
    weeks: list[WeekLine] = field(default_factory=list)
    planned_days: int = 0
    planned_hours: float | None = None
    planned_days_reported: int = 0
    present: int = 0
    sick: int = 0
    leave: int = 0
    unexcused: int = 0
    other: int = 0
    missing_weeks: int = 0
    share_present: float | None = None
    # Reported weeks with more days than the placement had then ("over"), and those of them
    # with none of its days at all, whose days are left out of the sums ("utanför").
    over_weeks: int = 0
    outside_weeks: int = 0

    @property
    def absent(self) -> int:
        return self.sick + self.leave + self.unexcused + self.other


def month_statement(
    year: int,
    month: int,
    *,
    start: dt.date | None,
    end: dt.date | None,
    hours_per_week: int | None,
    reports: Mapping[dt.date, Counts],
    today: dt.date,
) -> MonthStatement:
    """The statement of one month: each week of the placement in the month, and the sums.

    A week is listed when the placement has planned days in it or when it was reported. It
    is "kommande" when it has not begun yet, "saknas" when it has begun, has planned days and
    no report, and "rapporterad" otherwise; a reported week with no day in the period (one
    reported before the placement was ended early) is "utanför", and its days are not
    counted in the sums. A reported week with more days than the period had in it is counted
    and marked (`WeekLine.over`, `over_weeks`): which of its days are the wrong ones, only
    the one who reported it knows."""
    out = MonthStatement(year=year, month=month)
    hours_total = 0.0
    for monday in weeks_of_month(year, month):
        planned = planned_days(monday, start, end)
        counts = reports.get(monday)
        if planned == 0 and counts is None:
            continue
        in_period = MAX_DAYS if start is None else days_in_period(monday, start, end)
        if counts is not None:
            state = "rapporterad" if in_period else "utanför"
        elif monday > today:
            state = "kommande"
        else:
            state = "saknas"
        hours = planned_hours(planned, hours_per_week)
        out.weeks.append(
            WeekLine(
                monday=monday,
                week_number=monday.isocalendar().week,
                planned_days=planned,
                planned_hours=hours,
                state=state,
                counts=counts,
                placement_days=in_period,
            )
        )
        if out.weeks[-1].over:
            out.over_weeks += 1
        if state == "utanför":
            out.outside_weeks += 1
            continue
        out.planned_days += planned
        hours_total += hours or 0.0
        if state == "saknas":
            out.missing_weeks += 1
        if counts is not None:
            out.planned_days_reported += planned
            out.present += counts.present
            out.sick += counts.sick
            out.leave += counts.leave
            out.unexcused += counts.unexcused
            out.other += counts.other
    if hours_per_week is not None:
        out.planned_hours = round(hours_total, 1)
    if out.planned_days_reported:
        out.share_present = round(100 * out.present / out.planned_days_reported, 1)
    return out


def months_of_period(start: dt.date, last: dt.date) -> list[tuple[int, int]]:
    """The (year, month) of every month whose weeks lie between two days, oldest first."""
    first = month_of_week(monday_of(start))
    final = month_of_week(monday_of(last))
    found = []
    year, month = first
    while (year, month) <= final:
        found.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found
