"""Working days (arbetsdagar) for the intake clock (issue 18): the deadline of the planning
meeting and the days the dashboard counts between the steps of a new participant's path.

A working day is Monday to Friday, unless it is

- a Swedish public holiday (röd dag) by the `holidays` package: nyårsdagen, trettondedag jul,
  långfredagen, annandag påsk, första maj, Kristi himmelsfärdsdag, nationaldagen,
  midsommardagen, alla helgons dag, juldagen, annandag jul; or
- one of the three eves that are not public holidays but are free days in Swedish
  municipalities (the collective agreement AB counts them as holidays and the offices are
  closed): midsommarafton (the Friday before midsommardagen), julafton (24 December) and
  nyårsafton (31 December). The `holidays` package does not list them, so they are added
  here. Other eves (trettondagsafton, skärtorsdagen, valborgsmässoafton, allhelgonaafton) are
  half days at most and stay working days.

Counting: a day received counts as day 0; `working_days_after(day, n)` is the n-th working
day after it; `working_days_between(a, b)` counts the working days d with a < d ≤ b, so a
meeting on the first working day after the application is 1 day, the same day is 0.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays


@cache
def _public_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("SE", years=year))


def free_eves(year: int) -> frozenset[dt.date]:
    """Midsommarafton, julafton and nyårsafton of a year."""
    midsummer_day = next(
        d for d in _public_holidays(year) if d.month == 6 and 20 <= d.day <= 26 and d.weekday() == 5
    )
    return frozenset(
        {midsummer_day - dt.timedelta(days=1), dt.date(year, 12, 24), dt.date(year, 12, 31)}
    )


def is_working_day(day: dt.date) -> bool:
    """Monday–Friday, not a public holiday and not one of the free eves."""
    return (
        day.weekday() < 5
        and day not in _public_holidays(day.year)
        and day not in free_eves(day.year)
    )


def working_days_after(day: dt.date, n: int) -> dt.date:
    """The n-th working day after `day` (n ≥ 1); `day` itself if n is 0."""
    current = day
    left = n
    while left > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            left -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days d with start < d ≤ end (0 when end is on or before start)."""
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count
