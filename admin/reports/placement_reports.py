"""The reports counted from placements: the share on real workplaces (85/15), the lead
times, the assessment return rate and the host ledger."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import cast

import msgspec

from admin import schemas
from admin.rows import ProposalRow, ReportPlacementRow
from admin.services.disclosure import figure_cells, protect_breakdown, shown
from admin.services.exports import CellReader, Columns, TableCell, figures_of, totals
from admin.services.reports import (
    ENDED,
    FILTER_NOTE,
    HOST_KIND_LABELS,
    REAL_SETTINGS,
    REAL_TARGET,
    SETTING_LABELS,
    candidate_filter,
    end_day,
    in_period,
    local_date,
    median,
    placement_rows,
    share,
)
from employers.tables import Host
from marketplace.kernel import clock
from marketplace.kernel.db import swedish_key
from marketplace.kernel.disclosure import MIN_PERSONS, Cells
from placements.services.ledger import HOURS_DEFINITION, placement_hours, start_day
from placements.tables import Assessment, Booking, Outcome

LEDGER_FIGURES = ("placements", "hours", "assessments_returned", "went_to_work", "hired_by_host")
"""A host's figures in the ledger, in the table's order."""


REAL_WORKPLACES_TITLE = "Andel placeringar på riktiga arbetsplatser (85/15)"
REAL_WORKPLACES_DEFINITION = (
    "Av placeringarna som startade i perioden: andelen på platser vars miljö är öppen "
    "arbetsplats eller kommunal arbetsplats, i stället för skyddad verksamhet. Målet är "
    "85 %. En placering är en bokning som har startat (pågående, avslutad eller "
    "avbruten)." + FILTER_NOTE
)


async def real_workplaces(f: schemas.ReportFilters) -> schemas.RealWorkplaces:
    """Share of placements started in the period on open or municipal workplaces (85/15)."""
    started = [r for r in await placement_rows(f) if in_period(start_day(r), f)]
    counts: dict[str, int] = defaultdict(int)
    for row in started:
        counts[row["setting"]] += 1
    real = sum(counts[s] for s in REAL_SETTINGS)
    return schemas.RealWorkplaces(
        definition=REAL_WORKPLACES_DEFINITION,
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


def protect_real_workplaces(report: schemas.RealWorkplaces) -> schemas.RealWorkplaces:
    """The settings add up to the placements; the real ones to those on real workplaces."""
    return protect_breakdown(
        report,
        total="placements",
        subtotal="on_real_workplaces",
        parts="by_setting",
        key="setting",
        summed=REAL_SETTINGS,
    )


def real_workplaces_columns(report: schemas.RealWorkplaces, v: CellReader) -> Columns:
    """A row per setting, then the placements, the real ones, the share and the target."""
    rows: list[list[TableCell]] = [
        [s.label, *figures_of(v, f"by_setting[{s.setting}]", s, "count")] for s in report.by_setting
    ]
    rows += totals(
        v,
        report,
        ("Placeringar totalt", "placements"),
        ("På riktiga arbetsplatser", "on_real_workplaces"),
        ("Andel på riktiga arbetsplatser", "share"),
        ("Mål", "target_share"),
    )
    return ["Miljö", "Placeringar"], rows


LEAD_TIMES_TITLE = "Ledtider: inskrivning till första förslag, förslag till start"
LEAD_TIMES_DEFINITION = (
    "Median i dagar. Inskrivning till första förslag: för deltagare vars första förslag "
    "till en plats (oavsett hur det gick) lämnades i perioden, dagar från "
    "inskrivningsdatum till förslagets dag. Förslag till start: för placeringar som "
    "startade i perioden, dagar från förslagets dag till startdagen. Med värdtyp räknas "
    "bara förslag till värdar av den typen." + FILTER_NOTE
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
    first: dict[int, ProposalRow] = {}
    rows = cast("list[ProposalRow]", await query)
    for proposal in sorted(rows, key=lambda r: (r["proposed_at"], r["id"])):
        first.setdefault(int(proposal["candidate"]), proposal)
    to_first: list[int] = []
    for proposal in first.values():
        proposed = local_date(proposal["proposed_at"])
        registered = proposal["registered_at"]
        if in_period(proposed, f) and proposed is not None and registered is not None:
            to_first.append((proposed - registered).days)
    to_start: list[int] = []
    for row in await placement_rows(f):
        start, proposed = start_day(row), local_date(row["proposed_at"])
        if in_period(start, f) and start is not None and proposed is not None:
            to_start.append((start - proposed).days)
    return schemas.LeadTimes(
        definition=LEAD_TIMES_DEFINITION,
        filters=f,
        registration_to_first_proposal=schemas.LeadTime(
            count=len(to_first), median_days=median(to_first)
        ),
        proposal_to_start=schemas.LeadTime(count=len(to_start), median_days=median(to_start)),
    )


def _protect_lead_time(cells: Cells, key: str, lt: schemas.LeadTime) -> schemas.LeadTime:
    cells.primary(f"{key}.count")
    if lt.count is not None and lt.count < MIN_PERSONS and lt.median_days is not None:
        cells.hidden.add(f"{key}.median_days")
    return shown(cells, key, lt, "count", "median_days")


def protect_lead_times(report: schemas.LeadTimes) -> schemas.LeadTimes:
    """Each lead time's count, and its median when it rests on fewer than 5 values."""
    keys = ("registration_to_first_proposal", "proposal_to_start")
    values: dict[str, int | float | None] = {}
    for key in keys:
        values |= figure_cells(key, getattr(report, key), "count", "median_days")
    cells = Cells(values)
    return msgspec.structs.replace(
        report,
        **{key: _protect_lead_time(cells, key, getattr(report, key)) for key in keys},
        suppressed=cells.paths(),
        protected=cells.protected_paths(),
    )


