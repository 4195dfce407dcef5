"""The filters every report takes, and the one rule that checks them.

The JSON API (`/api/v1/reports/…`, a Litestar dependency), the report page (`/rapporter`)
and the dashboard (`/oversikt`) all check a period with `report_filters`: a missing period
is the last twelve calendar months (`default_period`), a start without an end runs to the
default end, an end without a start starts on its month's first day, an end before the
start or a period over ten years is a Swedish 400 naming the dates.
"""

from __future__ import annotations

import datetime as dt

from litestar.params import FromQuery

from admin import schemas
from marketplace.kernel import clock
from marketplace.kernel.auth import AuthUser, active_coordinators, coordinator_numbers
from marketplace.kernel.dates import check_date
from marketplace.kernel.errors import ValidationFailed

PERIOD_MONTHS = 12
MAX_PERIOD_DAYS = 366 * 10
REVERSED = "Periodens slutdatum måste vara samma dag som eller efter startdatumet."
TOO_LONG = "Välj en period på högst tio år."


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The period a report shows when none is chosen: the last twelve calendar months, this
    one included (its first day to today). One definition for the pages and the API."""
    first = today.replace(day=1)
    year, month = first.year, first.month - (PERIOD_MONTHS - 1)
    while month < 1:
        year, month = year - 1, month + 12
    return dt.date(year, month, 1), today


def report_filters(
    start: dt.date | None,
    end: dt.date | None,
    track: schemas.Track | None = None,
    coordinator_id: int | None = None,
    host_kind: schemas.HostKind | None = None,
) -> schemas.ReportFilters:
    """Validated filters; a missing period means the last twelve months."""
    check_date(start, "start")
    check_date(end, "end")
    default_start, default_end = default_period(clock.today())
    start = start or (default_start if end is None else end.replace(day=1))
    end = end or default_end
    if end < start:
        raise ValidationFailed(REVERSED, fields=["end"])
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValidationFailed(TOO_LONG, fields=["start", "end"])
    return schemas.ReportFilters(
        start=start, end=end, track=track, coordinator_id=coordinator_id, host_kind=host_kind
    )


def provide_report_filters(
    start: FromQuery[dt.date | None] = None,
    end: FromQuery[dt.date | None] = None,
    track: FromQuery[schemas.Track | None] = None,
    coordinator_id: FromQuery[int | None] = None,
    host_kind: FromQuery[schemas.HostKind | None] = None,
) -> schemas.ReportFilters:
    """The filters every report takes, from the query string (a Litestar dependency)."""
    return report_filters(start, end, track, coordinator_id, host_kind)


async def coordinator_options(user: AuthUser) -> list[schemas.FilterOption]:
    """The active coordinators to filter by: by name for staff; for analysts, who receive no
    names, by the coordinator's running number (Samordnare 1, 2, …, `coordinator_numbers`:
    the same person keeps the number when a colleague leaves), never by the account's id."""
    if user.role != "analyst":
        return [
            schemas.FilterOption(value=str(i), label=name)
            for i, name in await active_coordinators()
        ]
    return [
        schemas.FilterOption(value=str(i), label=f"Samordnare {number}")
        for i, number in await coordinator_numbers()
    ]


async def coordinator_label(user: AuthUser, coordinator_id: int | None) -> str:
    """The chosen coordinator as this reader's filter list names them ("" if none)."""
    if coordinator_id is None:
        return ""
    for option in await coordinator_options(user):
        if option.value == str(coordinator_id):
            return option.label
    return ""
