"""Audit review (loggkontroll): who accessed what, and whose record was accessed, over a period.

Reading the log is itself recorded (subject type "audit_log"), so a review leaves a trace.
There is deliberately no function here, or anywhere, that changes or deletes an audit row;
the database refuses it too (triggers on both engines).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from piccolo.query.functions.aggregate import Count

from admin import schemas
from admin.services.exports import csv_text
from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.dates import FrozenDateBounded
from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.figures import CsvVariant
from marketplace.kernel.rows import AuditEntryRow
from marketplace.kernel.tables import AuditEntry

MAX_EXPORT_ROWS = 100_000
CSV_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_label",
    "subject_type",
    "subject_id",
    "action",
    "detail",
)


class AuditQuery(FrozenDateBounded, kw_only=True, frozen=True):
    """Which audit rows to show: by actor (user X), by subject (person Y), in a period."""

    start: dt.date
    end: dt.date
    actor_id: int | None = None
    subject_id: int | None = None
    subject_type: str = "candidate"
    action: str | None = None


def utc_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants of the inclusive Stockholm days [start, end]."""
    if end < start:
        raise ValidationFailed(
            "Slutdatumet måste vara samma dag som eller efter startdatumet.", fields=["end"]
        )
    low = dt.datetime.combine(start, dt.time(), STOCKHOLM)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), STOCKHOLM)
    return low.astimezone(dt.UTC), high.astimezone(dt.UTC)


def _where(q: AuditQuery) -> Any:
    low, high = utc_bounds(q.start, q.end)
    condition = (AuditEntry.at >= low) & (AuditEntry.at < high)
    if q.actor_id is not None:
        condition &= AuditEntry.actor_id == q.actor_id
    if q.subject_id is not None:
        condition &= (AuditEntry.subject_id == q.subject_id) & (
            AuditEntry.subject_type == q.subject_type
        )
    if q.action:
        condition &= AuditEntry.action == q.action
    return condition


def _describe(q: AuditQuery) -> str:
    parts = [f"{q.start.isoformat()}–{q.end.isoformat()}"]
    if q.actor_id is not None:
        parts.append(f"användare {q.actor_id}")
    if q.subject_id is not None:
        parts.append(f"{q.subject_type} {q.subject_id}")
    if q.action:
        parts.append(f"händelse {q.action}")
    return ", ".join(parts)


def _row(r: AuditEntryRow) -> schemas.AuditRow:
    return schemas.AuditRow(
        id=r["id"],
        at=r["at"],
        actor_id=r["actor_id"],
        actor_label=r["actor_label"],
        subject_type=r["subject_type"],
        subject_id=r["subject_id"],
        action=r["action"],
        detail=r["detail"],
    )


async def search_audit(
    user: AuthUser, q: AuditQuery, *, limit: int = 50, offset: int = 0
) -> schemas.AuditPage:
    """One page of matching audit rows, newest first; the review is recorded."""
    condition = _where(q)
    total_row = await AuditEntry.select(Count(AuditEntry.id, alias="n")).where(condition).first()
    rows = cast(
        "list[AuditEntryRow]",
        await AuditEntry.select()
        .where(condition)
        .order_by(AuditEntry.at, ascending=False)
        .order_by(AuditEntry.id, ascending=False)
        .limit(limit)
        .offset(offset),
    )
    await record(user, "audit.review", None, subject_type="audit_log", detail=_describe(q))
    return schemas.AuditPage(
        total=int(total_row["n"]) if total_row else 0,
        limit=limit,
        offset=offset,
        items=[_row(r) for r in rows],
    )


async def export_audit_csv(user: AuthUser, q: AuditQuery, variant: CsvVariant = "swedish") -> str:
    """Every matching row (oldest first, at most MAX_EXPORT_ROWS) as CSV in the chosen
    variant (`marketplace.kernel.figures`); recorded."""
    rows = (
        await AuditEntry.select()
        .where(_where(q))
        .order_by(AuditEntry.at)
        .order_by(AuditEntry.id)
        .limit(MAX_EXPORT_ROWS)
    )
    text = csv_text(
        CSV_COLUMNS,
        [
            [r["id"], r["at"].astimezone(STOCKHOLM).isoformat(timespec="seconds")]
            + [r[c] for c in CSV_COLUMNS[2:]]
            for r in rows
        ],
        variant,
    )
    await record(
        user, "audit.export", None, subject_type="audit_log", detail=_describe(q) + ", csv"
    )
    return text
