"""Export: the slots as exchange rows, written in the asked format."""

from __future__ import annotations

from typing import Any

from placements.exchange.files import write_csv, write_jsonl, write_xlsx
from placements.exchange.format import FlatRow
from placements.services.slots import json_list, skill_label
from placements.tables import Slot

# --- export --------------------------------------------------------------------------------------

_EXPORT_COLUMNS = (
    Slot.id,
    Slot.source,
    Slot.external_id,
    Slot.status,
    Slot.host.name.as_alias("host_name"),
    Slot.host.kind.as_alias("host_kind"),
    Slot.host.org_number.as_alias("host_org_number"),
    Slot.host.town.as_alias("host_town"),
    Slot.kind,
    Slot.title,
    Slot.occupation_id,
    Slot.description,
    Slot.skills,
    Slot.town,
    Slot.latitude,
    Slot.longitude,
    Slot.capacity,
    Slot.hours_per_week,
    Slot.tracks,
    Slot.adaptations,
    Slot.supervisor.name.as_alias("sup_name"),
    Slot.supervisor.email.as_alias("sup_email"),
    Slot.supervisor.phone.as_alias("sup_phone"),
    Slot.driving_licence,
    Slot.start_date,
    Slot.end_date,
    Slot.setting,
)


async def export_rows(
    *, status: str | None = None, source: str | None = None, host_ids: list[int] | None = None
) -> list[FlatRow]:
    """Slots as flat exchange rows (dotted names), by ID. Filters are optional."""
    condition: Any = Slot.id > 0
    if status:
        condition &= Slot.status == status
    if source:
        condition &= Slot.source == source
    if host_ids is not None:
        condition &= Slot.host.is_in(host_ids or [-1])
    out: list[FlatRow] = []
    last = 0
    while True:
        rows = (
            await Slot.select(*_EXPORT_COLUMNS)
            .where(condition & (Slot.id > last))
            .order_by(Slot.id)
            .limit(5000)
        )
        if not rows:
            return out
        last = rows[-1]["id"]
        for r in rows:
            out.append(
                {
                    "external_id": r["external_id"],
                    "source": r["source"],
                    "status": r["status"],
                    "host.name": r["host_name"],
                    "host.kind": r["host_kind"],
                    "host.org_number": r["host_org_number"] or None,
                    "host.town": r["host_town"] or None,
                    "kind": r["kind"],
                    "title": r["title"],
                    "occupation_id": r["occupation_id"],
                    "description": r["description"] or None,
                    "skills": [skill_label(v) for v in json_list(r["skills"])],
                    "town": r["town"],
                    "latitude": r["latitude"],
                    "longitude": r["longitude"],
                    "capacity": r["capacity"],
                    "hours_per_week": r["hours_per_week"],
                    "tracks": json_list(r["tracks"]),
                    "adaptations": json_list(r["adaptations"]),
                    "supervisor.name": r["sup_name"] or None,
                    "supervisor.email": r["sup_email"] or None,
                    "supervisor.phone": r["sup_phone"] or None,
                    "requirements.driving_licence": bool(r["driving_licence"]),
                    "start_date": r["start_date"].isoformat() if r["start_date"] else None,
                    "end_date": r["end_date"].isoformat() if r["end_date"] else None,
                    "setting": r["setting"],
                }
            )
        if len(rows) < 5000:
            return out


async def export_slots(fmt: str, **filters: Any) -> bytes:
    """The slots in `fmt` (jsonl, csv or xlsx), in the exchange format's fields."""
    rows = await export_rows(**filters)
    if fmt == "csv":
        return write_csv(rows)
    if fmt == "xlsx":
        return write_xlsx(rows)
    return write_jsonl(rows)
