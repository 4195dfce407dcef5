"""Host organisations: register, edit, list, and the active/paused switch."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import msgspec

from employers import schemas, vocabulary
from employers.rows import HostRow, Place
from employers.services import get_host_for, managed_host_ids
from employers.services.orgnr import normalize_org_number
from employers.tables import Host, HostMembership
from marketplace.kernel.addresses import single_line
from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import contains_ci, equals_ci, swedish_order, write_transaction
from marketplace.kernel.errors import Conflict, Forbidden, ValidationFailed
from marketplace.reference.places import place

# The setting a slot gets from its host's kind, unless the slot says otherwise (85/15 figure).
SETTING_BY_KIND = vocabulary.SETTING_BY_KIND


def coordinates_of(town: str) -> tuple[float, float] | None:
    """(latitude, longitude) of a Swedish locality from the gazetteer, or None."""
    if not town.strip():
        return None
    return place(town)


def host_out(row: HostRow) -> schemas.Host:
    return schemas.Host(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        org_number=row["org_number"],
        address=row["address"],
        town=row["town"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        sector=row["sector"],
        needs=row["needs"],
        active=row["active"],
        digest_mail=row["digest_mail"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def ensure_unique(org_number: str, name: str, exclude_id: int | None = None) -> None:
    """A host is unique by (organisationsnummer, name): municipal units share one number."""
    if not org_number:
        return
    query = Host.select(Host.id, Host.name).where(Host.org_number == org_number)
    if exclude_id is not None:
        query = query.where(Host.id != exclude_id)
    folded = name.strip().casefold()
    for row in await query:
        if row["name"].strip().casefold() == folded:
            raise Conflict(
                f"Det finns redan en värd med organisationsnummer {org_number} och namnet "
                f"{row['name']}. Ändra den i stället, eller ange enhetens eget namn.",
                fields=["org_number", "name"],
            )


def place_fields(values: dict[str, Any]) -> None:
    """Fill coordinates from the town when none were entered by hand (a host's and a slot's
    place alike); one of the two alone is refused."""
    if values.get("latitude") is None and values.get("longitude") is None:
        coords = coordinates_of(values.get("town", ""))
        if coords:
            values["latitude"], values["longitude"] = coords
    elif values.get("latitude") is None or values.get("longitude") is None:
        raise ValidationFailed(
            "Ange både latitud och longitud, eller ingen av dem (då hämtas de från orten).",
            fields=["latitude", "longitude"],
        )


def changed_place(values: dict[str, Any], current: Place) -> None:
    """A change of place in a partial update (a host's or a slot's): a new town without
    coordinates drops the old ones, so they come from the new town; coordinates sent are
    checked together with the town they will stand with."""
    if "town" in values and "latitude" not in values and "longitude" not in values:
        values["latitude"] = values["longitude"] = None
    if "latitude" in values or "longitude" in values:
        merged = {key: values.get(key, current[key]) for key in ("town", "latitude", "longitude")}
        place_fields(merged)
        values.update(merged)


async def create_host(user: AuthUser, data: schemas.HostCreate) -> schemas.Host:
    """Register a host organisation. A host user who registers one becomes its member."""
    if user.role not in {"admin", "coordinator", "host"}:
        raise Forbidden("Din roll kan inte registrera värdorganisationer.")
    values = msgspec.structs.asdict(data)
    values["name"] = single_line(values["name"].strip(), "name", label="Organisationens namn")
    if not values["name"]:
        raise ValidationFailed("Ange organisationens namn.", fields=["name"])
    values["org_number"] = normalize_org_number(values["org_number"])
    values["town"] = values["town"].strip()
    place_fields(values)
    async with write_transaction(Host._meta.db):
        await ensure_unique(values["org_number"], values["name"])
        rows = await Host.insert(Host(**values)).returning(Host.id)
        host_id = int(rows[0]["id"])
        if user.role == "host":
            await HostMembership.insert(HostMembership(user=user.id, host=host_id))
        await record(user, "host.create", host_id, subject_type="host", detail=values["name"])
    return host_out(await get_host_for(user, host_id))


def check_host_name(value: str) -> str:
    """An organisation's name: one line, not empty (the form checks it with its other
    fields, the service again)."""
    name = single_line(value.strip(), "name", label="Organisationens namn")
    if not name:
        raise ValidationFailed("Ange organisationens namn.", fields=["name"])
    return name


# What the municipality registers of a host and a host's own users may read but not change:
# the kind decides a slot's default setting and the municipality's figures (a municipal unit
# against the open labour market, the 85/15 report), the number who the organisation is.
SET_BY_MUNICIPALITY = ("kind", "org_number")
SET_BY_MUNICIPALITY_TEXT = (
    "Typ av organisation och organisationsnummer ändras av kommunen. Kontakta samordnaren "
    "om uppgiften är fel."
)


async def update_host(user: AuthUser, host_id: int, data: schemas.HostUpdate) -> schemas.Host:
    """Change the fields sent; another organisation's host is NotFound. A host user who
    sends another kind or organisation number than the stored one is refused
    (`SET_BY_MUNICIPALITY`); the same value sent back is no change."""
    current = await get_host_for(user, host_id)
    values = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    if "name" in values:
        values["name"] = check_host_name(values["name"])
    if "org_number" in values:
        values["org_number"] = normalize_org_number(values["org_number"])
    if user.role == "host":
        stored = {"kind": current["kind"], "org_number": current["org_number"]}
        changed = [k for k in SET_BY_MUNICIPALITY if k in values and values[k] != stored[k]]
        if changed:
            raise ValidationFailed(SET_BY_MUNICIPALITY_TEXT, fields=changed)
    if "town" in values:
        values["town"] = values["town"].strip()
    changed_place(values, current)
    if not values:
        return host_out(current)
    values["updated_at"] = dt.datetime.now(dt.UTC)
    async with write_transaction(Host._meta.db):
        await ensure_unique(
            values.get("org_number", current["org_number"]),
            values.get("name", current["name"]),
            exclude_id=host_id,
        )
        await Host.update({getattr(Host, k): v for k, v in values.items()}).where(
            Host.id == host_id
        )
        await record(user, "host.update", host_id, subject_type="host", detail=", ".join(values))
    return host_out(await get_host_for(user, host_id))


async def get_host(user: AuthUser, host_id: int) -> schemas.Host:
    """One host the user manages (NotFound for another organisation's)."""
    return host_out(await get_host_for(user, host_id))


async def list_hosts_for(
    user: AuthUser,
    *,
    kind: str | None = None,
    town: str | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[schemas.Host]]:
    """Hosts the user manages (all of them for coordinators and admins), by name."""
    ids = await managed_host_ids(user)
    query = Host.select()
    count = Host.count()
    conditions: list[Any] = []
    if ids is not None:
        conditions.append(Host.id.is_in(ids or [-1]))
    if kind:
        conditions.append(Host.kind == kind)
    if town:
        conditions.append(equals_ci(Host.town, town.strip()))
    if q:
        conditions.append(contains_ci(Host.name, q.strip()))
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    rows = (
        await query.order_by(swedish_order(Host.name)).order_by(Host.id).limit(limit).offset(offset)
    )
    return await count, [host_out(r) for r in cast("list[HostRow]", rows)]


async def set_host_active(user: AuthUser, host_id: int, active: bool) -> HostRow:
    """Flip the host's active flag (inside the caller's transaction); returns the old row.

    Slots follow in `placements.services.slots.pause_host` / `resume_host`, which call this.
    """
    current = await get_host_for(user, host_id)
    await Host.update({Host.active: active, Host.updated_at: dt.datetime.now(dt.UTC)}).where(
        Host.id == host_id
    )
    await record(user, "host.resume" if active else "host.pause", host_id, subject_type="host")
    return current
