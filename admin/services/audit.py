"""Audit review (loggkontroll): who accessed what, and whose record was accessed, over a period.

Reading the log is itself recorded (subject type "audit_log"), so a review leaves a trace.
There is deliberately no function here, or anywhere, that changes or deletes an audit row;
the database refuses it too (triggers on both engines).

The review page finds the participant whose accesses are reviewed by name
(`participants_named`, the coordinators' people search: å, ä and ö optional, first and last
name in either order); the log itself is filtered by the participant's id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from piccolo.query.functions.aggregate import Count

from admin import schemas
from admin.rows import NamedParticipant
from admin.services import audit_text
from admin.services.exports import csv_text
from marketplace.kernel.audit import record, record_many
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.dates import FrozenDateBounded
from marketplace.kernel.db import swedish_order
from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.figures import CsvVariant
from marketplace.kernel.paging import check_offset
from marketplace.kernel.rows import AuditEntryRow
from marketplace.kernel.tables import AuditEntry
from placements.services import people_search
from placements.services.candidates import display_name, mask_personnummer
from placements.tables import Candidate

MAX_EXPORT_ROWS = 100_000
# The export's columns in Swedish, as the log review names them (the headers were the
# table's English column names, and the action only its code); the action's code stays
# beside its words for whoever filters on it.
CSV_COLUMNS = (
    "Nummer",
    "Tid",
    "Användar-id",
    "Vem",
    "Gäller",
    "Gäller id",
    "Händelse",
    "Händelsekod",
    "Detaljer",
)


class AuditQuery(FrozenDateBounded, kw_only=True, frozen=True):
    """Which audit rows to show: by actor (user X), by subject (person Y), in a period."""

    start: dt.date
    end: dt.date
    actor_id: int | None = None
    subject_id: int | None = None
    subject_type: str = "candidate"
    action: str | None = None


# At most this many participants are offered to choose among; more ask for more of the name.
MAX_NAMED = 20
NOT_A_NAME = (
    "Skriv deltagarens namn här, inte personnumret: ett personnummer ska inte stå i en webbadress."
)


@dataclass(frozen=True)
class Participant:
    """A participant as the review page names them: the name, and the personnummer with its
    last four digits hidden (empty when there is none), to tell two of one name apart."""

    id: int
    name: str
    personnummer: str


_NAMED = (Candidate.id, Candidate.first_name, Candidate.last_name, Candidate.personnummer)


async def participants_named(user: AuthUser, text: str) -> list[Participant]:
    """The participants whose name holds every word of `text` (`people_search`), by last and
    first name: at most `MAX_NAMED` + 1, so that the caller knows when there are more.

    Several are a list shown, which is a read of each record in it ("candidate.list"); one
    is the participant whose log is reviewed, which the review's own row names. A `text`
    written like a personnummer is refused (400): it is no name, and must not travel in a
    URL.
    """
    if people_search.looks_like_identity_number(text):
        raise ValidationFailed(NOT_A_NAME, fields=["deltagare"])
    words = people_search.query_words(text)
    if not words:
        return []
    rows = await (
        Candidate.select(*_NAMED)
        .where(people_search.name_matches(Candidate.first_name, Candidate.last_name, words))
        .order_by(swedish_order(Candidate.last_name))
        .order_by(swedish_order(Candidate.first_name))
        .order_by(Candidate.id)
        .limit(MAX_NAMED + 1)
    )
    found = [_participant(r) for r in cast("list[NamedParticipant]", rows)]
    if len(found) > 1:
        await record_many(user, "candidate.list", [p.id for p in found[:MAX_NAMED]])
    return found


async def participant(subject_id: int) -> Participant | None:
    """The participant a review is about (by id, as a link gives it); None when there is none."""
    row = await Candidate.select(*_NAMED).where(Candidate.id == subject_id).first()
    return None if row is None else _participant(cast("NamedParticipant", row))


def _participant(row: NamedParticipant) -> Participant:
    return Participant(
        id=row["id"], name=display_name(row), personnummer=mask_personnummer(row["personnummer"])
    )


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
    user: AuthUser, q: AuditQuery, *, limit: int = 50, offset: int = 0, paged: bool = False
) -> schemas.AuditPage:
    """One page of matching audit rows, newest first; the review is recorded. For the page
    (`paged`), an offset past the last row is `PastLastPage`, before any review is recorded;
    the API answers it with no rows and the total."""
    condition = _where(q)
    total_row = await AuditEntry.select(Count(AuditEntry.id, alias="n")).where(condition).first()
    if paged:
        check_offset(offset, int(total_row["n"]) if total_row else 0, limit)
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
            [
                r["id"],
                r["at"].astimezone(STOCKHOLM).isoformat(timespec="seconds"),
                r["actor_id"],
                audit_text.actor_text(r["actor_label"]),
                audit_text.SUBJECTS.get(r["subject_type"], r["subject_type"]),
                r["subject_id"],
                audit_text.action_text(r["action"]),
                r["action"],
                audit_text.detail_text(r["detail"]),
            ]
            for r in rows
        ],
        variant,
    )
    await record(
        user, "audit.export", None, subject_type="audit_log", detail=_describe(q) + ", csv"
    )
    return text
