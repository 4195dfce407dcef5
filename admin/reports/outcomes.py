"""Persons to work or studies per month (Kolada) and the share of exits to work or
studies: the reports counted from outcomes."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import msgspec

from admin import schemas
from admin.rows import ReportOutcomeRow
from admin.services.disclosure import figure_cells, protect_breakdown, shown
from admin.services.exports import CellReader, Columns, TableCell, figures_of, totals
from admin.services.reports import (
    BASELINES,
    CATEGORY_LABELS,
    FILTER_NOTE,
    PROGRESS,
    months_between,
    outcome_rows,
    share,
)
from admin.tables import KpiSnapshot
from marketplace.kernel.disclosure import Cells

TO_WORK_OR_STUDIES_TITLE = "Personer till arbete eller studier per månad"
TO_WORK_OR_STUDIES_DEFINITION = (
    "Antal olika deltagare per kalendermånad med ett registrerat utfall arbete eller "
    "studier enligt Koladas definition (arbete: anställning med eller utan stöd på den "
    "reguljära arbetsmarknaden i minst en sammanhängande månad, kommunala "
    "arbetsmarknadsanställningar räknas inte; studier: studier som ger rätt till "
    "studiemedel från CSN). Månaden är utfallets datum. Strategins baslinje: 0,6 per "
    "månad första halvåret 2016 och 1,75 per månad januari–april 2017." + FILTER_NOTE
)


async def to_work_or_studies(f: schemas.ReportFilters) -> schemas.ToWorkOrStudies:
    """Distinct persons per month with an outcome of work or studies (Kolada)."""
    persons: dict[str, set[int]] = defaultdict(set)
    for row in await outcome_rows(f):
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
        definition=TO_WORK_OR_STUDIES_DEFINITION,
        filters=f,
        months=figures_by_month,
        total=total,
        average_per_month=round(total / len(months), 2) if months else 0.0,
        references=list(BASELINES),
    )


def protect_to_work_or_studies(report: schemas.ToWorkOrStudies) -> schemas.ToWorkOrStudies:
    """Persons per month and their total are one group; a month's snapshot rests on its count."""
    values: dict[str, int | float | None] = {"total": report.total, "average_per_month": None}
    for m in report.months:
        values |= figure_cells(f"months[{m.month}]", m, "persons", "snapshot")
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
            shown(cells, f"months[{m.month}]", m, "persons", "snapshot") for m in report.months
        ],
        total=cells.get("total"),
        average_per_month=None if "total" in cells.hidden else report.average_per_month,
        suppressed=cells.paths(),
        protected=cells.protected_paths(),
    )


def to_work_or_studies_columns(report: schemas.ToWorkOrStudies, v: CellReader) -> Columns:
    """A row per month, then the sum, the average and the baselines."""
    headers = ["Månad", "Personer till arbete eller studier", "Fastställt i månadsbokslut"]
    rows: list[list[TableCell]] = [
        [m.month, *figures_of(v, f"months[{m.month}]", m, "persons", "snapshot")]
        for m in report.months
    ]
    rows += totals(
        v, report, ("Summa", "total"), ("Genomsnitt per månad", "average_per_month"), width=3
    )
    rows += [[r.label, v("references.value", r.value), None] for r in report.references]
    return headers, rows


def _figures(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        raw = json.loads(raw or "{}")
    return raw if isinstance(raw, dict) else {}


EXITS_TITLE = "Andel avslut till arbete eller studier"
EXITS_DEFINITION = (
    "Av de deltagare som har ett utfall daterat i perioden (det senaste utfallet i "
    "perioden per deltagare): andelen vars utfall är arbete eller studier enligt Koladas "
    "definition. Övriga avslut visas per kategori." + FILTER_NOTE
)


async def exits(f: schemas.ReportFilters) -> schemas.ExitShares:
    """Share of persons exiting in the period whose (latest) outcome is work or studies."""
    latest: dict[int, ReportOutcomeRow] = {}
    for row in sorted(await outcome_rows(f), key=lambda r: (r["outcome_date"], r["id"])):
        latest[int(row["candidate"])] = row
    counts: dict[str, int] = defaultdict(int)
    for row in latest.values():
        counts[row["category"]] += 1
    progress = sum(counts[c] for c in PROGRESS)
    order = list(CATEGORY_LABELS) + sorted(set(counts) - set(CATEGORY_LABELS))
    return schemas.ExitShares(
        definition=EXITS_DEFINITION,
        filters=f,
        exits=len(latest),
        to_work_or_studies=progress,
        share=share(progress, len(latest)),
        by_category=[
            schemas.CategoryCount(category=c, label=CATEGORY_LABELS.get(c, c), count=counts[c])
            for c in order
            if c in CATEGORY_LABELS or counts[c]
        ],
    )


def protect_exits(report: schemas.ExitShares) -> schemas.ExitShares:
    """The categories add up to the exits; work and studies to those to work or studies."""
    return protect_breakdown(
        report,
        total="exits",
        subtotal="to_work_or_studies",
        parts="by_category",
        key="category",
        summed=PROGRESS,
    )


def exits_columns(report: schemas.ExitShares, v: CellReader) -> Columns:
    """A row per outcome category, then the exits, those to work or studies and the share."""
    rows: list[list[TableCell]] = [
        [c.label, *figures_of(v, f"by_category[{c.category}]", c, "count")]
        for c in report.by_category
    ]
    rows += totals(
        v,
        report,
        ("Avslut totalt", "exits"),
        ("Till arbete eller studier", "to_work_or_studies"),
        ("Andel till arbete eller studier", "share"),
    )
    return ["Utfall", "Antal"], rows
