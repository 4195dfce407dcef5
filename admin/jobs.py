"""Scheduled sweeps of the back office: the monthly KPI snapshot and retention.

Both are idempotent. A month's snapshot is written once and then never changes, so the
figures a municipality reported for a past month stay fixed; retention anonymises each
candidate once. The scheduler calls `snapshot_previous_month` and `retention_sweep`.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from admin import schemas
from admin.reports import snapshot
from admin.services import reports
from admin.services.register import apply_retention
from admin.tables import KpiSnapshot
from marketplace.kernel import clock
from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.settings import Settings

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def previous_month(today: dt.date) -> str:
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


def _out(row: dict[str, object]) -> schemas.KpiSnapshotOut:
    figures = row["figures"]
    if isinstance(figures, str):
        figures = json.loads(figures or "{}")
    assert isinstance(figures, dict)
    created = row["created_at"]
    assert isinstance(created, dt.datetime)
    return schemas.KpiSnapshotOut(month=str(row["month"]), figures=figures, created_at=created)


async def get_snapshot(month: str) -> schemas.KpiSnapshotOut | None:
    row = await KpiSnapshot.select().where(KpiSnapshot.month == month).first()
    return _out(row) if row else None


async def list_snapshots() -> list[schemas.KpiSnapshotOut]:
    rows = await KpiSnapshot.select().order_by(KpiSnapshot.month)
    return [_out(r) for r in rows]


async def snapshot_month(month: str, today: dt.date | None = None) -> schemas.KpiSnapshotOut:
    """Store the month's headline figures once; later calls return the stored ones.

    Only a month that has ended can be fixed (else its figures would still move).
    """
    if not _MONTH.match(month):
        raise ValidationFailed(f"Ange månaden som ÅÅÅÅ-MM, inte {month!r}.", fields=["month"])
    today = today or clock.today()
    _, last = reports.month_bounds(month)
    if last >= today:
        raise ValidationFailed(
            f"Månaden {month} är inte slut än; den kan fastställas från och med dagen efter "
            "månadens sista dag.",
            fields=["month"],
        )
    existing = await get_snapshot(month)
    if existing is not None:
        return existing
    figures = await snapshot.month_figures(month, today)
    await KpiSnapshot.insert(KpiSnapshot(month=month, figures=json.dumps(figures))).on_conflict(
        target=KpiSnapshot.month, action="DO NOTHING"
    )
    stored = await get_snapshot(month)
    assert stored is not None
    return stored


async def snapshot_previous_month(today: dt.date | None = None) -> str:
    """The scheduler's sweep: fix last month's figures (once). Returns the month."""
    today = today or clock.today()
    month = previous_month(today)
    await snapshot_month(month, today)
    return month


async def retention_sweep(today: dt.date | None = None) -> int:
    """The scheduler's sweep: anonymise everyone past RETENTION_YEARS after exit."""
    return await apply_retention(today or clock.today())


# --- the scheduler's entry points (marketplace/scheduler.py reads JOBS) ----------------------


async def snapshot_kpis(now: dt.datetime, settings: Settings) -> dict[str, int]:
    """Fix last month's KPI figures once; later runs of the same month change nothing."""
    today = clock.local_date(now)
    month = previous_month(today)
    existed = await get_snapshot(month) is not None
    await snapshot_month(month, today)
    return {"created": 0 if existed else 1}


async def apply_retention_job(now: dt.datetime, settings: Settings) -> dict[str, int]:
    """Anonymise everyone past RETENTION_YEARS after exit (each candidate once)."""
    today = clock.local_date(now)
    return {"anonymised": await apply_retention(today, settings.retention_years)}


JOBS = {
    "snapshot-kpis": (snapshot_kpis, "housekeeping_interval_seconds"),
    "apply-retention": (apply_retention_job, "housekeeping_interval_seconds"),
}
# Each job's name for people (the code name stays for the CLI: `jobs run NAME`).
JOB_TITLE = {
    "snapshot-kpis": "Lås månadens nyckeltal",
    "apply-retention": "Anonymisera gamla uppgifter",
}
JOB_TEXT = {
    "snapshot-kpis": "Låser förra månadens nyckeltal en gång; senare körningar samma månad "
    "ändrar ingenting.",
    "apply-retention": "Anonymiserar deltagare som avslutades för mer än {retention_years} år "
    "sedan (var och en en gång).",
}
