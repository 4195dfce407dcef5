"""Small-cell suppression: no published figure may rest on fewer than five persons.

Every report, chart, export and API answer that shows aggregates passes its report through
its registry entry's `protect` (`admin.reports.registry`: one `protect_<report>` function
here per report), and snapshots through `protect_snapshot()`; the cell rules themselves live
in `marketplace.kernel.disclosure` (so that the host ledger, in `placements`, uses the same ones for
analysts). The report functions in `reports` count exactly (tests and the monthly snapshot
need that); what leaves the service is protected.

The rule (shown on the report pages as `RULE_NOTE`):

1. Primary suppression: a count of 1–4 is hidden ("färre än 5" on pages and in files, `null`
   in JSON with the cell's path listed in the report's `suppressed`). Zero is shown: it
   singles no one out.
2. Figures that rest on a hidden or small count are hidden too: a share whose numerator is
   hidden or whose denominator is under 5, a median of fewer than 5 values, the hours of a
   host with a hidden number of placements, a snapshot of a month whose count is hidden.
3. Against differencing, a count that is the sum of shown parts (a total, or a partial sum
   such as "to work or studies" = work + studies) is treated as a group: when a part is
   hidden, the smallest shown part of 5 or more is hidden as well (complementary
   suppression), so the total minus the shown parts is the sum of at least one small and
   one larger unknown and does not give the small one. When no such part exists, the total
   is hidden instead. A partial sum with a hidden part is hidden.

Differencing across reports or across filter choices (one track minus another) is not
covered by this rule; the filters are coarse (track, coordinator, host kind) for that reason.
"""

from __future__ import annotations

from typing import Any

import msgspec

from admin import schemas
from marketplace.kernel.disclosure import MIN_PERSONS, SUPPRESSED_TEXT, Cells, is_small

RULE_NOTE = (
    "Sekretess: en siffra som bygger på färre än 5 personer visas inte, utan som "
    "”färre än 5”. Andelar och medianer som räknas på färre än 5 personer döljs också. "
    "När en dold siffra annars kunde räknas fram ur en summa döljs även den minsta andra "
    "siffran i samma summa (eller summan). Noll visas."
)


def _protect_lead_time(cells: Cells, key: str, lt: schemas.LeadTime) -> schemas.LeadTime:
    cells.primary(f"{key}.count")
    if lt.count is not None and lt.count < MIN_PERSONS and lt.median_days is not None:
        cells.hidden.add(f"{key}.median_days")
    return schemas.LeadTime(
        count=cells.get(f"{key}.count"), median_days=cells.get(f"{key}.median_days")
    )


def protect_intake_clock(report: schemas.IntakeClock) -> schemas.IntakeClock:
    """Per month and step: a count of 1–4 is hidden, and the median with it. Those within
    the target and those outside it (never shown) split the count: when either is 1–4, the
    number within and the share are hidden (either would give the other by subtraction);
    the count itself then gives neither."""
    values: dict[str, Any] = {}
    for m in report.months:
        for st in m.steps:
            key = f"months[{m.month}].steps[{st.step}]"
            values[f"{key}.count"] = st.count
            values[f"{key}.within_target"] = st.within_target
            values[f"{key}.outside_target"] = (st.count or 0) - (st.within_target or 0)
            values[f"{key}.median_days"] = st.median_days
            values[f"{key}.share"] = st.share
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
    months = [
        schemas.ClockMonth(
            month=m.month,
            steps=[
                msgspec.structs.replace(
                    st,
                    count=cells.get(f"months[{m.month}].steps[{st.step}].count"),
                    within_target=cells.get(f"months[{m.month}].steps[{st.step}].within_target"),
                    median_days=cells.get(f"months[{m.month}].steps[{st.step}].median_days"),
                    share=cells.get(f"months[{m.month}].steps[{st.step}].share"),
                )
                for st in m.steps
            ],
        )
        for m in report.months
    ]
    hidden = [p for p in cells.paths() if not p.endswith(".outside_target")]
    return msgspec.structs.replace(report, months=months, suppressed=hidden)


