"""The worker's slot search: an in-memory index over published slots, kept fresh.

The database is the truth. Each worker builds its own index at start and then, before every
search, compares the slot change counter (one indexed row) with the value it has seen; if
another worker or process changed slots, it reloads exactly the slots stamped since. A full
rebuild runs in a thread and swaps the index in when done, so a search never waits for it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from placements.services import current_slot_change, seats_taken
from placements.tables import Slot
from search import taxonomy
from search.index import SearchIndex
from search.schemas import SearchQuery, SearchResult, SlotDoc

log = logging.getLogger("marketplace.search")

_DOC_COLUMNS = (
    Slot.id,
    Slot.external_id,
    Slot.title,
    Slot.kind,
    Slot.occupation_id,
    Slot.description,
    Slot.skills,
    Slot.town,
    Slot.latitude,
    Slot.longitude,
    Slot.tracks,
    Slot.adaptations,
    Slot.hours_per_week,
    Slot.driving_licence,
    Slot.capacity,
    Slot.start_date,
    Slot.end_date,
    Slot.published_at,
    Slot.status,
    Slot.change_seq,
    Slot.host.name.as_alias("host_name"),
    Slot.host.kind.as_alias("host_kind"),
    Slot.host.active.as_alias("host_active"),
)

# Rows fetched per query while building, so 100k slots never sit in one result set twice.
_BATCH = 5000


def _json_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if not value:
        return []
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return []
    return [str(v) for v in parsed] if isinstance(parsed, list) else []


def _skill_labels(values: list[str]) -> list[str]:
    """Skills are stored as taxonomy IDs or free text; the index wants the words."""
    known = taxonomy.skills()
    return [known.get(v, v) for v in values]


def doc_from_row(row: dict[str, Any], taken: int) -> SlotDoc:
    """The index document of one slot row (joined with its host)."""
    return SlotDoc(
        id=row["id"],
        external_id=row["external_id"],
        title=row["title"],
        kind=row["kind"],
        occupation_id=row["occupation_id"],
        description=row["description"] or "",
        skills=_skill_labels(_json_list(row["skills"])),
        town=row["town"] or "",
        latitude=row["latitude"],
        longitude=row["longitude"],
        host_name=row["host_name"] or "",
        host_kind=row["host_kind"] or "",
        tracks=_json_list(row["tracks"]),
        adaptations=_json_list(row["adaptations"]),
        hours_per_week=row["hours_per_week"],
        driving_licence=bool(row["driving_licence"]),
        open_seats=max(0, int(row["capacity"] or 0) - taken),
        start_date=row["start_date"],
        end_date=row["end_date"],
        published_at=row["published_at"],
    )


def _searchable(row: dict[str, Any]) -> bool:
    return row["status"] == "published" and bool(row["host_active"])


async def _docs_where(condition: Any) -> list[tuple[dict[str, Any], SlotDoc | None]]:
    """Rows matching `condition`, each with its document (None if it is not searchable)."""
    out: list[tuple[dict[str, Any], SlotDoc | None]] = []
    last_id = 0
    while True:
        rows = (
            await Slot.select(*_DOC_COLUMNS)
            .where(condition & (Slot.id > last_id))
            .order_by(Slot.id)
            .limit(_BATCH)
        )
        if not rows:
            return out
        last_id = rows[-1]["id"]
        taken = await seats_taken([r["id"] for r in rows if _searchable(r)])
        out.extend(
            (r, doc_from_row(r, taken.get(r["id"], 0)) if _searchable(r) else None) for r in rows
        )
        if len(rows) < _BATCH:
            return out


class SlotSearch:
    """One worker's index and its freshness bookkeeping."""

    def __init__(self) -> None:
        self.index = SearchIndex()
        self.seen = -1  # the change number the index reflects; -1 = never built
        self._catch_up_lock = asyncio.Lock()
        self._rebuild_task: asyncio.Task[None] | None = None

    @property
    def ready(self) -> bool:
        return self.seen >= 0

    async def rebuild(self) -> None:
        """Build a fresh index from the database and swap it in; searches go on meanwhile."""
        marker = await current_slot_change()
        pairs = await _docs_where(Slot.status == "published")
        docs = [doc for _, doc in pairs if doc is not None]
        fresh = SearchIndex()
        await asyncio.to_thread(fresh.build, docs)
        async with self._catch_up_lock:
            self.index = fresh
            self.seen = marker
        # Writes that landed while building are stamped after `marker`.
        await self.catch_up()
        log.info("search index built: %d published slots", len(docs))

    def rebuild_in_background(self) -> asyncio.Task[None]:
        """Start a rebuild unless one is running; return its task."""
        if self._rebuild_task is None or self._rebuild_task.done():
            self._rebuild_task = asyncio.create_task(self.rebuild())
        return self._rebuild_task

    async def catch_up(self) -> int:
        """Apply every slot change since the last one seen; return how many slots moved."""
        marker = await current_slot_change()
        if marker == self.seen:
            return 0
        async with self._catch_up_lock:
            if marker <= self.seen:
                return 0
            pairs = await _docs_where(Slot.change_seq > self.seen)
            for row, doc in pairs:
                if doc is None:
                    self.index.remove(row["id"])
                else:
                    self.index.upsert(doc)
            self.seen = max([marker, *(int(r["change_seq"]) for r, _ in pairs)])
            return len(pairs)

    async def search(self, query: SearchQuery) -> SearchResult:
        """Rank published slots for the query, after catching up with every change."""
        if not self.ready:
            await self.rebuild()
        else:
            await self.catch_up()
        return self.index.search(query)


_worker_search: SlotSearch | None = None


def slot_search() -> SlotSearch:
    """This worker's search (one per process)."""
    global _worker_search  # one index per worker process, by design
    if _worker_search is None:
        _worker_search = SlotSearch()
    return _worker_search


async def hosts_by_slot(slot_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Id, external id, title, kind, town and host (name, kind) of the given slots."""
    if not slot_ids:
        return {}
    rows = await Slot.select(
        Slot.id,
        Slot.external_id,
        Slot.title,
        Slot.kind,
        Slot.town,
        Slot.host.name.as_alias("host_name"),
        Slot.host.kind.as_alias("host_kind"),
    ).where(Slot.id.is_in(slot_ids))
    return {r["id"]: r for r in rows}


__all__ = ["SlotSearch", "doc_from_row", "hosts_by_slot", "slot_search"]
