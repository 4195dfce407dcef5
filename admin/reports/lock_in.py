"""The lock-in flags raised in a period and open at its end."""

from __future__ import annotations

from collections import defaultdict

import msgspec

from admin import schemas
from admin.services.disclosure import figure_cells, shown
from admin.services.exports import CellReader, Columns, TableCell, figures_of
from admin.services.reports import (
    FLAG_LABELS,
    PARTICIPANT_FILTER_NOTE,
    candidate_filter,
    in_period,
    local_date,
)
from marketplace.kernel.disclosure import Cells
from placements.tables import LockInFlag

LOCK_IN_TITLE = "Inlåsningsflaggor"
LOCK_IN_DEFINITION = (
    "Flaggor för inlåsning (en placering längre än den inställda längden, eller "
    "upprepade placeringar utan steg mot arbete eller studier). Väckta: flaggade i "
    "perioden. Öppna: flaggade senast periodens sista dag och inte lösta då. Värdtyp "
    "påverkar inte flaggorna." + PARTICIPANT_FILTER_NOTE
)


async def lock_in(f: schemas.ReportFilters) -> schemas.LockIn:
    """Lock-in flags raised in the period, and open at its last day, by kind."""
    query = LockInFlag.select(LockInFlag.kind, LockInFlag.flagged_at, LockInFlag.resolved_at)
    query = candidate_filter(query, f, LockInFlag.candidate)
    raised: dict[str, int] = defaultdict(int)
    still_open: dict[str, int] = defaultdict(int)
    for row in await query:
        flagged, resolved = local_date(row["flagged_at"]), local_date(row["resolved_at"])
        if in_period(flagged, f):
            raised[row["kind"]] += 1
        if flagged is not None and flagged <= f.end and (resolved is None or resolved > f.end):
            still_open[row["kind"]] += 1
    kinds = list(FLAG_LABELS) + sorted((set(raised) | set(still_open)) - set(FLAG_LABELS))
    return schemas.LockIn(
        definition=LOCK_IN_DEFINITION,
        filters=f,
        raised=sum(raised.values()),
        open_at_end=sum(still_open.values()),
        by_kind=[
            schemas.FlagCount(
                kind=k,
                label=FLAG_LABELS.get(k, k),
                raised=raised[k],
                open_at_end=still_open[k],
            )
            for k in kinds
        ],
    )


def protect_lock_in(report: schemas.LockIn) -> schemas.LockIn:
    """Each kind's raised and open flags, the totals being the sums of the kinds."""
    figures = ("raised", "open_at_end")
    values = figure_cells("", report, *figures)
    for k in report.by_kind:
        values |= figure_cells(f"by_kind[{k.kind}]", k, *figures)
    cells = Cells(values)
    cells.primary(*values)
    for column in figures:
        cells.group(column, [f"by_kind[{k.kind}].{column}" for k in report.by_kind])
    return msgspec.structs.replace(
        shown(cells, "", report, *figures),
        by_kind=[shown(cells, f"by_kind[{k.kind}]", k, *figures) for k in report.by_kind],
        suppressed=cells.paths(),
        protected=cells.protected_paths(),
    )


def lock_in_columns(report: schemas.LockIn, v: CellReader) -> Columns:
    """A row per kind of flag, then the totals."""
    rows: list[list[TableCell]] = [
        [k.label, *figures_of(v, f"by_kind[{k.kind}]", k, "raised", "open_at_end")]
        for k in report.by_kind
    ]
    rows.append(["Totalt", *figures_of(v, "", report, "raised", "open_at_end")])
    return ["Flagga", "Väckta i perioden", "Öppna vid periodens slut"], rows