def protect_to_work_or_studies(report: schemas.ToWorkOrStudies) -> schemas.ToWorkOrStudies:
    """Persons per month and their total are one group; a month's snapshot rests on its count."""
    values: dict[str, Any] = {"total": report.total, "average_per_month": None}
    for m in report.months:
        values[f"months[{m.month}].persons"] = m.persons
        values[f"months[{m.month}].snapshot"] = m.snapshot
    cells = Cells(values)
    months = [f"months[{m.month}].persons" for m in report.months]
    cells.primary("total", *months)
    cells.group("total", months)
    for m in report.months:
        cells.primary(f"months[{m.month}].snapshot")
        cells.depends(f"months[{m.month}].snapshot", f"months[{m.month}].persons")
    if "total" in cells.hidden:
        cells.hidden.add("average_per_month")
    return msgspec.structs.replace(
        report,
        months=[
            schemas.MonthFigure(
                month=m.month,
                persons=cells.get(f"months[{m.month}].persons"),
                snapshot=cells.get(f"months[{m.month}].snapshot"),
            )
            for m in report.months
        ],
        total=cells.get("total"),
        average_per_month=None if "total" in cells.hidden else report.average_per_month,
        suppressed=cells.paths(),
    )


def protect_exits(report: schemas.ExitShares) -> schemas.ExitShares:
    """The categories add up to the exits; work and studies to those to work or studies."""
    parts = {f"by_category[{c.category}].count": c for c in report.by_category}
    values: dict[str, Any] = {
        "exits": report.exits,
        "to_work_or_studies": report.to_work_or_studies,
    }
    values |= {p: c.count for p, c in parts.items()}
    values["share"] = report.share
    cells = Cells(values)
    cells.primary("exits", "to_work_or_studies", *parts)
    cells.group("exits", list(parts))
    progress = [f"by_category[{c}].count" for c in ("arbete", "studier") if c in _cats(report)]
    cells.partial("to_work_or_studies", progress)
    cells.share("share", "to_work_or_studies", "exits")
    return msgspec.structs.replace(
        report,
        exits=cells.get("exits"),
        to_work_or_studies=cells.get("to_work_or_studies"),
        share=cells.get("share"),
        by_category=[msgspec.structs.replace(c, count=cells.get(p)) for p, c in parts.items()],
        suppressed=cells.paths(),
    )


def protect_real_workplaces(report: schemas.RealWorkplaces) -> schemas.RealWorkplaces:
    """The settings add up to the placements; the real ones to those on real workplaces."""
    setting_parts = {f"by_setting[{s.setting}].count": s for s in report.by_setting}
    values: dict[str, Any] = {
        "placements": report.placements,
        "on_real_workplaces": report.on_real_workplaces,
    }
    values |= {p: s.count for p, s in setting_parts.items()}
    values["share"] = report.share
    cells = Cells(values)
    cells.primary("placements", "on_real_workplaces", *setting_parts)
    cells.group("placements", list(setting_parts))
    real = [
        p
        for p, s in setting_parts.items()
        if s.setting in ("open_workplace", "municipal_workplace")
    ]
    cells.partial("on_real_workplaces", real)
    cells.share("share", "on_real_workplaces", "placements")
    return msgspec.structs.replace(
        report,
        placements=cells.get("placements"),
        on_real_workplaces=cells.get("on_real_workplaces"),
        share=cells.get("share"),
        by_setting=[
            msgspec.structs.replace(s, count=cells.get(p)) for p, s in setting_parts.items()
        ],
        suppressed=cells.paths(),
    )


def protect_lead_times(report: schemas.LeadTimes) -> schemas.LeadTimes:
    """Each lead time's count, and its median when it rests on fewer than 5 values."""
    first, start = report.registration_to_first_proposal, report.proposal_to_start
    cells = Cells(
        {
            "registration_to_first_proposal.count": first.count,
            "registration_to_first_proposal.median_days": first.median_days,
            "proposal_to_start.count": start.count,
            "proposal_to_start.median_days": start.median_days,
        }
    )
    return msgspec.structs.replace(
        report,
        registration_to_first_proposal=_protect_lead_time(
            cells, "registration_to_first_proposal", first
        ),
        proposal_to_start=_protect_lead_time(cells, "proposal_to_start", start),
        suppressed=cells.paths(),
    )


