"""The figures a municipality steers by, each with its definition.

Every report reads the tables directly (admin reads everything) and returns aggregates only.
Dates of events stored as timestamps (a proposal, a start, an end) count on their day in
Europe/Stockholm. A placement is a booking that started: status active, completed or
interrupted. Its start day is the day it went active, but no earlier than its agreed start
date (`placements.services.ledger.start_day`, the same day the host's ledger counts from).

Filters: `track` and `coordinator_id` select candidates (the responsible coordinator now);
`host_kind` selects the host of the booking a figure is about. An outcome or follow-up with no
booking behind it drops out when a host kind is chosen.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from admin import schemas
from admin.tables import KpiSnapshot
from employers.tables import Host, UnitTarget
from marketplace import clock
from marketplace.clock import STOCKHOLM
from marketplace.figures import Kind
from marketplace.settings import get_settings
from placements import vocabulary
from placements.services.ledger import HOURS_DEFINITION, placement_hours, start_day
from placements.tables import (
    Application,
    Assessment,
    Booking,
    FollowUp,
    LockInFlag,
    Outcome,
    PlanningMeeting,
    Slot,
)
from placements.working_days import working_days_between

# Kolada: work (at least a month, municipal labour-market jobs excluded) or CSN-eligible studies.
PROGRESS = ("arbete", "studier")
PLACED = ("active", "completed", "interrupted")
ENDED = ("completed", "interrupted")
# Bookings that use one of a unit's places (held seats and placements that ran).
USED = ("accepted", "agreed", "active", "completed", "interrupted")
REAL_SETTINGS = ("open_workplace", "municipal_workplace")
REAL_TARGET = 0.85
FOLLOW_UP_DAYS = (90, 180)
BASELINES = (
    schemas.ReferenceLine(label="Baslinje första halvåret 2016: 0,6 per månad", value=0.6),
    schemas.ReferenceLine(label="Januari–april 2017: 1,75 per månad", value=1.75),
)

CATEGORY_LABELS = {
    "arbete": "Arbete",
    "studier": "Studier",
    "annan_insats": "Annan insats",
    "arbetsformedlingen": "Till Arbetsförmedlingen",
    "sjukskrivning": "Sjukskrivning",
    "flyttat": "Flyttat",
    "avbrutet": "Avbrutet",
    "okant": "Okänt",
}
SETTING_LABELS = {
    "open_workplace": "Öppen arbetsplats",
    "municipal_workplace": "Kommunal arbetsplats",
    "sheltered": "Skyddad verksamhet",
}
FLAG_LABELS = {
    "long_placement": "Lång placering",
    "repeated_placements": "Upprepade placeringar utan steg framåt",
}
TRACK_LABELS = vocabulary.TRACK_LABELS
HOST_KIND_LABELS = {
    "company": "Företag",
    "municipal_unit": "Kommunal enhet",
    "association": "Förening",
    "public_agency": "Offentlig myndighet",
}

_FILTER_NOTE = " Filter: spår och samordnare avser deltagaren; värdtyp avser värden för bokningen."
DEFINITIONS: dict[str, tuple[str, str]] = {
    "to-work-or-studies": (
        "Personer till arbete eller studier per månad",
        "Antal olika deltagare per kalendermånad med ett registrerat utfall arbete eller "
        "studier enligt Koladas definition (arbete: anställning med eller utan stöd på den "
        "reguljära arbetsmarknaden i minst en sammanhängande månad, kommunala "
        "arbetsmarknadsanställningar räknas inte; studier: studier som ger rätt till "
        "studiemedel från CSN). Månaden är utfallets datum. Strategins baslinje: 0,6 per "
        "månad första halvåret 2016 och 1,75 per månad januari–april 2017." + _FILTER_NOTE,
    ),
    "exits": (
        "Andel avslut till arbete eller studier",
        "Av de deltagare som har ett utfall daterat i perioden (det senaste utfallet i "
        "perioden per deltagare): andelen vars utfall är arbete eller studier enligt Koladas "
        "definition. Övriga avslut visas per kategori." + _FILTER_NOTE,
    ),
    "real-workplaces": (
        "Andel placeringar på riktiga arbetsplatser (85/15)",
        "Av placeringarna som startade i perioden: andelen på platser vars miljö är öppen "
        "arbetsplats eller kommunal arbetsplats, i stället för skyddad verksamhet. Målet är "
        "85 %. En placering är en bokning som har startat (pågående, avslutad eller "
        "avbruten)." + _FILTER_NOTE,
    ),
    "lead-times": (
        "Ledtider: inskrivning till första förslag, förslag till start",
        "Median i dagar. Inskrivning till första förslag: för deltagare vars första förslag "
        "till en plats (oavsett hur det gick) lämnades i perioden, dagar från "
        "inskrivningsdatum till förslagets dag. Förslag till start: för placeringar som "
        "startade i perioden, dagar från förslagets dag till startdagen. Med värdtyp räknas "
        "bara förslag till värdar av den typen." + _FILTER_NOTE,
    ),
    "lock-in": (
        "Inlåsningsflaggor",
        "Flaggor för inlåsning (en placering längre än den inställda längden, eller "
        "upprepade placeringar utan steg mot arbete eller studier). Väckta: flaggade i "
        "perioden. Öppna: flaggade senast periodens sista dag och inte lösta då. Värdtyp "
        "påverkar inte flaggorna." + _FILTER_NOTE,
    ),
    "follow-ups": (
        "Uppföljning 90 och 180 dagar efter avslut",
        "Uppföljningar med förfallodag i perioden, per 90 och 180 dagar. Gjorda: markerade "
        "som gjorda. I arbete eller studier: gjorda uppföljningar med resultat arbete eller "
        "studier. Försenade: inte gjorda och förfallodagen har passerat. Andelen i arbete "
        "eller studier räknas på de gjorda." + _FILTER_NOTE,
    ),
    "assessments": (
        "Andel inlämnade handledarbedömningar",
        "Av placeringarna som avslutades eller avbröts i perioden: andelen där handledaren "
        "har lämnat in slutbedömningen." + _FILTER_NOTE,
    ),
    "unit-coverage": (
        "Kommunala enheters platser mot mål",
        "För varje kommunal enhet och periodens slutår: årets mål; registrerade platser "
        "(summa av antal platser på enhetens platsannonser som gäller under året, i alla "
        "statusar); publicerade platser (samma, bara publicerade); använda platser "
        "(bokningar som accepterats, överenskommits eller startat med startdag under året). "
        "Täckning = publicerade / mål; gap = mål minus publicerade, minst 0. Spår och "
        "samordnare påverkar bara använda platser.",
    ),
    "host-ledger": (
        "Värdarnas liggare: vad varje värd har gett och fått",
        "Per värd, för placeringar som startade i perioden: antal placeringar; timmar "
        f"({HOURS_DEFINITION}); inlämnade handledarbedömningar; deltagare som gick till arbete efter placeringen "
        "(utfall arbete kopplat till placeringen) och hur många av dem värden själv "
        "anställde. Värdar utan placeringar i perioden visas inte." + _FILTER_NOTE,
    ),
    "intake-clock": (
        "Klockan från ansökan till start",
        "Per månad då ansökan kom in: för varje steg antalet ansökningar som nått steget, "
        "median antal arbetsdagar steget tog och andelen inom målet. Steg: ansökan till "
        "planeringsmöte (det möte som hölls), möte till plan (planen upprättad), plan till "
        "första förslag till en plats (det första förslaget från planens dag), första förslag "
        "till start av placering (den första placering som startade från förslagets dag). "
        "Arbetsdagar är måndag till fredag utom röda dagar, midsommarafton, julafton och "
        "nyårsafton; dagen då steget började räknas inte, så ett möte nästa arbetsdag är 1 "
        "dag. Mål: planeringsmöte inom det inställda antalet arbetsdagar (PLANNING_MEETING_DAYS, "
        "normalt 1), plan inom 1 arbetsdag efter mötet, första förslag inom 10 och start inom "
        "15 arbetsdagar. Filtren för spår, samordnare och värdtyp påverkar inte klockan.",
    ),
}

# The intake clock's steps, and the targets (working days) of all but the meeting, whose
# target is the setting PLANNING_MEETING_DAYS.
CLOCK_STEPS = (
    ("meeting", "Ansökan till planeringsmöte"),
    ("plan", "Planeringsmöte till plan"),
    ("proposal", "Plan till första förslag"),
    ("start", "Första förslag till start"),
)
CLOCK_TARGETS = {"plan": 1, "proposal": 10, "start": 15}


# The kind of every figure in the reports, by its field name in `admin.schemas`: how pages,
# charts, CSV and XLSX write it (`marketplace.figures`). A figure is never taken for a share
# because its value lies between 0 and 1; tests/admin/test_figures.py checks that every
# numeric field of every report is declared here.
FIGURE_KINDS: dict[str, Kind] = {
    # to-work-or-studies
    "persons": "count",
    "snapshot": "count",
    "total": "count",
    "average_per_month": "average",
    "value": "average",  # a baseline: persons per month
    # exits, real-workplaces
    "count": "count",
    "exits": "count",
    "to_work_or_studies": "count",
    "share": "share",
    "placements": "count",
    "on_real_workplaces": "count",
    "target_share": "share",
    # lead-times, lock-in, intake-clock
    "median_days": "days",
    "within_target": "count",
    "target_days": "days",
    "raised": "count",
    "open_at_end": "count",
    # follow-ups
    "days": "days",
    "due": "count",
    "done": "count",
    "in_work_or_studies": "count",
    "overdue": "count",
    "share_done": "share",
    "share_in_work_or_studies": "share",
    # assessments
    "ended_placements": "count",
    "returned": "count",
    "rate": "share",
    # unit-coverage
    "target": "count",
    "registered": "count",
    "published": "count",
    "used": "count",
    "coverage": "share",
    "gap": "count",
    "total_target": "count",
    "total_published": "count",
    # host-ledger
    "hours": "hours",
    "assessments_returned": "count",
    "went_to_work": "count",
    "hired_by_host": "count",
}


def kind_of(path: str) -> Kind:
    """The kind of the figure at a cell path such as "months[2026-01].persons"."""
    return FIGURE_KINDS[path.rsplit(".", 1)[-1]]


def definition(name: str) -> str:
    return DEFINITIONS[name][1]


def title(name: str) -> str:
    return DEFINITIONS[name][0]


def local_date(value: dt.datetime | None) -> dt.date | None:
    """The Stockholm calendar day of a stored UTC timestamp."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(STOCKHOLM).date()


