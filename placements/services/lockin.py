"""Lock-in (inlåsning): placements must not become a parking place.

A candidate is flagged when one placement runs longer than `LOCK_IN_MONTHS`, or when they have
had `LOCK_IN_PLACEMENTS` placements in a row with no step to work or studies. `flag_lock_in`
is an idempotent sweep: it opens a flag once per candidate and kind, and resolves it when the
reason no longer holds. Ending a placement and recording (or correcting) an outcome resolve the
participant's flags at once (`resolve_gone`): a tester saw "Risk för inlåsning" on a
participant whose placement had ended in a job, until the next sweep.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import cast

from marketplace.kernel.audit import record, record_many
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import write_transaction
from marketplace.kernel.errors import Forbidden
from marketplace.kernel.settings import get_settings
from marketplace.kernel.sweeps import RowGuard
from placements.rows import LockInFlagRow, NamedLockInFlagRow
from placements.schemas import outcomes as schemas
from placements.services import booking_access
from placements.services.candidates import visible_coordinator_ids
from placements.tables import Booking, LockInFlag, Outcome
from placements.vocabulary import PROGRESS

LONG_PLACEMENT = "long_placement"
REPEATED = "repeated_placements"
PLACED = ("active", "completed", "interrupted")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


async def _reasons(
    today: dt.date, guard: RowGuard, candidate_id: int | None = None
) -> dict[tuple[int, str], str]:
    """Every (candidate, kind) that should carry a flag today, with its reason in Swedish;
    only `candidate_id`'s when given. A booking whose dates cannot be worked with is logged
    and left out (see `RowGuard`)."""
    settings = get_settings()
    reasons: dict[tuple[int, str], str] = {}
    placed = Booking.status.is_in(list(PLACED)) & (Booking.candidate.status == "active")
    if candidate_id is not None:
        placed &= Booking.candidate == candidate_id
    rows = (
        await Booking.select(
            Booking.id,
            Booking.candidate,
            Booking.status,
            Booking.start_date,
            Booking.slot._.title.as_alias("slot_title"),
            Booking.slot._.host._.name.as_alias("host_name"),
        )
        .where(placed)
        .order_by(Booking.start_date)
        .order_by(Booking.id)
    )
    progress = {
        int(r["booking"])
        for r in await Outcome.select(Outcome.booking).where(
            Outcome.category.is_in(list(PROGRESS)) & Outcome.booking.is_not_null()
        )
    }
    in_a_row: dict[int, int] = {}
    for row in rows:
        with guard.row(row["id"]):
            candidate = int(row["candidate"])
            if row["status"] == "active" and row["start_date"] is not None:
                limit = add_months(row["start_date"], settings.lock_in_months)
                if today >= limit:
                    reasons[(candidate, LONG_PLACEMENT)] = (
                        f"Placeringen {row['slot_title']} hos {row['host_name']} har pågått sedan "
                        f"{row['start_date']}, längre än {settings.lock_in_months} månader."
                    )
            in_a_row[candidate] = 0 if row["id"] in progress else in_a_row.get(candidate, 0) + 1
    for candidate, count in in_a_row.items():
        if count >= settings.lock_in_placements:
            reasons[(candidate, REPEATED)] = (
                f"{count} placeringar i rad utan steg till arbete eller studier "
                f"(gränsen är {settings.lock_in_placements})."
            )
    return reasons


async def flag_lock_in(today: dt.date, guard: RowGuard | None = None) -> schemas.SweepResult:
    """Open the lock-in flags that hold today and resolve those that no longer do.
    Running it twice on the same day changes nothing the second time."""
    created = resolved = 0
    async with write_transaction(LockInFlag._meta.db):
        reasons = await _reasons(today, guard or RowGuard("flag-lock-in"))
        open_flags = cast(
            "list[LockInFlagRow]",
            await LockInFlag.select().where(LockInFlag.resolved_at.is_null()),
        )
        open_keys = {(int(f["candidate"]), f["kind"]): f for f in open_flags}
        for key, reason in sorted(reasons.items()):
            if key in open_keys:
                if open_keys[key]["reason"] != reason:
                    await LockInFlag.update({LockInFlag.reason: reason}).where(
                        LockInFlag.id == open_keys[key]["id"]
                    )
                continue
            await LockInFlag.insert(LockInFlag(candidate=key[0], kind=key[1], reason=reason))
            await record(None, "lock_in.flag", key[0], detail=key[1])
            created += 1
        for key, flag in open_keys.items():
            if key not in reasons:
                await LockInFlag.update({LockInFlag.resolved_at: booking_access.now()}).where(
                    LockInFlag.id == flag["id"]
                )
                await record(None, "lock_in.resolve", key[0], detail=key[1])
                resolved += 1
    return schemas.SweepResult(created=created, resolved=resolved)


async def resolve_gone(actor: AuthUser | None, candidate_id: int, today: dt.date) -> int:
    """Resolve `candidate_id`'s open flags whose reason no longer holds today, at once, in
    the caller's transaction (an ended placement, an outcome of work or studies); returns how
    many. Opening flags is left to the sweep. A flag resolved now stops counting as open
    from today in the reports, as one the sweep resolves would from its run."""
    open_flags = cast(
        "list[LockInFlagRow]",
        await LockInFlag.select().where(
            LockInFlag.resolved_at.is_null() & (LockInFlag.candidate == candidate_id)
        ),
    )
    if not open_flags:
        return 0
    reasons = await _reasons(today, RowGuard("resolve-lock-in"), candidate_id)
    resolved = 0
    for flag in open_flags:
        if (candidate_id, flag["kind"]) in reasons:
            continue
        await LockInFlag.update({LockInFlag.resolved_at: booking_access.now()}).where(
            LockInFlag.id == flag["id"]
        )
        await record(actor, "lock_in.resolve", candidate_id, detail=flag["kind"])
        resolved += 1
    return resolved


def _flag_out(row: NamedLockInFlagRow) -> schemas.LockInFlag:
    return schemas.LockInFlag(
        id=row["id"],
        candidate_id=row["candidate"],
        candidate_name=f"{row['first_name']} {row['last_name']}".strip(),
        kind=row["kind"],
        reason=row["reason"],
        flagged_at=row["flagged_at"],
        resolved_at=row["resolved_at"],
    )


async def list_lock_in_flags_for(
    user: AuthUser, *, include_resolved: bool = False
) -> list[schemas.LockInFlag]:
    """The lock-in flags of the candidates the caller may see, oldest first."""
    if not user.is_staff:
        raise Forbidden("Bara samordnare ser flaggor för inlåsning.")
    async with write_transaction(LockInFlag._meta.db):
        query = LockInFlag.select(
            *LockInFlag.all_columns(),
            LockInFlag.candidate.first_name.as_alias("first_name"),
            LockInFlag.candidate.last_name.as_alias("last_name"),
        )
        allowed = await visible_coordinator_ids(user)
        if allowed is not None:
            query = query.where(LockInFlag.candidate.coordinator.is_in(allowed or [0]))
        if not include_resolved:
            query = query.where(LockInFlag.resolved_at.is_null())
        rows = cast(
            "list[NamedLockInFlagRow]",
            await query.order_by(LockInFlag.flagged_at).order_by(LockInFlag.id),
        )
        await record_many(user, "lock_in.list", sorted({r["candidate"] for r in rows}))
        return [_flag_out(r) for r in rows]