def lead_times_columns(report: schemas.LeadTimes, v: CellReader) -> Columns:
    """A row per lead time: how many, and the median in days."""
    lead_times = (
        ("Inskrivning till första förslag", "registration_to_first_proposal"),
        ("Förslag till start", "proposal_to_start"),
    )
    rows: list[list[TableCell]] = [
        [label, *figures_of(v, key, getattr(report, key), "count", "median_days")]
        for label, key in lead_times
    ]
    return ["Ledtid", "Antal", "Median (dagar)"], rows


async def _returned(booking_ids: list[int]) -> set[int]:
    if not booking_ids:
        return set()
    rows = await Assessment.select(Assessment.booking).where(
        Assessment.booking.is_in(booking_ids) & Assessment.submitted_at.is_not_null()
    )
    return {int(r["booking"]) for r in rows}


ASSESSMENTS_TITLE = "Andel inlämnade handledarbedömningar"
ASSESSMENTS_DEFINITION = (
    "Av placeringarna som avslutades eller avbröts i perioden: andelen där handledaren "
    "har lämnat in slutbedömningen." + FILTER_NOTE
)


async def assessments(f: schemas.ReportFilters) -> schemas.AssessmentReturn:
    """Share of placements ended in the period whose supervisor returned the assessment."""
    ended = [
        r for r in await placement_rows(f) if r["status"] in ENDED and in_period(end_day(r), f)
    ]
    returned = await _returned([int(r["id"]) for r in ended])
    return schemas.AssessmentReturn(
        definition=ASSESSMENTS_DEFINITION,
        filters=f,
        ended_placements=len(ended),
        returned=len(returned),
        rate=share(len(returned), len(ended)),
    )


def protect_assessments(report: schemas.AssessmentReturn) -> schemas.AssessmentReturn:
    """The ended placements split into returned and not returned, and the rate."""
    figures = ("ended_placements", "returned", "rate")
    values = figure_cells("", report, *figures)
    values["not_returned"] = (report.ended_placements or 0) - (report.returned or 0)
    cells = Cells(values)
    cells.primary("ended_placements", "returned", "not_returned")
    cells.group("ended_placements", ["returned", "not_returned"])
    cells.share("rate", "returned", "ended_placements")
    cells.depends("rate", "not_returned")
    return msgspec.structs.replace(
        shown(cells, "", report, *figures),
        suppressed=[p for p in cells.paths() if p != "not_returned"],
        protected=[p for p in cells.protected_paths() if p != "not_returned"],
    )


def assessments_columns(report: schemas.AssessmentReturn, v: CellReader) -> Columns:
    """One row: ended placements, returned assessments, the rate."""
    headers = ["Avslutade placeringar", "Inlämnade bedömningar", "Andel"]
    return headers, [figures_of(v, "", report, "ended_placements", "returned", "rate")]


HOST_LEDGER_TITLE = "Värdarnas liggare: vad varje värd har gett och fått"
HOST_LEDGER_DEFINITION = (
    "Per värd, för placeringar som startade i perioden: antal placeringar; timmar "
    f"({HOURS_DEFINITION}); inlämnade handledarbedömningar; deltagare som gick till arbete efter placeringen "
    "(utfall arbete kopplat till placeringen) och hur många av dem värden själv "
    "anställde. Värdar utan placeringar i perioden visas inte." + FILTER_NOTE
)


