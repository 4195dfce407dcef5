"""Structs for attendance during a placement: a week's report and what is shown of it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from marketplace.kernel.dates import DateBounded

Days = Annotated[int, msgspec.Meta(ge=0, le=7)]


class WeekReport(DateBounded, kw_only=True, forbid_unknown_fields=True):
    """One week's attendance: the week (any day of it; stored as its Monday), the days
    present and the days absent by reason."""

    week_start: dt.date
    days_present: Days = 0
    days_sick: Days = 0
    days_leave: Days = 0
    days_unexcused: Days = 0
    days_other: Days = 0
    absence_note: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class ReportedWeek(msgspec.Struct, kw_only=True):
    week_start: dt.date
    week_number: int
    days_present: int
    days_sick: int
    days_leave: int
    days_unexcused: int
    days_other: int
    note: str
    source: str
    reported_by: str
    reported_at: dt.datetime
    # The days of the week within the placement (0–7): fewer than the reported days when
    # the week was reported before the placement was ended early (`attendance.misfits`).
    placement_days: int = 7


class Attendance(msgspec.Struct, kw_only=True):
    """A placement's reported weeks (newest first), the weeks that may be reported and the
    days they may hold (from `first_day`, the day the placement started, to `last_day`, the
    day it ended or is planned to end; None: no end planned), and the unexcused absence days
    against the alert's threshold. `reports_closed` says why the reader (a host) may no
    longer report or withdraw a week ("" while they may; staff always may): `open_weeks` is
    then empty."""

    booking_id: int
    weeks: list[ReportedWeek]
    open_weeks: list[dt.date]
    first_day: dt.date | None
    last_day: dt.date | None
    unexcused_days: int
    alert_threshold: int
    alert: bool
    reports_closed: str = ""
