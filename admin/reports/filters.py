"""The filters every report takes, and the one rule that checks them.

The JSON API (`/api/v1/reports/…`, a Litestar dependency), its exports, the report page
(`/rapporter`) and the dashboard (`/oversikt`) all check a period with `report_filters`, and
every published report (`admin.reports.registry.Report.published`) checks it again with
`check_whole_months`: one rule.

A period is whole calendar months, so that two periods can never differ by a day (see the
"Differencing" paragraph of `admin.services.disclosure`). `start` and `end` are months
(`2026-01`, what the page's month fields send); a date is taken where it names the same
thing (`start` a month's first day, `end` a month's last day), so whole-month addresses
and API calls written with dates keep working. Any other date (an old bookmark of
2026-01-02, say) is refused with a Swedish 400 that names the field and says which month to
choose instead: never silently moved, since a figure must not seem to cover days it does
not. A missing period is the last twelve calendar months, the running one counted whole
(`default_period`); a start without an end runs to the running month's end, an end without
a start covers its own month; an end before the start, or more than ten years, is a
Swedish 400. Every wrong field is named at once.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Annotated

from litestar.params import FromQuery, QueryParameter

from admin import schemas
from marketplace.kernel import clock
from marketplace.kernel.auth import (
    AuthUser,
    active_coordinators,
    coordinator_numbers,
    number_coordinators,
    user_name,
)
from marketplace.kernel.dates import EARLIEST, LATEST, in_window
from marketplace.kernel.errors import Problems, ValidationFailed
from marketplace.kernel.tables import User
from placements.tables import Candidate

PERIOD_MONTHS = 12
MAX_PERIOD_MONTHS = 12 * 10
REVERSED = "Periodens sista månad måste vara samma månad som eller efter den första."
TOO_LONG = "Välj en period på högst tio år."
NOT_WHOLE = (
    "Perioden räknas i hela kalendermånader, så att två perioder aldrig skiljer sig med "
    "bara några dagar."
)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")

PeriodBound = str | dt.date | None
"""A period's start or end as given: a month ("2026-01"), a date, or nothing."""


def month_text(day: dt.date) -> str:
    """The month a day lies in, as the month fields and the API write it ("2026-01")."""
    return f"{day.year:04d}-{day.month:02d}"


def last_of_month(day: dt.date) -> dt.date:
    """The last day of the month `day` lies in."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The period a report shows when none is chosen: the last twelve calendar months, the
    running one included and counted whole (its first to its last day). One definition for
    the pages and the API."""
    first = today.replace(day=1)
    year, month = first.year, first.month - (PERIOD_MONTHS - 1)
    while month < 1:
        year, month = year - 1, month + 12
    return dt.date(year, month, 1), last_of_month(today)


def _bound(value: PeriodBound, field: str) -> dt.date | None:
    """A period's start (its month's first day) or end (its month's last day), or a Swedish
    400 naming `field` that says which month to choose."""
    if value is None or value == "":
        return None
    label = "Från" if field == "start" else "Till"
    text = value.isoformat() if isinstance(value, dt.date) else value.strip()
    month, day = _MONTH.match(text), _DAY.match(text)
    try:
        if month:
            first = dt.date(int(month[1]), int(month[2]), 1)
            day_given = None
        elif day:
            day_given = dt.date(int(day[1]), int(day[2]), int(day[3]))
            first = day_given.replace(day=1)
        else:
            raise ValueError(text)
    except ValueError:
        raise ValidationFailed(
            f"{label}: ange en månad som ÅÅÅÅ-MM, till exempel 2026-12.", fields=[field]
        ) from None
    bound = first if field == "start" else last_of_month(first)
    if day_given is not None and day_given != bound:
        which = "första" if field == "start" else "sista"
        raise ValidationFailed(
            f"{label}: {text} är inte månadens {which} dag. {NOT_WHOLE} "
            f"Välj månaden {month_text(first)} (ÅÅÅÅ-MM).",
            fields=[field],
        )
    if not in_window(bound):
        # A month field is asked for months: "ange ett datum mellan 2000-01-01 …" told a
        # reader of month fields to type a date.
        raise ValidationFailed(
            f"{label}: {month_text(first)} går inte att ta emot: ange en månad mellan "
            f"{month_text(EARLIEST)} och {month_text(LATEST)}.",
            fields=[field],
        )
    return bound


def check_whole_months(start: dt.date, end: dt.date) -> None:
    """The rule every published report holds to: its period starts on a month's first day
    and ends on a month's last day (a ValidationFailed otherwise)."""
    problems = Problems()
    with problems:
        _bound(start, "start")
    with problems:
        _bound(end, "end")
    problems.raise_any()


def report_filters(
    start: PeriodBound,
    end: PeriodBound,
    track: schemas.Track | None = None,
    coordinator_id: int | None = None,
    host_kind: schemas.HostKind | None = None,
) -> schemas.ReportFilters:
    """Validated filters of whole months; a missing period means the last twelve months."""
    problems = Problems()
    first = last = None
    with problems:
        first = _bound(start, "start")
    with problems:
        last = _bound(end, "end")
    problems.raise_any()
    default_start, default_end = default_period(clock.today())
    first = first or (default_start if last is None else last.replace(day=1))
    last = last or default_end
    if last < first:
        raise ValidationFailed(REVERSED, fields=["end"])
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months > MAX_PERIOD_MONTHS:
        raise ValidationFailed(TOO_LONG, fields=["start", "end"])
    return schemas.ReportFilters(
        start=first, end=last, track=track, coordinator_id=coordinator_id, host_kind=host_kind
    )