def protect_lock_in(report: schemas.LockIn) -> schemas.LockIn:
    """Each kind's raised and open flags, the totals being the sums of the kinds."""
    values: dict[str, Any] = {"raised": report.raised, "open_at_end": report.open_at_end}
    for k in report.by_kind:
        values[f"by_kind[{k.kind}].raised"] = k.raised
        values[f"by_kind[{k.kind}].open_at_end"] = k.open_at_end
    cells = Cells(values)
    cells.primary(*values)
    for column in ("raised", "open_at_end"):
        cells.group(column, [f"by_kind[{k.kind}].{column}" for k in report.by_kind])
    return msgspec.structs.replace(
        report,
        raised=cells.get("raised"),
        open_at_end=cells.get("open_at_end"),
        by_kind=[
            msgspec.structs.replace(
                k,
                raised=cells.get(f"by_kind[{k.kind}].raised"),
                open_at_end=cells.get(f"by_kind[{k.kind}].open_at_end"),
            )
            for k in report.by_kind
        ],
        suppressed=cells.paths(),
    )


def protect_follow_ups(report: schemas.FollowUps) -> schemas.FollowUps:
    """Per 90 and 180 days: the due split into done and not done, and both shares."""
    values = {}
    for r in report.rows:
        for f in ("due", "done", "in_work_or_studies", "overdue"):
            values[f"rows[{r.days}].{f}"] = getattr(r, f)
        values[f"rows[{r.days}].not_done"] = (r.due or 0) - (r.done or 0)
        values[f"rows[{r.days}].share_done"] = r.share_done
        values[f"rows[{r.days}].share_in_work_or_studies"] = r.share_in_work_or_studies
    cells = Cells(values)
    for r in report.rows:
        key = f"rows[{r.days}]"
        cells.primary(
            f"{key}.due",
            f"{key}.done",
            f"{key}.in_work_or_studies",
            f"{key}.overdue",
            f"{key}.not_done",
        )
        cells.group(f"{key}.due", [f"{key}.done", f"{key}.not_done"])
        cells.share(f"{key}.share_done", f"{key}.done", f"{key}.due")
        cells.share(f"{key}.share_in_work_or_studies", f"{key}.in_work_or_studies", f"{key}.done")
    rows = [
        msgspec.structs.replace(
            r,
            due=cells.get(f"rows[{r.days}].due"),
            done=cells.get(f"rows[{r.days}].done"),
            in_work_or_studies=cells.get(f"rows[{r.days}].in_work_or_studies"),
            overdue=cells.get(f"rows[{r.days}].overdue"),
            share_done=cells.get(f"rows[{r.days}].share_done"),
            share_in_work_or_studies=cells.get(f"rows[{r.days}].share_in_work_or_studies"),
        )
        for r in report.rows
    ]
    hidden = [p for p in cells.paths() if not p.endswith(".not_done")]
    return msgspec.structs.replace(report, rows=rows, suppressed=hidden)


def protect_assessments(report: schemas.AssessmentReturn) -> schemas.AssessmentReturn:
    """The ended placements split into returned and not returned, and the rate."""
    cells = Cells(
        {
            "ended_placements": report.ended_placements,
            "returned": report.returned,
            "not_returned": (report.ended_placements or 0) - (report.returned or 0),
            "rate": report.rate,
        }
    )
    cells.primary("ended_placements", "returned", "not_returned")
    cells.group("ended_placements", ["returned", "not_returned"])
    cells.share("rate", "returned", "ended_placements")
    cells.depends("rate", "not_returned")
    return msgspec.structs.replace(
        report,
        ended_placements=cells.get("ended_placements"),
        returned=cells.get("returned"),
        rate=cells.get("rate"),
        suppressed=[p for p in cells.paths() if p != "not_returned"],
    )


