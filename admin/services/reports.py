"""The figures a municipality steers by: what every report shares.

The kind of every figure (`FIGURE_KINDS`), the labels, the filters' note that ends most
definitions (`FILTER_NOTE`), and the helpers and row readers the reports count with. The
reports themselves are one module per seam in `admin/reports/` (outcomes, placement_reports,
lock_in, follow_ups, coverage, intake_clock), each report there with its title and definition,
its query, its small-cell rule and its columns, and each a registry entry in
`admin.reports.registry`.

Every report reads the tables directly (admin reads everything) and returns aggregates only.
Dates of events stored as timestamps (a proposal, a start, an end) count on their day in
Europe/Stockholm. A placement is a booking that started: status active, completed or
interrupted. Its start day is the day it went active, but no earlier than its agreed start
date (`placements.services.ledger.start_day`, the same day the host's ledger counts from).

Filters: `track` and `coordinator_id` select candidates (the responsible coordinator now);
`host_kind` selects the host of the booking a figure is about. An outcome or follow-up with no
booking behind it drops out when a host kind is chosen.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterator
from typing import Any, cast

from admin import schemas
from admin.rows import PlacementEnd, ReportOutcomeRow, ReportPlacementRow
from employers import vocabulary as employer_vocabulary
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.dates import month_name
from marketplace.kernel.figures import Kind
from placements import vocabulary
from placements.tables import Booking, Outcome

# Kolada: work (at least a month, municipal labour-market jobs excluded) or CSN-eligible studies.
PROGRESS = vocabulary.PROGRESS
PLACED = ("active", "completed", "interrupted")
ENDED = ("completed", "interrupted")
# Bookings that use one of a unit's places (held seats and placements that ran).
USED = ("accepted", "agreed", "active", "completed", "interrupted")
REAL_SETTINGS = ("open_workplace", "municipal_workplace")
REAL_TARGET = 0.85
FOLLOW_UP_DAYS = (90, 180)
BASELINES = (
    schemas.ReferenceLine(label="Baslinje första halvåret 2016: 0,6 per månad", value=0.6),
    schemas.ReferenceLine(label="Januari–april 2017: 1,75 per månad", value=1.75),
)

CATEGORY_LABELS = vocabulary.OUTCOME_LABELS
SETTING_LABELS = employer_vocabulary.SETTING_SHORT_LABELS
FLAG_LABELS = {
    "long_placement": "Lång placering",
    "repeated_placements": "Upprepade placeringar utan steg framåt",
}
TRACK_LABELS = vocabulary.TRACK_LABELS
HOST_KIND_LABELS = employer_vocabulary.HOST_KIND_LABELS

FILTER_NOTE = " Filter: spår och samordnare avser deltagaren; värdtyp avser värden för bokningen."
# For a report that counts no booking (the lock-in flags): the host kind changes nothing.
PARTICIPANT_FILTER_NOTE = " Filter: spår och samordnare avser deltagaren."


# The kind of every figure, declared once by its field's name: by it the page, the
# charts, CSV and XLSX write it (`marketplace.kernel.figures`). A figure is never taken for a share
# because its value lies between 0 and 1; tests/admin/test_figures.py checks that every
# numeric field of every report is declared here.
FIGURE_KINDS: dict[str, Kind] = {
    # to-work-or-studies
    "persons": "count",
    "snapshot": "count",
    "total": "count",
    "average_per_month": "average",
    "value": "average",  # a baseline: persons per month
    # exits, real-workplaces
    "count": "count",
    "exits": "count",
    "to_work_or_studies": "count",
    "share": "share",
    "placements": "count",
    "on_real_workplaces": "count",
    "target_share": "share",
    # lead-times, lock-in, intake-clock
    "median_days": "days",
    "within_target": "count",
    "target_days": "days",
    "raised": "count",
    "open_at_end": "count",
    # follow-ups
    "days": "days",
    "due": "count",
    "done": "count",
    "in_work_or_studies": "count",
    "overdue": "count",
    "share_done": "share",
    "share_in_work_or_studies": "share",
    # assessments
    "ended_placements": "count",
    "returned": "count",
    "rate": "share",
    # unit-coverage
    "target": "count",
    "registered": "count",
    "published": "count",
    "used": "count",
    "coverage": "share",
    "gap": "count",
    "total_target": "count",
    "total_published": "count",
    "total_registered": "count",
    "total_coverage": "share",
    "total_gap": "count",
    # host-ledger
    "hours": "hours",
    "assessments_returned": "count",
    "went_to_work": "count",
    "hired_by_host": "count",
}


def kind_of(path: str) -> Kind:
    """The kind of the figure at a cell path such as "months[2026-01].persons"."""
    return FIGURE_KINDS[path.rsplit(".", 1)[-1]]


def local_date(value: dt.datetime | None) -> dt.date | None:
    """The Stockholm calendar day of a stored UTC timestamp."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(STOCKHOLM).date()