PeriodQuery = Annotated[
    str | None,
    QueryParameter(
        max_length=10,
        description="A whole calendar month, 2026-01 (or its first day as start, its last "
        "day as end); any other date is a 400. Reports cover whole months only.",
    ),
]


CoordinatorNumber = Annotated[
    int | None,
    QueryParameter(
        ge=1,
        description="The coordinator, by their number: the value the catalogue "
        '(`GET /api/v1/reports/`) lists under `coordinators` ("Samordnare 2" is 2). The '
        "number stays the same person's, and names no account.",
    ),
]
CoordinatorId = Annotated[
    int | None,
    QueryParameter(
        description="The coordinator's account id, kept for clients written before "
        "`coordinator`; give one of the two.",
    ),
]


async def provide_report_filters(
    start: PeriodQuery = None,
    end: PeriodQuery = None,
    track: FromQuery[schemas.Track | None] = None,
    coordinator: CoordinatorNumber = None,
    coordinator_id: CoordinatorId = None,
    host_kind: FromQuery[schemas.HostKind | None] = None,
) -> schemas.ReportFilters:
    """The filters every report takes, from the query string (a Litestar dependency). The
    coordinator comes by number (`coordinator`), or by account id from older clients; every
    wrong field is named at once."""
    problems = Problems()
    chosen: int | None = None
    with problems:
        chosen = await chosen_coordinator(coordinator, coordinator_id)
    filters: schemas.ReportFilters | None = None
    with problems:
        filters = report_filters(start, end, track, chosen, host_kind)
    problems.raise_any()
    assert filters is not None  # raise_any raised otherwise
    return filters


async def _numbered() -> list[tuple[int, int, str]]:
    """(number, account id, name) of every active coordinator, by number."""
    names = dict(await active_coordinators())
    return [(number, i, names.get(i, "")) for i, number in await coordinator_numbers()]


async def coordinator_options(user: AuthUser) -> list[schemas.FilterOption]:
    """The active coordinators to filter by, each by their number (`coordinator_numbers`:
    given once, the same person keeps it whoever joins, leaves or changes role), never by
    the account's id: the filter's value, and so the page's address, named the account
    (`coordinator_id=2` for "Samordnare 1"). Labelled by name for staff; for analysts, who
    receive no names, by the number (Samordnare 1, 2, …)."""
    return [
        schemas.FilterOption(
            value=str(number), label=f"Samordnare {number}" if user.role == "analyst" else name
        )
        for number, _, name in await _numbered()
    ]


UNKNOWN_COORDINATOR = "Det finns ingen sådan samordnare. Välj en samordnare i listan, eller Alla."
TWO_COORDINATORS = (
    "Välj samordnaren en gång: numret och kontots id pekar ut olika samordnare. Välj en "
    "samordnare i listan, eller Alla."
)


async def chosen_coordinator(number: int | None, account_id: int | None) -> int | None:
    """The account id of the coordinator chosen by `number` (the filter's value) or by
    `account_id` (older addresses and clients); None for none. An unknown number, or a
    number and an id of two people, is `ValidationFailed` naming the field. A number is
    the coordinator's for good, so one whose role has changed since is still found."""
    if number is None:
        return account_id
    await number_coordinators()
    row = await User.select(User.id).where(User.coordinator_number == number).first()
    if row is None:
        raise ValidationFailed(UNKNOWN_COORDINATOR, fields=["coordinator"])
    if account_id is not None and account_id != row["id"]:
        raise ValidationFailed(TWO_COORDINATORS, fields=["coordinator", "coordinator_id"])
    return int(row["id"])


async def coordinator_number(coordinator_id: int | None) -> int | None:
    """The number of the coordinator whose account is `coordinator_id` (None for none)."""
    if coordinator_id is None:
        return None
    row = await User.select(User.coordinator_number).where(User.id == coordinator_id).first()
    return None if row is None else row["coordinator_number"]


async def coordinator_problem(coordinator_id: int | None) -> str:
    """What is wrong with the chosen coordinator ("" if nothing): an id that is no
    coordinator's, now or before, counted nothing and showed zeros as if it were one."""
    if coordinator_id is None:
        return ""
    if await User.exists().where((User.id == coordinator_id) & (User.role == "coordinator")):
        return ""
    if await Candidate.exists().where(Candidate.coordinator == coordinator_id):
        return ""
    return UNKNOWN_COORDINATOR


async def coordinator_label(user: AuthUser, coordinator_id: int | None) -> str:
    """The chosen coordinator as this reader's filter list names them ("" if none): by name
    for staff, by number for analysts; one no longer active keeps their name or number."""
    if coordinator_id is None:
        return ""
    row = (
        await User.select(User.first_name, User.last_name, User.username, User.coordinator_number)
        .where(User.id == coordinator_id)
        .first()
    )
    if row is None:
        return ""
    if user.role == "analyst":
        number = row["coordinator_number"]
        return f"Samordnare {number}" if number is not None else ""
    return user_name(row)
