"""The follow-ups at 90 and 180 days after an exit."""

from __future__ import annotations

import datetime as dt

from admin import schemas
from admin.services.reports import FOLLOW_UP_DAYS, PROGRESS, candidate_filter, definition, share
from marketplace.kernel import clock
from placements.tables import FollowUp


async def follow_ups(f: schemas.ReportFilters, today: dt.date | None = None) -> schemas.FollowUps:
    """Follow-ups due in the period at 90 and 180 days: done, in work or studies, overdue."""
    today = today or clock.today()
    query = FollowUp.select(
        FollowUp.days, FollowUp.due_date, FollowUp.status, FollowUp.result_category
    ).where((FollowUp.due_date >= f.start) & (FollowUp.due_date <= f.end))
    query = candidate_filter(query, f, FollowUp.candidate)
    if f.host_kind is not None:
        query = query.where(FollowUp.outcome._.booking._.slot._.host._.kind == f.host_kind)
    rows = list(await query)
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
    return schemas.FollowUps(definition=definition("follow-ups"), filters=f, rows=out)