def months_between(start: dt.date, end: dt.date) -> Iterator[str]:
    """ "YYYY-MM" of every calendar month that the inclusive period touches."""
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield f"{year:04d}-{month:02d}"
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def period_words(start: dt.date, end: dt.date) -> str:
    """A period of whole months as a reader says it: "januari 2026 – mars 2026", or
    "mars 2026" for one month (the files' "Period" line; the page and the API say months
    as 2026-01)."""
    first, last = month_name(start.year, start.month), month_name(end.year, end.month)
    return first if (start.year, start.month) == (end.year, end.month) else f"{first} – {last}"


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of a "YYYY-MM" month."""
    year, number = (int(p) for p in month.split("-"))
    first = dt.date(year, number, 1)
    following = dt.date(year + 1, 1, 1) if number == 12 else dt.date(year, number + 1, 1)
    return first, following - dt.timedelta(days=1)


def share(part: int, whole: int) -> float | None:
    """part / whole to four decimals; None when there is no whole."""
    return round(part / whole, 4) if whole else None


def median(values: list[int]) -> float | None:
    """The median of the values; None when there are none."""
    return float(statistics.median(values)) if values else None


def in_period(day: dt.date | None, f: schemas.ReportFilters) -> bool:
    """Whether the day lies in the filters' period (inclusive)."""
    return day is not None and f.start <= day <= f.end


def candidate_filter(query: Any, f: schemas.ReportFilters, candidate: Any) -> Any:
    """Narrow a query to the filter's candidates; `candidate` is the FK path to them."""
    if f.track is not None:
        query = query.where(candidate.track == f.track)
    if f.coordinator_id is not None:
        query = query.where(candidate.coordinator == f.coordinator_id)
    return query


def end_day(row: PlacementEnd) -> dt.date | None:
    """The last day of an ended placement: the one entered when it was ended (ending writes
    it to `end_date`, `placements.services.bookings.end`), else the day (Stockholm) someone
    pressed "Avsluta". That press may come days later: counted by it, a placement that ended
    on 31 March belonged to April."""
    return row.get("end_date") or local_date(row.get("ended_at"))


async def placement_rows(f: schemas.ReportFilters) -> list[ReportPlacementRow]:
    """Bookings that started, of the filter's candidates and host kind, with slot and host."""
    query = Booking.select(
        Booking.id,
        Booking.candidate,
        Booking.status,
        Booking.proposed_at,
        Booking.started_at,
        Booking.ended_at,
        Booking.start_date,
        Booking.end_date,
        Booking.slot.setting.as_alias("setting"),
        Booking.hours_per_week,
        Booking.slot.host.as_alias("host_id"),
    ).where(Booking.status.is_in(list(PLACED)))
    query = candidate_filter(query, f, Booking.candidate)
    if f.host_kind is not None:
        query = query.where(Booking.slot._.host._.kind == f.host_kind)
    return cast("list[ReportPlacementRow]", list(await query))


async def outcome_rows(f: schemas.ReportFilters) -> list[ReportOutcomeRow]:
    """Outcomes dated in the period, of the filter's candidates and host kind."""
    query = Outcome.select(
        Outcome.id,
        Outcome.candidate,
        Outcome.booking,
        Outcome.category,
        Outcome.hired_by_host,
        Outcome.outcome_date,
    ).where((Outcome.outcome_date >= f.start) & (Outcome.outcome_date <= f.end))
    query = candidate_filter(query, f, Outcome.candidate)
    if f.host_kind is not None:
        query = query.where(Outcome.booking._.slot._.host._.kind == f.host_kind)
    return cast("list[ReportOutcomeRow]", list(await query))
