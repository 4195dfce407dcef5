"""The reports counted from placements: the share on real workplaces (85/15), the lead
times, the assessment return rate and the host ledger."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from admin import schemas
from admin.services.reports import (
    ENDED,
    REAL_SETTINGS,
    REAL_TARGET,
    SETTING_LABELS,
    candidate_filter,
    definition,
    end_day,
    in_period,
    local_date,
    median,
    placement_rows,
    share,
)
from employers.tables import Host
from marketplace.kernel import clock
from placements.services.ledger import placement_hours, start_day
from placements.tables import Assessment, Booking, Outcome


async def real_workplaces(f: schemas.ReportFilters) -> schemas.RealWorkplaces:
    """Share of placements started in the period on open or municipal workplaces (85/15)."""
    started = [r for r in await placement_rows(f) if in_period(start_day(r), f)]
    counts: dict[str, int] = defaultdict(int)
    for row in started:
        counts[row["setting"]] += 1
    real = sum(counts[s] for s in REAL_SETTINGS)
    return schemas.RealWorkplaces(
        definition=definition("real-workplaces"),
        filters=f,
        placements=len(started),
        on_real_workplaces=real,
        share=share(real, len(started)),
        target_share=REAL_TARGET,
        by_setting=[
            schemas.SettingCount(setting=s, label=label, count=counts[s])
            for s, label in SETTING_LABELS.items()
        ],
    )


async def lead_times(f: schemas.ReportFilters) -> schemas.LeadTimes:
    """Median days from registration to the first proposal, and from proposal to start."""
    query = Booking.select(
        Booking.id,
        Booking.candidate,
        Booking.proposed_at,
        Booking.candidate.registered_at.as_alias("registered_at"),
    )
    query = candidate_filter(query, f, Booking.candidate)
    if f.host_kind is not None:
        query = query.where(Booking.slot._.host._.kind == f.host_kind)
    first: dict[int, dict[str, Any]] = {}
    for row in sorted(await query, key=lambda r: (r["proposed_at"], r["id"])):
        first.setdefault(int(row["candidate"]), row)
    to_first: list[int] = []
    for row in first.values():
        proposed = local_date(row["proposed_at"])
        if in_period(proposed, f) and proposed is not None and row["registered_at"] is not None:
            to_first.append((proposed - row["registered_at"]).days)
    to_start: list[int] = []
    for row in await placement_rows(f):
        start, proposed = start_day(row), local_date(row["proposed_at"])
        if in_period(start, f) and start is not None and proposed is not None:
            to_start.append((start - proposed).days)
    return schemas.LeadTimes(
        definition=definition("lead-times"),
        filters=f,
        registration_to_first_proposal=schemas.LeadTime(
            count=len(to_first), median_days=median(to_first)
        ),
        proposal_to_start=schemas.LeadTime(count=len(to_start), median_days=median(to_start)),
    )


async def _returned(booking_ids: list[int]) -> set[int]:
    if not booking_ids:
        return set()
    rows = await Assessment.select(Assessment.booking).where(
        Assessment.booking.is_in(booking_ids) & Assessment.submitted_at.is_not_null()
    )
    return {int(r["booking"]) for r in rows}


async def assessments(f: schemas.ReportFilters) -> schemas.AssessmentReturn:
    """Share of placements ended in the period whose supervisor returned the assessment."""
    ended = [
        r for r in await placement_rows(f) if r["status"] in ENDED and in_period(end_day(r), f)
    ]
    returned = await _returned([int(r["id"]) for r in ended])
    return schemas.AssessmentReturn(
        definition=definition("assessments"),
        filters=f,
        ended_placements=len(ended),
        returned=len(returned),
        rate=share(len(returned), len(ended)),
    )


async def host_ledger(f: schemas.ReportFilters, today: dt.date | None = None) -> schemas.HostLedger:
    """What each host gave (placements, hours, assessments) and received (people to work)."""
    today = today or clock.today()
    started = [r for r in await placement_rows(f) if in_period(start_day(r), f)]
    ids = [int(r["id"]) for r in started]
    returned = await _returned(ids)
    work: dict[int, tuple[int, bool]] = {}
    if ids:
        for row in await Outcome.select(
            Outcome.booking, Outcome.candidate, Outcome.hired_by_host
        ).where(Outcome.booking.is_in(ids) & (Outcome.category == "arbete")):
            work[int(row["booking"])] = (int(row["candidate"]), bool(row["hired_by_host"]))
    by_host: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in started:
        by_host[int(row["host_id"])].append(row)
    hosts = {
        int(h["id"]): h
        for h in await Host.select(Host.id, Host.name, Host.kind).where(
            Host.id.is_in(list(by_host) or [-1])
        )
    }
    out = []
    for host_id, rows in by_host.items():
        to_work = {work[int(r["id"])] for r in rows if int(r["id"]) in work}
        out.append(
            schemas.LedgerRow(
                host_id=host_id,
                host_name=hosts[host_id]["name"],
                host_kind=hosts[host_id]["kind"],
                placements=len(rows),
                hours=sum(placement_hours(r, today) for r in rows),
                assessments_returned=sum(1 for r in rows if int(r["id"]) in returned),
                went_to_work=len({candidate for candidate, _ in to_work}),
                hired_by_host=len({candidate for candidate, hired in to_work if hired}),
            )
        )
    out.sort(key=lambda r: (-(r.placements or 0), r.host_name))
    return schemas.HostLedger(definition=definition("host-ledger"), filters=f, hosts=out)