def months_between(start: dt.date, end: dt.date) -> Iterator[str]:
    """ "YYYY-MM" of every calendar month that the inclusive period touches."""
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield f"{year:04d}-{month:02d}"
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of a "YYYY-MM" month."""
    year, number = (int(p) for p in month.split("-"))
    first = dt.date(year, number, 1)
    following = dt.date(year + 1, 1, 1) if number == 12 else dt.date(year, number + 1, 1)
    return first, following - dt.timedelta(days=1)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _in(day: dt.date | None, f: schemas.ReportFilters) -> bool:
    return day is not None and f.start <= day <= f.end


def _candidate_filter(query: Any, f: schemas.ReportFilters, candidate: Any) -> Any:
    """Narrow a query to the filter's candidates; `candidate` is the FK path to them."""
    if f.track is not None:
        query = query.where(candidate.track == f.track)
    if f.coordinator_id is not None:
        query = query.where(candidate.coordinator == f.coordinator_id)
    return query


def _start_day(row: dict[str, Any]) -> dt.date | None:
    return start_day(row)


def _end_day(row: dict[str, Any]) -> dt.date | None:
    return local_date(row.get("ended_at")) or row.get("end_date")


async def _placements(f: schemas.ReportFilters) -> list[dict[str, Any]]:
    """Bookings that started, of the filter's candidates and host kind, with slot and host."""
    query = Booking.select(
        Booking.id,
        Booking.candidate,
        Booking.status,
        Booking.proposed_at,
        Booking.started_at,
        Booking.ended_at,
        Booking.start_date,
        Booking.end_date,
        Booking.slot.setting.as_alias("setting"),
        Booking.slot.hours_per_week.as_alias("hours_per_week"),
        Booking.slot.host.as_alias("host_id"),
    ).where(Booking.status.is_in(list(PLACED)))
    query = _candidate_filter(query, f, Booking.candidate)
    if f.host_kind is not None:
        query = query.where(Booking.slot._.host._.kind == f.host_kind)
    return list(await query)