def protect_unit_coverage(report: schemas.UnitCoverage) -> schemas.UnitCoverage:
    """The places a unit used (persons placed); targets and places are no persons."""
    cells = Cells({f"units[{u.host_id}].used": u.used for u in report.units})
    cells.primary(*cells.values)
    return msgspec.structs.replace(
        report,
        units=[
            msgspec.structs.replace(u, used=cells.get(f"units[{u.host_id}].used"))
            for u in report.units
        ],
        suppressed=cells.paths(),
    )


def protect_host_ledger(report: schemas.HostLedger) -> schemas.HostLedger:
    """Per host: the persons' counts, and the hours with the placements they rest on."""
    columns = ("placements", "hours", "assessments_returned", "went_to_work", "hired_by_host")
    values = {f"hosts[{h.host_id}].{c}": getattr(h, c) for h in report.hosts for c in columns}
    cells = Cells(values)
    for h in report.hosts:
        key = f"hosts[{h.host_id}]"
        cells.primary(
            f"{key}.placements",
            f"{key}.assessments_returned",
            f"{key}.went_to_work",
            f"{key}.hired_by_host",
        )
        cells.depends(f"{key}.hours", f"{key}.placements")
    return msgspec.structs.replace(
        report,
        hosts=[
            msgspec.structs.replace(h, **{c: cells.get(f"hosts[{h.host_id}].{c}") for c in columns})
            for h in report.hosts
        ],
        suppressed=cells.paths(),
    )


def _cats(report: schemas.ExitShares) -> set[str]:
    return {c.category for c in report.by_category}


# The snapshot's figures: counts, and shares or medians with what they rest on.
_SNAPSHOT_COUNTS = (
    "persons_to_work_or_studies",
    "exits",
    "exits_to_work_or_studies",
    "placements_started",
    "placements_on_real_workplaces",
    "lock_in_raised",
    "lock_in_open_at_end",
    "ended_placements",
    "assessments_returned",
)
_SNAPSHOT_SHARES = {
    "share_exits_to_work_or_studies": ("exits_to_work_or_studies", "exits"),
    "share_real_workplaces": ("placements_on_real_workplaces", "placements_started"),
    "assessment_return_rate": ("assessments_returned", "ended_placements"),
}


def protect_snapshot(figures: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A month's fixed figures as they may be published, and the names of those hidden."""
    cells = Cells(dict(figures))
    cells.primary(*(k for k in _SNAPSHOT_COUNTS if isinstance(figures.get(k), int)))
    complements = {
        "exits_not_to_work": ("exits", "exits_to_work_or_studies"),
        "placements_not_real": ("placements_started", "placements_on_real_workplaces"),
        "assessments_missing": ("ended_placements", "assessments_returned"),
    }
    for name, (whole, part) in complements.items():
        if isinstance(figures.get(whole), int) and isinstance(figures.get(part), int):
            cells.values[name] = figures[whole] - figures[part]
            cells.primary(name)
            cells.group(whole, [part, name])
    for share, (numerator, denominator) in _SNAPSHOT_SHARES.items():
        if share in figures and denominator in figures:
            cells.share(share, numerator, denominator)
    medians = {
        "median_days_registration_to_first_proposal": "first_proposals",
        "median_days_proposal_to_start": "placements_started",
    }
    for median, base in medians.items():
        # A median is shown only when it rests on at least 5 values (older snapshots did
        # not store how many first proposals there were: their median stays hidden).
        count = figures.get(base)
        if figures.get(median) is not None and (
            not isinstance(count, int) or count < MIN_PERSONS or base in cells.hidden
        ):
            cells.hidden.add(median)
    if isinstance(figures.get("first_proposals"), int):
        cells.primary("first_proposals")
    hidden = [p for p in cells.paths() if p in figures]
    return {k: (None if k in cells.hidden else v) for k, v in figures.items()}, hidden


def protect_kpi_snapshot(snapshot: schemas.KpiSnapshotOut) -> schemas.KpiSnapshotOut:
    figures, hidden = protect_snapshot(snapshot.figures)
    return msgspec.structs.replace(snapshot, figures=figures, suppressed=hidden)


__all__ = ["MIN_PERSONS", "RULE_NOTE", "SUPPRESSED_TEXT", "is_small"]