async def host_ledger(f: schemas.ReportFilters, today: dt.date | None = None) -> schemas.HostLedger:
    """What each host gave (placements, hours, assessments) and received (people to work)."""
    today = today or clock.today()
    started = [r for r in await placement_rows(f) if in_period(start_day(r), f)]
    ids = [int(r["id"]) for r in started]
    returned = await _returned(ids)
    work: dict[int, tuple[int, bool]] = {}
    if ids:
        for outcome in await Outcome.select(
            Outcome.booking, Outcome.candidate, Outcome.hired_by_host
        ).where(Outcome.booking.is_in(ids) & (Outcome.category == "arbete")):
            work[int(outcome["booking"])] = (
                int(outcome["candidate"]),
                bool(outcome["hired_by_host"]),
            )
    by_host: dict[int, list[ReportPlacementRow]] = defaultdict(list)
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
    # By name: the exact report is never published, and `protect_host_ledger` orders the
    # published one by what it shows (`in_shown_order`).
    out.sort(key=lambda r: (swedish_key(r.host_name), r.host_id))
    return schemas.HostLedger(definition=HOST_LEDGER_DEFINITION, filters=f, hosts=out)


def in_shown_order(hosts: list[schemas.LedgerRow]) -> list[schemas.LedgerRow]:
    """The ledger's rows in an order that rests on what is shown: the shown numbers of
    placements, largest first, then every host whose number is hidden, by name (Swedish
    order; the id parts two of the same name).

    Sorted by the exact numbers before protection, the order gave the hidden ones away:
    four hosts at "färre än 5" after one of 5 were in falling order, so a host that by name
    came first but stood last had the fewest, and with the total of the 85/15 report (9
    left for the four) it was 1. The hidden hosts are not ranked among the shown ones
    either: a host between a shown 7 and a shown 5 would be 5 to 7. This is the order the
    pages, the files, the API and the dashboard's bars show."""
    return sorted(
        hosts,
        key=lambda r: (
            r.placements is None,
            -(r.placements or 0),
            swedish_key(r.host_name),
            r.host_id,
        ),
    )


def protect_host_ledger(report: schemas.HostLedger) -> schemas.HostLedger:
    """Per host: the persons' counts, and the hours with the placements they rest on.

    The hosts' placements add up to the placements started, which the 85/15 report and the
    lead times show, and without a host kind chosen those of each kind add up to what they
    show with that host kind chosen (the ledger names each host's kind). So the hosts are a
    group under that total ("placements", never shown here), and under each kind's
    ("kinds[company].placements"): a hidden host hides another of 5 or more, or else the
    total, which the linked reports then hide too (`admin.reports.linking`); a total they
    hide hides a host here. The order of the rows rests on what is shown
    (`in_shown_order`)."""
    values: dict[str, int | float | None] = {}
    parts: dict[str, list[str]] = defaultdict(list)
    for h in report.hosts:
        key = f"hosts[{h.host_id}]"
        values |= figure_cells(key, h, *LEDGER_FIGURES)
        parts["placements"].append(f"{key}.placements")
        if report.filters.host_kind is None:
            parts[f"kinds[{h.host_kind}].placements"].append(f"{key}.placements")
    for total, summed in parts.items():
        values[total] = sum(int(values[p] or 0) for p in summed)
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
    cells.primary(*parts)
    for total, summed in parts.items():
        cells.group(total, summed)
    return msgspec.structs.replace(
        report,
        hosts=in_shown_order(
            [shown(cells, f"hosts[{h.host_id}]", h, *LEDGER_FIGURES) for h in report.hosts]
        ),
        suppressed=[p for p in cells.paths() if p.startswith("hosts[")],
        protected=[p for p in cells.protected_paths() if p.startswith("hosts[")],
    )


def host_ledger_columns(report: schemas.HostLedger, v: CellReader) -> Columns:
    """A row per host."""
    headers = [
        "Värd",
        "Typ",
        "Placeringar",
        "Timmar",
        "Inlämnade bedömningar",
        "Till arbete",
        "Anställda av värden",
    ]
    rows: list[list[TableCell]] = [
        [
            h.host_name,
            HOST_KIND_LABELS.get(h.host_kind, h.host_kind),
            *figures_of(v, f"hosts[{h.host_id}]", h, *LEDGER_FIGURES),
        ]
        for h in report.hosts
    ]
    return headers, rows
