"""The intake clock's working days (placements/working_days.py) against hand-counted cases
around Swedish holidays and weekends. Midsommarafton, julafton and nyårsafton are not public
holidays in the `holidays` package but are free days in Swedish municipalities: they are not
working days here (decided and documented in the module)."""

from __future__ import annotations

import datetime as dt

import pytest

from placements.services.intake import deadline_of
from placements.working_days import (
    free_eves,
    is_working_day,
    working_days_after,
    working_days_between,
)

D = dt.date


@pytest.mark.parametrize(
    ("received", "target", "deadline"),
    [
        # An ordinary week, and the weekend: Friday and Saturday and Sunday → Monday.
        (D(2026, 12, 2), 1, D(2026, 12, 3)),
        (D(2026, 12, 4), 1, D(2026, 12, 7)),
        (D(2026, 12, 5), 1, D(2026, 12, 7)),
        (D(2026, 12, 6), 1, D(2026, 12, 7)),
        # Midsommar 2026: afton Friday 19 June (free), midsommardagen Saturday 20 June.
        (D(2026, 6, 18), 1, D(2026, 6, 22)),
        (D(2026, 6, 19), 1, D(2026, 6, 22)),
        # Midsommar 2025: afton Friday 20 June.
        (D(2025, 6, 19), 1, D(2025, 6, 23)),
        # Jul 2026: julafton Thursday (free), juldagen Friday, annandag jul Saturday.
        (D(2026, 12, 23), 1, D(2026, 12, 28)),
        (D(2026, 12, 24), 1, D(2026, 12, 28)),
        (D(2026, 12, 23), 2, D(2026, 12, 29)),
        # Nyår 2026/27: nyårsafton Thursday (free), nyårsdagen Friday 1 January.
        (D(2026, 12, 30), 1, D(2027, 1, 4)),
        # Trettondedag jul 2027: Wednesday 6 January (trettondagsafton is a working day).
        (D(2027, 1, 5), 1, D(2027, 1, 7)),
        (D(2027, 1, 4), 1, D(2027, 1, 5)),
        # Jul and nyår 2027 fall on weekends: julafton and nyårsafton are Fridays.
        (D(2027, 12, 23), 1, D(2027, 12, 27)),
        (D(2027, 12, 30), 1, D(2028, 1, 3)),
        # Trettondedag jul 2028 is a Thursday.
        (D(2028, 1, 5), 1, D(2028, 1, 7)),
        # Påsk 2026: långfredagen 3 April, annandag påsk 6 April.
        (D(2026, 4, 2), 1, D(2026, 4, 7)),
        # Target 0: the same day (a weekend day stays itself).
        (D(2026, 12, 4), 0, D(2026, 12, 4)),
    ],
)
def test_deadline_by_hand(received: dt.date, target: int, deadline: dt.date) -> None:
    assert working_days_after(received, target) == deadline


def test_the_eves_are_free_days_and_other_eves_are_not() -> None:
    assert free_eves(2026) == {D(2026, 6, 19), D(2026, 12, 24), D(2026, 12, 31)}
    assert free_eves(2027) == {D(2027, 6, 25), D(2027, 12, 24), D(2027, 12, 31)}
    for day in (D(2026, 6, 19), D(2026, 12, 24), D(2026, 12, 31)):
        assert day.weekday() < 5 and not is_working_day(day)
    # Trettondagsafton, skärtorsdagen, valborgsmässoafton are working days.
    assert is_working_day(D(2026, 1, 5))
    assert is_working_day(D(2026, 4, 2))
    assert is_working_day(D(2026, 4, 30))
    # Public holidays on weekdays.
    for day in (D(2027, 1, 1), D(2027, 1, 6), D(2026, 12, 25), D(2026, 6, 6) + dt.timedelta(0)):
        assert not is_working_day(day)


def test_working_days_between_counts_days_after_the_first_up_to_the_last() -> None:
    # 21 Dec 2026 (Mon) to 4 Jan 2027 (Mon): 22, 23, 28, 29, 30 Dec and 4 Jan.
    assert working_days_between(D(2026, 12, 21), D(2027, 1, 4)) == 6
    assert working_days_between(D(2026, 6, 18), D(2026, 6, 22)) == 1
    assert working_days_between(D(2026, 12, 4), D(2026, 12, 4)) == 0
    assert working_days_between(D(2026, 12, 7), D(2026, 12, 4)) == 0
    assert working_days_between(D(2026, 12, 4), D(2026, 12, 11)) == 5


def test_the_deadline_counts_from_the_swedish_day_received() -> None:
    utc = dt.UTC
    # 22:30 UTC on 22 December is 23:30 in Stockholm: the 22nd, a Tuesday → Wednesday 23.
    assert deadline_of(dt.datetime(2026, 12, 22, 22, 30, tzinfo=utc), 1) == D(2026, 12, 23)
    # 23:30 UTC is already 24 December in Stockholm → Monday 28.
    assert deadline_of(dt.datetime(2026, 12, 23, 23, 30, tzinfo=utc), 1) == D(2026, 12, 28)
    # Midsummer time (UTC+2): 22:30 UTC on Thursday 18 June 2026 is the 19th (afton).
    assert deadline_of(dt.datetime(2026, 6, 18, 22, 30, tzinfo=utc), 1) == D(2026, 6, 22)
