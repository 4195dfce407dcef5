"""The lock-in flags raised in a period and open at its end."""

from __future__ import annotations

from collections import defaultdict

from admin import schemas
from admin.services.reports import FLAG_LABELS, candidate_filter, definition, in_period, local_date
from placements.tables import LockInFlag


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
        definition=definition("lock-in"),
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
