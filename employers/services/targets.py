"""Yearly targets of places per municipal unit, set by the admin. Coverage against them is
counted from slots and bookings in `placements.services.slots.unit_coverage`."""

from __future__ import annotations

import datetime as dt

from employers import schemas
from employers.tables import Host, UnitTarget
from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import swedish_order, write_transaction
from marketplace.kernel.errors import NotFound, ValidationFailed


async def set_target(
    actor: AuthUser, host_id: int, year: int, target: int, note: str = ""
) -> schemas.Target:
    """Set (or change) a municipal unit's target of places for a year."""
    host = await Host.select(Host.id, Host.name, Host.kind).where(Host.id == host_id).first()
    if host is None:
        raise NotFound("Enheten finns inte.")
    if host["kind"] != "municipal_unit":
        raise ValidationFailed(
            f"{host['name']} är ingen kommunal enhet. Mål sätts bara för kommunala enheter.",
            fields=["host_id"],
        )
    now = dt.datetime.now(dt.UTC)
    async with write_transaction(UnitTarget._meta.db):
        existing = (
            await UnitTarget.select(UnitTarget.id)
            .where((UnitTarget.host == host_id) & (UnitTarget.year == year))
            .first()
        )
        if existing:
            await UnitTarget.update(
                {UnitTarget.target: target, UnitTarget.note: note, UnitTarget.set_at: now}
            ).where(UnitTarget.id == existing["id"])
        else:
            await UnitTarget.insert(
                UnitTarget(host=host_id, year=year, target=target, note=note, set_at=now)
            )
        await record(
            actor, "unit_target.set", host_id, subject_type="host", detail=f"{year}: {target}"
        )
    return schemas.Target(
        host_id=host_id, host_name=host["name"], year=year, target=target, note=note, set_at=now
    )


async def targets_for_year(year: int) -> dict[int, int]:
    """Target per municipal unit's host ID for a year (units without one are absent)."""
    rows = await UnitTarget.select(UnitTarget.host, UnitTarget.target).where(
        UnitTarget.year == year
    )
    return {int(r["host"]): int(r["target"]) for r in rows}


async def target_of(host_id: int, year: int) -> tuple[int, str] | None:
    """A unit's target for a year and its note, or None when none is set."""
    row = (
        await UnitTarget.select(UnitTarget.target, UnitTarget.note)
        .where((UnitTarget.host == host_id) & (UnitTarget.year == year))
        .first()
    )
    return None if row is None else (int(row["target"]), str(row["note"] or ""))


async def list_targets(year: int) -> list[schemas.Target]:
    """Every target set for the year, by unit name."""
    rows = (
        await UnitTarget.select(
            UnitTarget.host,
            UnitTarget.host.name,
            UnitTarget.year,
            UnitTarget.target,
            UnitTarget.note,
            UnitTarget.set_at,
        )
        .where(UnitTarget.year == year)
        .order_by(swedish_order(UnitTarget.host.name))
    )
    return [
        schemas.Target(
            host_id=r["host"],
            host_name=r["host.name"],
            year=r["year"],
            target=r["target"],
            note=r["note"],
            set_at=r["set_at"],
        )
        for r in rows
    ]