async def _outcomes(f: schemas.ReportFilters) -> list[dict[str, Any]]:
    query = Outcome.select(
        Outcome.id,
        Outcome.candidate,
        Outcome.booking,
        Outcome.category,
        Outcome.hired_by_host,
        Outcome.outcome_date,
    ).where((Outcome.outcome_date >= f.start) & (Outcome.outcome_date <= f.end))
    query = _candidate_filter(query, f, Outcome.candidate)
    if f.host_kind is not None:
        query = query.where(Outcome.booking._.slot._.host._.kind == f.host_kind)
    return list(await query)


# --- the reports ---------------------------------------------------------------------------


async def to_work_or_studies(f: schemas.ReportFilters) -> schemas.ToWorkOrStudies:
    """Distinct persons per month with an outcome of work or studies (Kolada)."""
    persons: dict[str, set[int]] = defaultdict(set)
    for row in await _outcomes(f):
        if row["category"] in PROGRESS:
            persons[row["outcome_date"].strftime("%Y-%m")].add(int(row["candidate"]))
    months = list(months_between(f.start, f.end))
    unfiltered = f.track is None and f.coordinator_id is None and f.host_kind is None
    fixed: dict[str, int] = {}
    if unfiltered:
        for snap in await KpiSnapshot.select(KpiSnapshot.month, KpiSnapshot.figures).where(
            KpiSnapshot.month.is_in(months)
        ):
            figures = _figures(snap["figures"])
            value = figures.get("persons_to_work_or_studies")
            if isinstance(value, int | float):
                fixed[snap["month"]] = int(value)
    figures_by_month = [
        schemas.MonthFigure(month=m, persons=len(persons.get(m, ())), snapshot=fixed.get(m))
        for m in months
    ]
    total = sum(len(persons.get(m, ())) for m in months)
    return schemas.ToWorkOrStudies(
        definition=definition("to-work-or-studies"),
        filters=f,
        months=figures_by_month,
        total=total,
        average_per_month=round(total / len(months), 2) if months else 0.0,
        references=list(BASELINES),
    )


