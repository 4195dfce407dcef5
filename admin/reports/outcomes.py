"""Persons to work or studies per month (Kolada) and the share of exits to work or
studies: the reports counted from outcomes."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from admin import schemas
from admin.services.reports import (
    BASELINES,
    CATEGORY_LABELS,
    PROGRESS,
    definition,
    months_between,
    outcome_rows,
    share,
)
from admin.tables import KpiSnapshot


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
    for row in sorted(await outcome_rows(f), key=lambda r: (r["outcome_date"], r["id"])):
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
        share=share(progress, len(latest)),
        by_category=[
            schemas.CategoryCount(category=c, label=CATEGORY_LABELS.get(c, c), count=counts[c])
            for c in order
            if c in CATEGORY_LABELS or counts[c]
        ],
    )
