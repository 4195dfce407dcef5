"""The public slot search API and the occupation autocomplete."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import Parameter

from marketplace.auth import public
from marketplace.errors import ValidationFailed
from placements.tables import SLOT_KINDS, TRACKS
from search import taxonomy
from search.schemas import (
    HostBrief,
    OccupationOut,
    SearchHitOut,
    SearchQuery,
    SearchResponse,
    WhyOut,
)
from search.services import hosts_by_slot, slot_search

FIELD_SV = {
    "title": "titeln",
    "occupation": "yrket",
    "skills": "kompetenserna",
    "description": "beskrivningen",
    "host": "arbetsgivarens namn",
    "town": "orten",
}
MATCH_SV = {
    "exact": "exakt",
    "folded": "utan å, ä och ö",
    "stem": "annan böjning",
    "prefix": "början av ordet",
    "typo": "stavfel",
    "compound": "del av sammansatt ord",
    "concept": "samma yrkesområde",
}


def why_text(term: str, field: str, match: str) -> str:
    """The reason as a sentence a coordinator can repeat: "Matchade lager i titeln (stavfel)"."""
    return f"Matchade {term} i {FIELD_SV.get(field, field)} ({MATCH_SV.get(match, match)})"


def parse_near(near: str | None) -> tuple[float, float] | None:
    if not near:
        return None
    parts = near.split(",")
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        raise ValidationFailed(
            "near ska vara latitud,longitud i decimalgrader, t.ex. near=57.94,12.81.",
            fields=["near"],
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationFailed("near ligger utanför jordklotet.", fields=["near"])
    return lat, lon


def build_query(
    q: str,
    limit: int,
    offset: int,
    kind: str | None,
    track: str | None,
    town: str | None,
    near: str | None,
    radius_km: float | None,
    max_hours: int | None,
    min_hours: int | None,
    adaptations: str | None,
    driving_licence: bool | None,
    open_only: bool,
) -> SearchQuery:
    """Validate the search parameters into a `SearchQuery` (400 naming the field if wrong)."""
    if kind is not None and kind not in SLOT_KINDS:
        raise ValidationFailed("kind ska vara praktik eller arbetsträning.", fields=["kind"])
    if track is not None and track not in TRACKS:
        raise ValidationFailed(
            "track ska vara kompetens, hälsa eller vägledning.", fields=["track"]
        )
    point = parse_near(near)
    if radius_km is not None and point is None:
        town_point = taxonomy.place(town) if town else None
        if town_point is None:
            raise ValidationFailed(
                "radius_km kräver near=lat,lon (eller en känd ort i town).", fields=["radius_km"]
            )
        point, town = town_point, None
    return SearchQuery(
        q=q,
        limit=limit,
        offset=offset,
        kind=kind,
        track=track,
        town=town or None,
        near=point,
        radius_km=radius_km,
        max_hours=max_hours,
        min_hours=min_hours,
        adaptations=[a.strip() for a in (adaptations or "").split(",") if a.strip()],
        no_driving_licence=driving_licence is False,
        open_only=open_only,
    )


async def run_search(query: SearchQuery) -> SearchResponse:
    """Search and dress the hits for the API (shared by the API and the pages)."""
    result = await slot_search().search(query)
    slots = await hosts_by_slot([h.slot_id for h in result.hits])
    results = []
    for hit in result.hits:
        row = slots.get(hit.slot_id)
        if row is None:  # closed between the index read and this query
            continue
        results.append(
            SearchHitOut(
                id=hit.slot_id,
                external_id=row["external_id"],
                title=row["title"],
                kind=row["kind"],
                town=row["town"],
                host=HostBrief(name=row["host_name"], kind=row["host_kind"]),
                score=round(hit.score, 4),
                why=[
                    WhyOut(
                        term=w.term,
                        field=w.field,
                        match=w.match,
                        text=why_text(w.term, w.field, w.match),
                    )
                    for w in hit.why
                ],
                distance_km=None if hit.distance_km is None else round(hit.distance_km, 1),
            )
        )
    return SearchResponse(total=result.total, results=results)


class SearchController(Controller):
    path = "/api/v1"
    guards = [public]
    tags = ["search"]

    @get("/slots/search", operation_id="searchSlots")
    async def search_slots(
        self,
        q: Annotated[str, Parameter(max_length=200)] = "",
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
        offset: Annotated[int, Parameter(ge=0, le=10000)] = 0,
        kind: str | None = None,
        track: str | None = None,
        town: Annotated[str | None, Parameter(max_length=100)] = None,
        near: Annotated[str | None, Parameter(max_length=60)] = None,
        radius_km: Annotated[float | None, Parameter(gt=0, le=1000)] = None,
        max_hours: Annotated[int | None, Parameter(ge=1, le=40)] = None,
        min_hours: Annotated[int | None, Parameter(ge=1, le=40)] = None,
        adaptations: Annotated[str | None, Parameter(max_length=500)] = None,
        driving_licence: bool | None = None,
        open_only: Annotated[bool, Parameter(query="open")] = True,
    ) -> SearchResponse:
        """Search published slots, typo-tolerant and Swedish-aware, with filters.

        `why` explains each hit per query word. An empty `q` lists by distance (with `near`)
        or newest first. `driving_licence=false` keeps only slots that need no licence.
        """
        query = build_query(
            q,
            limit,
            offset,
            kind,
            track,
            town,
            near,
            radius_km,
            max_hours,
            min_hours,
            adaptations,
            driving_licence,
            open_only,
        )
        return await run_search(query)

    @get("/taxonomy/occupations", operation_id="suggestOccupations")
    async def suggest_occupations(
        self,
        q: Annotated[str, Parameter(min_length=1, max_length=100)],
        limit: Annotated[int, Parameter(ge=1, le=50)] = 10,
    ) -> list[OccupationOut]:
        """Occupation autocomplete for forms: typo-tolerant, with the SSYK-4 group."""
        return [
            OccupationOut(id=s.id, label=s.label, ssyk=s.ssyk, group=s.group_label)
            for s in taxonomy.suggest_occupations(q, limit)
        ]


ROUTES = [SearchController]