def _figures(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        raw = json.loads(raw or "{}")
    return raw if isinstance(raw, dict) else {}


async def exits(f: schemas.ReportFilters) -> schemas.ExitShares:
    """Share of persons exiting in the period whose (latest) outcome is work or studies."""
    latest: dict[int, dict[str, Any]] = {}
    for row in sorted(await _outcomes(f), key=lambda r: (r["outcome_date"], r["id"])):
        latest[int(row["candidate"])] = row
    counts: dict[str, int] = defaultdict(int)
    for row in latest.values():
        counts[row["category"]] += 1
    progress = sum(counts[c] for c in PROGRESS)
    order = list(CATEGORY_LABELS) + sorted(set(counts) - set(CATEGORY_LABELS))
    return schemas.ExitShares(
        definition=definition("exits"),
        filters=f,
        exits=len(latest),
        to_work_or_studies=progress,
        share=_share(progress, len(latest)),
        by_category=[
            schemas.CategoryCount(category=c, label=CATEGORY_LABELS.get(c, c), count=counts[c])
            for c in order
            if c in CATEGORY_LABELS or counts[c]
        ],
    )


async def real_workplaces(f: schemas.ReportFilters) -> schemas.RealWorkplaces:
    """Share of placements started in the period on open or municipal workplaces (85/15)."""
    started = [r for r in await _placements(f) if _in(_start_day(r), f)]
    counts: dict[str, int] = defaultdict(int)
    for row in started:
        counts[row["setting"]] += 1
    real = sum(counts[s] for s in REAL_SETTINGS)
    return schemas.RealWorkplaces(
        definition=definition("real-workplaces"),
        filters=f,
        placements=len(started),
        on_real_workplaces=real,
        share=_share(real, len(started)),
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
    query = _candidate_filter(query, f, Booking.candidate)
    if f.host_kind is not None:
        query = query.where(Booking.slot._.host._.kind == f.host_kind)
    first: dict[int, dict[str, Any]] = {}
    for row in sorted(await query, key=lambda r: (r["proposed_at"], r["id"])):
        first.setdefault(int(row["candidate"]), row)
    to_first: list[int] = []
    for row in first.values():
        proposed = local_date(row["proposed_at"])
        if _in(proposed, f) and proposed is not None and row["registered_at"] is not None:
            to_first.append((proposed - row["registered_at"]).days)
    to_start: list[int] = []
    for row in await _placements(f):
        start, proposed = _start_day(row), local_date(row["proposed_at"])
        if _in(start, f) and start is not None and proposed is not None:
            to_start.append((start - proposed).days)
    return schemas.LeadTimes(
        definition=definition("lead-times"),
        filters=f,
        registration_to_first_proposal=schemas.LeadTime(
            count=len(to_first), median_days=_median(to_first)
        ),
        proposal_to_start=schemas.LeadTime(count=len(to_start), median_days=_median(to_start)),
    )


async def lock_in(f: schemas.ReportFilters) -> schemas.LockIn:
    """Lock-in flags raised in the period, and open at its last day, by kind."""
    query = LockInFlag.select(LockInFlag.kind, LockInFlag.flagged_at, LockInFlag.resolved_at)
    query = _candidate_filter(query, f, LockInFlag.candidate)
    raised: dict[str, int] = defaultdict(int)
    still_open: dict[str, int] = defaultdict(int)
    for row in await query:
        flagged, resolved = local_date(row["flagged_at"]), local_date(row["resolved_at"])
        if _in(flagged, f):
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


async def follow_ups(f: schemas.ReportFilters, today: dt.date | None = None) -> schemas.FollowUps:
    """Follow-ups due in the period at 90 and 180 days: done, in work or studies, overdue."""
    today = today or clock.today()
    query = FollowUp.select(
        FollowUp.days, FollowUp.due_date, FollowUp.status, FollowUp.result_category
    ).where((FollowUp.due_date >= f.start) & (FollowUp.due_date <= f.end))
    query = _candidate_filter(query, f, FollowUp.candidate)
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
                share_done=_share(len(done), len(mine)),
                share_in_work_or_studies=_share(progress, len(done)),
            )
        )
    return schemas.FollowUps(definition=definition("follow-ups"), filters=f, rows=out)


