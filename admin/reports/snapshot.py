"""The headline figures of one whole month, unfiltered, as the monthly snapshot
(`admin.jobs.snapshot_month`) fixes them, and read back for the protection they share with
the month's reports (`stored_figures`, linked in `admin.reports.registry`)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from admin import schemas
from admin.reports.lock_in import lock_in
from admin.reports.outcomes import exits, to_work_or_studies
from admin.reports.placement_reports import assessments, lead_times, real_workplaces
from admin.services.reports import month_bounds
from admin.tables import KpiSnapshot

SHARED_FIGURES = (
    "persons_to_work_or_studies",
    "exits",
    "exits_to_work_or_studies",
    "placements_started",
    "placements_on_real_workplaces",
    "first_proposals",
    "lock_in_raised",
    "lock_in_open_at_end",
    "ended_placements",
    "assessments_returned",
)
"""The snapshot's figures that a report of the same month, without filters, shows too (the
names the linked reports give their cells: `admin.reports.linking`)."""


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


async def stored_figures(
    f: schemas.ReportFilters, today: dt.date | None = None
) -> dict[str, Any] | None:
    """The fixed figures of the month `f` covers, when it covers one whole month without
    filters and that month is fixed; else None (there is no snapshot to protect with it)."""
    if f.track is not None or f.coordinator_id is not None or f.host_kind is not None:
        return None
    month = f"{f.start.year:04d}-{f.start.month:02d}"
    if (f.start, f.end) != month_bounds(month):
        return None
    row = await KpiSnapshot.select(KpiSnapshot.figures).where(KpiSnapshot.month == month).first()
    if row is None:
        return None
    figures = row["figures"]
    if isinstance(figures, str):
        figures = json.loads(figures or "{}")
    return figures if isinstance(figures, dict) else {}
