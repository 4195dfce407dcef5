"""The follow-ups at 90 and 180 days after an exit, counted once they have fallen due."""

from __future__ import annotations

import datetime as dt

import msgspec

from admin import schemas
from admin.services.disclosure import figure_cells, shown
from admin.services.exports import CellReader, Columns, TableCell, figures_of
from admin.services.reports import (
    FILTER_NOTE,
    FOLLOW_UP_DAYS,
    PROGRESS,
    candidate_filter,
    in_period,
    share,
)
from marketplace.kernel import clock
from marketplace.kernel.disclosure import Cells
from placements.tables import FollowUp

FIGURES = ("due", "done", "in_work_or_studies", "overdue", "share_done", "share_in_work_or_studies")
"""A row's figures, in the table's order."""


FOLLOW_UPS_TITLE = "Uppföljning 90 och 180 dagar efter avslut"
FOLLOW_UPS_DEFINITION = (
    "Uppföljningarna 90 och 180 dagar efter de avslut som skedde i perioden (dagen "
    "placeringen avslutades; uppföljningen 90 dagar efter ett avslut i november förfaller i "
    "februari). Bara uppföljningar som har förfallit, i dag eller tidigare, räknas: en som "
    "inte har förfallit ännu är varken gjord, försenad eller saknad. Förfallna t.o.m. i dag: "
    "uppföljningar vars förfallodag har kommit. Gjorda: av dem, markerade som gjorda. I "
    "arbete eller studier: gjorda uppföljningar med resultat arbete eller studier. "
    "Försenade: inte gjorda och förfallodagen har passerat. Andelen gjorda räknas på de "
    "förfallna, andelen i arbete eller studier på de gjorda." + FILTER_NOTE
)


async def follow_ups(f: schemas.ReportFilters, today: dt.date | None = None) -> schemas.FollowUps:
    """The follow-ups at 90 and 180 days of the exits in the period that have fallen due by
    `today`: due, done, in work or studies, overdue.

    The exit is the day the placement ended, and a follow-up's stored due day is that day
    plus its 90 or 180 days (`placements.services.outcomes.exit_day`), so the exit is read
    back from it. A follow-up due after `today` is left out: it can be neither done late nor
    missing, and counted among the due it pulled the share done down (a December's exits
    showed follow-ups due in March and June as due and not done).

    Chosen by the exit's month, not the due day's: a due day is the exit plus 90 or 180
    days, so due-day months would be the exits' months shifted by days that are not whole
    months, and set against the ended placements or the exits they would difference down to
    a day or two (`admin.services.disclosure`, "Differencing")."""
    today = today or clock.today()
    first_due = f.start + dt.timedelta(days=min(FOLLOW_UP_DAYS))
    last_due = min(f.end + dt.timedelta(days=max(FOLLOW_UP_DAYS)), today)
    query = FollowUp.select(
        FollowUp.days, FollowUp.due_date, FollowUp.status, FollowUp.result_category
    ).where((FollowUp.due_date >= first_due) & (FollowUp.due_date <= last_due))
    query = candidate_filter(query, f, FollowUp.candidate)
    if f.host_kind is not None:
        query = query.where(FollowUp.outcome._.booking._.slot._.host._.kind == f.host_kind)
    rows = [
        r
        for r in await query
        if in_period(r["due_date"] - dt.timedelta(days=r["days"]), f) and r["due_date"] <= today
    ]
    out = []
    for days in FOLLOW_UP_DAYS:
        mine = [r for r in rows if r["days"] == days]
        done = [r for r in mine if r["status"] == "done"]
        progress = sum(1 for r in done if r["result_category"] in PROGRESS)
        overdue = sum(1 for r in mine if r["status"] != "done" and r["due_date"] < today)
        out.append(
            schemas.FollowUpStatus(
                days=days,
                due=len(mine),
                done=len(done),
                in_work_or_studies=progress,
                overdue=overdue,
                share_done=share(len(done), len(mine)),
                share_in_work_or_studies=share(progress, len(done)),
            )
        )
    return schemas.FollowUps(definition=FOLLOW_UPS_DEFINITION, filters=f, rows=out)


def protect_follow_ups(report: schemas.FollowUps) -> schemas.FollowUps:
    """Per 90 and 180 days: the due (fallen due by today) split into done, overdue and those
    due today and not yet done (never shown: the due less the other two), and both shares.
    The overdue are a part of the split, not beside it: with nothing due today they are all
    those not done, and a hidden done was the due less them.

    Once 180 days have passed for all the period's exits, the two rows count the same exits
    and their due are one figure: when they are equal they are protected as one
    (`Cells.same`). 4 done and 4 not of 8 at 90 days hid the 8 (two parts of 1–4 adding up
    to 8 are 4 and 4), which the 180 days' row showed."""
    values: dict[str, int | float | None] = {}
    for r in report.rows:
        values |= figure_cells(f"rows[{r.days}]", r, *FIGURES)
        values[f"rows[{r.days}].pending"] = (r.due or 0) - (r.done or 0) - (r.overdue or 0)
    cells = Cells(values)
    for r in report.rows:
        key = f"rows[{r.days}]"
        cells.primary(
            f"{key}.due",
            f"{key}.done",
            f"{key}.in_work_or_studies",
            f"{key}.overdue",
            f"{key}.pending",
        )
        cells.group(f"{key}.due", [f"{key}.done", f"{key}.overdue", f"{key}.pending"])
        cells.share(f"{key}.share_done", f"{key}.done", f"{key}.due")
        cells.share(f"{key}.share_in_work_or_studies", f"{key}.in_work_or_studies", f"{key}.done")
    dues = {r.due for r in report.rows}
    if len(report.rows) > 1 and len(dues) == 1:
        cells.same(*(f"rows[{r.days}].due" for r in report.rows))
    rows = [shown(cells, f"rows[{r.days}]", r, *FIGURES) for r in report.rows]
    hidden = [p for p in cells.paths() if not p.endswith(".pending")]
    protected = [p for p in cells.protected_paths() if not p.endswith(".pending")]
    return msgspec.structs.replace(report, rows=rows, suppressed=hidden, protected=protected)


def follow_ups_columns(report: schemas.FollowUps, v: CellReader) -> Columns:
    """A row for 90 days and one for 180."""
    headers = [
        "Dagar efter avslut",
        "Förfallna t.o.m. i dag",
        "Gjorda",
        "I arbete eller studier",
        "Försenade",
        "Andel gjorda",
        "Andel i arbete eller studier (av gjorda)",
    ]
    rows: list[list[TableCell]] = [
        [v("rows.days", r.days), *figures_of(v, f"rows[{r.days}]", r, *FIGURES)]
        for r in report.rows
    ]
    return headers, rows