async def _returned(booking_ids: list[int]) -> set[int]:
    if not booking_ids:
        return set()
    rows = await Assessment.select(Assessment.booking).where(
        Assessment.booking.is_in(booking_ids) & Assessment.submitted_at.is_not_null()
    )
    return {int(r["booking"]) for r in rows}


async def assessments(f: schemas.ReportFilters) -> schemas.AssessmentReturn:
    """Share of placements ended in the period whose supervisor returned the assessment."""
    ended = [r for r in await _placements(f) if r["status"] in ENDED and _in(_end_day(r), f)]
    returned = await _returned([int(r["id"]) for r in ended])
    return schemas.AssessmentReturn(
        definition=definition("assessments"),
        filters=f,
        ended_placements=len(ended),
        returned=len(returned),
        rate=_share(len(returned), len(ended)),
    )


async def unit_coverage(f: schemas.ReportFilters) -> schemas.UnitCoverage:
    """Registered, published and used places of each municipal unit against its target."""
    year = f.end.year
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    units = list(
        await Host.select(Host.id, Host.name)
        .where(Host.kind == "municipal_unit")
        .order_by(Host.name)
    )
    ids = [int(u["id"]) for u in units] or [-1]
    targets: dict[int, int] = {}
    for row in (
        await UnitTarget.select(UnitTarget.host, UnitTarget.target)
        .where(UnitTarget.host.is_in(ids) & (UnitTarget.year == year))
        .order_by(UnitTarget.set_at, UnitTarget.id)
    ):
        targets[int(row["host"])] = int(row["target"])  # the latest setting wins
    registered: dict[int, int] = defaultdict(int)
    published: dict[int, int] = defaultdict(int)
    for row in await Slot.select(Slot.host, Slot.capacity, Slot.status).where(
        Slot.host.is_in(ids)
        & (Slot.start_date.is_null() | (Slot.start_date <= last))
        & (Slot.end_date.is_null() | (Slot.end_date >= first))
    ):
        registered[int(row["host"])] += int(row["capacity"])
        if row["status"] == "published":
            published[int(row["host"])] += int(row["capacity"])
    used: dict[int, int] = defaultdict(int)
    query = Booking.select(
        Booking.slot.host.as_alias("host_id"), Booking.start_date, Booking.started_at
    ).where(Booking.slot.host.is_in(ids) & Booking.status.is_in(list(USED)))
    for row in await _candidate_filter(query, f, Booking.candidate):
        start = _start_day(row)
        if start is not None and first <= start <= last:
            used[int(row["host_id"])] += 1
    out = []
    for unit in units:
        uid = int(unit["id"])
        target = targets.get(uid)
        out.append(
            schemas.UnitCoverageRow(
                host_id=uid,
                host_name=unit["name"],
                target=target,
                registered=registered[uid],
                published=published[uid],
                used=used[uid],
                coverage=_share(published[uid], target) if target else None,
                gap=max(0, target - published[uid]) if target is not None else None,
            )
        )
    return schemas.UnitCoverage(
        definition=definition("unit-coverage"),
        filters=f,
        year=year,
        units=out,
        total_target=sum(targets.values()),
        total_published=sum(published[int(u["id"])] for u in units),
    )


