"""The headline figures of one whole month, unfiltered, as the monthly snapshot
(`admin.jobs.snapshot_month`) fixes them."""

from __future__ import annotations

import datetime as dt

from admin import schemas
from admin.reports.lock_in import lock_in
from admin.reports.outcomes import exits, to_work_or_studies
from admin.reports.placement_reports import assessments, lead_times, real_workplaces
from admin.services.reports import month_bounds


async def month_figures(month: str, today: dt.date | None = None) -> dict[str, float | int | None]:
    """The headline figures of one whole month, unfiltered, as a snapshot stores them."""
    start, end = month_bounds(month)
    f = schemas.ReportFilters(start=start, end=end)
    persons = await to_work_or_studies(f)
    exit_shares = await exits(f)
    real = await real_workplaces(f)
    times = await lead_times(f)
    flags = await lock_in(f)
    returns = await assessments(f)
    return {
        "persons_to_work_or_studies": persons.total,
        "exits": exit_shares.exits,
        "exits_to_work_or_studies": exit_shares.to_work_or_studies,
        "share_exits_to_work_or_studies": exit_shares.share,
        "placements_started": real.placements,
        "placements_on_real_workplaces": real.on_real_workplaces,
        "share_real_workplaces": real.share,
        "median_days_registration_to_first_proposal": (
            times.registration_to_first_proposal.median_days
        ),
        "median_days_proposal_to_start": times.proposal_to_start.median_days,
        "first_proposals": times.registration_to_first_proposal.count,
        "lock_in_raised": flags.raised,
        "lock_in_open_at_end": flags.open_at_end,
        "ended_placements": returns.ended_placements,
        "assessments_returned": returns.returned,
        "assessment_return_rate": returns.rate,
    }
