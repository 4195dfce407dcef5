"""Municipal units' places against their yearly targets."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import msgspec

from admin import schemas
from admin.services.disclosure import shown
from admin.services.exports import CellReader, Columns, TableCell, figures_of
from admin.services.reports import USED, candidate_filter, share
from employers.tables import Host, UnitTarget
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.db import swedish_order
from marketplace.kernel.disclosure import Cells
from placements.services.ledger import start_day
from placements.tables import Booking, Slot

UNIT_COVERAGE_TITLE = "Kommunala enheters platser mot mål"
UNIT_COVERAGE_DEFINITION = (
    "För varje kommunal enhet och periodens slutår: årets mål; registrerade platser "
    "(summa av antal platser på enhetens platsannonser som gäller under året, i alla "
    "statusar; en annons utan startdag gäller från dagen den skrevs); publicerade "
    "platser (samma, bara publicerade); använda platser (bokningar som accepterats, "
    "överenskommits eller startat med startdag under året). "
    "Täckning = publicerade / mål; gap = mål minus publicerade, minst 0. Totalt: "
    "täckning = alla enheters publicerade / summan av målen; gap = enheternas gap "
    "sammanlagda (en enhets överskott fyller inte en annans gap); använda platser "
    "summeras inte (de är personer, och summan skulle visa en enhets dolda 1–4). Spår "
    "och samordnare påverkar bara använda platser."
)


async def unit_coverage(f: schemas.ReportFilters) -> schemas.UnitCoverage:
    """Registered, published and used places of each municipal unit against its target."""
    year = f.end.year
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    year_end = dt.datetime(year + 1, 1, 1, tzinfo=STOCKHOLM)
    units = list(
        await Host.select(Host.id, Host.name)
        .where(Host.kind == "municipal_unit")
        .order_by(swedish_order(Host.name))
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
        # A slot without a start date holds from the day it was written: 2016's places
        # counted every undated slot of today.
        & ((Slot.start_date.is_null() & (Slot.created_at < year_end)) | (Slot.start_date <= last))
        & (Slot.end_date.is_null() | (Slot.end_date >= first))
    ):
        registered[int(row["host"])] += int(row["capacity"])
        if row["status"] == "published":
            published[int(row["host"])] += int(row["capacity"])
    used: dict[int, int] = defaultdict(int)
    query = Booking.select(
        Booking.slot.host.as_alias("host_id"), Booking.start_date, Booking.started_at
    ).where(Booking.slot.host.is_in(ids) & Booking.status.is_in(list(USED)))
    for row in await candidate_filter(query, f, Booking.candidate):
        start = start_day(row)
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
                coverage=share(published[uid], target) if target else None,
                gap=max(0, target - published[uid]) if target is not None else None,
            )
        )
    total_target = sum(targets.values())
    total_published = sum(published[int(u["id"])] for u in units)
    gaps = [u.gap for u in out if u.gap is not None]
    return schemas.UnitCoverage(
        definition=UNIT_COVERAGE_DEFINITION,
        filters=f,
        year=year,
        units=out,
        total_target=total_target,
        total_published=total_published,
        total_registered=sum(registered[int(u["id"])] for u in units),
        total_coverage=share(total_published, total_target) if total_target else None,
        total_gap=sum(gaps) if gaps else None,
    )


def protect_unit_coverage(report: schemas.UnitCoverage) -> schemas.UnitCoverage:
    """The places a unit used (persons placed); targets and places are no persons."""
    cells = Cells({f"units[{u.host_id}].used": u.used for u in report.units})
    cells.primary(*cells.values)
    return msgspec.structs.replace(
        report,
        units=[shown(cells, f"units[{u.host_id}]", u, "used") for u in report.units],
        suppressed=cells.paths(),
        protected=cells.protected_paths(),
    )


def unit_coverage_columns(report: schemas.UnitCoverage, v: CellReader) -> Columns:
    """A row per municipal unit, then the totals."""
    headers = [
        "Enhet",
        f"Mål {report.year}",
        "Registrerade",
        "Publicerade",
        "Använda",
        "Täckning",
        "Gap",
    ]
    columns = ("target", "registered", "published", "used", "coverage", "gap")
    rows: list[list[TableCell]] = [
        [u.host_name, *figures_of(v, f"units[{u.host_id}]", u, *columns)] for u in report.units
    ]
    # The places used are persons: their total would undo a unit's hidden 1–4, so it is left
    # out; the rest are places and targets.
    rows.append(
        [
            "Totalt",
            *figures_of(v, "", report, "total_target", "total_registered", "total_published"),
            None,
            *figures_of(v, "", report, "total_coverage", "total_gap"),
        ]
    )
    return headers, rows