async def host_ledger(f: schemas.ReportFilters, today: dt.date | None = None) -> schemas.HostLedger:
    """What each host gave (placements, hours, assessments) and received (people to work)."""
    today = today or clock.today()
    started = [r for r in await _placements(f) if _in(_start_day(r), f)]
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


# --- the intake clock ----------------------------------------------------------------------


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
    """The clock's figures per month received (exact counts; `disclosure.protect` hides the
    small ones). A step counts for an application that reached it and the step before."""
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
                    median_days=_median(values),
                    within_target=within,
                    share=_share(within, len(values)),
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
        if _in(local_date(row["received_at"]), f)
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
    bookings: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if people:
        for b in await Booking.select(
            Booking.candidate,
            Booking.status,
            Booking.proposed_at,
            Booking.started_at,
            Booking.start_date,
        ).where(Booking.candidate.is_in(people)):
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


async def intake_clock(f: schemas.ReportFilters) -> schemas.IntakeClock:
    """Median working days and share within target, per month received, for application →
    planning meeting → plan → first proposal → start of placement."""
    return schemas.IntakeClock(
        definition=definition("intake-clock"),
        filters=f,
        months=clock_months(
            await clock_paths(f), list(months_between(f.start, f.end)), clock_targets()
        ),
    )


# --- monthly snapshot ----------------------------------------------------------------------


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
