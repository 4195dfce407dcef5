"""The intake clock: working days from application to planning meeting, plan, first
proposal and start of placement, per month received."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import cast

import msgspec

from admin import schemas
from admin.rows import ClockBookingRow
from admin.services.disclosure import figure_cells, shown
from admin.services.exports import CellReader, Columns, TableCell, figures_of
from admin.services.reports import (
    PLACED,
    in_period,
    local_date,
    median,
    months_between,
    share,
)
from marketplace.kernel.disclosure import Cells, is_small
from marketplace.kernel.settings import get_settings
from placements.services.ledger import start_day
from placements.tables import Application, Booking, PlanningMeeting
from placements.working_days import working_days_between

# The intake clock's steps, and the targets (working days) of all but the meeting, whose
# target is the setting PLANNING_MEETING_DAYS.
STEP_FIGURES = ("count", "median_days", "within_target", "share")
"""A step's figures, in the table's order."""


CLOCK_STEPS = (
    ("meeting", "Ansökan till planeringsmöte"),
    ("plan", "Planeringsmöte till plan"),
    ("proposal", "Plan till första förslag"),
    ("start", "Första förslag till start"),
)
CLOCK_TARGETS = {"plan": 1, "proposal": 10, "start": 15}


@dataclass(frozen=True)
class ClockPath:
    """The days one application reached each step (None: not yet)."""

    received: dt.date
    meeting: dt.date | None = None
    plan: dt.date | None = None
    proposal: dt.date | None = None
    start: dt.date | None = None


def clock_targets() -> dict[str, int]:
    return {"meeting": get_settings().planning_meeting_days, **CLOCK_TARGETS}


def clock_months(
    paths: list[ClockPath], months: list[str], targets: dict[str, int]
) -> list[schemas.ClockMonth]:
    """The clock's figures per month received (exact counts; the small ones are hidden by
    `disclosure.protect_intake_clock`). A step counts for an application that reached it and
    the step before."""
    days: dict[tuple[str, str], list[int]] = defaultdict(list)
    for path in paths:
        month = path.received.strftime("%Y-%m")
        chain = [path.received, path.meeting, path.plan, path.proposal, path.start]
        for (step, _), before, after in zip(CLOCK_STEPS, chain, chain[1:], strict=False):
            if before is None or after is None:
                break
            days[(month, step)].append(working_days_between(before, after))
    out = []
    for month in months:
        steps = []
        for step, label in CLOCK_STEPS:
            values = days.get((month, step), [])
            within = sum(1 for d in values if d <= targets[step])
            steps.append(
                schemas.ClockStep(
                    step=step,
                    label=label,
                    target_days=targets[step],
                    count=len(values),
                    median_days=median(values),
                    within_target=within,
                    share=share(within, len(values)),
                )
            )
        out.append(schemas.ClockMonth(month=month, steps=steps))
    return out


async def clock_paths(f: schemas.ReportFilters) -> list[ClockPath]:
    """Every application received in the period, with the days it reached each step."""
    applications = [
        row
        for row in await Application.select(
            Application.id,
            Application.received_at,
            Application.plan_started_at,
            Application.candidate,
        )
        if in_period(local_date(row["received_at"]), f)
    ]
    ids = [int(r["id"]) for r in applications]
    held: dict[int, dt.date] = {}
    if ids:
        for m in await PlanningMeeting.select(
            PlanningMeeting.application, PlanningMeeting.starts_at
        ).where(PlanningMeeting.application.is_in(ids) & (PlanningMeeting.status == "held")):
            day = local_date(m["starts_at"])
            key = int(m["application"])
            if day is not None and (key not in held or day < held[key]):
                held[key] = day
    people = sorted({int(r["candidate"]) for r in applications if r["candidate"] is not None})
    bookings: dict[int, list[ClockBookingRow]] = defaultdict(list)
    if people:
        selected = await Booking.select(
            Booking.candidate,
            Booking.status,
            Booking.proposed_at,
            Booking.started_at,
            Booking.start_date,
        ).where(Booking.candidate.is_in(people))
        for b in cast("list[ClockBookingRow]", selected):
            bookings[int(b["candidate"])].append(b)
    paths = []
    for row in applications:
        received = local_date(row["received_at"])
        assert received is not None
        meeting = held.get(int(row["id"]))
        plan = local_date(row["plan_started_at"])
        proposal = start = None
        if plan is not None and row["candidate"] is not None:
            own = bookings.get(int(row["candidate"]), [])
            proposed = [d for b in own if (d := local_date(b["proposed_at"])) and d >= plan]
            proposal = min(proposed) if proposed else None
            if proposal is not None:
                started = [
                    d
                    for b in own
                    if b["status"] in PLACED and (d := start_day(b)) and d >= proposal
                ]
                start = min(started) if started else None
        paths.append(ClockPath(received, meeting, plan, proposal, start))
    return paths


INTAKE_CLOCK_TITLE = "Klockan från ansökan till start"
INTAKE_CLOCK_DEFINITION = (
    "Per månad då ansökan kom in: för varje steg antalet ansökningar som nått steget, "
    "median antal arbetsdagar steget tog och andelen inom målet. Steg: ansökan till "
    "planeringsmöte (det möte som hölls), möte till plan (planen upprättad), plan till "
    "första förslag till en plats (det första förslaget från planens dag), första förslag "
    "till start av placering (den första placering som startade från förslagets dag). "
    "Arbetsdagar är måndag till fredag utom röda dagar, midsommarafton, julafton och "
    "nyårsafton; dagen då steget började räknas inte, så ett möte nästa arbetsdag är 1 "
    "dag. Mål: planeringsmöte inom det antal arbetsdagar som kommunen har ställt in (normalt "
    "1), plan inom 1 arbetsdag efter mötet, första förslag inom 10 och start inom "
    "15 arbetsdagar. Filtren för spår, samordnare och värdtyp påverkar inte klockan."
)


async def intake_clock(f: schemas.ReportFilters) -> schemas.IntakeClock:
    """Median working days and share within target, per month received, for application →
    planning meeting → plan → first proposal → start of placement."""
    return schemas.IntakeClock(
        definition=INTAKE_CLOCK_DEFINITION,
        filters=f,
        months=clock_months(
            await clock_paths(f), list(months_between(f.start, f.end)), clock_targets()
        ),
    )


def protect_intake_clock(report: schemas.IntakeClock) -> schemas.IntakeClock:
    """Per month and step: a count of 1–4 is hidden, and the median with it. Those within
    the target and those outside it (never shown) split the count: when either is 1–4, the
    number within and the share are hidden (either would give the other by subtraction);
    the count itself then gives neither.

    The steps are a chain (a step counts an application that reached it and the one before),
    so a step's count less the next one's is the number of applications that stopped between
    them: when that is 1–4 between two shown counts, the later step's figures are hidden
    too, and the next step is compared with the last count still shown."""
    values: dict[str, int | float | None] = {}
    for m in report.months:
        for st in m.steps:
            key = f"months[{m.month}].steps[{st.step}]"
            values |= figure_cells(key, st, *STEP_FIGURES)
            values[f"{key}.outside_target"] = (st.count or 0) - (st.within_target or 0)
    cells = Cells(values)
    for m in report.months:
        for st in m.steps:
            key = f"months[{m.month}].steps[{st.step}]"
            count, within, outside = f"{key}.count", f"{key}.within_target", f"{key}.outside_target"
            cells.primary(count, within, outside)
            if outside in cells.hidden:
                cells.hidden.add(within)
            cells.share(f"{key}.share", within, count)
            if st.median_days is not None and (count in cells.hidden or is_small(st.count)):
                cells.hidden.add(f"{key}.median_days")
    for m in report.months:
        last: int | None = None  # the last count of the chain still shown
        for st in m.steps:
            key = f"months[{m.month}].steps[{st.step}]"
            if f"{key}.count" in cells.hidden:
                continue
            if last is not None and is_small(last - (st.count or 0)):
                cells.hidden.update(f"{key}.{field}" for field in STEP_FIGURES)
                continue
            last = st.count or 0
    months = [
        schemas.ClockMonth(
            month=m.month,
            steps=[
                shown(cells, f"months[{m.month}].steps[{st.step}]", st, *STEP_FIGURES)
                for st in m.steps
            ],
        )
        for m in report.months
    ]
    hidden = [p for p in cells.paths() if not p.endswith(".outside_target")]
    protected = [p for p in cells.protected_paths() if not p.endswith(".outside_target")]
    return msgspec.structs.replace(report, months=months, suppressed=hidden, protected=protected)


def intake_clock_columns(report: schemas.IntakeClock, v: CellReader) -> Columns:
    """A row per month received and step."""
    headers = [
        "Månad",
        "Steg",
        "Mål (arbetsdagar)",
        "Antal",
        "Median (arbetsdagar)",
        "Inom målet",
        "Andel inom målet",
    ]
    rows: list[list[TableCell]] = [
        [
            m.month,
            st.label,
            v("target_days", st.target_days),
            *figures_of(v, f"months[{m.month}].steps[{st.step}]", st, *STEP_FIGURES),
        ]
        for m in report.months
        for st in m.steps
    ]
    return headers, rows
